"""The archive: a dated folder tree per commune that outlives the software, with a derived search index.

See docs/archive-layout.md. Public API::

    from congkhai.archive import Archive, CaseFolder, FileEntry, find, verify, reindex
"""

from congkhai.archive.find import find
from congkhai.archive.index import reindex
from congkhai.archive.store import Archive, CaseFolder, FileEntry
from congkhai.archive.verify import Report, verify

__all__ = ["Archive", "CaseFolder", "FileEntry", "Report", "find", "reindex", "verify"]

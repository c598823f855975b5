"""The disclosure dossier's documents: Nghị định 30/2020 templates, rendering, official numbers.

- ``kinds``: the nine kinds and their manifests (fields, type code, archive name, dossier section);
- ``render``: ``render(kind, context, out)`` → a .docx (and a .txt for the group notice);
- ``register``: the register of official numbers (per commune, year and type code);
- ``context``: builders from the commune profile, the plan, a case and its schedule to a context.
"""

from congkhai.documents.kinds import KINDS, Kind, get_kind
from congkhai.documents.render import render

__all__ = ["KINDS", "Kind", "get_kind", "render"]

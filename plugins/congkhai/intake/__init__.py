"""Inbox intake: pick up what staff drop, never lose it, read the document itself, decide its plan item.

Stages, each with its own failure (after paperless-ngx's consumer):

- ``claim``: scan the inbox, wait for stable files, claim by atomic rename, hash, file into the
  archive, quarantine what cannot be read (``process_inbox`` is the entry point the DAG calls);
- ``preflight``: refuse hostile or unusable files before any parser opens them;
- ``extract``: read the text (pypdf, python-docx, tesseract OCR) and parse the Nghị định 30 fields;
- ``classify``: map the document to an item of the commune's yearly plan, with a confidence;
- ``trigger``: the Airflow event trigger (the only module here that imports Airflow).
"""

from typing import Any

__all__ = ["DocumentInfo", "inspect", "process_inbox"]


def __getattr__(name: str) -> Any:
    # Lazy: the triggerer imports congkhai.intake.trigger and must not pay for pypdf/python-docx.
    if name in ("DocumentInfo", "inspect"):
        from congkhai.intake import extract

        return getattr(extract, name)
    if name == "process_inbox":
        from congkhai.intake.claim import process_inbox

        return process_inbox
    raise AttributeError(name)

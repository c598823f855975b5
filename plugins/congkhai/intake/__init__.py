"""Inbox intake: pick up what staff drop, never lose it, read the document itself, decide its plan item.

Stages, each with its own failure (after paperless-ngx's consumer); ``claim.process_inbox`` is the
entry point the DAG calls and re-exports the public names of the stage modules:

- ``scan``: junk and hidden names, stable candidates, safe file names;
- ``claiming``: atomic rename into a locked claim folder, recovery of a dead worker's claims;
- ``sidecar``: the staff's ``<name>.yaml`` (validated: ``Sidecar``), retries it asks for;
- ``process``: one document's decision — archived, review (``origin``: whose document;
  ``quality``: a printable subject; ``classify``: the plan item) or errors;
- ``handoff``: archive filing, the per-commune lock, the pending records the pipeline acknowledges;
- ``preflight``: refuse hostile or unusable files before any parser opens them;
- ``extract``: read the text (pypdf, python-docx, tesseract OCR) and parse the Nghị định 30 fields;
- ``trigger``: the Airflow event trigger (the only module here that imports Airflow; ``watch`` is
  its Airflow-free poller).
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

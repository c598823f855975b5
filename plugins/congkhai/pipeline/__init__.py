"""The disclosure pipeline: which documents each case needs on which day, produced into the archive.

- :mod:`congkhai.pipeline.produce`: render → convert (batch) → verify → file, idempotently.
- :mod:`congkhai.pipeline.issuance`: the documents due when a case is posted.
- :mod:`congkhai.pipeline.calendar_jobs`: broadcast reports, end minutes, deadlines (every working
  day), quarterly lists, the January plan and re-postings, council reports.
- :mod:`congkhai.pipeline.actions`: what an operator records or corrects.

The Airflow DAGs call these functions and nothing else; every function takes the day it works
for (the run's logical date), never ``today()``.
"""

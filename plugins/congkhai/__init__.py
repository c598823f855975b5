"""congkhai: the public-disclosure paperwork (công khai thông tin) of a commune People's Committee.

All business logic lives in this package; Airflow DAGs in ``dags/`` only wire it to
schedules, retries and the UI. Nothing here needs a running Airflow.
"""

__version__ = "0.1.0"

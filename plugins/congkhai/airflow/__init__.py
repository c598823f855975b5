"""The few pieces of congkhai that Airflow itself must import by name (timetable, trigger).

Only modules in this subpackage (and ``congkhai.intake.trigger``) import Airflow.
"""

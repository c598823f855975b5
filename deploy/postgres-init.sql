-- The archive index lives in its own database, beside Airflow's metadata DB.
CREATE DATABASE congkhai;

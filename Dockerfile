# The Airflow image of congkhai: the official Airflow 3.3.2 image plus this project and the
# Debian packages the pipeline needs (LibreOffice stays in Gotenberg, not here).
FROM apache/airflow:3.3.2-python3.11

USER root
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      fonts-liberation2 poppler-utils ghostscript tesseract-ocr tesseract-ocr-vie unpaper \
 && apt-get clean && rm -rf /var/lib/apt/lists/*

USER airflow
WORKDIR /opt/congkhai
COPY --chown=airflow:root requirements.lock pyproject.toml README.md ./
# requirements.lock: what the pipeline runs on, no test tools (those are in requirements-test.lock).
# It pins apache-airflow-providers-celery (CeleryExecutor, the compose default) and celery<5.7.
RUN pip install --no-cache-dir -r requirements.lock \
 && python -c 'import airflow.providers.celery, psycopg'
COPY --chown=airflow:root plugins ./plugins
RUN pip install --no-cache-dir --no-deps .
COPY --chown=airflow:root dags /opt/airflow/dags
COPY --chown=airflow:root plugins/congkhai_airflow.py plugins/.airflowignore /opt/airflow/plugins/
COPY --chown=airflow:root templates_docx /opt/congkhai/templates_docx
COPY --chown=airflow:root communes /opt/congkhai/communes-default
ENV CONGKHAI_TEMPLATES=/opt/congkhai/templates_docx \
    CONGKHAI_COMMUNES=/congkhai/communes \
    CONGKHAI_DATA=/congkhai/data \
    CONGKHAI_INBOX=/congkhai/inbox \
    CONGKHAI_ARCHIVE=/congkhai/archive
WORKDIR /opt/airflow

"""The operator's cockpit ("Công khai"): where every case of a commune stands on a given day.

``status``: the domain (no Airflow, no HTML) that ``congkhai status`` prints and the page shows;
``webapp``: the page, a FastAPI app the Airflow plugin mounts next to the archive page.
"""

"""The Airflow plugin of congkhai: registers what Airflow must know by name.

The domain package ``congkhai`` itself is not a plugin: it is installed in the environment
(and this folder is on sys.path), and ``.airflowignore`` keeps the plugin manager from
importing its modules one by one.
"""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin


def _timetables() -> list:
    try:
        from congkhai.airflow.timetable import WorkingDayTimetable
    except ImportError:  # the calendar module is not there yet
        return []
    return [WorkingDayTimetable]


def _fastapi_apps() -> list:
    try:
        from congkhai.archive.webapp import create_app
    except ImportError:
        return []
    return [{"app": create_app(), "url_prefix": "/congkhai", "name": "Lưu trữ công khai"}]


class CongkhaiPlugin(AirflowPlugin):
    name = "congkhai"
    timetables = _timetables()
    fastapi_apps = _fastapi_apps()
    external_views = (
        [
            {
                "name": "Lưu trữ công khai",
                "href": "/congkhai/",
                "destination": "nav",
                "url_route": "luu-tru",
                # Served by the app above (the UI fetches it with the user's session cookie).
                "icon": "/congkhai/icon.svg",
            }
        ]
        if fastapi_apps
        else []
    )

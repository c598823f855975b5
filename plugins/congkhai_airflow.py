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
        from congkhai.cockpit.webapp import MOUNT as COCKPIT
        from congkhai.cockpit.webapp import create_app as create_cockpit
    except ImportError:
        return []
    return [
        {"app": create_cockpit(), "url_prefix": COCKPIT, "name": "Công khai"},
        {"app": create_app(), "url_prefix": "/congkhai", "name": "Lưu trữ"},
    ]


def _nav_links(apps: list) -> list:
    """The two pages in Airflow's navigation bar (the UI shows each in a frame at ``/plugin/<url_route>``).

    Short names: the bar cuts a long one ("Lưu trữ c…"); each page's own heading says the whole."""
    if not apps:
        return []
    cockpit = apps[0]["url_prefix"]
    return [
        {
            "name": "Công khai",
            "href": f"{cockpit}/",
            "destination": "nav",
            "url_route": "cong-khai",
            "icon": f"{cockpit}/icon.svg",
            # Two plugin links are folded into a "Plugins" menu unless they are top-level entries.
            "nav_top_level": True,
        },
        {
            "name": "Lưu trữ",
            "href": "/congkhai/",
            "destination": "nav",
            "url_route": "luu-tru",
            # Served by the app above (the UI fetches it with the user's session cookie).
            "icon": "/congkhai/icon.svg",
            "nav_top_level": True,
        },
    ]


def _root_middlewares() -> list:
    try:  # only an admin deletes DAGs, runs or task instances (congkhai.airflow.auth)
        from congkhai.airflow.auth import root_middlewares
    except ImportError:
        return []
    return root_middlewares()


class CongkhaiPlugin(AirflowPlugin):
    name = "congkhai"
    timetables = _timetables()
    fastapi_apps = _fastapi_apps()
    fastapi_root_middlewares = _root_middlewares()
    external_views = _nav_links(fastapi_apps)

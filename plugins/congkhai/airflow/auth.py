"""Who may delete: only an admin deletes a DAG, a DAG run or a task instance.

Airflow 3.3's SimpleAuthManager has four roles (``viewer`` < ``user`` < ``op`` < ``admin``) and
``is_authorized_dag`` gives every non-GET method — triggering, answering a required action, clearing
*and deleting* — to ``user`` and above: no role of its own triggers without being able to delete.
``make run`` (``airflow standalone``, which forces the SimpleAuthManager) therefore logs the commune
operator in with the ``user`` role and this guard refuses a DELETE on ``/api/v2/dags/…`` to anyone
who is not ``admin`` (the Airflow plugin installs it as a root middleware of the API server). The
deleted DAG would only come back at the next parse, but its runs — the history of who recorded what
and when — would be gone.

An auth manager without roles (FAB, Keycloak) is left to its own permissions: the guard only acts on
users that carry a SimpleAuthManager ``role``.
"""

from __future__ import annotations

import json
import logging
from typing import Any

log = logging.getLogger(__name__)

#: The API paths a DELETE is refused on (the DAG, its runs, task instances, XComs …).
GUARDED_PREFIX = "/api/v2/dags/"
REFUSED_VI = "Chỉ quản trị viên (admin) được xóa DAG, lượt chạy hoặc tác vụ; tài khoản cán bộ không có quyền này."
REFUSED_EN = "Only an admin may delete DAGs, DAG runs or task instances."


def may_delete(user: Any) -> bool:
    """Whether ``user`` may delete DAG resources: an admin, or a user of an auth manager without roles."""
    role = getattr(user, "role", None)
    if role is None:
        return True
    return str(role).upper() == "ADMIN"


def _token(scope: dict[str, Any]) -> str | None:
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip() or None
    for part in headers.get("cookie", "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == "_token" and value:
            return value
    return None


class DeleteGuard:
    """ASGI middleware: a DELETE under :data:`GUARDED_PREFIX` by a non-admin gets 403 (Vietnamese first).

    Requests without a valid token pass through: Airflow's own security answers them (401/403)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if (scope.get("type") == "http" and scope.get("method") == "DELETE"
                and str(scope.get("path", "")).startswith(GUARDED_PREFIX)):
            user = await self._user(scope)
            if user is not None and not may_delete(user):
                log.warning("refused DELETE %s to %s (role %s)", scope.get("path"), getattr(user, "username", "?"),
                            getattr(user, "role", "?"))
                body = json.dumps({"detail": f"{REFUSED_VI} / {REFUSED_EN}"}, ensure_ascii=False).encode()
                await send({"type": "http.response.start", "status": 403,
                            "headers": [(b"content-type", b"application/json; charset=utf-8"),
                                        (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)

    @staticmethod
    async def _user(scope: dict[str, Any]) -> Any:
        token = _token(scope)
        if not token:
            return None
        try:
            from airflow.api_fastapi.app import get_auth_manager

            return await get_auth_manager().get_user_from_token(token)
        except Exception:  # noqa: BLE001 - an invalid or expired token: Airflow's security answers
            return None


def root_middlewares() -> list[dict[str, Any]]:
    """What the Airflow plugin registers (``fastapi_root_middlewares``)."""
    return [{"middleware": DeleteGuard, "args": [], "kwargs": {}, "name": "congkhai: chỉ admin được xóa"}]

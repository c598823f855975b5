"""What every congkhai DAG shares: defaults, the assets, the run's day, the task decorator.

Cheap to import (parse time). Every congkhai task is declared with :func:`task` (this module's, not
``airflow.sdk.task``): a :class:`~congkhai.errors.PermanentError` then fails the task at once, with
its Vietnamese message, instead of being retried three times over several minutes; every other
error (a converter down, a timeout) keeps the DAG's retries.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable
from typing import Any

import pendulum

from congkhai.errors import PermanentError, UsageError

log = logging.getLogger(__name__)

TZ = "Asia/Ho_Chi_Minh"
START = pendulum.datetime(2024, 1, 1, tz=TZ)
#: The Airflow pool that limits concurrent conversions to the number of converter instances.
CONVERTER_POOL = "congkhai_converter"

def _retry_delay_seconds() -> int:
    """``CONGKHAI_RETRY_DELAY`` (seconds, default 30): the first wait before Airflow retries a task
    (doubled at each try). A test that kills the whole Airflow shortens it; production keeps 30 s."""
    import os

    try:
        return max(1, int(os.environ.get("CONGKHAI_RETRY_DELAY") or 30))
    except ValueError:
        return 30


DEFAULT_ARGS: dict[str, Any] = {
    "owner": "congkhai",
    "retries": 3,
    "retry_delay": pendulum.duration(seconds=_retry_delay_seconds()),
    "retry_exponential_backoff": True,
}

#: What every scheduled congkhai DAG shares (its own: dag_id, schedule, tags, doc_md).
COMMON_DAG_ARGS: dict[str, Any] = {
    "start_date": START,
    "catchup": False,
    "max_active_runs": 1,
    "default_args": DEFAULT_ARGS,
}

#: URI of the asset whose events carry new disclosure cases from intake to the issuance DAG.
CASES_URI = "congkhai://cases"
#: URI of the asset updated when a commune's archive got new documents (the citizens' site is rebuilt).
ARCHIVE_URI = "congkhai://archive"
INBOX_URI = "congkhai://inbox"

#: The DAG whose runs ask people for the evidence of one case each (``congkhai_evidence``).
EVIDENCE_DAG_ID = "congkhai_evidence"


def archive_asset():
    """The ``congkhai://archive`` asset: an outlet of every task that files documents in the archive."""
    from airflow.sdk import Asset

    return Asset(ARCHIVE_URI)


def count_filed(result: Any) -> int:
    """How many documents a runner result filed (its ``filed`` lists, nested results included)."""
    if isinstance(result, dict):
        own = result.get("filed")
        n = len(own) if isinstance(own, list) else (own if isinstance(own, int) else 0)
        return n + sum(count_filed(v) for k, v in result.items() if k != "filed" and isinstance(v, dict))
    return 0


def announce_filed(context: dict[str, Any], commune: str, result: Any, *, changed: bool = False) -> None:
    """Name the commune, the count filed and whether its public record changed on this task's
    ``congkhai://archive`` event.

    Airflow emits the event whenever the task succeeds; ``congkhai_publish`` rebuilds the citizens'
    site of the communes whose events changed something (documents filed, or ``changed``: a case
    cancelled files nothing but leaves the site) and ignores the others."""
    filed = count_filed(result)
    context["outlet_events"][archive_asset()].extra = {"commune": commune, "filed": filed,
                                                        "changed": bool(filed or changed)}


def evidence_run_id(commune: str, case_id: str) -> str:
    """The run of ``congkhai_evidence`` for one case: ``kep__20240325-15-qd-ubnd`` (one run per case)."""
    return f"{commune}__{case_id}"


def fail_fast(func: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a task's callable: a :class:`PermanentError` becomes Airflow's ``AirflowFailException``.

    Retrying a broken template or a bad document only repeats the error (and stalls a replay);
    Airflow fails a task raising ``AirflowFailException`` without retrying it. The Vietnamese
    message is logged first, then carried by the exception (raised ``from`` the original, so the
    traceback still shows where it came from; a :class:`UsageError` — what a person typed in a form —
    is not chained: its message says everything to fix and the chain would only bury it).
    """

    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except PermanentError as err:
            from airflow.sdk.exceptions import AirflowFailException

            log.error("%s", err.message_vi)
            if isinstance(err, UsageError):  # a person's input: the message says it all, no traceback chain
                raise AirflowFailException(str(err)) from None
            raise AirflowFailException(str(err)) from err

    run.congkhai_fail_fast = True  # type: ignore[attr-defined]
    return run


def task(python_callable: Callable[..., Any] | None = None, **kwargs: Any) -> Any:
    """``airflow.sdk.task`` for congkhai DAGs: the same arguments, with :func:`fail_fast` applied.

    ``@task``, ``@task(pool=CONVERTER_POOL)`` and ``.expand(...)`` work as with Airflow's decorator.
    """
    from airflow.sdk import task as airflow_task

    if python_callable is None:
        return lambda func: airflow_task(fail_fast(func), **kwargs)
    return airflow_task(fail_fast(python_callable), **kwargs)


def run_day(context: dict[str, Any]) -> dt.date:
    """The Vietnamese day a run works for: its logical date, or (manual / asset runs) its run_after."""
    when = context.get("logical_date") or context["dag_run"].run_after
    return pendulum.instance(when).in_timezone(TZ).date()


def trigger_day(context: dict[str, Any]) -> dt.date:
    """The Vietnamese day a run was triggered (its ``run_after``), whatever its logical date says.

    The operator actions use it as "today" (the default of their ``ngay`` field and the latest day a
    form may give): the trigger form's *Logical date* field decides nothing there."""
    return pendulum.instance(context["dag_run"].run_after).in_timezone(TZ).date()


def all_communes() -> list[str]:
    from congkhai.config import list_communes

    return list_communes()


def print_summary(title: str, result: dict[str, Any]) -> None:
    """A readable log for operators: what was filed, skipped, failed."""
    filed = result.get("filed", [])
    print(f"== {title}: {len(filed)} filed, {len(result.get('skipped', []))} already there, "
          f"{len(result.get('failed', []))} failed")
    for f in filed:
        print(f"   + {f.get('path', f.get('key'))}")
    for f in result.get("failed", []):
        print(f"   ! {f.get('key')}: {f.get('error')}")


def communes_task():
    """A task listing every commune of the installation (the mapped dimension of the calendar DAGs).

    Call it inside a DAG: ``produce.expand(commune=communes_task())``.
    """
    @task(task_id="communes", task_display_name="Các xã")
    def communes() -> list[str]:
        """Các xã của bản cài đặt này (CONGKHAI_ONLY_COMMUNES thu hẹp danh sách)."""
        return all_communes()

    return communes()

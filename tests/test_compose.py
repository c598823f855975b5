"""The docker-compose deployment is not exercised here (no Docker engine): check its consistency.

GIVEN docker-compose.yml WHEN it is parsed THEN every service the deployment needs is there (PostgreSQL,
Redis, Gotenberg replicas, the Airflow components, N Celery workers, Flower under a profile) with a
healthcheck, a restart policy, resource limits and a pinned image; Airflow's services share one
environment (CeleryExecutor, PostgreSQL metadata DB, the separate `congkhai` index DB, Redis, Gotenberg,
the converter pool sized to the Gotenberg replicas), the shared folders are mounted, secrets come from
.env (required, never defaulted), and depends_on names real services.
"""

from __future__ import annotations

import re

import pytest
import yaml

from tests.conftest import REPO

AIRFLOW_SERVICES = {"airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer",
                    "airflow-worker"}
SECRETS = {"POSTGRES_PASSWORD", "REDIS_PASSWORD", "AIRFLOW_JWT_SECRET", "AIRFLOW_ADMIN_PASSWORD",
           "AIRFLOW_OPERATOR_PASSWORD"}


def _target(volume: str) -> str:
    """The container path of a volume line, with ${VAR:-default} host parts removed."""
    return re.sub(r"\$\{[^}]*\}", "$VAR", volume).split(":")[1]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def text() -> str:
    return (REPO / "docker-compose.yml").read_text(encoding="utf-8")


def test_services_present(compose):
    services = set(compose["services"])
    assert {"postgres", "redis", "gotenberg", "airflow-init", "flower"} | AIRFLOW_SERVICES <= services


def test_every_long_running_service_has_healthcheck_restart_and_limits(compose):
    for name, svc in compose["services"].items():
        if name == "airflow-init":
            assert svc.get("restart") == "no"
            continue
        assert "healthcheck" in svc and svc["healthcheck"]["test"], f"{name}: no healthcheck"
        assert svc.get("restart") in ("unless-stopped", "always", "on-failure"), f"{name}: no restart policy"
        limits = ((svc.get("deploy") or {}).get("resources") or {}).get("limits") or {}
        assert limits.get("memory") and limits.get("cpus"), f"{name}: no resource limits"


def test_images_pinned(compose):
    for name, svc in compose["services"].items():
        image = svc.get("image")
        assert image, f"{name}: no image"
        assert re.search(r":\d+(\.\d+)+", image), f"{name}: image {image} is not pinned to a version"
        assert not image.endswith(":latest")
    assert compose["services"]["gotenberg"]["image"].startswith("gotenberg/gotenberg:8.")
    assert compose["services"]["postgres"]["image"].startswith("postgres:16")
    assert compose["services"]["redis"]["image"].startswith("redis:7")
    dockerfile = (REPO / "Dockerfile").read_text()
    assert "FROM apache/airflow:3.3.2" in dockerfile


def test_airflow_env_consistent(compose):
    for name in AIRFLOW_SERVICES | {"airflow-init", "flower"}:
        env = compose["services"][name]["environment"]
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
        assert env["GOTENBERG_URL"] == "http://gotenberg:3000"
        assert "@postgres/airflow" in env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
        assert "@postgres/airflow" in env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC"]
        assert "@postgres/congkhai" in env["CONGKHAI_INDEX_URL"]
        assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://") and "@redis:6379" in env[
            "AIRFLOW__CELERY__BROKER_URL"]
        assert env["AIRFLOW__CELERY__RESULT_BACKEND"].startswith("redis://") and "@redis:6379/1" in env[
            "AIRFLOW__CELERY__RESULT_BACKEND"]  # not the broker's db, not PostgreSQL (outages)
        assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "False"
        assert env["AIRFLOW__CORE__DEFAULT_TIMEZONE"] == "Asia/Ho_Chi_Minh"
        assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"].startswith("http://airflow-apiserver:8080")
        assert env["AIRFLOW__API_AUTH__JWT_SECRET"].startswith("${AIRFLOW_JWT_SECRET:?")
        # the same two logins as `make run` (canbo: the operator, role user; admin), both with a password
        run_users = re.search(r'SIMPLE_AUTH_MANAGER_USERS="([^"]+)"', (REPO / "scripts" / "airflow-env.sh").read_text())
        assert env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"] == run_users.group(1) == "admin:admin,canbo:user"
        mounts = {_target(v) for v in compose["services"][name]["volumes"]}
        assert {"/congkhai/inbox", "/congkhai/archive", "/congkhai/communes", "/congkhai/data"} <= mounts
        # the passwords file written by airflow-init is visible to the api-server
        assert "/opt/airflow/config" in mounts


def test_postgres_has_two_databases(compose):
    pg = compose["services"]["postgres"]
    assert pg["environment"]["POSTGRES_DB"] == "airflow"
    init = [v for v in pg["volumes"] if "docker-entrypoint-initdb.d" in v]
    assert init
    sql = (REPO / init[0].split(":")[0]).read_text()
    assert re.search(r"CREATE DATABASE congkhai", sql, re.I)


def test_celery_workers_scalable(compose):
    worker = compose["services"]["airflow-worker"]
    assert worker["command"] == "celery worker"
    assert "ports" not in worker and "container_name" not in worker  # --scale needs both absent
    assert str(worker["deploy"]["replicas"]).startswith("${AIRFLOW_WORKERS")
    assert "inspect ping" in " ".join(worker["healthcheck"]["test"])
    assert compose["services"]["airflow-worker"]["depends_on"]["gotenberg"]["condition"] == "service_healthy"
    flower = compose["services"]["flower"]
    assert flower["profiles"] == ["flower"] and flower["command"] == "celery flower"


def test_gotenberg_replicas_match_converter_pool(compose, text):
    gotenberg = compose["services"]["gotenberg"]
    assert "ports" not in gotenberg and "container_name" not in gotenberg
    assert gotenberg["deploy"]["replicas"] == "${GOTENBERG_REPLICAS:-2}"
    env = compose["services"]["airflow-scheduler"]["environment"]
    assert env["CONGKHAI_CONVERTERS"] == "${GOTENBERG_REPLICAS:-2}"
    init = " ".join(compose["services"]["airflow-init"]["command"])
    assert 'airflow pools set congkhai_converter "$${CONGKHAI_CONVERTERS}"' in init
    assert "airflow db migrate" in init
    assert "Times New Roman" in text
    font_image = (REPO / "deploy" / "gotenberg" / "Dockerfile").read_text()
    assert "FROM gotenberg/gotenberg:8.20.1" in font_image and "fc-cache" in font_image


def test_depends_on_real_services_and_volumes_declared(compose):
    services = set(compose["services"])
    declared = set(compose.get("volumes") or {})
    for name, svc in compose["services"].items():
        for dep in svc.get("depends_on") or {}:
            assert dep in services, f"{name} depends on unknown {dep}"
        for v in svc.get("volumes") or []:
            src = re.sub(r"\$\{[^}]*\}", "$VAR", v).split(":")[0]
            if not src.startswith((".", "/", "$")):
                assert src in declared, f"{name}: volume {src} not declared"


def test_env_example_has_every_variable_and_no_real_secret(text):
    used = set(re.findall(r"(?<!\$)\$\{([A-Z_]+)", text))
    example = (REPO / ".env.example").read_text()
    defined = dict(re.findall(r"^([A-Z_]+)=(.*)$", example, re.M))
    assert used <= set(defined), used - set(defined)
    for name in SECRETS:
        assert f"${{{name}:?" in text, f"{name} must be required (no default in compose)"
        assert defined[name].startswith("CHANGE"), f".env.example must not carry a real {name}"
    assert int(defined["GOTENBERG_REPLICAS"]) >= 1 and int(defined["AIRFLOW_WORKERS"]) >= 1
    ignored = (REPO / ".gitignore").read_text().split()
    assert ".env" in ignored


def test_compose_converts_with_gotenberg_not_a_per_host_service(compose):
    """GIVEN the compose stack THEN every Airflow container converts through Gotenberg: none sets
    CONGKHAI_CONVERTER_URL (it takes precedence over GOTENBERG_URL) and none runs `converter serve`
    (the image has no LibreOffice; Gotenberg is the stack's shared converter)."""
    for name in AIRFLOW_SERVICES:
        svc = compose["services"][name]
        env = svc.get("environment") or {}
        assert env.get("GOTENBERG_URL") == "http://gotenberg:3000", name
        assert "CONGKHAI_CONVERTER_URL" not in env, name
        assert "converter serve" not in str(svc.get("command", "")), name
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    assert "libreoffice" not in dockerfile.split("apt-get install", 1)[1].split("&&", 1)[0]

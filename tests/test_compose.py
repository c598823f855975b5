"""The docker-compose deployment is not exercised here (no Docker engine): check its consistency.

GIVEN docker-compose.yml WHEN it is parsed THEN every service the deployment needs is there with a
healthcheck and a pinned image, Airflow's services share one environment that points at PostgreSQL and
Gotenberg, the shared volumes are declared, and depends_on names real services.
"""

from __future__ import annotations

import re

import pytest
import yaml

from tests.conftest import REPO

AIRFLOW_SERVICES = {"airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer"}


def _target(volume: str) -> str:
    """The container path of a volume line, with ${VAR:-default} host parts removed."""
    return re.sub(r"\$\{[^}]*\}", "$VAR", volume).split(":")[1]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))


def test_services_present(compose):
    services = set(compose["services"])
    assert {"postgres", "gotenberg", "airflow-init"} | AIRFLOW_SERVICES <= services


def test_every_long_running_service_has_healthcheck_and_restart(compose):
    for name, svc in compose["services"].items():
        if name == "airflow-init":
            continue
        assert "healthcheck" in svc and svc["healthcheck"]["test"], f"{name}: no healthcheck"
        assert svc.get("restart") in ("unless-stopped", "always", "on-failure"), f"{name}: no restart policy"


def test_images_pinned(compose):
    for name, svc in compose["services"].items():
        image = svc.get("image")
        assert image, f"{name}: no image"
        assert re.search(r":\d+(\.\d+)+", image), f"{name}: image {image} is not pinned to a version"
        assert not image.endswith(":latest")
    assert compose["services"]["gotenberg"]["image"].startswith("gotenberg/gotenberg:8.")
    assert compose["services"]["postgres"]["image"].startswith("postgres:16")
    dockerfile = (REPO / "Dockerfile").read_text()
    assert "FROM apache/airflow:3.3.2" in dockerfile


def test_airflow_env_consistent(compose):
    for name in AIRFLOW_SERVICES | {"airflow-init"}:
        env = compose["services"][name]["environment"]
        assert env["GOTENBERG_URL"] == "http://gotenberg:3000"
        assert "@postgres/airflow" in env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
        assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "False"
        assert env["AIRFLOW__CORE__DEFAULT_TIMEZONE"] == "Asia/Ho_Chi_Minh"
        assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"].startswith("http://airflow-apiserver:8080")
        mounts = {_target(v) for v in compose["services"][name]["volumes"]}
        assert {"/congkhai/inbox", "/congkhai/archive", "/congkhai/communes", "/congkhai/data"} <= mounts


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


def test_env_example_has_every_variable(compose):
    text = (REPO / "docker-compose.yml").read_text()
    used = set(re.findall(r"(?<!\$)\$\{([A-Z_]+)", text))
    example = (REPO / ".env.example").read_text()
    defined = set(re.findall(r"^([A-Z_]+)=", example, re.M))
    assert used <= defined, used - defined

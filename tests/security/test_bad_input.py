"""Bad input at the command line: one clear line on stderr, a non-zero exit, nothing half-written.

Each case runs ``python -m pledgewatch`` in a subprocess, as an operator would, with the data
directory in a temporary folder and every proxy variable pointing at a closed loopback port:
should a check ever be skipped and a crawl start, it cannot leave this machine.
(`tests/test_cli.py` covers a bad registry entry under ``pledges check`` and a bad DB URL
under ``db upgrade``; these are the other ways in.)
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

CLOSED_PORT = "http://127.0.0.1:9"


def pledgewatch(*args: str, env: dict[str, str], cwd: Path | None = None,
                timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run the command in its own process group; on a timeout the whole group (a crawl child
    included) is killed, so a check that regresses cannot leave a crawl running."""
    with subprocess.Popen([sys.executable, "-m", "pledgewatch", *args], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, env=env, cwd=cwd or REPO,
                          start_new_session=True) as proc:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
            pytest.fail(f"pledgewatch {' '.join(args)} still running after {timeout}s: {err}")
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith("PLEDGEWATCH_") and k.lower() not in (
                 "http_proxy", "https_proxy", "all_proxy", "no_proxy")}
    clean.update({"PLEDGEWATCH_DATA_DIR": str(tmp_path / "data"), "http_proxy": CLOSED_PORT,
                  "https_proxy": CLOSED_PORT, "no_proxy": ""})
    return clean


def warehouse(env: dict[str, str]) -> Path:
    return Path(env["PLEDGEWATCH_DATA_DIR"]) / "pledgewatch.sqlite"


def assert_one_line_error(result: subprocess.CompletedProcess[str], *expected: str) -> str:
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("Error: "), line
    for word in expected:
        assert word in line, line
    return line


def assert_nothing_written(env: dict[str, str]) -> None:
    data = Path(env["PLEDGEWATCH_DATA_DIR"])
    written = sorted(p.name for p in data.rglob("*")) if data.exists() else []
    assert written == [], f"left behind: {written}"


# -- the pledge registry ---------------------------------------------------------------------

BAD_REGISTRIES = {
    "not-yaml": "version: 1\nseed: s\npledges: [\n",
    "not-a-mapping": "- just\n- a list\n",
    "bad-entry": ("version: 1\nseed: s\npledges:\n  - id: wind-farm\n    area: 火星\n"
                  "    kind: project\n    title: 风电\n    seed_sentence: 風電\n"
                  "    aliases: [风电]\n"),
}


@pytest.mark.parametrize("registry", sorted(BAD_REGISTRIES))
def test_a_malformed_registry_stops_a_run_before_the_warehouse(env: dict[str, str],
                                                               tmp_path: Path,
                                                               registry: str) -> None:
    path = tmp_path / f"{registry}.yaml"
    path.write_text(BAD_REGISTRIES[registry], encoding="utf-8")
    result = pledgewatch("run", env={**env, "PLEDGEWATCH_REGISTRY_PATH": str(path)})
    assert_one_line_error(result, str(path))
    assert_nothing_written(env)


@pytest.mark.parametrize("command", [("run", "--reprocess"), ("process",), ("pledges", "load"),
                                     ("demo",), ("eval",)], ids=" ".join)
def test_every_command_refuses_a_malformed_registry(env: dict[str, str], tmp_path: Path,
                                                    command: tuple[str, ...]) -> None:
    path = tmp_path / "registry.yaml"
    path.write_text(BAD_REGISTRIES["not-yaml"], encoding="utf-8")
    result = pledgewatch(*command, env={**env, "PLEDGEWATCH_REGISTRY_PATH": str(path)})
    assert_one_line_error(result, str(path), "line 4")
    assert_nothing_written(env)


def test_a_missing_registry_is_named(env: dict[str, str], tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.yaml"
    result = pledgewatch("process", env={**env, "PLEDGEWATCH_REGISTRY_PATH": str(missing)})
    assert_one_line_error(result, str(missing), "cannot read")
    assert_nothing_written(env)


def test_a_malformed_registry_leaves_an_existing_warehouse_unchanged(env: dict[str, str],
                                                                     tmp_path: Path) -> None:
    assert pledgewatch("db", "upgrade", env=env).returncode == 0
    assert pledgewatch("pledges", "load", env=env).returncode == 0
    db = warehouse(env)
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD_REGISTRIES["bad-entry"], encoding="utf-8")
    for command in (("run", "--reprocess"), ("pledges", "load"), ("process",)):
        result = pledgewatch(*command, env={**env, "PLEDGEWATCH_REGISTRY_PATH": str(bad)})
        assert_one_line_error(result, "wind-farm", "area")
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


# -- settings ------------------------------------------------------------------------------

BAD_SETTINGS = [
    ("DOWNLOAD_DELAY", "fast"), ("DOWNLOAD_DELAY", "nan"), ("DOWNLOAD_DELAY", "inf"),
    ("DOWNLOAD_DELAY", "-1"), ("SITE_STALE_DAYS", "1.5"), ("SITE_STALE_DAYS", "-3"),
    ("EXTRACTION_FAILURE_RATIO", "2"), ("ALERT_TIMEOUT", "0"), ("ALERT_TIMEOUT", "nan"),
    ("DB_URL", "nonsense"), ("DB_URL", "foo://bar/x"), ("WEBHOOK_URL", "hook.example/t0ken"),
    ("SLACK_URL", "ftp://hooks.example/t0ken"), ("SMTP_URL", "mail.example:25"),
    ("DINGTALK_URL", "javascript:alert(1)"), ("DINGTALK_RATE", "fast"),
    ("FEISHU_RATE", "100/60,5/0"), ("ALERT_MAX_WAIT", "-1"), ("ROBOT_DIGEST_SIZE", "0"),
]


@pytest.mark.parametrize(("name", "value"), BAD_SETTINGS, ids=lambda v: str(v))
def test_a_malformed_setting_is_named_in_one_line(env: dict[str, str], name: str,
                                                  value: str) -> None:
    result = pledgewatch("run", env={**env, f"PLEDGEWATCH_{name}": value})
    line = assert_one_line_error(result, f"PLEDGEWATCH_{name}")
    assert "t0ken" not in line  # a malformed secret is still a secret
    assert_nothing_written(env)


@pytest.mark.parametrize("command", [("process",), ("crawl",), ("deliver",), ("report",),
                                     ("config",), ("db", "upgrade"), ("pledges", "load"),
                                     ("demo",)], ids=" ".join)
def test_every_command_refuses_a_malformed_setting(env: dict[str, str],
                                                   command: tuple[str, ...]) -> None:
    for name, value in (("ALERT_TIMEOUT", "nan"), ("WEBHOOK_URL", "hook.example/t0ken")):
        result = pledgewatch(*command, env={**env, f"PLEDGEWATCH_{name}": value})
        assert_one_line_error(result, f"PLEDGEWATCH_{name}")
    assert_nothing_written(env)


def test_an_unreachable_warehouse_is_one_line_without_its_password(env: dict[str, str]) -> None:
    url = "postgresql+psycopg://pw_user:hunter2-secret@127.0.0.1:9/pledgewatch"
    for command in (("db", "upgrade"), ("run", "--reprocess"), ("process",), ("report",)):
        result = pledgewatch(*command, env={**env, "PLEDGEWATCH_DB_URL": url})
        line = assert_one_line_error(result, "127.0.0.1:9")
        assert "hunter2" not in result.stderr + result.stdout, line
    assert_nothing_written(env)


def test_a_data_dir_that_cannot_be_made_is_one_line(env: dict[str, str], tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    result = pledgewatch("db", "upgrade", env={**env, "PLEDGEWATCH_DATA_DIR": str(blocker / "d")})
    assert_one_line_error(result, str(blocker))


# -- sites and windows -------------------------------------------------------------------------


@pytest.mark.parametrize("command", [("crawl", "--site", "nope"),
                                     ("crawl", "--site", "lfxww", "--site", "nope"),
                                     ("run", "--site", "nope"),
                                     ("extract", "--site", "nope", "http://x.cn/a.html")],
                         ids=" ".join)
def test_an_unknown_site_is_refused_before_anything(env: dict[str, str], tmp_path: Path,
                                                     command: tuple[str, ...]) -> None:
    page = tmp_path / "page.html"
    page.write_text("<p>蒲县</p>", encoding="utf-8")
    args = (*command, str(page)) if command[0] == "extract" else command
    assert_one_line_error(pledgewatch(*args, env=env), "nope", "lfxww")
    assert_nothing_written(env)


@pytest.mark.parametrize("command", ["run", "crawl"])
def test_a_window_ending_before_it_starts_is_refused(env: dict[str, str], command: str) -> None:
    result = pledgewatch(command, "--since", "2022-05-01", "--until", "2022-04-01", env=env)
    assert_one_line_error(result, "2022-04-01", "2022-05-01")
    assert_nothing_written(env)


@pytest.mark.parametrize("command", ["run", "crawl"])
def test_a_malformed_date_is_a_usage_error(env: dict[str, str], command: str) -> None:
    result = pledgewatch(command, "--since", "2022-13-01", env=env)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "--since" in result.stderr.strip().splitlines()[-1]
    assert_nothing_written(env)


# -- the batch linker --------------------------------------------------------------------------

GOOD = [json.dumps({"id": f"a{i}", "url": "http://www.lfxww.com/puxian/1.html",
                    "title": "蒲县博远风电项目并网发电", "published": "2022-09-16",
                    "body": "蒲县博远风电项目日前顺利实现并网发电。"}, ensure_ascii=False)
        for i in range(3)]
BAD_LINES = {
    "broken-json": '{"id": "x", "title": ',
    "not-an-object": "[1, 2, 3]",
    "no-id": '{"title": "蒲县"}',
    "bad-date": '{"id": "x", "published": "not-a-date", "body": "蒲县"}',
    "wrong-types": '{"id": "x", "title": 5, "body": ["蒲县"]}',
}


@pytest.mark.parametrize("bad", sorted(BAD_LINES))
def test_a_malformed_jsonl_line_leaves_no_output(env: dict[str, str], tmp_path: Path,
                                                 bad: str) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join([*GOOD, BAD_LINES[bad], GOOD[0]]) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = pledgewatch("link", "--in", str(source), "--out", str(out), env=env)
    assert_one_line_error(result, f"line {len(GOOD) + 1}")
    assert not out.exists() or out.read_text(encoding="utf-8") == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]  # no temporary file left


def test_a_failed_link_keeps_the_previous_output(env: dict[str, str], tmp_path: Path) -> None:
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text("\n".join(GOOD) + "\n", encoding="utf-8")
    assert pledgewatch("link", "--in", str(source), "--out", str(out), env=env).returncode == 0
    before = out.read_bytes()
    assert len(before.splitlines()) == len(GOOD)
    source.write_text("\n".join([*GOOD, BAD_LINES["broken-json"]]) + "\n", encoding="utf-8")
    assert_one_line_error(pledgewatch("link", "--in", str(source), "--out", str(out), env=env))
    assert out.read_bytes() == before


def test_non_utf8_input_is_one_line(env: dict[str, str], tmp_path: Path) -> None:
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_bytes(GOOD[0].encode("utf-8") + b"\n" + GOOD[1].encode("gb18030") + b"\n")
    assert_one_line_error(pledgewatch("link", "--in", str(source), "--out", str(out), env=env),
                          "UTF-8")
    assert not out.exists()

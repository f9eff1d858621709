"""The DAG-integrity test: imports cleanly and says how it must be scheduled."""

from __future__ import annotations

import datetime as dt

import pytest


def test_no_import_errors(dagbag) -> None:  # type: ignore[no-untyped-def]
    assert dagbag.import_errors == {}
    assert "pledgewatch_nightly" in dagbag.dags


@pytest.fixture
def nightly(dagbag):  # type: ignore[no-untyped-def]
    return dagbag.dags["pledgewatch_nightly"]


def test_schedule_and_time_zone(nightly) -> None:  # type: ignore[no-untyped-def]
    timetable = nightly.timetable
    assert timetable.expression == "0 2 * * *"
    assert str(timetable.timezone) in ("Asia/Shanghai", "Timezone('Asia/Shanghai')")
    assert nightly.catchup is False
    assert nightly.max_active_runs == 1
    assert set(nightly.tags) >= {"pledgewatch", "nightly"}


def test_every_task_retries_with_backoff_and_a_timeout(nightly) -> None:  # type: ignore[no-untyped-def]
    for task in nightly.tasks:
        assert task.retries >= 2, task.task_id
        assert task.retry_exponential_backoff, task.task_id
        assert task.execution_timeout is not None and task.execution_timeout <= dt.timedelta(hours=2)
        # A mapped task keeps its docstring on the callable, not on the operator.
        callable_doc = getattr(getattr(task, "python_callable", None), "__doc__", None)
        assert task.doc_md or callable_doc, task.task_id


def test_shape(nightly) -> None:  # type: ignore[no-untyped-def]
    tasks = {t.task_id: t for t in nightly.tasks}
    assert set(tasks) == {"prepare", "crawl_site", "process", "deliver"}
    assert tasks["crawl_site"].is_mapped  # one task per site, run on as many workers as exist
    assert str(tasks["process"].trigger_rule) in ("all_done", "TriggerRule.ALL_DONE")
    assert tasks["process"].upstream_task_ids == {"crawl_site"}
    assert tasks["deliver"].upstream_task_ids == {"process"}
    outlets = {a.name for t in tasks.values() for a in t.outlets}
    assert outlets >= {"raw_page", "article", "fct_mention", "alert_outbox"}
    assert nightly.on_failure_callback


def test_dag_folder_only_wires(dagbag) -> None:  # type: ignore[no-untyped-def]
    """A DAG file holds no pipeline logic: no SQL, no Scrapy, no parsing."""
    from pathlib import Path

    source = Path(dagbag.dag_folder, "pledgewatch_nightly.py").read_text(encoding="utf-8")
    for banned in ("sqlalchemy", "scrapy", "BeautifulSoup", "SELECT ", "requests"):
        assert banned not in source

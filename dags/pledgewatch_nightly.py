"""Nightly pledgewatch run: wiring only; every step lives in ``pledgewatch.pipeline.nightly``."""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import CronDataIntervalTimetable, dag, task
from airflow.sdk.definitions.context import get_current_context

from pledgewatch.orchestration.assets import (
    ALERT_OUTBOX,
    ARTICLE,
    DIM_PLEDGE,
    FCT_MENTION,
    RAW_PAGE,
)
from pledgewatch.orchestration.notifier import RunFailedNotifier

DEFAULT_ARGS = {
    "owner": "pledgewatch",
    "retries": 2,
    "retry_delay": dt.timedelta(minutes=5),
    "retry_exponential_backoff": True,
    "max_retry_delay": dt.timedelta(minutes=40),
    "execution_timeout": dt.timedelta(hours=1),
}


def _interval() -> tuple[dt.datetime, dt.datetime]:
    context = get_current_context()
    return context["data_interval_start"], context["data_interval_end"]


@dag(
    dag_id="pledgewatch_nightly",
    # Nightly at 02:00 county time; each run covers the day since the last one.
    schedule=CronDataIntervalTimetable("0 2 * * *", timezone="Asia/Shanghai"),
    start_date=pendulum.datetime(2022, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["pledgewatch", "news", "nightly"],
    on_failure_callback=RunFailedNotifier(),
    doc_md=__doc__,
)
def pledgewatch_nightly() -> None:
    @task(outlets=[DIM_PLEDGE])
    def prepare() -> list[str]:
        """Migrate the warehouse and load the pledge registry; list the sites to crawl."""
        from pledgewatch.pipeline import nightly

        return nightly.prepare()

    @task(outlets=[RAW_PAGE], max_active_tis_per_dag=5)
    def crawl_site(site: str) -> dict:
        """Crawl one site for the run's data interval (mapped: one task per site)."""
        from pledgewatch.pipeline import nightly

        return nightly.crawl_site(site, *_interval())

    @task(outlets=[ARTICLE, FCT_MENTION, ALERT_OUTBOX], trigger_rule="all_done")
    def process() -> dict:
        """Extract, dedupe, link and load what the crawls stored, even if a site failed."""
        from pledgewatch.pipeline import nightly

        return nightly.process()

    @task(outlets=[ALERT_OUTBOX])
    def deliver() -> dict:
        """Queue site-health alerts for the interval, then send pending alerts."""
        from pledgewatch.pipeline import nightly

        return nightly.deliver(_interval()[1])

    crawled = crawl_site.expand(site=prepare())
    crawled >> process() >> deliver()


pledgewatch_nightly()

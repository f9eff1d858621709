"""Tell the alert channels when a nightly run fails, through the same outbox as every alert."""

from __future__ import annotations

from typing import Any

from airflow.sdk import BaseNotifier

from alerts.deliver import channel_names, deliver_pending
from alerts.outbox import alert_key, enqueue
from pledgewatch.settings import get_settings
from warehouse.db import session_scope


class RunFailedNotifier(BaseNotifier):
    """Queue a ``run_failed`` alert (once per run) and deliver what is pending."""

    template_fields = ()

    def notify(self, context: dict[str, Any]) -> None:
        settings = get_settings()
        run = context.get("dag_run")
        run_id = getattr(run, "run_id", "unknown")
        task = context.get("task_instance")
        payload = {"kind": "site_health", "site": getattr(run, "dag_id", "pledgewatch"),
                   "problem": f"run {run_id} failed at task "
                              f"{getattr(task, 'task_id', '?')}: {context.get('exception')}"}
        with session_scope(settings.warehouse_url) as session:
            enqueue(session, "run_failed", alert_key("run_failed", run_id), payload,
                    channel_names(settings))
        deliver_pending(settings)

"""Assets naming the warehouse tables each task updates, so lineage shows in Airflow."""

from __future__ import annotations

from airflow.sdk import Asset

RAW_PAGE = Asset(name="raw_page", uri="pledgewatch://warehouse/raw_page")
ARTICLE = Asset(name="article", uri="pledgewatch://warehouse/article")
FCT_MENTION = Asset(name="fct_mention", uri="pledgewatch://warehouse/fct_mention")
ALERT_OUTBOX = Asset(name="alert_outbox", uri="pledgewatch://warehouse/alert_outbox")
DIM_PLEDGE = Asset(name="dim_pledge", uri="pledgewatch://warehouse/dim_pledge")

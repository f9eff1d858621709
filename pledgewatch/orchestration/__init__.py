"""Airflow glue that is not wiring: the failure notifier and the assets the DAG declares."""

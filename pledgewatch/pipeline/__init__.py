"""Pipeline steps: plain functions over the warehouse, shared by the CLI and the DAG."""

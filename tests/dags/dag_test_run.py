"""Run the nightly DAG once with ``dag.test()``; called by the tests in a fresh process.

Usage: python -m tests.dags.dag_test_run LOGICAL_DATE   (Airflow's settings come from env)
"""

from __future__ import annotations

import json
import sys

import pendulum


def main() -> int:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(sys.argv[2] if len(sys.argv) > 2 else "dags")
    if bag.import_errors:
        print(json.dumps({"import_errors": {k: str(v) for k, v in bag.import_errors.items()}}))
        return 2
    dag = bag.dags["pledgewatch_nightly"]
    run = dag.test(logical_date=pendulum.parse(sys.argv[1]))
    instances = {ti.task_id + (f"[{ti.map_index}]" if ti.map_index >= 0 else ""): ti
                 for ti in run.get_task_instances()}
    print("DAG_RESULT " + json.dumps({
        "state": str(run.state),
        "tasks": {name: str(ti.state) for name, ti in instances.items()},
        "seconds": {name: ti.duration for name, ti in instances.items()},
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env bash
# One-shot init for the compose stack (the airflow-init service runs it as root, once per `up`):
#   1. refuse placeholder secrets copied unchanged from .env.example;
#   2. Airflow's metadata: the image's entrypoint migrates it (_AIRFLOW_DB_MIGRATE) and creates
#      the admin user (_AIRFLOW_WWW_USER_CREATE), as Airflow's own docker-compose does; the
#      entrypoint ignores a failed migration, so we check that it really finished;
#   3. the warehouse: `pledgewatch db upgrade` (Alembic, idempotent);
#   4. hand the shared volumes to the Airflow user last, so nothing root created stays there.
# Everything it does is safe to repeat; the other services wait for it to exit 0.
set -euo pipefail

say() { printf '\nairflow-init: %s\n' "$*"; }

say "checking secrets"
placeholder=0
for name in AIRFLOW__CORE__FERNET_KEY AIRFLOW__API_AUTH__JWT_SECRET AIRFLOW__API__SECRET_KEY \
            _AIRFLOW_WWW_USER_PASSWORD AIRFLOW__DATABASE__SQL_ALCHEMY_CONN PLEDGEWATCH_DB_URL; do
  if [[ -z "${!name:-}" ]]; then
    echo "  ${name} is empty" >&2
    placeholder=1
  elif [[ "${!name}" == *CHANGE_ME* ]]; then
    echo "  ${name} still holds the placeholder from .env.example" >&2
    placeholder=1
  fi
done
if (( placeholder )); then
  echo "Set real values in .env (docker/new-env.sh writes fresh ones), then run again." >&2
  exit 1
fi

say "Airflow metadata database: migrate and create the admin user"
/entrypoint airflow version
airflow db check-migrations --migration-wait-timeout 60

say "pledgewatch warehouse: migrate"
pledgewatch db upgrade

uid="${AIRFLOW_UID:-50000}"
say "volumes: owned by ${uid}:0"
mkdir -p /opt/airflow/logs "${PLEDGEWATCH_DATA_DIR}"
# Only what is not already theirs: the logs volume grows, and a full chown -R would grow with it.
find /opt/airflow/logs "${PLEDGEWATCH_DATA_DIR}" \! -user "${uid}" -exec chown "${uid}:0" {} +

say "done"

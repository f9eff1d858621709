#!/usr/bin/env bash
# Two databases on one server, each owned by its own login role:
#
#   airflow      Airflow's metadata (and the Celery result backend), owned by role "airflow"
#   pledgewatch  the warehouse, owned by role "pledgewatch" (the pipeline)
#
# The postgres image runs this once, when the data volume is first initialised, as the
# superuser over the container's local socket. It is idempotent, so it can also be re-run on an
# existing volume (docker compose exec postgres bash /docker-entrypoint-initdb.d/<this file>),
# which re-applies the passwords from .env.
#
# The analysts' role is not made here: `pledgewatch db grant-analyst` creates it once the
# warehouse's views exist. For that, the pipeline role has CREATEROLE, which on PostgreSQL 16+
# only lets it manage the roles it creates itself (it can never make a superuser).
#
# Works whether the image runs it (executable) or sources it (not executable): no `set -u`,
# no `exit`.
set -eo pipefail

: "${POSTGRES_USER:?POSTGRES_USER is not set}"
: "${AIRFLOW_DB_PASSWORD:?AIRFLOW_DB_PASSWORD is not set (see .env.example)}"
: "${PLEDGEWATCH_DB_PASSWORD:?PLEDGEWATCH_DB_PASSWORD is not set (see .env.example)}"

for _pw_name in POSTGRES_PASSWORD AIRFLOW_DB_PASSWORD PLEDGEWATCH_DB_PASSWORD; do
  if [[ "${!_pw_name:-}" == *CHANGE_ME* ]]; then
    echo "refusing to initialise: ${_pw_name} still holds the placeholder from .env.example" >&2
    false
  fi
done
unset _pw_name

# Passwords travel as psql variables and are quoted by psql (:'name'), never spliced into SQL.
PGHOST='' PGHOSTADDR='' psql -v ON_ERROR_STOP=1 --no-password --no-psqlrc \
  --username "$POSTGRES_USER" --dbname postgres \
  --set airflow_password="$AIRFLOW_DB_PASSWORD" \
  --set pledgewatch_password="$PLEDGEWATCH_DB_PASSWORD" <<'SQL'
SELECT 'CREATE ROLE airflow LOGIN'
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'airflow') \gexec
ALTER ROLE airflow WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'airflow_password';

SELECT 'CREATE ROLE pledgewatch LOGIN'
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pledgewatch') \gexec
ALTER ROLE pledgewatch WITH LOGIN NOSUPERUSER NOCREATEDB CREATEROLE
  PASSWORD :'pledgewatch_password';

SELECT 'CREATE DATABASE airflow OWNER airflow ENCODING ''UTF8'' TEMPLATE template0'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'airflow') \gexec
SELECT 'CREATE DATABASE pledgewatch OWNER pledgewatch ENCODING ''UTF8'' TEMPLATE template0'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'pledgewatch') \gexec

-- Airflow's metadata holds connections and variables: only its owner may even connect.
REVOKE ALL ON DATABASE airflow FROM PUBLIC;
-- The warehouse keeps CONNECT for PUBLIC so an analysts' role can log in; what it may read is
-- decided by grants on the views (pledgewatch db grant-analyst), and PUBLIC gets no tables.
REVOKE CREATE, TEMPORARY ON DATABASE pledgewatch FROM PUBLIC;
SQL

# PostgreSQL 15+ no longer lets PUBLIC create in schema public; say so explicitly for older data.
PGHOST='' PGHOSTADDR='' psql -v ON_ERROR_STOP=1 --no-password --no-psqlrc \
  --username "$POSTGRES_USER" --dbname pledgewatch <<'SQL'
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL

echo "pledgewatch: databases airflow and pledgewatch ready, each owned by its own role"

# syntax=docker/dockerfile:1
# The Airflow image with pledgewatch installed, for every service of docker-compose.yml.
# The DAGs are not baked in: compose mounts ./dags at /opt/airflow/dags.
# Needs BuildKit (RUN --mount), which `docker compose build` always uses.
FROM apache/airflow:3.3.2-python3.11

# The base image installs into the `airflow` user's virtualenv (/home/airflow/.local), and pip
# is meant to run as that user, never as root.
USER airflow

# Dependencies first, so this layer is reused until the lock changes: exactly the locked
# versions, hash-checked, with no resolution of their own (--no-deps). The lock pins
# apache-airflow to the image's own version, so Airflow stays as the image built it.
RUN --mount=type=bind,source=requirements.lock,target=/tmp/requirements.lock \
    pip install --no-cache-dir --no-deps --require-hashes -r /tmp/requirements.lock

# Then the project, also without resolving anything. It is built from a copy the airflow user
# owns (setuptools writes build/ and *.egg-info next to the sources), and nothing of the
# sources stays in the image. `pip check` fails the build if the lock and the image's own
# providers (celery, fab, postgres, ...) disagree on a version, which --no-deps would otherwise
# let through to run time.
RUN --mount=type=bind,target=/tmp/pledgewatch-context \
    cp -r /tmp/pledgewatch-context /tmp/pledgewatch \
    && pip install --no-cache-dir --no-deps /tmp/pledgewatch \
    && pip check \
    && install -m 0755 /tmp/pledgewatch/docker/airflow-init.sh /opt/airflow/pledgewatch-init.sh \
    && mkdir -p /opt/airflow/pledgewatch-data \
    && chmod g+rwx /opt/airflow/pledgewatch-data \
    && rm -rf /tmp/pledgewatch \
    && pledgewatch --version

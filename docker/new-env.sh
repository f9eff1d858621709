#!/usr/bin/env bash
# Print .env.example with every CHANGE_ME value replaced by a fresh random secret:
#   docker/new-env.sh > .env && chmod 600 .env
# AIRFLOW_FERNET_KEY gets a Fernet key (url-safe base64 of 32 random bytes); every other secret
# 32 random bytes in hex, which is safe inside a database URL. Comments and other values are
# copied as they are: review PLEDGEWATCH_CONTACT and the alert channels afterwards.
set -euo pipefail

example="${1:-$(dirname "$0")/../.env.example}"
[[ -r "$example" ]] || { echo "new-env.sh: cannot read $example" >&2; exit 1; }

hex32() { od -An -N32 -tx1 /dev/urandom | tr -d ' \n'; }
fernet() { head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '\n'; }

while IFS= read -r line || [[ -n "$line" ]]; do
  if [[ "$line" =~ ^([A-Za-z_][A-Za-z0-9_]*)=CHANGE_ME ]]; then
    name="${BASH_REMATCH[1]}"
    if [[ "$name" == AIRFLOW_FERNET_KEY ]]; then
      printf '%s=%s\n' "$name" "$(fernet)"
    else
      printf '%s=%s\n' "$name" "$(hex32)"
    fi
  else
    printf '%s\n' "$line"
  fi
done < "$example"

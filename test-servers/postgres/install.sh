#!/usr/bin/env bash
# Installs PostgreSQL (Debian's postgresql package: initdb, pg_ctl) with apt when it is missing, for
# brizo-state-postgres's tests (`mvn -B verify` runs this before that module's tests). The tests
# start private servers of their own on 127.0.0.1 (PostgresServer); the cluster the package may
# start on port 5432 is not used.
set -euo pipefail

shopt -s nullglob
initdb=(/usr/lib/postgresql/*/bin/initdb)
if (( ${#initdb[@]} > 0 )); then
    echo "test-servers/postgres: $("${initdb[-1]}" --version) is installed, nothing to do"
    exit 0
fi
source "$(dirname "${BASH_SOURCE[0]}")/../apt.sh"
apt_install postgres postgresql
initdb=(/usr/lib/postgresql/*/bin/initdb)
"${initdb[-1]}" --version

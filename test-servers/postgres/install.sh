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
as_root=()
if [[ "$(id -u)" != 0 ]]; then
    as_root=(sudo)
fi
echo "test-servers/postgres: installing postgresql with apt"
if ! "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql; then
    "${as_root[@]}" apt-get update -q
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql
fi
initdb=(/usr/lib/postgresql/*/bin/initdb)
"${initdb[-1]}" --version

#!/usr/bin/env bash
# Installs the npm test servers of this folder (package.json + package-lock.json) with `npm ci`.
#
# `mvn -B verify` runs this before brizo-core's tests, so a fresh machine needs nothing but the
# JDK, Maven, Node 20 and npm. A full `npm ci` takes a while, so it is skipped when node_modules
# already matches the lockfile: a stamp file inside node_modules keeps the sha256 of the lockfile
# it was installed from (inside, so deleting node_modules also forgets the stamp).
set -euo pipefail

dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
lock="$dir/package-lock.json"
stamp="$dir/node_modules/.brizo-install-stamp"

for tool in node npm; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "test-servers/install.sh: '$tool' not found on PATH: install Node 20 and npm" >&2
        exit 1
    fi
done

want="$(sha256sum "$lock" | cut -d' ' -f1)"
have=""
if [[ -f "$stamp" ]]; then
    have="$(cat "$stamp")"
fi

if [[ -d "$dir/node_modules" && "$have" == "$want" ]]; then
    echo "test-servers: node_modules is up to date with package-lock.json (sha256 ${want:0:12}), nothing to install"
    exit 0
fi

if [[ ! -d "$dir/node_modules" ]]; then
    echo "test-servers: node_modules is missing, running npm ci in $dir"
else
    echo "test-servers: package-lock.json changed since the last install, running npm ci in $dir"
fi

start=$SECONDS
# npm ci deletes node_modules first, so a failed or interrupted run leaves no stamp and is redone.
(cd "$dir" && npm ci --no-audit --no-fund)
echo "$want" >"$stamp"
echo "test-servers: installed in $((SECONDS - start)) s"

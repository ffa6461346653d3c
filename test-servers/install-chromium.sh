#!/usr/bin/env bash
# Installs Debian's chromium when it is missing, for brizo-examples' test that opens the API's
# Swagger UI page (/api/v1/docs) in headless Chromium. `mvn -B verify` runs this before that
# module's tests (`-DskipTests` skips it); it does nothing when `chromium` is on the PATH.
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
    echo "test-servers: chromium is installed, nothing to install"
    exit 0
fi
as_root=()
if [[ "$(id -u)" != 0 ]]; then
    as_root=(sudo)
fi
install() {
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium
}
start=$SECONDS
echo "test-servers: installing chromium (apt-get)"
# A machine whose package lists are missing or stale needs an update first.
if ! install; then
    "${as_root[@]}" apt-get update -q
    install
fi
echo "test-servers: chromium installed in $((SECONDS - start)) s"

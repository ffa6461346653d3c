#!/usr/bin/env bash
# Installs bubblewrap (bwrap) with apt when it is missing, for brizo-compute-local's sandbox tests
# (`mvn -B verify` runs this before that module's tests). The sandbox also needs prlimit and
# setpriv, which util-linux (essential on Debian) provides.
set -euo pipefail

if command -v bwrap >/dev/null 2>&1; then
    echo "test-servers/bubblewrap: $(bwrap --version) is installed, nothing to do"
    exit 0
fi
as_root=()
if [[ "$(id -u)" != 0 ]]; then
    as_root=(sudo)
fi
echo "test-servers/bubblewrap: installing bubblewrap with apt"
if ! "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends bubblewrap; then
    "${as_root[@]}" apt-get update -q
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends bubblewrap
fi
bwrap --version

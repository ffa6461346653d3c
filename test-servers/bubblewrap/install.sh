#!/usr/bin/env bash
# Installs bubblewrap (bwrap) with apt when it is missing, for brizo-compute-local's sandbox tests
# (`mvn -B verify` runs this before that module's tests). The sandbox also needs prlimit and
# setpriv, which util-linux (essential on Debian) provides.
set -euo pipefail

if command -v bwrap >/dev/null 2>&1; then
    echo "test-servers/bubblewrap: $(bwrap --version) is installed, nothing to do"
    exit 0
fi
source "$(dirname "${BASH_SOURCE[0]}")/../apt.sh"
apt_install bubblewrap bubblewrap
bwrap --version

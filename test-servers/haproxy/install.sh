#!/usr/bin/env bash
# Installs HAProxy (Debian's haproxy package, 2.6 in Debian 12) with apt when it is missing, for
# brizo-examples' ReplicasTest (`mvn -B verify` runs this before that module's tests), which puts
# three serve replicas behind a round-robin HAProxy of its own on 127.0.0.1. The test runs the
# binary with a configuration it writes; the haproxy service the package may start is not used.
set -euo pipefail

if command -v haproxy >/dev/null 2>&1 || [[ -x /usr/sbin/haproxy ]]; then
    echo "test-servers/haproxy: $(PATH="$PATH:/usr/sbin" haproxy -v | head -n 1) is installed, nothing to do"
    exit 0
fi
source "$(dirname "${BASH_SOURCE[0]}")/../apt.sh"
apt_install haproxy haproxy
PATH="$PATH:/usr/sbin" haproxy -v | head -n 1

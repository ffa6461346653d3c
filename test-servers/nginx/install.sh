#!/usr/bin/env bash
# Installs nginx (Debian's nginx package, 1.22 in Debian 12) with apt when it is missing, for
# brizo-examples' FrontProxyTest (`mvn -B verify` runs this before that module's tests), which puts
# a real nginx, configured with the shipped deploy/nginx/brizo.conf, in front of `serve` on
# 127.0.0.1. The test runs the binary in the foreground with a configuration it writes; the nginx
# service the package may start is not used.
set -euo pipefail

if [[ -x /usr/sbin/nginx ]]; then
    echo "test-servers/nginx: $(/usr/sbin/nginx -v 2>&1) is installed, nothing to do"
    exit 0
fi
source "$(dirname "${BASH_SOURCE[0]}")/../apt.sh"
apt_install nginx nginx
/usr/sbin/nginx -v 2>&1

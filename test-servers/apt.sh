# Sourced by the test-servers/*/install.sh scripts: apt_install WHO PACKAGE installs a Debian
# package with apt (through sudo when not root), refreshing the package lists once if the first
# attempt fails (a fresh machine has none).
apt_install() {
    local who="$1" package="$2" as_root=()
    if [[ "$(id -u)" != 0 ]]; then
        as_root=(sudo)
    fi
    echo "test-servers/$who: installing $package with apt"
    if ! "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$package"; then
        "${as_root[@]}" apt-get update -q
        "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$package"
    fi
}

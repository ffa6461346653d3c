#!/usr/bin/env bash
# Builds kube-apiserver and kube-controller-manager from Debian's own kubernetes source package,
# once per machine, for brizo-compute-k8s's integration tests (see DESIGN and test-servers.md).
#
# Why from source: the test machines have Debian's archive but no other download site, and
# Debian 12 ships the kubernetes source package (1.20) but no server binaries. `go build` alone
# fails on that tree (the code generators must run first), so `make WHAT=...` is used.
#
# The result is cached under ${BRIZO_K8S_CACHE:-~/.cache/brizo-k8s}/<version>/bin, so the build
# (about 6 minutes on 2 cores) runs once per machine; a `.complete` stamp is written last, so an
# interrupted build is redone; $cache_root/current names the folder for the tests. etcd comes from
# the etcd-server package.
#
# The system's apt sources are left alone: the deb-src line lives in a private sources list and
# private list/cache directories under the cache folder.
set -euo pipefail

cache_root="${BRIZO_K8S_CACHE:-$HOME/.cache/brizo-k8s}"
as_root=()
if [[ "$(id -u)" != 0 ]]; then
    as_root=(sudo)
fi

need_pkgs=()
# curl and openssl also serve brizo-examples' TLS tests of serve, built after this module.
for pair in go:golang-go etcd:etcd-server rsync:rsync jq:jq make:make dpkg-source:dpkg-dev curl:curl openssl:openssl; do
    if ! command -v "${pair%%:*}" >/dev/null 2>&1; then
        need_pkgs+=("${pair#*:}")
    fi
done
if ((${#need_pkgs[@]})); then
    echo "test-servers/k8s: installing ${need_pkgs[*]}"
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need_pkgs[@]}"
fi

apt_dir="$cache_root/apt"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial"
codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")"
echo "deb-src http://deb.debian.org/debian $codename main" >"$apt_dir/sources.list"
apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
    -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache::Archives=$apt_dir/archives"
    -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache=" -o "APT::Sandbox::User=root")

# The version names the cache folder; it needs the source index, fetched only when not cached.
if ! ls "$apt_dir/lists/"*Sources* >/dev/null 2>&1; then
    apt-get -q "${apt_opts[@]}" update
fi
version="$(apt-cache "${apt_opts[@]}" showsrc kubernetes | awk '/^Version:/ {print $2; exit}')"
if [[ -z "$version" ]]; then
    echo "test-servers/k8s: no kubernetes source package found in $codename" >&2
    exit 1
fi
dest="$cache_root/$version"
if [[ -f "$dest/.complete" ]]; then
    echo "$dest/bin" >"$cache_root/current"
    echo "test-servers/k8s: kube-apiserver $version is cached in $dest/bin, nothing to build"
    exit 0
fi

start=$SECONDS
work="$dest/src"
rm -rf "$work"
mkdir -p "$work"
(cd "$work" && apt-get -q "${apt_opts[@]}" source --download-only kubernetes)
(cd "$work" && dpkg-source --no-check -x ./*.dsc tree >/dev/null)
echo "test-servers/k8s: building kube-apiserver and kube-controller-manager $version (about 6 minutes)"
(cd "$work/tree" && GOFLAGS=-mod=vendor make WHAT=cmd/kube-apiserver && make WHAT=cmd/kube-controller-manager)
mkdir -p "$dest/bin"
for b in kube-apiserver kube-controller-manager; do
    cp "$(find "$work/tree/_output" -type f -name "$b" | head -1)" "$dest/bin/$b"
done
rm -rf "$work"
touch "$dest/.complete"
# The tests read the binaries' folder from here.
echo "$dest/bin" >"$cache_root/current"
echo "test-servers/k8s: built in $((SECONDS - start)) s into $dest/bin"

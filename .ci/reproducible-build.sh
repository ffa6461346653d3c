#!/usr/bin/env bash
# Reproducible-build check: builds the working tree twice, each time in a fresh copy under a
# temporary folder (so no target/ state is shared), and compares the sha256 of every jar the two
# builds produce: main, sources, javadoc and the shaded brizo-examples jar. Prints a table; exits
# non-zero if any jar differs or exists in one build only.
#
#   bash .ci/reproducible-build.sh          # extra arguments go to mvn, e.g. -o for offline
#   BRIZO_REPRO_KEEP=1 bash .ci/reproducible-build.sh   # keep both copies to inspect a difference
#
# Not part of .ci/run (CI time is limited); run it after changing the build.
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/brizo-repro.XXXXXX")
if [[ "${BRIZO_REPRO_KEEP:-}" == 1 ]]; then
    echo "Keeping the builds in $work"
else
    trap 'rm -rf "$work"' EXIT
fi

# The files of the working tree as git sees them (tracked, and untracked but not ignored, so no
# target/ or node_modules/); uncommitted changes are part of what is checked.
copy_tree() {
    local dest=$1
    mkdir -p "$dest"
    if git -C "$root" rev-parse --is-inside-work-tree > /dev/null 2>&1; then
        git -C "$root" ls-files -z --cached --others --exclude-standard \
            | tar -C "$root" --null --files-from=- --ignore-failed-read -cf - \
            | tar -C "$dest" -xf -
    else
        tar -C "$root" --exclude=target --exclude=node_modules --exclude=.git -cf - . \
            | tar -C "$dest" -xf -
    fi
}

build() {
    local dir=$1
    shift
    echo "Building in $dir ..."
    (cd "$dir" && mvn -B -q -DskipTests -Dspotless.check.skip=true "$@" clean package)
}

jars() {
    (cd "$1" && find . -mindepth 3 -maxdepth 3 -path './*/target/*.jar' -type f | sed 's|^\./||' | sort)
}

sha() {
    if [[ -f "$1" ]]; then sha256sum "$1" | cut -c1-64; else echo "-"; fi
}

for n in 1 2; do
    copy_tree "$work/build$n"
done
build "$work/build1" "$@"
build "$work/build2" "$@"

mapfile -t all < <({ jars "$work/build1"; jars "$work/build2"; } | sort -u)
if [[ ${#all[@]} -eq 0 ]]; then
    echo "No jar was built." >&2
    exit 1
fi

same=0
differ=0
printf '%-9s %-16s %-16s %s\n' RESULT "SHA256 BUILD 1" "SHA256 BUILD 2" JAR
for jar in "${all[@]}"; do
    a=$(sha "$work/build1/$jar")
    b=$(sha "$work/build2/$jar")
    if [[ "$a" == "$b" && "$a" != "-" ]]; then
        result=identical
        same=$((same + 1))
    else
        result=DIFFERENT
        differ=$((differ + 1))
    fi
    printf '%-9s %-16s %-16s %s\n' "$result" "${a:0:16}" "${b:0:16}" "$jar"
done

if [[ $differ -gt 0 ]]; then
    echo
    for jar in "${all[@]}"; do
        if [[ -f "$work/build1/$jar" && -f "$work/build2/$jar" ]] \
            && ! cmp -s "$work/build1/$jar" "$work/build2/$jar"; then
            echo "Entries that differ in $jar (unzip -v, first lines):"
            diff <(unzip -v "$work/build1/$jar" | sed '1d;$d') <(unzip -v "$work/build2/$jar" | sed '1d;$d') \
                | head -20 || true
        fi
    done
    echo
    echo "$differ of ${#all[@]} jars differ between two clean builds; $same identical." >&2
    exit 1
fi
echo
echo "All ${#all[@]} jars are byte-identical in two clean builds."

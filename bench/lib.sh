# Shared by the bench/*.sh scripts (sourced, not run): logging, ports, waiting, CPU accounting,
# installing the reference tools and building the examples jar. Expects ROOT (the repository root)
# and WORK (the script's scratch directory) to be set, and `set -euo pipefail`.

log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] FAILED: %s\n' "$*" >&2; exit 1; }

JAR="$ROOT/brizo-examples/target/brizo-examples.jar"

# need_packages COMMAND:PACKAGE...: installs the Debian packages of the commands that are missing
# (as root), or explains what to install
need_packages() {
    local missing=() pair
    for pair in "$@"; do
        command -v "${pair%%:*}" >/dev/null || [[ -x "/usr/sbin/${pair%%:*}" ]] || missing+=("${pair#*:}")
    done
    ((${#missing[@]} == 0)) && return 0
    [[ "$(id -u)" == 0 ]] || die "install ${missing[*]} (Debian packages), or run as root to have them installed"
    log "installing ${missing[*]} (apt-get)"
    apt-get update -q >/dev/null
    # Debian's nginx package may try to start its own service on :80 where the machine's policy
    # allows; the benchmarks never use that one, they run their own instances.
    apt-get install -y -q "${missing[@]}" >/dev/null || die "apt-get install ${missing[*]} failed"
}

# nginx_binary: prints the nginx executable's path
nginx_binary() { command -v nginx || echo /usr/sbin/nginx; }

# build_jar: builds brizo-examples.jar when it is missing or older than any main source
build_jar() {
    command -v java >/dev/null || die "java (17+) is needed"
    if [[ ! -f "$JAR" ]] || [[ -n "$(find "$ROOT" -path "$ROOT/bench" -prune -o -path '*/src/main/*' -newer "$JAR" -print -quit)" ]]; then
        log "building $JAR (missing or older than the sources)"
        (cd "$ROOT" && mvn -B -q -DskipTests package) || die "the build failed"
    fi
}

# stop_pids: stops the processes in the PIDS array (TERM, up to 10 s each, then KILL)
stop_pids() {
    local pid
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    done
}

free_port() {
    local p
    for _ in $(seq 1 50); do
        p=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
    done
    return 1
}

# wait_for DESCRIPTION TENTHS COMMAND...: runs COMMAND every 0.1 s until it succeeds
wait_for() {
    local what="$1" tenths="$2"; shift 2
    for _ in $(seq 1 "$tenths"); do "$@" && return 0; sleep 0.1; done
    die "$what"
}

# cpu_ticks PIDS: user + system clock ticks used so far by the processes (comma-separated pids)
cpu_ticks() {
    local pid total=0 stat rest
    for pid in ${1//,/ }; do
        stat="$(cat "/proc/$pid/stat" 2>/dev/null)" || continue
        rest="${stat##*) }" # fields from the 3rd on; the command name may hold spaces
        set -- $rest
        total=$((total + ${12} + ${13}))
    done
    echo "$total"
}
TICKS_PER_SECOND="$(getconf CLK_TCK)"

# sign_agreement AGREEMENT: prints "<consumer address> <signature>" for a fresh key (the sign command)
sign_agreement() {
    local consumer signature
    read -r consumer signature < <(java -jar "$JAR" sign "$1") || die "the sign command failed"
    [[ "$consumer" =~ ^0x[0-9a-f]{40}$ && "$signature" =~ ^0x[0-9a-f]{130}$ ]] ||
        die "the sign command printed '$consumer $signature', not an address and a signature"
    echo "$consumer $signature"
}

# start_brizo NAME [VAR=VALUE...] -- [JVM OPTION...]: starts `serve` in the background with the
# catalogue and grants of $WORK; the pid goes to $WORK/NAME.pid, its ready line to $WORK/NAME.out
start_brizo() {
    local name="$1" vars=(); shift
    while (($#)) && [[ "$1" != -- ]]; do vars+=("$1"); shift; done
    (($#)) && shift
    env -u PROVIDER_KEY BRIZO_HOST=127.0.0.1 BRIZO_PORT=0 BRIZO_ASSETS="$WORK/assets.json" \
        BRIZO_GRANTS="$WORK/grants.json" BRIZO_FILE_ROOTS="$DATA" "${vars[@]}" \
        java "$@" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -jar "$JAR" serve \
        >"$WORK/$name.out" 2>"$WORK/$name.err" &
    echo $! >"$WORK/$name.pid"
}
brizo_ready() {
    kill -0 "$(cat "$WORK/$1.pid")" 2>/dev/null || die "$1 exited: $(cat "$WORK/$1.err")"
    grep -q '^Brizo listening on ' "$WORK/$1.out" 2>/dev/null
}
brizo_url() { sed -n 's/^Brizo listening on \(http:[^ ]*\).*/\1/p' "$WORK/$1.out" | head -1; }

machine_lines() {
    echo "- cores (nproc): $(nproc); CPU: $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || echo unknown)"
    echo "- memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
    echo "- kernel: $(uname -sr)"
    echo "- java: $(java -version 2>&1 | paste -sd';' | sed 's/;/; /g')"
    echo "- nginx: $("$(nginx_binary)" -v 2>&1)"
}

# write_nginx_conf NAME WORKERS CONNECTIONS BODY: writes $WORK/NAME.conf, an nginx main configuration
# run in the foreground with its pid, error log and temporary files under $WORK, access log off, and
# BODY (directives and server blocks, read from standard input) inside http {}.
write_nginx_conf() {
    local name="$1" workers="$2" connections="$3" body
    body="$(cat)"
    mkdir -p "$WORK/$name-tmp"
    cat >"$WORK/$name.conf" <<EOF
# Written by bench/$(basename "$0").
worker_processes $workers;
daemon off;
pid $WORK/$name.pid;
error_log $WORK/$name-error.log warn;
events { worker_connections $connections; }
http {
    access_log off;
    default_type application/octet-stream;
    client_body_temp_path $WORK/$name-tmp/body;
    proxy_temp_path $WORK/$name-tmp/proxy;
    fastcgi_temp_path $WORK/$name-tmp/fastcgi;
    uwsgi_temp_path $WORK/$name-tmp/uwsgi;
    scgi_temp_path $WORK/$name-tmp/scgi;
$body
}
EOF
}

# start_front_nginx BRIZO_URL KEY DIRECTORY: nginx in front of the Brizo at BRIZO_URL, configured by
# the shipped deploy/nginx/brizo.conf with only its CHANGE values replaced (Brizo's address, a free
# listen port, KEY, DIRECTORY), inside production-like main settings (worker_processes auto,
# tcp_nodelay, access_log off). Sets FRONT_PORT and FRONT_PIDS (master and workers, comma-separated)
# and adds the master to PIDS. Needs $WORK, $NGINX and $ROOT.
start_front_nginx() {
    local address key="$2" dir="$3"
    address="$(sed 's|^http://||; s|/.*||' <<<"$1")"
    FRONT_PORT="$(free_port)" || die "no free port found for the front nginx"
    sed -e "s|^\( *server \)127.0.0.1:8030;|\1$address;|" \
        -e "s|^\( *listen \)127.0.0.1:8080;|\1127.0.0.1:$FRONT_PORT backlog=4096;|" \
        -e "s|\"change-me-to-a-long-random-secret\"|\"$key\"|" \
        -e "s|^\( *alias \)/srv/brizo/data/;|\1$dir/;|" "$ROOT/deploy/nginx/brizo.conf" >"$WORK/front-brizo.conf"
    grep -q "$FRONT_PORT" "$WORK/front-brizo.conf" && grep -q "$key" "$WORK/front-brizo.conf" &&
        grep -q "alias $dir/;" "$WORK/front-brizo.conf" && grep -q "server $address;" "$WORK/front-brizo.conf" ||
        die "deploy/nginx/brizo.conf no longer has the CHANGE lines bench/lib.sh replaces"
    write_nginx_conf front auto 4096 <<EOF
    tcp_nodelay on;
    keepalive_requests 100000;
    include $WORK/front-brizo.conf;
EOF
    "$NGINX" -e "$WORK/front-error.log" -p "$WORK" -c "$WORK/front.conf" >"$WORK/front.out" 2>&1 &
    local pid=$!
    PIDS+=("$pid")
    front_up() {
        kill -0 "$pid" 2>/dev/null || die "the front nginx exited: $(cat "$WORK/front-error.log" "$WORK/front.out" 2>/dev/null)"
        [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$FRONT_PORT/health")" == 200 ]]
    }
    wait_for "the front nginx did not answer within 10 s" 100 front_up
    FRONT_PIDS="$(printf '%s\n' "$pid" $(pgrep -P "$pid") | paste -sd,)"
}

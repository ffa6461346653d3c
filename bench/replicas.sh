#!/usr/bin/env bash
# What sharing state in PostgreSQL costs Brizo `serve` (issue 19, item 5), on 127.0.0.1, measured
# with wrk: signed consume requests of a small file, each with a fresh nonce (the replay-safe form,
# BRIZO_NONCE_REQUIRED=true), against one replica with its nonces in memory, in a file
# (BRIZO_NONCE_FILE) and in a private PostgreSQL; then one and two replicas sharing PostgreSQL
# behind HAProxy (round robin), under the same load. Reports requests/s (each one nonce accepted),
# latency percentiles, errors and CPU per request; at 1 connection the latency
# difference is the time a nonce check adds to a request. Writes docs/benchmarks/replicas.md.
# Run from anywhere: bash bench/replicas.sh (as root on a fresh machine, so it can apt-get install
# wrk, curl and haproxy; PostgreSQL as test-servers/postgres/install.sh installs it).
#
# Environment (all optional):
#   DURATION=5        seconds of each measured wrk run (1..10)
#   CONNECTIONS=32    connections of the loaded runs (1..512); every configuration also gets a run
#                     at 1 connection, for the latency a nonce check adds
#   ROUNDS=1          measured runs per configuration and connection count (1..5), taken in turn
#                     across the configurations; figures are the median over the rounds
#   WARMUP=10         seconds of the unmeasured warm-up per replica (1..10)
#   MAX_RATE=6000     requests/s the pre-signed request files are sized for (each run may send
#                     MAX_RATE × DURATION requests before it runs out, which the results flag)
#   ONLY="memory file postgres haproxy-1 haproxy-2"   the configurations to measure
#   RESULTS=docs/benchmarks/replicas.md   where the results go (relative to the repo root)
#
# wrk cannot sign, so bench/SignNonces.java signs every request beforehand (one nonce each, its
# consumers' nonces in increasing order per wrk thread) and bench/replicas.lua sends them in order.
# Everything listens on 127.0.0.1 only and is stopped on exit; wrk runs are bounded in time.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$ROOT/bench/work-replicas"
DATA="$WORK/data"
source "$ROOT/bench/lib.sh"
RESULTS="${RESULTS:-docs/benchmarks/replicas.md}"; [[ "$RESULTS" == /* ]] || RESULTS="$ROOT/$RESULTS"
DURATION="${DURATION:-5}"
CONNECTIONS="${CONNECTIONS:-32}"
ROUNDS="${ROUNDS:-1}"
MAX_RATE="${MAX_RATE:-6000}"
WARMUP="${WARMUP:-10}"
CONFIGS="${ONLY:-memory file postgres haproxy-1 haproxy-2}"
THREADS=2
CONSUMERS=1000 # per wrk thread: a consumer's next request comes 1000 of that thread's requests later
DID="did:op:$(printf 'b3%.0s' {1..32})"
FILE_NAME="row.csv"

[[ "$DURATION" =~ ^([1-9]|10)$ ]] || die "DURATION must be 1..10 seconds"
[[ "$CONNECTIONS" =~ ^[1-9][0-9]{0,2}$ ]] && ((CONNECTIONS <= 512)) || die "CONNECTIONS must be 1..512"
((CONNECTIONS >= THREADS)) || die "CONNECTIONS must be at least $THREADS (wrk's threads)"
[[ "$ROUNDS" =~ ^[1-5]$ ]] || die "ROUNDS must be 1..5"
[[ "$WARMUP" =~ ^([1-9]|10)$ ]] || die "WARMUP must be 1..10 seconds"
[[ "$MAX_RATE" =~ ^[1-9][0-9]{2,5}$ ]] || die "MAX_RATE must be 100..999999"
for c in $CONFIGS; do
    [[ " memory file postgres haproxy-1 haproxy-2 " == *" $c "* ]] || die "unknown configuration $c in ONLY"
done

need_packages wrk:wrk curl:curl haproxy:haproxy
shopt -s nullglob
PG_BINS=(/usr/lib/postgresql/*/bin)
shopt -u nullglob
((${#PG_BINS[@]})) && [[ -x "${PG_BINS[-1]}/initdb" ]] || die "no PostgreSQL: run test-servers/postgres/install.sh"
PG_BIN="${PG_BINS[-1]}"
HAPROXY="$(command -v haproxy || echo /usr/sbin/haproxy)"
build_jar

PIDS=()
PG_DIR=""
AS_PG=()
pg_ctl() { "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" "$@"; }
cleanup() {
    stop_pids
    if [[ -n "$PG_DIR" ]]; then
        pg_ctl -w -m fast stop >/dev/null 2>&1 || true
        rm -rf "$PG_DIR"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rm -rf "$WORK"
mkdir -p "$DATA"
# A small file: the request's cost is its authorisation (signature recovery, nonce, grant), not bytes.
printf 'replica,row\n' >"$DATA/$FILE_NAME"
head -c 1000 /dev/urandom | base64 -w 100 >>"$DATA/$FILE_NAME"
SIZE="$(stat -c %s "$DATA/$FILE_NAME")"
SHA="$(sha256sum "$DATA/$FILE_NAME" | cut -d' ' -f1)"
cat >"$WORK/assets.json" <<EOF
{"$DID": {"files": [{"url": "file://$DATA/$FILE_NAME", "contentType": "text/csv"}]}}
EOF

# ---------------------------------------------------------------- signed requests
CONNS_LIST="1 $CONNECTIONS"
# Two warm-ups (the second for the second replica's JVM), then each round's runs at 1 and at
# CONNECTIONS connections; a configuration that skips the second warm-up just sees a gap in nonces.
RUNS=$((2 + ROUNDS * 2))
LINES=$(((MAX_RATE * (DURATION > WARMUP ? DURATION : WARMUP) + THREADS - 1) / THREADS))
log "signing $((RUNS * THREADS * LINES)) requests ($RUNS runs × $THREADS threads × $LINES), $((THREADS * CONSUMERS)) consumers"
java -cp "$JAR" "$ROOT/bench/SignNonces.java" "$WORK/signed" "$DID" "$THREADS" "$CONSUMERS" "$RUNS" "$LINES" ||
    die "signing the requests failed"
cp "$WORK/signed/grants.json" "$WORK/grants.json"

# ---------------------------------------------------------------- PostgreSQL, private, on a free port
PG_DIR="$(mktemp -d /tmp/brizo-bench-pg.XXXXXX)"
if [[ "$(id -u)" == 0 ]]; then
    chown postgres "$PG_DIR" # PostgreSQL refuses to run as root
    AS_PG=(runuser -u postgres --)
fi
"${AS_PG[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U brizo -A trust -E UTF8 --no-sync >"$WORK/initdb.log" 2>&1 ||
    die "initdb failed: $(cat "$WORK/initdb.log")"
PG_PORT="$(free_port)" || die "no free port found for PostgreSQL"
# fsync and synchronous_commit as shipped (on): an accepted nonce is on disk before the answer.
pg_ctl -w -t 60 -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c max_connections=200" \
    -l "$PG_DIR/log" start >/dev/null || die "PostgreSQL did not start: $(cat "$PG_DIR/log")"
PG_VERSION="$("$PG_BIN/postgres" --version)"
psql_q() { psql -X -q -At -h 127.0.0.1 -p "$PG_PORT" -U brizo -d "${2:-postgres}" -c "$1"; }
postmaster_pid() { head -1 "$PG_DIR/data/postmaster.pid"; }
pg_pids() { printf '%s\n' "$(postmaster_pid)" $(pgrep -P "$(postmaster_pid)") | paste -sd,; }

# ---------------------------------------------------------------- configurations
# start_config NAME: starts the configuration's servers; sets URL, SERVER_PIDS (the replicas and
# HAProxy), DB (its database, empty without PostgreSQL)
start_config() {
    local name="$1" db_vars=() i n=1
    DB=""
    case "$name" in
        postgres | haproxy-*) DB="bench_${name//-/_}" ;;
    esac
    if [[ -n "$DB" ]]; then
        psql_q "CREATE DATABASE $DB" >/dev/null || die "CREATE DATABASE $DB failed"
        db_vars=(BRIZO_DATABASE_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/$DB" BRIZO_DATABASE_USER=brizo)
    fi
    [[ "$name" == haproxy-2 ]] && n=2
    SERVER_PIDS=""
    for i in $(seq 1 "$n"); do
        case "$name" in
            memory) start_brizo "$name-$i" BRIZO_NONCE_REQUIRED=true ;;
            file) start_brizo "$name-$i" BRIZO_NONCE_REQUIRED=true BRIZO_NONCE_FILE="$WORK/nonces" ;;
            *) start_brizo "$name-$i" BRIZO_NONCE_REQUIRED=true "${db_vars[@]}" ;;
        esac
        PIDS+=("$(cat "$WORK/$name-$i.pid")")
        SERVER_PIDS+="${SERVER_PIDS:+,}$(cat "$WORK/$name-$i.pid")"
    done
    for i in $(seq 1 "$n"); do
        wait_for "$name-$i did not start within 30 s: $(cat "$WORK/$name-$i.err" 2>/dev/null)" 300 brizo_ready "$name-$i"
    done
    URL="$(brizo_url "$name-1")"
    if [[ "$name" == haproxy-* ]]; then
        local port
        port="$(free_port)" || die "no free port found for HAProxy"
        {
            cat <<EOF
# Written by bench/replicas.sh: the balancer of README "Several replicas".
global
    maxconn 4096
defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    timeout check 1s
    retries 3
    option redispatch 1
frontend brizo
    bind 127.0.0.1:$port
    default_backend replicas
backend replicas
    balance roundrobin
    option httpchk GET /ready
    http-check expect status 200
    default-server check inter 2s fall 2 rise 2
EOF
            for i in $(seq 1 "$n"); do
                echo "    server r$i $(brizo_url "$name-$i" | sed 's|^http://||; s|/$||')"
            done
        } >"$WORK/$name-haproxy.cfg"
        "$HAPROXY" -db -f "$WORK/$name-haproxy.cfg" >"$WORK/$name-haproxy.log" 2>&1 &
        PIDS+=("$!")
        SERVER_PIDS+=",$!"
        URL="http://127.0.0.1:$port"
        haproxy_up() { [[ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/ready")" == 200 ]]; }
        wait_for "HAProxy did not answer within 10 s: $(cat "$WORK/$name-haproxy.log" 2>/dev/null)" 100 haproxy_up
    fi
    URL="${URL%/}"
}

# stop_config: stops the configuration's servers, so that the next one has the cores to itself
stop_config() {
    local keep=() pid
    for pid in ${SERVER_PIDS//,/ }; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in ${SERVER_PIDS//,/ }; do
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do [[ ",$SERVER_PIDS," == *",$pid,"* ]] || keep+=("$pid"); done
    PIDS=("${keep[@]}")
}

to_ms() {
    awk -v v="$1" 'BEGIN {
        if (v ~ /us$/) {sub(/us$/, "", v); printf "%.3f", v / 1000}
        else if (v ~ /ms$/) {sub(/ms$/, "", v); printf "%.2f", v}
        else if (v ~ /m$/) {sub(/m$/, "", v); printf "%.0f", v * 60000}
        else {sub(/s$/, "", v); printf "%.0f", v * 1000}}'
}

# run_wrk CONFIG RUN CONNECTIONS SECONDS: one wrk run over the signed files of RUN; with a CONFIG
# it appends to $WORK/runs: config connections req/s p50 p75 p99 avg-ms non-2xx socket-errors
# server-cpu-ms/request pg-cpu-ms/request exhausted
run_wrk() {
    local config="$1" run="$2" conns="$3" seconds="$4" out before pg_before after pg_after
    before="$(cpu_ticks "$SERVER_PIDS")"
    pg_before="$(cpu_ticks "$(pg_pids)")"
    # One connection needs one thread (wrk refuses fewer connections than threads).
    out="$(wrk -t"$((conns < THREADS ? conns : THREADS))" -c"$conns" -d"${seconds}s" --timeout 10s --latency -s "$ROOT/bench/replicas.lua" \
        "$URL" -- "$WORK/signed/run-$run")" || die "wrk failed against $config"
    after="$(cpu_ticks "$SERVER_PIDS")"
    pg_after="$(cpu_ticks "$(pg_pids)")"
    echo "$out" >"$WORK/wrk-$config-$conns-run$run.txt"
    ((run >= 2)) || return 0 # a warm-up
    local rps requests p50 p75 p99 avg socket non2xx exhausted cpu pgcpu
    rps="$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")"
    requests="$(awk '/requests in/ {print $1}' <<<"$out")"
    p50="$(to_ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")"
    p75="$(to_ms "$(awk '$1 == "75%" {print $2}' <<<"$out")")"
    p99="$(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")"
    avg="$(to_ms "$(awk '$1 == "Latency" {print $2; exit}' <<<"$out")")"
    socket="$(awk -F'[ ,]+' '/Socket errors/ {print $4 + $6 + $8 + $10}' <<<"$out")"
    non2xx="$(awk '/Non-2xx/ {print $NF}' <<<"$out")"
    exhausted="$(awk '/^Lines exhausted:/ {print $3}' <<<"$out")"
    cpu="$(awk -v t=$((after - before)) -v hz="$TICKS_PER_SECOND" -v r="$requests" 'BEGIN {printf "%.3f", t / hz * 1000 / r}')"
    pgcpu="$(awk -v t=$((pg_after - pg_before)) -v hz="$TICKS_PER_SECOND" -v r="$requests" 'BEGIN {printf "%.3f", t / hz * 1000 / r}')"
    echo "$config $conns $rps $p50 $p75 $p99 $avg ${non2xx:-0} ${socket:-0} $cpu $pgcpu ${exhausted:-0}" >>"$WORK/runs"
    log "$(printf '%-9s c=%-4s %8s req/s p50 %7s ms p99 %7s ms non-2xx %s socket errors %s CPU ms/req %s (PostgreSQL %s)' \
        "$config" "$conns" "$rps" "$p50" "$p99" "${non2xx:-0}" "${socket:-0}" "$cpu" "$pgcpu")"
    ((${exhausted:-0} == 0)) || log "  $config ran out of signed requests ${exhausted} times: raise MAX_RATE"
}

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
: >"$WORK/runs"
# Every configuration starts fresh (its own JVMs, nonce file or database), so each sends the same
# signed files; the servers of one configuration run alone, one after the other.
for config in $CONFIGS; do
    log "$config: starting"
    start_config "$config"
    # Correctness first: one signed request answers the file byte for byte, and its replay is refused.
    first="$(head -1 "$WORK/signed/run-0-0.txt")"
    got="$(curl -sf "$URL$first" | sha256sum | cut -d' ' -f1)" || die "$config: the first signed request failed"
    [[ "$got" == "$SHA" ]] || die "$config: the download's SHA-256 is $got, expected $SHA"
    replay="$(curl -s -o /dev/null -w '%{http_code}' "$URL$first")"
    [[ "$replay" == 401 ]] || die "$config: a replayed nonce was answered $replay, not 401"
    # Warm-up (JIT, pools), unmeasured; its first line was just spent, so it counts one 401. Two
    # JVMs each get half of a warm-up's requests, so two replicas get a second one.
    run_wrk "$config" 0 "$CONNECTIONS" "$WARMUP"
    [[ "$config" != haproxy-2 ]] || run_wrk "$config" 1 "$CONNECTIONS" "$WARMUP"
    run=2
    for round in $(seq 1 "$ROUNDS"); do
        for conns in $CONNS_LIST; do
            run_wrk "$config" "$run" "$conns" "$DURATION"
            run=$((run + 1))
        done
    done
    for pid in ${SERVER_PIDS//,/ }; do kill -0 "$pid" 2>/dev/null || die "$config ($pid) died during the runs"; done
    stop_config
done
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"

# Per configuration and connection count: the median of each figure over the rounds, errors summed.
: >"$WORK/results"
for config in $CONFIGS; do
    for conns in $CONNS_LIST; do
        awk -v s="$config" -v c="$conns" '$1 == s && $2 == c' "$WORK/runs" |
            awk 'function median(col,   n, i, j, t, v) {
                    n = 0; for (i = 1; i <= NR; i++) v[++n] = row[i, col]
                    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) {t = v[i]; v[i] = v[j]; v[j] = t}
                    return (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 }
                {for (c = 1; c <= NF; c++) row[NR, c] = $c; non += $8; err += $9; ex += $12; s = $1; k = $2}
                END {printf "%s %s %.0f %s %s %s %s %d %d %.3f %.3f %d\n", s, k, median(3), median(4), median(5),
                    median(6), median(7), non, err, median(10), median(11), ex}' >>"$WORK/results"
    done
done

# ---------------------------------------------------------------- results
field() { awk -v s="$1" -v c="$2" -v f="$3" '$1 == s && $2 == c {print $f}' "$WORK/results"; }
has() { [[ " $CONFIGS " == *" $1 "* ]]; }
label() {
    case $1 in
        memory) echo "1 replica, nonces in memory" ;;
        file) echo "1 replica, nonces in a file (BRIZO_NONCE_FILE)" ;;
        postgres) echo "1 replica, nonces in PostgreSQL" ;;
        haproxy-1) echo "HAProxy + 1 replica, PostgreSQL" ;;
        *) echo "HAProxy + 2 replicas, PostgreSQL" ;;
    esac
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "n/a"}'; }
diff_ms() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%+.2f", a - b}'; }

mkdir -p "$(dirname "$RESULTS")"
{
    echo "# Replicas: nonces in PostgreSQL, and two replicas behind HAProxy"
    echo
    echo "Generated by \`bench/replicas.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC') at commit" \
        "\`$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)\` with DURATION=$DURATION," \
        "CONNECTIONS=$CONNECTIONS, ROUNDS=$ROUNDS; re-run it to refresh this file."
    echo
    if [[ -n "${NOTE:-}" ]]; then
        echo "$NOTE"
        echo
    fi
    echo "## Summary"
    echo
    if has memory && has postgres; then
        echo "- A nonce check in PostgreSQL adds **$(diff_ms "$(field postgres 1 4)" "$(field memory 1 4)") ms** to the" \
            "median request at 1 connection ($(field postgres 1 4) ms against $(field memory 1 4) ms with nonces in" \
            "memory; p99 $(field postgres 1 6) ms against $(field memory 1 6) ms)."
        echo "- Under load ($CONNECTIONS connections) one replica accepts **$(field postgres "$CONNECTIONS" 3) nonces/s**" \
            "in PostgreSQL, $(ratio \
            "$(field postgres "$CONNECTIONS" 3)" "$(field memory "$CONNECTIONS" 3)") × its rate with nonces in memory" \
            "($(field memory "$CONNECTIONS" 3)/s); p50 $(field postgres "$CONNECTIONS" 4) ms against" \
            "$(field memory "$CONNECTIONS" 4) ms."
    fi
    if has file && has memory; then
        echo "- Nonces in a file: $(field file "$CONNECTIONS" 3) requests/s at $CONNECTIONS connections," \
            "$(diff_ms "$(field file 1 4)" "$(field memory 1 4)") ms at the median at 1 connection against memory."
    fi
    if has haproxy-1 && has haproxy-2; then
        echo "- Behind HAProxy, two replicas serve $(field haproxy-2 "$CONNECTIONS" 3) requests/s against one" \
            "replica's $(field haproxy-1 "$CONNECTIONS" 3) (**$(ratio "$(field haproxy-2 "$CONNECTIONS" 3)" \
            "$(field haproxy-1 "$CONNECTIONS" 3)") ×**) at $CONNECTIONS connections: on $(nproc) cores shared with" \
            "wrk, HAProxy and PostgreSQL, a second replica adds no cores, so this measures what the split costs" \
            "or gains on one machine, not the scaling of replicas on machines of their own."
    fi
    echo "- Errors: every accepted nonce is one 200; non-2xx counts refusals (a replayed or out-of-order nonce" \
        "would be 401, an unreachable database 503); see the table."
    echo
    echo "## Figures"
    echo
    echo "| configuration | connections | requests/s | p50 (ms) | p75 (ms) | p99 (ms) | mean (ms) | non-2xx | socket errors | Brizo + HAProxy CPU ms per request | PostgreSQL CPU ms per request |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for conns in $CONNS_LIST; do
        for config in $CONFIGS; do
            read -r _ _ rps p50 p75 p99 avg non2xx socket cpu pgcpu exhausted < <(awk -v s="$config" \
                -v c="$conns" '$1 == s && $2 == c' "$WORK/results")
            case "$config" in memory | file) pgcpu="—" ;; esac
            flag=""
            ((exhausted == 0)) || flag=" (ran out of signed requests: raise MAX_RATE)"
            echo "| $(label "$config")$flag | $conns | $rps | $p50 | $p75 | $p99 | $avg | $non2xx | $socket | $cpu | $pgcpu |"
        done
    done
    echo
    echo "## Machine"
    echo
    machine_lines
    echo "- PostgreSQL: $PG_VERSION"
    echo "- HAProxy: $("$HAPROXY" -v 2>&1 | head -1)"
    echo "- wrk: $(wrk -v 2>&1 | head -1)"
    echo "- load average (1, 5, 15 min) before the runs: $LOAD_BEFORE; after: $LOAD_AFTER (anything much above" \
        "2 on 2 cores means something else ran beside the benchmark)"
    echo
    echo "## Method"
    echo
    echo "- One file of $SIZE bytes in \`bench/work-replicas/data\`, published as a \`file:\` URL under" \
        "\`BRIZO_FILE_ROOTS\`, small so that each request costs its authorisation rather than its bytes."
    echo "- Every request is a consume request in the replay-safe nonce form (\`BRIZO_NONCE_REQUIRED=true\`):" \
        "an EIP-191 signature over keccak256(agreement id + nonce), each with a nonce used once." \
        "\`bench/SignNonces.java\` signs them beforehand ($((THREADS * CONSUMERS)) consumers, each with a" \
        "development grant; $LINES requests per wrk thread and run), since wrk cannot sign; the server" \
        "recovers each signature's key, so no request is cheaper than a real one. \`bench/replicas.lua\` has" \
        "each wrk thread send its own file in order; a consumer's next nonce comes $CONSUMERS requests of" \
        "that thread later, so nonces reach the store in increasing order per consumer at any concurrency."
    echo "- Before measuring, each configuration is checked: one signed request answers the file byte for byte" \
        "(SHA-256) and its replay is refused with 401 (with two replicas, round robin sends the replay to the" \
        "other one: the nonces are shared)."
    echo "- Configurations, each started fresh and run alone (the others stopped): \`serve\` with nonces in" \
        "memory; in a file (\`BRIZO_NONCE_FILE\`); in a private PostgreSQL on 127.0.0.1 (\`BRIZO_DATABASE_URL\`," \
        "default pool of 10; fsync and synchronous_commit on, so an accepted nonce is on disk before the answer);" \
        "and HAProxy $("$HAPROXY" -v 2>&1 | head -1 | awk '{print $3}') (round robin, health check on" \
        "\`/ready\`, as in README \"Several replicas\") in front of one, then two replicas sharing a database."
    echo "- wrk with $THREADS threads: per configuration an unmeasured warm-up at $CONNECTIONS connections ($WARMUP s per replica)," \
        "then $ROUNDS round(s) of a ${DURATION} s run at 1 connection (the latency a nonce check adds, without" \
        "queueing) and at $CONNECTIONS connections (throughput); figures are medians over the rounds, errors" \
        "summed. Each 200 is one nonce accepted (one committed statement in PostgreSQL), so requests/s is" \
        "nonce checks/s."
    echo "- CPU: user + system time (\`/proc/PID/stat\`) of the Brizo JVM(s) and HAProxy, and of PostgreSQL's" \
        "postmaster and backends, over the run, per request. wrk, the servers and PostgreSQL share the" \
        "machine's $(nproc) cores."
    echo
    echo "## Raw wrk output (last round, $CONNECTIONS connections)"
    echo
    last=$((RUNS - 1))
    for config in $CONFIGS; do
        echo "### $(label "$config")"
        echo
        echo '```'
        cat "$WORK/wrk-$config-$CONNECTIONS-run$last.txt"
        echo '```'
        echo
    done
} >"$RESULTS"
log "wrote $RESULTS"

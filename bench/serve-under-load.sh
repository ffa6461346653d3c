#!/usr/bin/env bash
# Brizo `serve` under concurrent load, on Jetty (the default), on the JDK's built-in server
# (BRIZO_HTTP_SERVER=jdk) and on Jetty behind nginx with the shipped deploy/nginx/brizo.conf
# (Brizo authorises, nginx sends the file: BRIZO_ACCEL_REDIRECT), side by side with nginx serving
# the same file, all on 127.0.0.1,
# measured with wrk: whole 1 MiB files and authorised 1 KiB ranges at 64 and 256 connections;
# throughput, latency percentiles, errors and each server's CPU seconds per GiB served.
# Writes docs/benchmarks/serve-under-load.md. Run from anywhere: bash bench/serve-under-load.sh
# (as root on a fresh machine, so it can apt-get install nginx-light, wrk and curl).
#
# Environment (all optional):
#   DURATION=5       seconds of each measured wrk run
#   ROUNDS=3         measured runs per server, load and connection count (after one 3 s warm-up),
#                    taken in turn across the servers so that a disturbance hits all of them
#   CONNECTIONS="64 256"
#   WARMUP=45        seconds of load each Java server gets before anything is measured (half whole
#                    files, half ranges): on these 2 cores the JIT compiles Brizo's paths for about
#                    45 s of load, and a server in production has long passed that
#   ONLY_LOADS="whole range"   the loads to measure; with fewer, the results file misses the others
#                    (for trying a change quickly: ONLY_LOADS=whole RESULTS=/tmp/try.md)
#   RESULTS=docs/benchmarks/serve-under-load.md   where the results go (relative to the repo root)
#
# Everything it starts listens on 127.0.0.1 only and is stopped on exit; wrk runs are bounded in
# time. The targets it judges against are those of issue 14 (see the results file).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$ROOT/bench/work-load"
DATA="$WORK/data"
source "$ROOT/bench/lib.sh"
RESULTS="${RESULTS:-docs/benchmarks/serve-under-load.md}"; [[ "$RESULTS" == /* ]] || RESULTS="$ROOT/$RESULTS"
DURATION="${DURATION:-5}"
ROUNDS="${ROUNDS:-3}"
WARMUP="${WARMUP:-45}"
CONNECTIONS="${CONNECTIONS:-64 256}"
AGREEMENT="$(printf '10ad%.0s' {1..16})"
DID="did:op:$(printf 'c1%.0s' {1..32})"
FILE_NAME="one-mib.bin"
SIZE=$((1024 * 1024))
RANGE="bytes=524288-525311" # 1 KiB from the middle

[[ "$DURATION" =~ ^[1-9][0-9]?$ ]] || die "DURATION must be 1..99 seconds"
[[ "$ROUNDS" =~ ^[1-9]$ ]] || die "ROUNDS must be 1..9"
[[ "$WARMUP" =~ ^[0-9]{1,3}$ ]] || die "WARMUP must be 0..999 seconds"
for c in $CONNECTIONS; do [[ "$c" =~ ^[1-9][0-9]{0,3}$ ]] || die "CONNECTIONS must be numbers up to 9999"; done

need_packages nginx:nginx-light wrk:wrk curl:curl
NGINX="$(nginx_binary)"
build_jar

PIDS=()
cleanup() {
    stop_pids
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rm -rf "$WORK"
mkdir -p "$DATA"
head -c "$SIZE" /dev/urandom >"$DATA/$FILE_NAME"
chmod 644 "$DATA/$FILE_NAME"
SHA="$(sha256sum "$DATA/$FILE_NAME" | cut -d' ' -f1)"
RANGE_SHA="$(dd if="$DATA/$FILE_NAME" bs=1024 skip=512 count=1 2>/dev/null | sha256sum | cut -d' ' -f1)"

# ---------------------------------------------------------------- nginx
NGINX_PORT="$(free_port)" || die "no free port found for nginx"
# nginx as a production static file server would run it.
write_nginx_conf nginx auto 4096 <<EOF
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_requests 100000;
    server {
        listen 127.0.0.1:$NGINX_PORT backlog=4096;
        root $DATA;
    }
EOF
"$NGINX" -e "$WORK/nginx-error.log" -p "$WORK" -c "$WORK/nginx.conf" >"$WORK/nginx.out" 2>&1 &
NGINX_PID=$!
PIDS+=("$NGINX_PID")
NGINX_URL="http://127.0.0.1:$NGINX_PORT/$FILE_NAME"
nginx_up() {
    kill -0 "$NGINX_PID" 2>/dev/null || die "nginx exited: $(cat "$WORK/nginx-error.log" "$WORK/nginx.out" 2>/dev/null)"
    [[ "$(curl -s -o /dev/null -I -w '%{http_code}' "$NGINX_URL")" == 200 ]]
}
wait_for "nginx did not serve $NGINX_URL within 10 s" 100 nginx_up
NGINX_PIDS="$(printf '%s\n' "$NGINX_PID" $(pgrep -P "$NGINX_PID") | paste -sd,)"

# ---------------------------------------------------------------- Brizo, on Jetty and on the JDK server
read -r CONSUMER SIGNATURE < <(sign_agreement "$AGREEMENT")
cat >"$WORK/assets.json" <<EOF
{"$DID": {"files": [{"url": "file://$DATA/$FILE_NAME", "contentType": "application/octet-stream"}]}}
EOF
cat >"$WORK/grants.json" <<EOF
[{"agreementId": "$AGREEMENT", "did": "$DID", "consumer": "$CONSUMER", "service": "access"}]
EOF
# The Jetty server also hands files over to the front nginx below, for requests that carry its key
# only: requests straight to it are served by Brizo as before.
ACCEL_KEY="$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
start_brizo jetty BRIZO_ACCEL_REDIRECT="$DATA=/_brizo/files/" BRIZO_ACCEL_REDIRECT_KEY="$ACCEL_KEY"
start_brizo jdk BRIZO_HTTP_SERVER=jdk
PIDS+=("$(cat "$WORK/jetty.pid")" "$(cat "$WORK/jdk.pid")")
wait_for "Brizo on Jetty did not start within 30 s: $(cat "$WORK/jetty.err")" 300 brizo_ready jetty
wait_for "Brizo on the JDK server did not start within 30 s: $(cat "$WORK/jdk.err")" 300 brizo_ready jdk
# Jetty's own static file handler over the same file: the ceiling of a Jetty-based server.
STATIC_PORT="$(free_port)" || die "no free port found for Jetty static"
java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$JAR" "$ROOT/bench/JettyStatic.java" "$DATA" "$STATIC_PORT" \
    >"$WORK/static.out" 2>"$WORK/static.err" &
echo $! >"$WORK/static.pid"
PIDS+=("$(cat "$WORK/static.pid")")
static_up() {
    kill -0 "$(cat "$WORK/static.pid")" 2>/dev/null || die "Jetty static exited: $(cat "$WORK/static.err")"
    grep -q 'listening on' "$WORK/static.out" 2>/dev/null
}
wait_for "Jetty static did not start within 30 s: $(cat "$WORK/static.err")" 300 static_up

# nginx in front of Brizo on Jetty, with the shipped deploy/nginx/brizo.conf.
start_front_nginx "$(brizo_url jetty)" "$ACCEL_KEY" "$DATA"

QUERY="/api/v1/brizo/services/consume?serviceAgreementId=$AGREEMENT&consumerAddress=$CONSUMER&signature=$SIGNATURE&index=0"
declare -A URL=([nginx]="$NGINX_URL" [static]="http://127.0.0.1:$STATIC_PORT/$FILE_NAME" [jetty]="$(brizo_url jetty)$QUERY" [jdk]="$(brizo_url jdk)$QUERY" [proxied]="http://127.0.0.1:$FRONT_PORT$QUERY")
# Behind nginx, the CPU is the front nginx's and Brizo's together.
declare -A SERVER_PIDS=([nginx]="$NGINX_PIDS" [static]="$(cat "$WORK/static.pid")" [jetty]="$(cat "$WORK/jetty.pid")" [jdk]="$(cat "$WORK/jdk.pid")" [proxied]="$FRONT_PIDS,$(cat "$WORK/jetty.pid")")
SERVERS="nginx static jetty jdk proxied"

# Correctness first: the whole file and the range, byte for byte, from each server.
for s in $SERVERS; do
    got="$(curl -sf "${URL[$s]}" | sha256sum | cut -d' ' -f1)" || die "download from $s failed"
    [[ "$got" == "$SHA" ]] || die "download from $s: SHA-256 $got, expected $SHA"
    got="$(curl -sf -H "Range: $RANGE" "${URL[$s]}" | sha256sum | cut -d' ' -f1)" || die "range from $s failed"
    [[ "$got" == "$RANGE_SHA" ]] || die "range from $s: SHA-256 $got, expected $RANGE_SHA"
done
# Behind nginx the bytes must come from nginx: Brizo answers a request with the proxy's key with the
# internal path and no body.
curl -sf -o /dev/null -D - -H "X-Brizo-Accel-Key: $ACCEL_KEY" "${URL[jetty]}" | grep -qi '^X-Accel-Redirect: /_brizo/files/' ||
    die "Brizo on Jetty does not hand the file over to nginx"
if curl -sf -o /dev/null -D - "${URL[jetty]}" | grep -qi '^X-Accel-Redirect:'; then
    die "Brizo showed an internal path to a request without the proxy's key"
fi
log "nginx, Jetty static, Brizo on Jetty, on the JDK server and behind nginx each serve the file and the range byte for byte"

# ---------------------------------------------------------------- wrk
# to_ms VALUE: wrk's "850.00us", "1.20ms" or "2.01s" in milliseconds
to_ms() {
    awk -v v="$1" 'BEGIN {
        if (v ~ /us$/) {sub(/us$/, "", v); printf "%.3f", v / 1000}
        else if (v ~ /ms$/) {sub(/ms$/, "", v); printf "%.2f", v}
        else if (v ~ /m$/) {sub(/m$/, "", v); printf "%.0f", v * 60000}
        else {sub(/s$/, "", v); printf "%.0f", v * 1000}}'
}

# run_wrk SERVER LOAD CONNECTIONS ROUND: one measured run (after a warm-up in round 1); appends a
# line to $WORK/runs: server load connections req/s MiB/s p50 p99 socket-errors non-2xx cpu-s-per-GiB
run_wrk() {
    local server="$1" load="$2" conns="$3" round="$4" header=() out before after
    [[ "$load" == range ]] && header=(-H "Range: $RANGE")
    if ((round == 1)); then
        wrk -t2 -c"$conns" -d3s "${header[@]}" "${URL[$server]}" >/dev/null 2>&1 || true
    fi
    before="$(cpu_ticks "${SERVER_PIDS[$server]}")"
    out="$(wrk -t2 -c"$conns" -d"${DURATION}s" --timeout 10s --latency "${header[@]}" "${URL[$server]}")" ||
        die "wrk failed against $server"
    after="$(cpu_ticks "${SERVER_PIDS[$server]}")"
    echo "$out" >"$WORK/wrk-$server-$load-$conns-$round.txt"
    local rps bytes p50 p99 socket non2xx requests
    rps="$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")"
    p50="$(to_ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")"
    p99="$(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")"
    requests="$(awk '/requests in/ {print $1}' <<<"$out")"
    socket="$(awk -F'[ ,]+' '/Socket errors/ {print $4 + $6 + $8 + $10}' <<<"$out")"
    non2xx="$(awk '/Non-2xx/ {print $NF}' <<<"$out")"
    local per="$SIZE"
    [[ "$load" == range ]] && per=1024
    # Payload bytes: requests × the body size (wrk's "MB read" also counts headers).
    bytes="$(awk -v r="$requests" -v p="$per" 'BEGIN {printf "%.0f", r * p}')"
    local cpu mibs
    cpu="$(awk -v t=$((after - before)) -v hz="$TICKS_PER_SECOND" -v b="$bytes" \
        'BEGIN {printf "%.2f", (t / hz) / (b / 1073741824)}')"
    mibs="$(awk -v b="$bytes" -v d="$DURATION" 'BEGIN {printf "%.0f", b / d / 1048576}')"
    echo "$server $load $conns $rps $mibs $p50 $p99 ${socket:-0} ${non2xx:-0} $cpu" >>"$WORK/runs"
    log "$(printf 'round %s %-5s %-5s c=%-4s %9s req/s %6s MiB/s p50 %7s ms p99 %7s ms socket errors %s non-2xx %s CPU %s s/GiB' \
        "$round" "$server" "$load" "$conns" "$rps" "$mibs" "$p50" "$p99" "${socket:-0}" "${non2xx:-0}" "$cpu")"
}

# The JVMs' warm-up, bounded in time: whole files and ranges, so both paths get compiled.
if ((WARMUP > 0)); then
    for s in static jetty jdk proxied; do
        log "warming $s up for $WARMUP s"
        wrk -t2 -c64 -d"$((WARMUP / 2 + 1))s" "${URL[$s]}" >/dev/null 2>&1 || true
        wrk -t2 -c64 -d"$((WARMUP / 2 + 1))s" -H "Range: $RANGE" "${URL[$s]}" >/dev/null 2>&1 || true
    done
fi
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
: >"$WORK/runs"
for load in ${ONLY_LOADS:-whole range}; do
    for conns in $CONNECTIONS; do
        for round in $(seq 1 "$ROUNDS"); do
            for s in $SERVERS; do run_wrk "$s" "$load" "$conns" "$round"; done
        done
    done
done
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"
# Per server, load and connection count: the median of each figure over the rounds, errors summed.
: >"$WORK/results"
for load in whole range; do
    for conns in $CONNECTIONS; do
        for s in $SERVERS; do
            awk -v s="$s" -v l="$load" -v c="$conns" '$1 == s && $2 == l && $3 == c' "$WORK/runs" |
                awk 'function median(col,   n, i, j, t, v) {
                        n = 0; for (i = 1; i <= NR; i++) v[++n] = row[i, col]
                        for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) {t = v[i]; v[i] = v[j]; v[j] = t}
                        return (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 }
                    {for (c = 1; c <= NF; c++) row[NR, c] = $c; err += $8; non += $9; s = $1; l = $2; k = $3}
                    END {printf "%s %s %s %.0f %.0f %s %s %d %d %.2f\n", s, l, k, median(4), median(5), median(6), median(7), err, non, median(10)}' \
                    >>"$WORK/results"
        done
    done
done
for s in $SERVERS; do
    for pid in ${SERVER_PIDS[$s]//,/ }; do kill -0 "$pid" 2>/dev/null || die "$s ($pid) died during the runs"; done
done
THREADS_JETTY="$(awk '/^Threads:/ {print $2}' "/proc/${SERVER_PIDS[jetty]}/status")"
THREADS_JDK="$(awk '/^Threads:/ {print $2}' "/proc/${SERVER_PIDS[jdk]}/status")"

# ---------------------------------------------------------------- results
field() { awk -v s="$1" -v l="$2" -v c="$3" -v f="$4" '$1 == s && $2 == l && $3 == c {print $f}' "$WORK/results"; }
verdict() { if (($1)); then echo "meets"; else echo "**misses**"; fi; }
label() { case $1 in nginx) echo "nginx" ;; static) echo "Jetty static (reference)" ;; jetty) echo "Brizo serve (Jetty)" ;; proxied) echo "Brizo serve (Jetty) behind nginx" ;; *) echo "Brizo serve (JDK server)" ;; esac; }
TOP="$(echo "$CONNECTIONS" | awk '{print $NF}')"

mkdir -p "$(dirname "$RESULTS")"
{
    echo "# Brizo \`serve\` under load: Jetty, the JDK server and Jetty behind nginx, beside nginx"
    echo
    echo "Generated by \`bench/serve-under-load.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC') at commit" \
        "\`$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)\`; re-run it to refresh this file."
    echo
    echo "## Targets at $TOP connections"
    echo
    echo "| target | Brizo on Jetty | Brizo on the JDK server | Brizo on Jetty behind nginx (X-Accel-Redirect) |"
    echo "|---|---|---|---|"
    # line DESCRIPTION LOAD CONDITION FIGURE: CONDITION and FIGURE are awk expressions over rps, p99,
    # err, non (the Brizo server's) and nrps, np99 (nginx's)
    line() {
        local s cells=() ok figure
        for s in jetty jdk proxied; do
            set -- "$1" "$2" "$3" "$4" -v rps="$(field "$s" "$2" "$TOP" 4)" -v p99="$(field "$s" "$2" "$TOP" 7)" \
                -v err="$(field "$s" "$2" "$TOP" 8)" -v non="$(field "$s" "$2" "$TOP" 9)" \
                -v nrps="$(field nginx "$2" "$TOP" 4)" -v np99="$(field nginx "$2" "$TOP" 7)"
            ok="$(awk "${@:5}" "BEGIN {print ($3) ? 1 : 0}")"
            figure="$(awk "${@:5}" "BEGIN {print $4}")"
            cells+=("$(verdict "$ok"): $figure")
            set -- "$1" "$2" "$3" "$4"
        done
        echo "| $1 | ${cells[0]} | ${cells[1]} | ${cells[2]} |"
    }
    line "whole 1 MiB files: 0 socket errors, 0 non-2xx" whole "err == 0 && non == 0" \
        '"socket errors " err ", non-2xx " non'
    line "whole 1 MiB files: throughput ≥ 0.8 × nginx" whole "rps >= 0.8 * nrps" 'sprintf("%.2f × nginx", rps / nrps)'
    line "whole 1 MiB files: p99 ≤ 2 × nginx's" whole "p99 <= 2 * np99" 'p99 " ms (nginx " np99 " ms)"'
    line "1 KiB ranges: 0 errors" range "err == 0 && non == 0" '"socket errors " err ", non-2xx " non'
    line "1 KiB ranges: ≥ 10,000 authorised requests/s" range "rps >= 10000" 'sprintf("%.0f requests/s", rps)'
    echo
    echo "Figures behind each verdict are in the tables below (ratio = Brizo's requests/s over nginx's;" \
        "each figure the median of $ROUNDS runs, errors summed over them)."
    echo
    echo "For reference, Jetty's own static file handler (no application, no authorisation; the ceiling of a" \
        "server built on Jetty) serves whole files at $TOP connections at" \
        "$(awk -v a="$(field static whole "$TOP" 4)" -v b="$(field nginx whole "$TOP" 4)" 'BEGIN {printf "%.2f", a / b}') × nginx."
    echo
    for load in whole range; do
        if [[ "$load" == whole ]]; then
            echo "## Whole 1 MiB files"
        else
            echo "## 1 KiB ranges of an authorised file (\`Range: $RANGE\`)"
        fi
        echo
        echo "| server | connections | requests/s | vs nginx | payload MiB/s | p50 (ms) | p99 (ms) | socket errors | non-2xx | server CPU s per GiB |"
        echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        for conns in $CONNECTIONS; do
            for s in $SERVERS; do
                read -r _ _ _ rps mibs p50 p99 socket non2xx cpu < <(awk -v s="$s" -v l="$load" -v c="$conns" \
                    '$1 == s && $2 == l && $3 == c' "$WORK/results")
                ratio="$(awk -v a="$rps" -v b="$(field nginx "$load" "$conns" 4)" 'BEGIN {printf "%.2f", a / b}')"
                printf '| %s | %s | %.0f | %s | %s | %s | %s | %s | %s | %s |\n' "$(label "$s")" "$conns" "$rps" \
                    "$ratio" "$mibs" "$p50" "$p99" "$socket" "$non2xx" "$cpu"
            done
        done
        echo
    done
    echo "Threads at the end of the runs: Brizo on Jetty $THREADS_JETTY, Brizo on the JDK server $THREADS_JDK."
    echo
    echo "## Machine"
    echo
    machine_lines
    echo "- wrk: $(wrk -v 2>&1 | head -1)"
    echo
    echo "## Method"
    echo
    echo "- One file of 1 MiB of random bytes in \`bench/work-load/data\`, in the page cache; every server is" \
        "first checked to serve it and the range byte for byte (SHA-256)."
    echo "- nginx as a production static server: \`worker_processes auto\` ($(nproc) workers), \`sendfile\`," \
        "\`tcp_nopush\`, \`tcp_nodelay\`, \`access_log off\`, \`keepalive_requests 100000\`."
    echo "- Jetty static (reference): Jetty $(unzip -p "$JAR" META-INF/maven/org.eclipse.jetty/jetty-server/pom.properties 2>/dev/null | sed -n 's/^version=//p')'s" \
        "\`ResourceHandler\` with its defaults over the same directory (\`bench/JettyStatic.java\`), default heap:" \
        "what Jetty does with no application in the way."
    echo "- Brizo: \`java -jar brizo-examples.jar serve\` with the default heap and settings (Jetty), and the" \
        "same with \`BRIZO_HTTP_SERVER=jdk\`; the file as a \`file:\` URL under \`BRIZO_FILE_ROOTS\`, a" \
        "development grant for a key made by the \`sign\` command, and every request carrying the consumer's" \
        "EIP-191 signature of the agreement id, checked by the server (signature recovery, grant, catalogue," \
        "file-root check) before any byte is served. Logging at warn (the access log is off in this run, as" \
        "nginx's is)."
    echo "- Brizo behind nginx: a second nginx with the same main settings in front of the Jetty server," \
        "configured by the shipped \`deploy/nginx/brizo.conf\` (only its CHANGE values replaced: ports, key," \
        "directory); Brizo has \`BRIZO_ACCEL_REDIRECT\` for the data directory, so every request goes through" \
        "Brizo's authorisation and nginx then sends the file (\`X-Accel-Redirect\`, \`sendfile\`) and answers" \
        "the range. Its CPU figure is the front nginx's and Brizo's together; its warm-up is that of the same" \
        "Jetty server, plus $WARMUP s through nginx."
    echo "- Warm-up: each Java server first gets $WARMUP s of load (half whole files, half ranges, 64" \
        "connections), unmeasured: on these cores the JIT keeps compiling Brizo's paths for about 45 s of load" \
        "(its whole-file throughput rises by half over that time), and a server in production has long" \
        "finished. nginx needs none."
    echo "- wrk, 2 threads, keep-alive connections: for each load and connection count, one unmeasured 3 s" \
        "run per server, then $ROUNDS rounds of a measured ${DURATION} s run per server in turn, with" \
        "\`--latency\` (percentiles from wrk's latency distribution); each figure is the median over the" \
        "rounds. wrk and the servers share the machine's $(nproc) cores, so every figure is what one machine" \
        "does with its load generator on board. Load average (1, 5, 15 min) before the runs: $LOAD_BEFORE;" \
        "after: $LOAD_AFTER (anything much above 2 means something else ran beside the benchmark)."
    echo "- Requests/s and errors are wrk's (non-2xx: wrk's count of answers with a status of 400 or more)." \
        "Payload MiB/s counts body bytes only (requests × body size)."
    echo "- Server CPU: user + system time of the server process(es) (\`/proc/PID/stat\`; nginx: master +" \
        "workers) over the measured run, divided by the payload served."
    echo
    echo "## Raw wrk output"
    echo
    for load in whole range; do
        for conns in $CONNECTIONS; do
            for s in $SERVERS; do
                echo "### $(label "$s"), $load, $conns connections (last round)"
                echo
                echo '```'
                sed 's/signature=0x[0-9a-f]*/signature=…/' "$WORK/wrk-$s-$load-$conns-$ROUNDS.txt"
                echo '```'
                echo
            done
        done
    done
} >"$RESULTS"
log "wrote $RESULTS"

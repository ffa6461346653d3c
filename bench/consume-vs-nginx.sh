#!/usr/bin/env bash
# Throughput of a whole-file consume from Brizo's `serve` (on Jetty with the default heap and with
# -Xmx64m, and on the JDK server with -Xmx64m) against nginx
# serving the same file (with sendfile, and a second time copying through 256 KiB buffers), all on
# 127.0.0.1, measured alternately with curl; also each server's CPU time per download and its RSS.
# Writes docs/benchmarks/consume-vs-nginx.md. Run from anywhere: bash bench/consume-vs-nginx.sh
# (as root on a fresh machine, so it can apt-get install nginx-light and curl).
#
# Environment (all optional):
#   ROUNDS=7         measured downloads per server (after one unmeasured warm-up each)
#   SIZE_MIB=1024    size of the test file
#   TARGET=0.90      the Brizo/nginx ratio of median speeds the results are judged against
#   RESULTS=docs/benchmarks/consume-vs-nginx.md   where the results go (relative to the repo root)
#
# Everything it starts listens on 127.0.0.1 only and is stopped on exit; the test file is removed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$ROOT/bench/work"
DATA="$WORK/data"
FILE_NAME="dataset.bin"
FILE="$DATA/$FILE_NAME"
RESULTS="${RESULTS:-docs/benchmarks/consume-vs-nginx.md}"; [[ "$RESULTS" == /* ]] || RESULTS="$ROOT/$RESULTS"
ROUNDS="${ROUNDS:-7}"
SIZE_MIB="${SIZE_MIB:-1024}"
TARGET="${TARGET:-0.90}"
SIZE=$((SIZE_MIB * 1024 * 1024))
AGREEMENT="$(printf 'be9c%.0s' {1..16})"
DID="did:op:$(printf 'b0%.0s' {1..32})"

source "$ROOT/bench/lib.sh"

[[ "$ROUNDS" =~ ^[1-9][0-9]?$ ]] || die "ROUNDS must be 1..99"
[[ "$SIZE_MIB" =~ ^[1-9][0-9]{0,5}$ ]] || die "SIZE_MIB must be a positive number of MiB"

need_packages nginx:nginx-light curl:curl
NGINX="$(nginx_binary)"
build_jar

# ---------------------------------------------------------------- clean-up on any exit
PIDS=()
cleanup() {
    stop_pids
    rm -f "$FILE"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rm -rf "$WORK"
mkdir -p "$DATA"

# ---------------------------------------------------------------- the test file
log "writing $SIZE_MIB MiB of random bytes to $FILE"
head -c "$SIZE" /dev/urandom >"$FILE"
chmod 644 "$FILE"
SHA="$(sha256sum "$FILE" | cut -d' ' -f1)"

# ---------------------------------------------------------------- nginx
NGINX_PORT="$(free_port)" || die "no free port found for nginx"
NGINX_COPY_PORT="$(free_port)" || die "no free port found for nginx"
[[ "$NGINX_COPY_PORT" != "$NGINX_PORT" ]] || die "no second free port found for nginx"
# A minimal static file server for the comparison, and a second baseline: nginx copying through
# user-space buffers, which on loopback can beat sendfile; shown so the ratio is not read against a
# weak baseline.
write_nginx_conf nginx 1 64 <<EOF
    sendfile on;
    tcp_nopush on;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        root $DATA;
    }
    server {
        listen 127.0.0.1:$NGINX_COPY_PORT;
        root $DATA;
        sendfile off;
        output_buffers 2 256k;
    }
EOF
"$NGINX" -e "$WORK/nginx-error.log" -p "$WORK" -c "$WORK/nginx.conf" >"$WORK/nginx.out" 2>&1 &
NGINX_PID=$!
PIDS+=("$NGINX_PID")
NGINX_URL="http://127.0.0.1:$NGINX_PORT/$FILE_NAME"
NGINX_COPY_URL="http://127.0.0.1:$NGINX_COPY_PORT/$FILE_NAME"
nginx_up() {
    kill -0 "$NGINX_PID" 2>/dev/null || die "nginx exited: $(cat "$WORK/nginx-error.log" "$WORK/nginx.out" 2>/dev/null)"
    [[ "$(curl -s -o /dev/null -I -w '%{http_code}' "$NGINX_URL")" == 200 &&
        "$(curl -s -o /dev/null -I -w '%{http_code}' "$NGINX_COPY_URL")" == 200 ]]
}
wait_for "nginx did not serve $NGINX_URL within 10 s: $(cat "$WORK/nginx-error.log" "$WORK/nginx.out" 2>/dev/null)" 100 nginx_up
NGINX_PIDS="$(printf '%s\n' "$NGINX_PID" $(pgrep -P "$NGINX_PID") | paste -sd,)"
log "nginx on 127.0.0.1:$NGINX_PORT (sendfile) and :$NGINX_COPY_PORT (copying) (pids $NGINX_PIDS)"

# ---------------------------------------------------------------- Brizo
read -r CONSUMER SIGNATURE < <(sign_agreement "$AGREEMENT")
cat >"$WORK/assets.json" <<EOF
{"$DID": {"files": [{"url": "file://$FILE", "contentType": "application/octet-stream"}]}}
EOF
cat >"$WORK/grants.json" <<EOF
[{"agreementId": "$AGREEMENT", "did": "$DID", "consumer": "$CONSUMER", "service": "access"}]
EOF

# The -Xmx64m Jetty server also hands the file over to the front nginx below, for requests that
# carry its key only.
ACCEL_KEY="$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
start_brizo brizo
start_brizo brizo64 BRIZO_ACCEL_REDIRECT="$DATA=/_brizo/files/" BRIZO_ACCEL_REDIRECT_KEY="$ACCEL_KEY" -- -Xmx64m
start_brizo jdk64 BRIZO_HTTP_SERVER=jdk -- -Xmx64m
BRIZO_PID="$(cat "$WORK/brizo.pid")"
BRIZO64_PID="$(cat "$WORK/brizo64.pid")"
JDK64_PID="$(cat "$WORK/jdk64.pid")"
PIDS+=("$BRIZO_PID" "$BRIZO64_PID" "$JDK64_PID")
wait_for "Brizo did not start within 30 s: $(cat "$WORK/brizo.err")" 300 brizo_ready brizo
wait_for "Brizo -Xmx64m did not start within 30 s: $(cat "$WORK/brizo64.err")" 300 brizo_ready brizo64
wait_for "Brizo on the JDK server did not start within 30 s: $(cat "$WORK/jdk64.err")" 300 brizo_ready jdk64
QUERY="/api/v1/brizo/services/consume?serviceAgreementId=$AGREEMENT&consumerAddress=$CONSUMER&signature=$SIGNATURE&index=0"
BRIZO_URL="$(brizo_url brizo)$QUERY"
BRIZO64_URL="$(brizo_url brizo64)$QUERY"
JDK64_URL="$(brizo_url jdk64)$QUERY"
log "Brizo on $(brizo_url brizo) (pid $BRIZO_PID), Brizo -Xmx64m on $(brizo_url brizo64) (pid $BRIZO64_PID)"
start_front_nginx "$(brizo_url brizo64)" "$ACCEL_KEY" "$DATA"
PROXIED_URL="http://127.0.0.1:$FRONT_PORT$QUERY"
PROXIED_PIDS="$FRONT_PIDS,$BRIZO64_PID"
log "nginx in front of Brizo -Xmx64m on 127.0.0.1:$FRONT_PORT (deploy/nginx/brizo.conf)"

# ---------------------------------------------------------------- warm-up: correctness, caches, JIT
for target in "nginx $NGINX_URL" "nginx-copy $NGINX_COPY_URL" "brizo $BRIZO_URL" "brizo64 $BRIZO64_URL" \
    "jdk64 $JDK64_URL" "proxied $PROXIED_URL"; do
    set -- $target
    got="$(curl -sf --max-time 300 "$2" | sha256sum | cut -d' ' -f1)" || die "warm-up download from $1 failed"
    [[ "$got" == "$SHA" ]] || die "warm-up download from $1: SHA-256 $got, expected $SHA"
    log "warm-up $1: SHA-256 matches"
done

# measure NAME URL PIDS ROUND: one timed download to /dev/null, nothing else running;
# appends "name round code bytes speed time server-cpu-seconds" to runs
measure() {
    local name="$1" url="$2" pids="$3" round="$4" before after code bytes speed time cpu
    before="$(cpu_ticks "$pids")"
    curl -s -o /dev/null --max-time 300 -w '%{http_code} %{size_download} %{speed_download} %{time_total}\n' \
        "$url" >"$WORK/curl.out" || die "curl failed on $name round $round"
    after="$(cpu_ticks "$pids")"
    read -r code bytes speed time <"$WORK/curl.out"
    [[ "$code" == 200 && "$bytes" == "$SIZE" ]] || die "$name round $round: HTTP $code, $bytes bytes"
    cpu="$(awk -v t=$((after - before)) -v hz="$TICKS_PER_SECOND" 'BEGIN {printf "%.2f", t / hz}')"
    echo "$name $round $code $bytes $speed $time $cpu" >>"$WORK/runs"
    log "$(printf '%-8s round %d: %8.1f MiB/s  %6.3f s  server CPU %5.2f s' "$name" "$round" \
        "$(awk -v s="$speed" 'BEGIN {print s / 1048576}')" "$time" "$cpu")"
}

# kib PIDS FIELD: the sum of FIELD (VmRSS, RssAnon) of /proc/PID/status over PIDS (comma-separated)
kib() {
    local p total=0 v
    for p in ${1//,/ }; do
        v="$(awk -v f="$2:" '$1 == f {print $2}' "/proc/$p/status" 2>/dev/null)"
        total=$((total + ${v:-0}))
    done
    echo "$total"
}

# peak_rss NAME URL PIDS: one more download, untimed, sampling the servers' resident set every
# 50 ms; appends "name idle-KiB peak-KiB anon-idle-KiB anon-peak-KiB" to rss
peak_rss() {
    local name="$1" url="$2" pids="$3" cpid rss anon idle max=0 anon_idle anon_max=0
    idle="$(kib "$pids" VmRSS)"
    anon_idle="$(kib "$pids" RssAnon)"
    curl -s -o /dev/null --max-time 300 "$url" &
    cpid=$!
    while kill -0 "$cpid" 2>/dev/null; do
        rss="$(kib "$pids" VmRSS)"
        anon="$(kib "$pids" RssAnon)"
        if ((rss > max)); then max=$rss; fi
        if ((anon > anon_max)); then anon_max=$anon; fi
        sleep 0.05
    done
    wait "$cpid" || die "curl failed on the RSS run of $name"
    echo "$name $idle $max $anon_idle $anon_max" >>"$WORK/rss"
    log "$(printf '%-8s RSS: %d KiB idle, %d KiB peak during a download; anonymous %d KiB idle, %d KiB peak' \
        "$name" "$idle" "$max" "$anon_idle" "$anon_max")"
}

: >"$WORK/runs"
: >"$WORK/rss"
for round in $(seq 1 "$ROUNDS"); do
    measure nginx "$NGINX_URL" "$NGINX_PIDS" "$round"
    measure nginx-copy "$NGINX_COPY_URL" "$NGINX_PIDS" "$round"
    measure brizo "$BRIZO_URL" "$BRIZO_PID" "$round"
    measure brizo64 "$BRIZO64_URL" "$BRIZO64_PID" "$round"
    measure jdk64 "$JDK64_URL" "$JDK64_PID" "$round"
    measure proxied "$PROXIED_URL" "$PROXIED_PIDS" "$round"
done
peak_rss nginx "$NGINX_URL" "$NGINX_PIDS"
peak_rss nginx-copy "$NGINX_COPY_URL" "$NGINX_PIDS"
peak_rss brizo "$BRIZO_URL" "$BRIZO_PID"
peak_rss brizo64 "$BRIZO64_URL" "$BRIZO64_PID"
peak_rss jdk64 "$JDK64_URL" "$JDK64_PID"
peak_rss proxied "$PROXIED_URL" "$PROXIED_PIDS"
for pid in "$BRIZO_PID" "$BRIZO64_PID" "$JDK64_PID" "$NGINX_PID"; do kill -0 "$pid" 2>/dev/null || die "server $pid died"; done

# ---------------------------------------------------------------- results
# median NAME COLUMN (5 = speed, 6 = time, 7 = server CPU)
median() {
    awk -v n="$1" -v c="$2" '$1 == n {print $c}' "$WORK/runs" | sort -g |
        awk '{v[NR] = $1} END {if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
range() { # NAME COLUMN: "min–max" of the speeds in MiB/s
    awk -v n="$1" -v c="$2" '$1 == n {v = $c / 1048576; if (!seen++ || v < lo) lo = v; if (v > hi) hi = v}
        END {printf "%.0f–%.0f", lo, hi}' "$WORK/runs"
}
mib() { awk -v s="$1" 'BEGIN {printf "%.1f", s / 1048576}'; }
NGINX_SPEED="$(median nginx 5)"
BRIZO_SPEED="$(median brizo 5)"
BRIZO64_SPEED="$(median brizo64 5)"
RATIO="$(awk -v b="$BRIZO_SPEED" -v n="$NGINX_SPEED" 'BEGIN {printf "%.2f", b / n}')"
NGINX_COPY_SPEED="$(median nginx-copy 5)"
RATIO_COPY="$(awk -v b="$BRIZO_SPEED" -v n="$NGINX_COPY_SPEED" 'BEGIN {printf "%.2f", b / n}')"
RATIO64="$(awk -v b="$BRIZO64_SPEED" -v n="$NGINX_SPEED" 'BEGIN {printf "%.2f", b / n}')"
JDK64_SPEED="$(median jdk64 5)"
RATIO_PROXIED="$(awk -v b="$(median proxied 5)" -v n="$NGINX_SPEED" 'BEGIN {printf "%.2f", b / n}')"
RATIO_JDK64="$(awk -v b="$JDK64_SPEED" -v n="$NGINX_SPEED" 'BEGIN {printf "%.2f", b / n}')"
VERDICT="$(awk -v r="$RATIO64" -v t="$TARGET" 'BEGIN {print (r >= t) ? "meets" : "is BELOW"}')"
VERDICT_JDK="$(awk -v r="$RATIO_JDK64" -v t="$TARGET" 'BEGIN {print (r >= t) ? "meets" : "is BELOW"}')"
log "medians: nginx $(mib "$NGINX_SPEED") MiB/s, Brizo $(mib "$BRIZO_SPEED") MiB/s (ratio $RATIO)," \
    "Brizo -Xmx64m $(mib "$BRIZO64_SPEED") MiB/s (ratio $RATIO64);" \
    "nginx copying $(mib "$NGINX_COPY_SPEED") MiB/s (Brizo/that $RATIO_COPY)"

label() {
    case $1 in
        nginx) echo "nginx (sendfile)" ;;
        nginx-copy) echo "nginx (sendfile off, output_buffers 2 256k)" ;;
        brizo) echo "Brizo serve (Jetty), default heap" ;;
        brizo64) echo "Brizo serve (Jetty), -Xmx64m" ;;
        proxied) echo "Brizo serve (Jetty), -Xmx64m, behind nginx (X-Accel-Redirect)" ;;
        *) echo "Brizo serve (JDK server), -Xmx64m" ;;
    esac
}
mkdir -p "$(dirname "$RESULTS")"
{
    echo "# Consume throughput: Brizo \`serve\` vs nginx"
    echo
    echo "Generated by \`bench/consume-vs-nginx.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC') at commit" \
        "\`$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)\`; re-run it to refresh this file."
    echo
    echo "**Result:** Brizo/nginx (sendfile) ratio of median download speeds from a \`-Xmx64m\` server:" \
        "on Jetty **$RATIO64** (target $TARGET: $VERDICT the target), on the JDK server **$RATIO_JDK64**" \
        "($VERDICT_JDK the target); Jetty with the default heap: **$RATIO**. Against nginx copying through" \
        "256 KiB buffers instead of sendfile (faster than sendfile on some loopback set-ups): **$RATIO_COPY**." \
        "Behind nginx with \`BRIZO_ACCEL_REDIRECT\` (Brizo authorises, nginx sends the file):" \
        "**$RATIO_PROXIED** × nginx alone."
    echo
    echo "| server | median speed (MiB/s) | range (MiB/s) | median time (s) | median server CPU per download (s) | RSS idle → peak during a download (MiB) | of it anonymous memory, idle → peak (MiB) |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    for n in nginx nginx-copy brizo brizo64 jdk64 proxied; do
        read -r _ idle peak anon_idle anon_peak < <(awk -v n="$n" '$1 == n' "$WORK/rss")
        printf '| %s | %s | %s | %.3f | %.2f | %.0f → %.0f | %.0f → %.0f |\n' "$(label $n)" "$(mib "$(median $n 5)")" \
            "$(range $n 5)" "$(median $n 6)" "$(median $n 7)" \
            "$(awk -v k="$idle" 'BEGIN {print k / 1024}')" "$(awk -v k="$peak" 'BEGIN {print k / 1024}')" \
            "$(awk -v k="$anon_idle" 'BEGIN {print k / 1024}')" "$(awk -v k="$anon_peak" 'BEGIN {print k / 1024}')"
    done
    echo
    echo "## Machine"
    echo
    echo "- cores (nproc): $(nproc); CPU: $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || echo unknown)"
    echo "- memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
    echo "- kernel: $(uname -sr)"
    echo "- java: $(java -version 2>&1 | paste -sd';' | sed 's/;/; /g')"
    echo "- nginx: $("$NGINX" -v 2>&1)"
    echo "- curl: $(curl --version | head -1 | cut -d' ' -f1-2)"
    echo
    echo "## Method"
    echo
    echo "- One file of $SIZE_MIB MiB of random bytes (\`/dev/urandom\`) in \`bench/work/data\`, in the page cache."
    echo "- nginx: its own minimal configuration (\`worker_processes 1\`, \`sendfile on\`, \`tcp_nopush on\`," \
        "\`access_log off\`), serving that directory on 127.0.0.1; and, on a second port of the same nginx, the" \
        "same with \`sendfile off; output_buffers 2 256k\` (nginx copying through user-space buffers, as Brizo does)."
    echo "- Brizo: \`java -jar brizo-examples.jar serve\` on Jetty (default heap, and a second one with" \
        "\`-Xmx64m\`) and on the JDK server (\`BRIZO_HTTP_SERVER=jdk\`, \`-Xmx64m\`), the" \
        "file as a \`file:\` URL under \`BRIZO_FILE_ROOTS\`, and a development grant for a consumer key made by" \
        "the \`sign\` command, which also signed the agreement id (EIP-191). Logging at warn."
    echo "- Behind nginx: a second nginx configured by the shipped \`deploy/nginx/brizo.conf\` (its CHANGE values" \
        "replaced) in front of the \`-Xmx64m\` Jetty server, which has \`BRIZO_ACCEL_REDIRECT\` for the data" \
        "directory: every download is authorised by Brizo and sent by that nginx (\`sendfile\`); its CPU and" \
        "memory figures are that nginx's and Brizo's together."
    echo "- One unmeasured warm-up download per server, checked against the file's SHA-256; then $ROUNDS rounds," \
        "each downloading the whole file once from nginx (sendfile), nginx (copying), the three Brizo servers and Brizo behind nginx in turn with" \
        "\`curl -s -o /dev/null -w '%{http_code} %{size_download} %{speed_download} %{time_total}'\`" \
        "(each checked for 200 and the full size). Speed is curl's average bytes per second; the ratio is" \
        "Brizo's median over nginx's."
    echo "- Server CPU: user + system time of the server process(es) (\`/proc/PID/stat\`), before and after" \
        "each timed download."
    echo "- RSS: after the timed rounds, one more download per server, sampling its resident set" \
        "(\`VmRSS\` of \`/proc/PID/status\`; nginx: master + worker) every 50 ms, and the part of it that is" \
        "anonymous memory (\`RssAnon\`: heap, stacks, buffers; the rest is file pages the process has mapped," \
        "shared with the page cache); nothing samples during the timed rounds."
    echo "- curl and the server share the machine's $(nproc) cores. The copying nginx's speed is a floor on what" \
        "curl can receive here; a server below it is limited by itself (its CPU time per download tells by how much)."
    echo "- The JVMs' anonymous memory is mostly the JVM itself (code, metaspace, the heap it has touched); what" \
        "matters for \"flat memory\" is that it does not grow with the file during a download. On Jetty a large" \
        "local file is sent from windows of it mapped for the download (one copy fewer than reading it into a" \
        "buffer), and a window stays mapped, and counted in RSS as file pages, until the garbage collector" \
        "unmaps it: page cache the kernel reclaims under memory pressure like any other, not memory the" \
        "process holds."
    echo
    echo "## How Brizo sends a file"
    echo
    echo "The JDK server binding copies a download through a 64 KiB buffer. There a download holds a thread," \
        "and the server keeps a per-connection buffer as large as the largest write: 1 MiB buffers were up to" \
        "26 % faster for one download but ran 16 concurrent downloads out of a 64 MiB heap, 256 KiB failed at" \
        "48, and 64 KiB serves its 64 threads in 64 MiB (LargeFileConsumeTest). The servlet binding (Jetty," \
        "on plain connections) sends a local file from memory mappings instead: small files (up to 16 MiB)" \
        "from mappings kept across downloads, larger ones from 16 MiB windows mapped for the download, each" \
        "checked against the file's size before it is handed out, so a file that shrinks aborts the response." \
        "No heap buffer is held: 1,000 consumers reading a byte a second fit in -Xmx64m (ServeAbuseTest)." \
        "Other storage, and TLS, go through 64 KiB buffers (16 KiB once they total an eighth of the heap)."
    echo
    echo "## Runs"
    echo
    echo "| round | server | speed (MiB/s) | time (s) | server CPU (s) |"
    echo "|---:|---|---:|---:|---:|"
    while read -r name round _ _ speed time cpu; do
        printf '| %s | %s | %s | %.3f | %s |\n' "$round" "$(label "$name")" "$(mib "$speed")" "$time" "$cpu"
    done <"$WORK/runs"
} >"$RESULTS"
log "wrote $RESULTS"

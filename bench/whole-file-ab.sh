#!/usr/bin/env bash
# A/B of two builds of `serve` (Jetty) on serve-under-load.sh's whole-file load: each jar in turn gets
# a 50 s warm-up at 64 connections, then 3 measured 5 s wrk runs at 256 connections (requests/s,
# p99, server CPU ms per request from /proc/PID/stat). Usage, after one run of
# bench/serve-under-load.sh (which leaves the file, catalogue and grant in bench/work-load):
#   bash bench/whole-file-ab.sh OLD.jar NEW.jar
# Everything listens on 127.0.0.1; each wrk run is bounded in time.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/work-load" || { echo "run bench/serve-under-load.sh first" >&2; exit 1; }
W=$PWD
for JAR in "$@"; do
read -r CONSUMER SIGNATURE < <(java -jar $JAR sign "$(printf '10ad%.0s' {1..16})")
sed -i "s/\"consumer\": \"0x[0-9a-f]*\"/\"consumer\": \"$CONSUMER\"/" grants.json
env -u PROVIDER_KEY BRIZO_HOST=127.0.0.1 BRIZO_PORT=0 BRIZO_ASSETS="$W/assets.json" BRIZO_GRANTS="$W/grants.json" BRIZO_FILE_ROOTS="$W/data" \
  java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -jar $JAR serve > p.out 2>p.err &
PID=$!
for i in $(seq 100); do grep -q "^Brizo listening" p.out && break; sleep 0.1; done
URL="$(sed -n 's/^Brizo listening on \(http:[^ ]*\).*/\1/p' p.out | head -1)/api/v1/brizo/services/consume?serviceAgreementId=$(printf '10ad%.0s' {1..16})&consumerAddress=$CONSUMER&signature=$SIGNATURE&index=0"
wrk -t2 -c64 -d50s "$URL" >/dev/null
for k in 1 2 3; do
t0=$(awk '{print $14+$15}' /proc/$PID/stat)
out=$(wrk -t2 -c256 -d5s --latency "$URL")
t1=$(awk '{print $14+$15}' /proc/$PID/stat)
rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}'); p99=$(echo "$out" | awk '$1=="99%" {print $2}')
echo "$JAR run $k: $rps req/s p99 $p99 cpu-ms/req $(awk -v t=$((t1-t0)) -v r=$rps 'BEGIN{printf "%.3f", t*10/(r*5)}')"
done
kill $PID; wait $PID 2>/dev/null
done

#!/usr/bin/env bash
# Marginal server memory per idle connection between 5,000 and 15,000 connections, the way the
# issue's target is stated. One server; a first generator holds 5,000 connections, a second adds
# 10,000; both readings are taken after a full GC. Prints RSS and live-heap per connection for each
# run, then the median and range.
#
#   bench/idle-marginal.sh [RUNS]          (default 3; loopback only, ~90 s per run)
#
# The server runs with SerialGC and tight heap free ratios so the heap shrinks after the GC and
# RSS follows live data; with G1's defaults RSS mostly measures the connect storm's garbage.
# Override with SERVER_OPTS.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
J="$(./parley java-home)/bin"
./parley jar   # the jar of this checkout, never a stale one
[ -f bench/target/parley-load.jar ] || ./mvnw -B -q -f bench/pom.xml package -DskipTests
SERVER_OPTS=${SERVER_OPTS:--XX:+UseSerialGC -XX:MinHeapFreeRatio=5 -XX:MaxHeapFreeRatio=10}
out=$(mktemp -d)
rss_list=(); heap_list=()
for run in $(seq 1 "$RUNS"); do
  port=$("$J/java" -jar bench/target/parley-load.jar free-port)
  # shellcheck disable=SC2086
  "$J/java" $SERVER_OPTS -Dserver.host=127.0.0.1 -Dserver.port="$port" -Dparley.admin.port=0 -jar target/parley.jar > "$out/server-$run.log" 2>&1 &
  sp=$!
  trap 'kill $sp 2>/dev/null || true' EXIT
  for _ in $(seq 1 60); do grep -q "Parley is running" "$out/server-$run.log" && break; sleep 0.5; done
  measure() { "$J/jcmd" "$sp" GC.run >/dev/null; sleep 2
              echo "$(awk '/VmRSS/{print $2}' /proc/$sp/status) $("$J/jmap" -histo:live "$sp" | tail -1 | awk '{print $3}')"; }
  gen() { timeout 200 "$J/java" -jar bench/target/parley-load.jar --url "ws://127.0.0.1:$port/ws" --mode idle \
            --connections "$1" --hold "$2" > "$out/gen-$run-$1.log" 2>&1 & }
  waitfor() { for _ in $(seq 1 120); do grep -q "connected $1 of $1" "$out/gen-$run-$1.log" 2>/dev/null && return; sleep 1; done
              echo "generator did not connect $1" >&2; exit 1; }
  gen 5000 150; waitfor 5000; sleep 5; read -r r5 h5 < <(measure)
  gen 10000 60; waitfor 10000; sleep 5; read -r r15 h15 < <(measure)
  rss=$(echo "scale=2; ($r15 - $r5) / 10000" | bc); heap=$(( (h15 - h5) / 10000 ))
  echo "run $run: RSS $r5 -> $r15 KiB, marginal $rss KiB/connection; live heap marginal $heap bytes/connection"
  rss_list+=("$rss"); heap_list+=("$heap")
  pkill -P $$ -f parley-load.jar 2>/dev/null || true; kill "$sp"; wait "$sp" 2>/dev/null || true
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END{m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%s (%s .. %s)", m, a[1], a[NR]}'; }
echo "RSS per idle connection, KiB: $(median "${rss_list[@]}")"
echo "live heap per idle connection, bytes: $(median "${heap_list[@]}")"

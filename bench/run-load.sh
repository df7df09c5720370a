#!/usr/bin/env bash
# Runs one load scenario against a fresh Parley on a free loopback port, N times (default 5),
# and prints the median and range of every figure: the project reports no benchmark figure that
# is not a median of at least 5 runs with its range.
#
#   bench/run-load.sh SCENARIO [--runs N] [-- extra parley-load options]
#
# Scenarios (the targets they check are in bench/README.md):
#   smoke    50 receivers, 2 senders, 50 msg/s for 3 s: a quick check that everything works
#   fanout   1,000 receivers + 10 senders, 400 msg/s, 5 s warm-up + 20 s measured
#   stalled  the same plus 50 receivers that stop reading when the measured window starts
#   idle     15,000 connections held for 75 s; server RSS before and after, and the server's
#            CPU while nobody says anything: from 40 s after the last connect (every connection
#            has had its first heartbeat, so that code is compiled) over 25 s, one heartbeat
#            period: each connection pings once in it
#            (idle_server_cores = CPU seconds / wall seconds; --settle, --idle-window)
#   connect  10,000 connections, how long until all are established (held 2 s)
#   joinstorm  10,000 clients each connect and join one shared room, 100 of them in their
#            handshake or join at a time (--connect-concurrency): time until all have their
#            `joined` (storm_ms), join latency p50/p99 (join sent to joined received), failures
#            by reason, server CPU per join, then how long the presence fan-out (each joiner
#            hears every later one: J(J-1)/2) takes to reach everyone, and whom the server cut.
#            Compare with `connect` back to back (bench/README.md, "Join storm").
#   rooms    everyday chat: 2,000 rooms × 5 members (10,000 connections, each in one room),
#            member 0 of each room sends 1 msg/s at its own random phase; 5 s warm-up + 20 s
#            measured. Deliveries/s, server CPU per delivery, latency of every member's copy
#            (sender's own included), completeness member by member, clients cut (close codes).
#   calibrate  the generator against its own minimal single-threaded server (not Parley):
#            500 receivers, 5 senders, 100 msg/s, one message per frame. What one socket
#            write and one read cost on this machine, the floor under any server's figures.
#            CALIBRATION=threaded runs the same subset on Parley's thread shape instead (a
#            blocking socket, a reader and a writer virtual thread per connection, pings every
#            25 s): the floor of that design. Any generator mode works against either, e.g.
#            `CALIBRATION=threaded run-load.sh calibrate -- --mode rooms --rooms 2000 ...`.
#   redis2   two Parley nodes sharing rooms through one redis-server (started here on a free
#            port, no persistence): 1,000 receivers split over both nodes, 10 senders (also
#            split), 400 msg/s in one room, 5 s warm-up + 20 s measured; Redis' CPU per message
#   redis-publish     the same two nodes and Redis; 10 senders publish into 1 room as fast as
#            acks return (32 sends in flight each), no receivers: acked publishes per second
#   redis-publish-1k  the same into 1,000 rooms (100 per sender, one member each)
#
# Environment:
#   CALIBRATION  selector (default) or threaded: which calibration server `calibrate` runs
#   PARLEY_JAR   server jar (default: ../target/parley.jar, built with ./parley jar if absent)
#   SERVER_OPTS  extra JVM options for the server, e.g. a JFR recording:
#                SERVER_OPTS='-XX:StartFlightRecording=filename=/tmp/parley.jfr,settings=profile'
#   GEN_OPTS     extra JVM options for the load generator
#   RESULTS      directory for logs and JSON lines (default: bench/target/results/SCENARIO-TIME)
#   QUIET_PCT    before each run, wait (up to QUIET_WAIT s, default 30) until other processes
#                use less than this % of one core (default 30): on a shared 2-core machine a
#                build running beside the benchmark moves every figure. Each run still reports
#                what others took during its window (others_cpu_pct).
#
# The server gets -Dparley.rate.per-second=1000 -Dparley.rate.burst=2000: its default limit of
# 20 messages a second per connection (burst 40) would drop most of 10 senders' 40 msg/s each.
# The publish scenarios lift it further (100,000 a second: the limit must not be what is
# measured) and allow 100 rooms per connection (10 senders join 1,000 rooms).
# Every server also gets -Dparley.connections.per-address=0: no cap per client address, the
# default, set here so that a changed default cannot cut a run (every generator connection
# comes from 127.0.0.1).
# The many-connection scenarios (idle, connect, joinstorm, rooms) stay under the server's
# parley.connections.max (20,000) and, for rooms, parley.rooms.max (10,000); more needs
# SERVER_OPTS=-Dparley.connections.max=… or -Dparley.rooms.max=…, and a generator open-file limit
# above the connections.
# Everything binds to 127.0.0.1, every run is bounded by `timeout`, and the servers (and
# redis-server) are stopped when the script exits for any reason.
set -euo pipefail
cd "$(dirname "$0")"
BENCH_DIR=$(pwd)

scenario="${1:-}"; shift || true
runs=5
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "unknown argument $1 (generator options go after --)" >&2; exit 2 ;;
  esac
done

case "$scenario" in
  smoke)   args=(--receivers 50 --senders 2 --rate 50 --warmup 1 --duration 3) ;;
  fanout)  args=(--receivers 1000 --senders 10 --rate 400 --warmup 5 --duration 20) ;;
  stalled) args=(--receivers 1050 --stalled 50 --senders 10 --rate 400 --warmup 5 --duration 20) ;;
  idle)    args=(--mode idle --connections 15000 --hold 75 --settle 40 --idle-window 25) ;;
  connect) args=(--mode idle --connections 10000 --hold 2) ;;
  joinstorm) args=(--mode joinstorm --connections 10000 --connect-concurrency 100 --drain 20) ;;
  rooms)   args=(--mode rooms --rooms 2000 --members 5 --room-rate 1 --warmup 5 --duration 20) ;;
  calibrate) args=(--receivers 500 --senders 5 --rate 100 --warmup 3 --duration 10) ;;
  redis2)  args=(--receivers 1000 --senders 10 --rate 400 --warmup 5 --duration 20) ;;
  redis-publish)    args=(--mode publish --senders 10 --rooms 1 --in-flight 32 --warmup 5 --duration 20) ;;
  redis-publish-1k) args=(--mode publish --senders 10 --rooms 1000 --in-flight 32 --warmup 5 --duration 20) ;;
  *) sed -n '2,/^set -euo/{/^set -euo/!p}' "$0" >&2; exit 2 ;;
esac
# Parley nodes per run, sharing one redis-server when more than one (0: the calibration server).
nodes=1
limits=(-Dparley.rate.per-second=1000 -Dparley.rate.burst=2000 -Dparley.connections.per-address=0)
case "$scenario" in
  calibrate) nodes=0 ;;
  redis2) nodes=2 ;;
  redis-publish*) nodes=2
    limits=(-Dparley.rate.per-second=100000 -Dparley.rate.burst=100000 -Dparley.rooms.per-connection=100
            -Dparley.connections.per-address=0) ;;
esac
if [ "$nodes" -gt 1 ] && ! command -v redis-server > /dev/null; then
  echo "run-load.sh: $scenario needs redis-server (apt-get install redis-server)" >&2; exit 1
fi

java_major() { "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | cut -d. -f1; }
find_java() {
  local home
  for home in "${JAVA_HOME:-}" /usr/lib/jvm/*; do
    if [ -n "$home" ] && [ -x "$home/bin/java" ] && [ "$(java_major "$home/bin/java")" -ge 21 ] 2>/dev/null; then
      echo "$home"; return 0
    fi
  done
  echo "run-load.sh: no JDK 21 or newer (set JAVA_HOME)" >&2; return 1
}
export JAVA_HOME="$(find_java)"
JAVA="$JAVA_HOME/bin/java"

case "${CALIBRATION:-selector}" in
  selector) CALIBRATION_SERVER=calibration-server ;;
  threaded) CALIBRATION_SERVER=threaded-calibration-server ;;
  *) echo "run-load.sh: CALIBRATION is selector or threaded" >&2; exit 2 ;;
esac

LOAD_JAR="$BENCH_DIR/target/parley-load.jar"
if [ ! -f "$LOAD_JAR" ] || [ -n "$(find src pom.xml -newer "$LOAD_JAR" -print -quit)" ]; then
  "$BENCH_DIR/../mvnw" -B -ntp -q -f "$BENCH_DIR/pom.xml" package
fi
PARLEY_JAR="${PARLEY_JAR:-$BENCH_DIR/../target/parley.jar}"
if [ "$scenario" != calibrate ] && [ ! -f "$PARLEY_JAR" ]; then
  (cd "$BENCH_DIR/.." && ./parley jar)
fi

RESULTS="${RESULTS:-$BENCH_DIR/target/results/$scenario-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$RESULTS"
jsonl="$RESULTS/runs.jsonl"
: > "$jsonl"

server_pids=()
redis_pid=""
redis_dir=""
# SIGTERM, up to 30 s for the process to end, then SIGKILL; every given pid at once.
stop_pids() {
  [ $# -gt 0 ] || return 0
  kill -TERM "$@" 2>/dev/null || true
  local pid
  for _ in $(seq 100); do
    local alive=""
    for pid in "$@"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ -n "$alive" ] || break
    sleep 0.3
  done
  kill -KILL "$@" 2>/dev/null || true
  for pid in "$@"; do wait "$pid" 2>/dev/null || true; done
}
# Nodes first (Parley drains on SIGTERM; with no client left that takes well under its 20 s
# grace, and it may still talk to Redis meanwhile), then Redis, then Redis' scratch directory.
stop_server() {
  stop_pids "${server_pids[@]}"
  server_pids=()
  if [ -n "$redis_pid" ]; then stop_pids "$redis_pid"; redis_pid=""; fi
  if [ -n "$redis_dir" ]; then rm -rf "$redis_dir"; redis_dir=""; fi
}
trap stop_server EXIT
# A signal must end the script too, not only the server: exit runs the EXIT trap.
trap 'exit 130' INT
trap 'exit 143' TERM

{
  echo "scenario: $scenario, $runs runs, $(date -u +%FT%TZ)"
  echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(free -g | awk '/Mem:/{print $2}') GiB"
  echo "java: $("$JAVA" -version 2>&1 | head -1)"
  if [ "$scenario" = calibrate ]; then echo "server: calibration server (${CALIBRATION:-selector}) ${SERVER_OPTS:-}"
  else echo "server: $nodes × $PARLEY_JAR ${limits[*]} ${SERVER_OPTS:-}"; fi
  if [ "$nodes" -gt 1 ]; then echo "redis: $(redis-server --version | head -1) --save '' --appendonly no"; fi
  echo "generator: ${args[*]} ${extra[*]:-}"
} | tee "$RESULTS/about.txt"

# Busy % of one core over the last second, from /proc/stat (all but idle and iowait).
machine_busy_pct() {
  local a b
  read -r _ a1 a2 a3 a4 a5 a6 a7 a8 _ < /proc/stat; a=$((a1+a2+a3+a6+a7+a8)); local ai=$((a4+a5))
  sleep 1
  read -r _ b1 b2 b3 b4 b5 b6 b7 b8 _ < /proc/stat; b=$((b1+b2+b3+b6+b7+b8)); local bi=$((b4+b5))
  local total=$(( (b - a) + (bi - ai) ))
  [ "$total" -gt 0 ] || { echo 0; return; }
  echo $(( 100 * (b - a) * $(nproc) / total ))
}
wait_quiet() {
  local limit="${QUIET_PCT:-30}" deadline=$((SECONDS + ${QUIET_WAIT:-30})) busy
  while busy=$(machine_busy_pct); [ "$busy" -gt "$limit" ]; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "(machine still ${busy}% busy; running anyway)"; return 0
    fi
  done
}

for run in $(seq 1 "$runs"); do
  wait_quiet
  redis_opts=()
  if [ "$nodes" -gt 1 ]; then
    # A fresh Redis per run, without persistence: what is measured is publishing, not disk.
    redis_port=$("$JAVA" -jar "$LOAD_JAR" free-port)
    redis_dir=$(mktemp -d "${TMPDIR:-/tmp}/parley-bench-redis.XXXXXX")
    redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$redis_dir" --save "" --appendonly no \
        --daemonize no > "$RESULTS/redis-$run.log" 2>&1 &
    redis_pid=$!
    up=""
    for _ in $(seq 100); do
      if [ "$(redis-cli -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null)" = PONG ]; then up=1; break; fi
      kill -0 "$redis_pid" 2>/dev/null || break
      sleep 0.1
    done
    if [ -z "$up" ]; then
      echo "run $run: redis-server did not start; see $RESULTS/redis-$run.log" >&2
      tail -20 "$RESULTS/redis-$run.log" >&2
      exit 1
    fi
    redis_opts=(-Dparley.broker.type=redis -Dparley.broker.redis.url="redis://127.0.0.1:$redis_port")
  fi
  ports=()
  for node in $(seq 1 "$(( nodes > 0 ? nodes : 1 ))"); do
    port=$("$JAVA" -jar "$LOAD_JAR" free-port)
    log="$RESULTS/server-$run.log"
    [ "$nodes" -gt 1 ] && log="$RESULTS/server-$run-node$node.log"
    if [ "$scenario" = calibrate ]; then
      # shellcheck disable=SC2086 # SERVER_OPTS is a list of JVM options
      "$JAVA" ${SERVER_OPTS:-} -jar "$LOAD_JAR" "${CALIBRATION_SERVER}" --port "$port" > "$log" 2>&1 &
    else
      # shellcheck disable=SC2086 # SERVER_OPTS is a list of JVM options
      "$JAVA" ${SERVER_OPTS:-} -Dserver.host=127.0.0.1 -Dserver.port="$port" \
          -Dparley.admin.port=0 "${limits[@]}" "${redis_opts[@]}" -jar "$PARLEY_JAR" > "$log" 2>&1 &
    fi
    server_pid=$!
    server_pids+=("$server_pid")
    up=""
    for _ in $(seq 300); do
      if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then up=1; break; fi
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    if [ -z "$up" ]; then
      echo "run $run: the server did not start; see $log" >&2
      tail -20 "$log" >&2
      exit 1
    fi
    ports+=("$port")
  done
  urls=$(printf 'ws://127.0.0.1:%s/ws,' "${ports[@]}"); urls=${urls%,}
  pids=$(IFS=,; echo "${server_pids[*]}")
  gen_probes=(--server-pid "$pids")
  [ -n "$redis_pid" ] && gen_probes+=(--redis-pid "$redis_pid")
  echo "--- run $run of $runs (server pid $pids, port ${ports[*]}${redis_pid:+, redis pid $redis_pid port $redis_port})"
  # shellcheck disable=SC2086 # GEN_OPTS is a list of JVM options
  if timeout 600 "$JAVA" ${GEN_OPTS:-} -jar "$LOAD_JAR" --url "$urls" \
      "${gen_probes[@]}" --label "$scenario" "${args[@]}" "${extra[@]}" \
      > "$RESULTS/run-$run.txt" 2> "$RESULTS/run-$run.err"; then
    grep -v '^{' "$RESULTS/run-$run.txt"
    grep '^{' "$RESULTS/run-$run.txt" | tail -1 >> "$jsonl"
  else
    echo "run $run failed (exit $?):" >&2
    tail -20 "$RESULTS/run-$run.err" >&2
  fi
  stop_server
  sleep 2
done

echo "=== $scenario: median and range of $(wc -l < "$jsonl") runs (results in $RESULTS)"
"$JAVA" -jar "$LOAD_JAR" summarize "$jsonl" | tee "$RESULTS/summary.txt"

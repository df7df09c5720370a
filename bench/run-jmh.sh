#!/usr/bin/env bash
# Builds and runs Parley's JMH microbenchmarks, then prints every figure as the median of its
# measured iterations with the range, and its ratio to the first variant measured in the same run.
#
#   bench/run-jmh.sh [JMH options] [benchmark regexps]
#
# Without options it runs every benchmark with the settings in its annotations, which the
# README's table was made with: 1 fork (3 for OutboxBenchmark), 3 warm-up and 5 measured
# iterations of 1 s. Any JMH option overrides them (`bench/run-jmh.sh -h` lists them), e.g. one
# class, two room sizes:
#   bench/run-jmh.sh -p members=10,1000 RoomBroadcast
#
# What it does, each step only when its inputs changed:
#   1. installs the server artifact dev.parley:parley:1.0.0-SNAPSHOT into the local Maven
#      repository (`mvn -DskipTests install` in the repository root; the benchmarks call the
#      server's own classes);
#   2. builds bench/target/parley-jmh.jar (`mvn -f bench/pom.xml -Pjmh package`);
#   3. runs it, keeping bench/target/jmh-results/TIME/{about.txt,jmh.txt,jmh.json,summary.md}.
#
# Environment:
#   RESULTS     results directory (default bench/target/jmh-results/TIME)
#   QUIET_PCT   before starting, wait (up to QUIET_WAIT s, default 120) until other processes use
#               less than this % of one core (default: don't wait). On a shared 2-core machine a
#               build beside the run moves every absolute figure; ratios measured side by side
#               in one run move much less.
set -euo pipefail
cd "$(dirname "$0")"
BENCH_DIR=$(pwd)
ROOT_DIR=$(cd .. && pwd)

java_major() { "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | cut -d. -f1; }
find_java() {
  local home
  for home in "${JAVA_HOME:-}" /usr/lib/jvm/*; do
    if [ -n "$home" ] && [ -x "$home/bin/javac" ] && [ "$(java_major "$home/bin/java")" -ge 21 ] 2>/dev/null; then
      echo "$home"; return 0
    fi
  done
  echo "run-jmh.sh: no JDK 21 or newer (set JAVA_HOME)" >&2; return 1
}
export JAVA_HOME="$(find_java)"
export PATH="$JAVA_HOME/bin:$PATH"
JAVA="$JAVA_HOME/bin/java"
MVN=("$ROOT_DIR/mvnw" -B -ntp -q)

repo="${MAVEN_REPO:-$HOME/.m2/repository}"
server_jar="$repo/dev/parley/parley/1.0.0-SNAPSHOT/parley-1.0.0-SNAPSHOT.jar"
if [ ! -f "$server_jar" ] || [ -n "$(find "$ROOT_DIR/src/main" "$ROOT_DIR/pom.xml" -newer "$server_jar" -print -quit)" ]; then
  echo "run-jmh.sh: installing the server artifact (mvn -DskipTests install in $ROOT_DIR)" >&2
  (cd "$ROOT_DIR" && "${MVN[@]}" -DskipTests install)
fi
jmh_jar="$BENCH_DIR/target/parley-jmh.jar"
if [ ! -f "$jmh_jar" ] || [ -n "$(find src pom.xml "$server_jar" -newer "$jmh_jar" -print -quit)" ]; then
  echo "run-jmh.sh: building $jmh_jar" >&2
  "${MVN[@]}" -f "$BENCH_DIR/pom.xml" -Pjmh package
fi

args=("$@")
case " ${args[*]:-} " in
  *" -h "*|*" -l "*|*" -lp "*|*" -L "*|*" -lprof "*) exec "$JAVA" -jar "$jmh_jar" "${args[@]}" ;;
esac

# Everyone else's CPU, in % of one core, over one second (from /proc/stat minus our own: nothing yet).
others_cpu() {
  local a b
  a=($(head -1 /proc/stat)); sleep 1; b=($(head -1 /proc/stat))
  local busy=$(( (b[1]+b[2]+b[3]+b[6]+b[7]) - (a[1]+a[2]+a[3]+a[6]+a[7]) ))
  local hz; hz=$(getconf CLK_TCK)
  echo $(( busy * 100 / hz ))
}
if [ -n "${QUIET_PCT:-}" ]; then
  waited=0
  while [ "$(others_cpu)" -ge "$QUIET_PCT" ] && [ "$waited" -lt "${QUIET_WAIT:-120}" ]; do waited=$((waited + 1)); done
fi

RESULTS="${RESULTS:-$BENCH_DIR/target/jmh-results/$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$RESULTS"
{
  echo "run-jmh.sh ${args[*]:-}   $(date -u +%FT%TZ)"
  echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(free -g | awk '/Mem:/{print $2}') GiB"
  echo "java: $("$JAVA" -version 2>&1 | head -1)"
  echo "others' CPU before the run: $(others_cpu)% of one core; load average $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$RESULTS/about.txt"

"$JAVA" -jar "$jmh_jar" ${args[@]+"${args[@]}"} -rf json -rff "$RESULTS/jmh.json" | tee "$RESULTS/jmh.txt"
echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$RESULTS/about.txt"
echo
"$JAVA" -cp "$jmh_jar" dev.parley.bench.jmh.JmhSummary "$RESULTS/jmh.json" | tee "$RESULTS/summary.md"
echo "results: $RESULTS" >&2

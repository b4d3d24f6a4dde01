#!/usr/bin/env bash
# Benchmarks against a real local PostgreSQL (docs/postgres.md): starts a server on a free loopback port
# through the test harness (binaries from PG_BIN, else /usr/lib/postgresql/<n>/bin; as root the server runs
# as the postgres user), compares retrieve and store through the core with the same statements on bare
# JDBC at 1 and 8 callers, measures L3 creates at 8 callers, prints a table and RESULT lines, and stops
# the server. Core and bare alternate in 3 rounds per figure; about 2 minutes on 2 cores.
# Extra arguments: --load-warmup-ms N / --load-ms N per round (defaults 1000 / 3000).
set -euo pipefail
cd "$(dirname "$0")/.."
# one reactor invocation, so the classpath holds this checkout's jars (and postgres' test-jar)
./mvnw -B -q -pl benchmarks -am package dependency:build-classpath -DskipTests \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
echo "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
exec java -Dfile.encoding=UTF-8 -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
  org.openkcm.keystore.benchmarks.PgBenchMain "$@"

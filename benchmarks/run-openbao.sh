#!/usr/bin/env bash
# Benchmarks against a real local OpenBao (docs/openbao-benchmarks.md): starts `bao server -dev` on a free
# loopback port through the test harness (bao from BAO_BIN, else .tools/venv/bin/bao, else PATH), runs
# JMH (retrieve through the core vs a bare driver read) and the load driver (1/8/32 callers, retrieve and
# create), prints Markdown tables, and stops bao (also on Ctrl-C). About 2-3 minutes on 2 cores.
# Extra arguments: JMH's -f -wi -w -i -r, and --load-warmup-ms N / --load-ms N for each load phase.
set -euo pipefail
cd "$(dirname "$0")/.."
# one reactor invocation, so the classpath holds this checkout's jars (and openbao's test-jar)
./mvnw -B -q -pl benchmarks -am package dependency:build-classpath -DskipTests \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
echo "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
exec java -Dfile.encoding=UTF-8 -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
  org.openkcm.keystore.benchmarks.BaoBenchMain "$@"

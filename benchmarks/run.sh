#!/usr/bin/env bash
# Runs the crypto-core benchmarks briefly (about 5 minutes on 2 cores) and prints ops/s and the
# core/floor ratios. Extra arguments go to JMH, e.g. ./benchmarks/run.sh -i 10 -r 2s
set -euo pipefail
cd "$(dirname "$0")/.."
# one reactor invocation: the classpath then points at this checkout's module jars, not at whatever
# another build last installed into the shared local repository
./mvnw -B -q -pl benchmarks -am package dependency:build-classpath -DskipTests \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
echo "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
exec java -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
  org.openkcm.keystore.benchmarks.BenchmarkMain "$@"

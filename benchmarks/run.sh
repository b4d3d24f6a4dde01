#!/usr/bin/env bash
# Runs the crypto-core benchmarks briefly and prints ops/s and the core/floor ratios:
#   1. JMH (1 fork, 3 x 1 s warm-up, 5 x 1 s measurement; threads 1 and 2), wall clock, about 4 minutes;
#   2. a paired CPU-time check (core and floor alternating in 20 ms slices, CPU time of the measuring
#      threads), about 2 minutes, whose ratios hold even on a machine busy with other work.
# Usage: ./benchmarks/run.sh [JMH options, e.g. -wi 5 -w 2s -i 10]   (--jmh-only skips step 2)
set -euo pipefail
cd "$(dirname "$0")/.."
paired=1
args=()
for a in "$@"; do
  if [ "$a" = "--jmh-only" ]; then paired=0; else args+=("$a"); fi
done
# one reactor invocation: the classpath then points at this checkout's module jars, not at whatever
# another build last installed into the shared local repository
./mvnw -B -q -pl benchmarks -am package dependency:build-classpath -DskipTests \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
cp="benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)"
echo "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
java -cp "$cp" org.openkcm.keystore.benchmarks.BenchmarkMain "${args[@]+"${args[@]}"}"
if [ "$paired" = 1 ]; then
  echo
  java -Xmx3g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" org.openkcm.keystore.benchmarks.PairedMain
  echo "load average after the paired run: $(cut -d' ' -f1-3 /proc/loadavg)"
fi

#!/usr/bin/env bash
# Audit trail and metrics overhead: L4 create through the audited door (durable, fsync'ed trail under
# benchmarks/target) vs the bare core at 1 and 8 threads, in alternating 1.5 s rounds (medians of 4); before and
# after each audit phase it probes the directory's fsync latency and prints the physical bound (N callers /
# fsync latency) and the mean batch per flush. Then a cached L4 open with the metrics observer vs the bare core
# (and vs the door alone), timed by the thread's CPU time in 30 rotations of 150 ms rounds (medians), in a
# second JVM. InMemory backend. Prints RESULT lines. About 2 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -pl benchmarks -am package dependency:build-classpath -DskipTests \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
cp="benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)"
echo "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
for part in audit metrics; do # one JVM each: one part's JIT profile of the door does not shape the other's
  java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" \
    org.openkcm.keystore.audit.internal.ObservabilityBenchMain benchmarks/target/audit-bench "$part"
done
echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"

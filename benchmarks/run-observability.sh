#!/usr/bin/env bash
# Audit trail and metrics overhead: L4 create through the audited door (durable, fsync'ed trail under
# benchmarks/target) vs the bare core at 1 and 8 threads, and a cached L4 open with the metrics observer vs the
# bare core, in alternating 1.5 s rounds (medians of 4). InMemory backend. Before and after each audit phase it probes the
# directory's fsync latency and prints the physical bound (N callers / fsync latency) and the mean batch per flush.
# Prints RESULT lines. About 75 s.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -pl benchmarks -am package dependency:build-classpath -DskipTests \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
cp="benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)"
echo "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" \
  org.openkcm.keystore.audit.internal.ObservabilityBenchMain benchmarks/target/audit-bench
echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"

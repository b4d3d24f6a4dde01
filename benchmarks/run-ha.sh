#!/usr/bin/env bash
# Several runtimes on one OpenBao HA cluster (docs/deployment.md): starts a 3-node OpenBao Raft cluster on
# loopback through the test harness (bao from BAO_BIN, else .tools/venv/bin/bao, else PATH), two cores with
# their own clients and caches (default revocation bound, 5 s), and prints RESULT lines: retrieve ops/s at 8
# callers on one runtime (baseline) and on two together, the revalidation's OpenBao requests/s per runtime,
# revocation seen on the other runtime (p99 over 50 keys), and failover after SIGKILL of the active node
# (worst of the runs). Every bao process is killed at the end (also on Ctrl-C). About 2 minutes on 2 cores.
# Extra arguments: --phase-ms N (each throughput phase), --trials N (revocation keys), --failover-runs N.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -pl benchmarks -am package dependency:build-classpath -DskipTests \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
echo "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
java -Dfile.encoding=UTF-8 -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
  org.openkcm.keystore.benchmarks.HaBenchMain "$@"
echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"

#!/usr/bin/env bash
# Several runtimes on one OpenBao HA cluster (docs/deployment.md), in two parts, each on its own 3-node
# OpenBao Raft cluster on loopback started through the test harness (bao from BAO_BIN, else
# .tools/venv/bin/bao, else PATH):
#  1. two cores in one JVM (own clients and caches, default revocation bound 5 s): retrieve at 8 callers on
#     one core and on two (in-JVM figures), the revalidation's OpenBao requests/s per runtime, revocation
#     seen on the other runtime (p99 over 50 keys), failover after SIGKILL of the active node (worst run);
#  2. two runtimes as processes (the built distribution, bin/keystore, every tier on OpenBao, gRPC with
#     client certificates) driven through their gRPC servers by the Go driver (grpc-load -ha): Encrypt of
#     1 KiB under 32 hot L4 keys, 8 callers on one runtime (baseline), then 8 on each at once:
#     RESULT ha_retrieve_ops_8_one_node / ha_retrieve_ops_8_two_nodes.
# Every process is stopped at the end (also on Ctrl-C). About 3 minutes on 2 cores.
# Extra arguments go to part 1: --phase-ms N (each throughput phase), --trials N, --failover-runs N.
# GRPC_ARGS (environment) go to the Go driver of part 2, e.g. GRPC_ARGS="-duration 10s -warmup 2s".
set -euo pipefail
cd "$(dirname "$0")/.."
GO="$(command -v go || echo /usr/local/go/bin/go)"
./mvnw -B -q -pl distribution,benchmarks -am package dependency:build-classpath -DskipTests \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
bash distribution/src/main/runtime/bin/make-dev-certs "$WORK/certs" app >/dev/null
(cd benchmarks/grpc-load && "$GO" build -o "$WORK/grpc-load" .)
CP="benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)"
echo "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
java -Dfile.encoding=UTF-8 -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CP" \
  org.openkcm.keystore.benchmarks.HaBenchMain "$@"
echo "load average between the parts: $(cut -d' ' -f1-3 /proc/loadavg)"
# shellcheck disable=SC2086
java -Dfile.encoding=UTF-8 -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CP" \
  org.openkcm.keystore.benchmarks.HaGrpcBenchMain distribution/target/runtime "$WORK/certs" \
  "$WORK/grpc-load" -duration 5s -warmup 1s ${GRPC_ARGS:-}
echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"

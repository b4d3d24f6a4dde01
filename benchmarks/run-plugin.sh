#!/usr/bin/env bash
# Plugin benchmark (README "Out-of-process backends"): the reference Go plugin (bbolt, 256-byte records,
# 1,000 stored) at 8 callers, (a) called directly by a Go go-plugin host (benchmarks/plugin-load: same
# handshake, AutoMTLS, Unix socket) and (b) through the keystore's host: launched and supervised by the
# plugin host bundle and called through the Keystore it registers. Direct and host runs alternate
# (direct, host, direct, host) and the figures are the better round of each. Each side first runs
# WARMUP seconds unmeasured (default 10: the JVM's JIT needs that long on 2 loaded cores; with 2 s the
# host was measured half-compiled). Also prints the CPU each side's client spends per retrieve.
# Prints RESULT lines.
#   bash benchmarks/run-plugin.sh [seconds] [warmup seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$PWD"
GO="$(command -v go || echo /usr/local/go/bin/go)"
SECONDS_MEASURED="${1:-5}"
WARMUP="${2:-10}"
CALLERS=8
./mvnw -B -q -pl benchmarks -am package dependency:build-classpath -DskipTests \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
(cd sdk/go && "$GO" build -o "$WORK/keystore-bbolt" ./plugins/bbolt)
(cd benchmarks/plugin-load && "$GO" build -o "$WORK/plugin-load" .)
CP="benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)"
declare -a DIRECT HOST_R HOST_W HOST_RP HOST_WP DIRECT_CPU HOST_CPU
for round in 1 2; do
  out="$("$WORK/plugin-load" -plugin "$WORK/keystore-bbolt" -callers "$CALLERS" -duration "${SECONDS_MEASURED}s" -warmup "${WARMUP}s")"
  DIRECT+=("$(echo "$out" | awk '/^direct_retrieve_ops/ {print $2}')")
  DIRECT_CPU+=("$(echo "$out" | awk '/^direct_client_cpu_us_per_op/ {print $2}')")
  out="$(java -cp "$CP" org.openkcm.keystore.pluginhost.internal.PluginBenchMain "$WORK/keystore-bbolt" "$CALLERS" "$SECONDS_MEASURED" "$WARMUP" 2>/dev/null)"
  HOST_R+=("$(echo "$out" | awk '/^host_retrieve_ops/ {print $2}')")
  HOST_CPU+=("$(echo "$out" | awk '/^host_retrieve_cpu_us_per_op/ {print $2}')")
  HOST_RP+=("$(echo "$out" | awk '/^host_retrieve_p95/ {print $2}')")
  HOST_W+=("$(echo "$out" | awk '/^host_store_ops/ {print $2}')")
  HOST_WP+=("$(echo "$out" | awk '/^host_store_p95/ {print $2}')")
  echo "round $round: direct retrieve ${DIRECT[-1]} ops/s (client CPU ${DIRECT_CPU[-1]} us/op); host retrieve ${HOST_R[-1]} ops/s (p95 ${HOST_RP[-1]} us, host CPU ${HOST_CPU[-1]} us/op), store ${HOST_W[-1]} ops/s (p95 ${HOST_WP[-1]} us)"
done
best() { printf '%s\n' "$@" | sort -n | tail -1; }
D="$(best "${DIRECT[@]}")"; R="$(best "${HOST_R[@]}")"; W="$(best "${HOST_W[@]}")"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "RESULT plugin_retrieve_vs_direct_8 $(python3 -c "print(round($R/$D, 3))")"
echo "RESULT plugin_retrieve_ops_8 $R"
echo "RESULT plugin_store_ops_8 $W"

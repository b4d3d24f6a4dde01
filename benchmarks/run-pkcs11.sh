#!/usr/bin/env bash
# PKCS#11 root key benchmark: L2 create and uncached L2 open through a real SoftHSM2 token vs the local
# root key, same run (alternating 300 ms rounds), then 8 threads through the token. Prints RESULT lines.
# Needs softhsm2 (bash .ci/install-deps). About 30 s.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -pl benchmarks -am package dependency:build-classpath -DskipTests \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
cp="benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)"
export SOFTHSM2_CONF="$PWD/benchmarks/target/softhsm2/softhsm2.conf"
echo "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" org.openkcm.keystore.pkcs11.internal.Pkcs11BenchMain
echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"

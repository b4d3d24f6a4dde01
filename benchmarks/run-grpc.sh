#!/usr/bin/env bash
# gRPC benchmark (README "gRPC API"): in one run on this machine, on loopback, with Go callers at 1/8/32 and
# 1 KiB payloads, measures KeyService Encrypt/Decrypt and L4 CreateKey through the runtime's gRPC server
# (TLS 1.3, client certificates), OpenBao Transit encrypt/decrypt of the same payload over its HTTP API
# (`bao server -dev`), and a bare grpc-java echo server doing no work (the transport floor).
# Prints a Markdown table and RESULT lines. Extra arguments go to the Go driver (-duration 3s -warmup 1s).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$PWD"
GO="$(command -v go || echo /usr/local/go/bin/go)"
BAO="${BAO_BIN:-$REPO/.tools/venv/bin/bao}"
[ -x "$BAO" ] || BAO="$(command -v bao)"

./mvnw -B -q -pl distribution,benchmarks -am package dependency:build-classpath -DskipTests \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$p" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
await_port() { for _ in $(seq 1 300); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.2; done; echo "port $1 never opened" >&2; exit 1; }

bash distribution/src/main/runtime/bin/make-dev-certs "$WORK/certs" app >/dev/null
cp -a distribution/target/runtime "$WORK/runtime"
GRPC_PORT=$(free_port); ECHO_PORT=$(free_port); BAO_PORT=$(free_port); HTTP_PORT=$(free_port)
cat > "$WORK/runtime/conf/config.yaml" <<YAML
grpc:
  host: 127.0.0.1
  port: $GRPC_PORT
  certFile: $WORK/certs/server.pem
  keyFile: $WORK/certs/server-key.pem
  clientCaFile: $WORK/certs/ca.pem
  clients:
    - "identity=spiffe://openkcm.dev/app; owners=tenant:bench; ops=KeyService/*"
YAML
# setsid directly (not in a subshell), so $! is the process group that cleanup stops
setsid env -C "$WORK/runtime" OPENKCM_HTTP_PORT="$HTTP_PORT" OPENKCM_CONSOLE_USER=bench \
  OPENKCM_CONSOLE_PASSWORD="$(head -c 18 /dev/urandom | base64)" bin/keystore > "$WORK/runtime.log" 2>&1 &
PIDS+=($!)
setsid java -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" org.openkcm.keystore.benchmarks.grpc.EchoServerMain \
  "$ECHO_PORT" "$WORK/certs/server.pem" "$WORK/certs/server-key.pem" "$WORK/certs/ca.pem" > "$WORK/echo.log" 2>&1 &
PIDS+=($!)
TOKEN="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
setsid "$BAO" server -dev -dev-listen-address="127.0.0.1:$BAO_PORT" -dev-root-token-id="$TOKEN" > "$WORK/bao.log" 2>&1 &
PIDS+=($!)
await_port "$BAO_PORT"; await_port "$ECHO_PORT"; await_port "$GRPC_PORT"
export BAO_ADDR="http://127.0.0.1:$BAO_PORT" BAO_TOKEN="$TOKEN"
for _ in $(seq 1 50); do "$BAO" secrets enable transit >/dev/null 2>&1 && break; sleep 0.2; done
"$BAO" write -f transit/keys/bench type=aes256-gcm96 >/dev/null

(cd benchmarks/grpc-load && "$GO" build -o "$WORK/grpc-load" .)
echo "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
"$WORK/grpc-load" -keystore "127.0.0.1:$GRPC_PORT" -echo "127.0.0.1:$ECHO_PORT" -transit "$BAO_ADDR" -certs "$WORK/certs" "$@"
echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"

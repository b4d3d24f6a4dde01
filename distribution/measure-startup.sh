#!/usr/bin/env bash
# Measures the two start-up figures of docs/distribution.md, the way a user starts the runtime:
#   1. ./run.sh -> console ready   (the Keystore page answers HTTP 200 with the login)
#   2. ./run.sh -> first key stored (keystore:create through the Gogo shell on the runtime's stdin)
# Usage: distribution/measure-startup.sh [runs]     (needs curl; uses the built runtime, builds if stale)
# Each run starts a fresh runtime on a free loopback port and stops it with SIGTERM (clean, like Ctrl-C).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${1:-3}"
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# build once up front (if stale) so the figures are start-up only
"$REPO/run.sh" --build-only

for run in $(seq 1 "$RUNS"); do
  WORK="$(mktemp -d)"
  PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  USER=measure; PASS="$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  mkfifo "$WORK/stdin"
  exec 3<>"$WORK/stdin"
  t0=$(now_ms)
  OPENKCM_SHELL=stdin OPENKCM_HTTP_PORT="$PORT" OPENKCM_CONSOLE_USER="$USER" OPENKCM_CONSOLE_PASSWORD="$PASS" \
    OPENKCM_BUNDLES_DIR="$WORK/bundles" "$REPO/run.sh" --no-build <&3 >"$WORK/out.log" 2>&1 &
  PID=$!
  until [ "$(curl -s -o /dev/null -w '%{http_code}' -u "$USER:$PASS" "http://127.0.0.1:$PORT/system/console/keystore")" = 200 ]; do
    kill -0 "$PID" 2>/dev/null || { echo "runtime exited:"; cat "$WORK/out.log"; exit 1; }
    sleep 0.02
  done
  t_console=$(( $(now_ms) - t0 ))
  t_key="n/a (no KeyService)"
  for attempt in $(seq 1 250); do
    seen=$(wc -l < "$WORK/out.log")
    echo "keystore:create L2 tenant:measure id=measure-$attempt" >&3
    until tail -n +"$((seen + 1))" "$WORK/out.log" | grep -q -e "measure-$attempt@1" -e "error:" -e "not found"; do sleep 0.02; done
    if grep -q "measure-$attempt@1" "$WORK/out.log"; then t_key="$(( $(now_ms) - t0 )) ms"; break; fi
    tail -n +"$((seen + 1))" "$WORK/out.log" | grep -q "not found" && break   # no keystore:create command at all
  done
  # SIGTERM, not SIGINT: a background job of a script ignores SIGINT (Ctrl-C in a terminal works)
  kill -TERM "$PID"; wait "$PID" || true
  exec 3>&-
  echo "run $run: console ready ${t_console} ms, first key stored ${t_key}"
  rm -rf "$WORK"
done

#!/usr/bin/env bash
# OpenKCM Keystore: build what is needed and start the runtime from this repository.
#
#   ./run.sh --dev              development: InMemory for every tier, console login admin/admin
#   OPENKCM_CONSOLE_USER=ops OPENKCM_CONSOLE_PASSWORD='...' ./run.sh
#   BAO_ADDR=http://127.0.0.1:8200 BAO_TOKEN=... ./run.sh --dev     the same, on OpenBao
#
# Builds distribution/ (./mvnw -q -DskipTests -pl distribution -am package) when the runtime is missing
# or older than a source, pom or the bundle list; then runs distribution/target/runtime/bin/keystore in
# the foreground. Hot deploy: copy a backend bundle jar into ./bundles (OPENKCM_BUNDLES_DIR overrides).
# Ctrl-C stops it cleanly. Everything else (port, host, shell): see docs/distribution.md.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

usage() {
  sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
  echo "Options: --dev (accept admin/admin), --no-shell (no Gogo shell: production), --rebuild (build even if up to date), --no-build,"
  echo "         --build-only (build if stale, then exit), --help"
}

REBUILD=false
BUILD_ONLY=false
NO_BUILD="${OPENKCM_NO_BUILD:-false}"
for arg in "$@"; do
  case "$arg" in
    --dev) export OPENKCM_KEYSTORE_DEV=true ;;
    --no-shell) export OPENKCM_SHELL=off ;;
    --rebuild) REBUILD=true ;;
    --no-build) NO_BUILD=true ;;
    --build-only) BUILD_ONLY=true ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown option $arg" >&2; usage >&2; exit 2 ;;
  esac
done

RUNTIME="${OPENKCM_RUNTIME_DIR:-$REPO/distribution/target/runtime}"
ARCHIVE_GLOB="$REPO/distribution/target/openkcm-keystore-*.tar.gz"

# The archive is written last in `package`, so it marks a complete build of the runtime.
stale() {
  local stamp
  stamp="$(ls -t $ARCHIVE_GLOB 2>/dev/null | head -n 1 || true)"
  [ -n "$stamp" ] && [ -f "$RUNTIME/bin/felix.jar" ] || return 0
  [ -n "$(find "$REPO" \( -name .git -o -name target -o -name .tools -o -path "$REPO/bundles" \) -prune -o \
      -type f \( -path '*/src/*' -o -name pom.xml -o -name '*.bndrun' \) -newer "$stamp" -print -quit)" ]
}

if [ -z "${OPENKCM_RUNTIME_DIR:-}" ] && [ "$NO_BUILD" != "true" ] && { $REBUILD || stale; }; then
  echo "Building the runtime (./mvnw -q -B -DskipTests -pl distribution -am package) ..."
  (cd "$REPO" && ./mvnw -q -B -DskipTests -pl distribution -am package)
fi
if [ ! -f "$RUNTIME/bin/felix.jar" ]; then
  echo "run.sh: no runtime at $RUNTIME (build it: ./mvnw -DskipTests -pl distribution -am package)" >&2
  exit 1
fi

$BUILD_ONLY && exit 0

export OPENKCM_BUNDLES_DIR="${OPENKCM_BUNDLES_DIR:-$REPO/bundles}"
echo "Starting OpenKCM Keystore from $RUNTIME (hot deploy: $OPENKCM_BUNDLES_DIR)"
exec bash "$RUNTIME/bin/keystore"

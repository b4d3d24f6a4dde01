#!/usr/bin/env bash
# Regenerates keystorepb/ from the .proto files of proto-bundle (the one source of the contract).
#   sdk/go/gen.sh           regenerate in place
#   sdk/go/gen.sh --check   regenerate into a temporary folder and fail if it differs from keystorepb/
# protoc is the one the Maven build fetched (com.google.protobuf:protoc, see protobuf.version in the root
# pom); protoc-gen-go and protoc-gen-go-grpc are installed with `go install` at the pinned versions below.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
GO="$(command -v go || echo /usr/local/go/bin/go)"
PROTOBUF_VERSION="$(sed -n 's:.*<protobuf.version>\(.*\)</protobuf.version>.*:\1:p' "$REPO/pom.xml")"
PROTOC_GEN_GO=v1.36.12
PROTOC_GEN_GO_GRPC=v1.6.0

PROTOC="${PROTOC:-$HOME/.m2/repository/com/google/protobuf/protoc/$PROTOBUF_VERSION/protoc-$PROTOBUF_VERSION-linux-x86_64.exe}"
if [ ! -x "$PROTOC" ]; then
  if [ -f "$PROTOC" ]; then chmod +x "$PROTOC"; else
    (cd "$REPO" && ./mvnw -B -q dependency:get -N -Dartifact="com.google.protobuf:protoc:$PROTOBUF_VERSION:exe:linux-x86_64" -Dtransitive=false)
    chmod +x "$PROTOC"
  fi
fi
BIN="$HERE/.bin"
mkdir -p "$BIN"
[ -x "$BIN/protoc-gen-go" ] || GOBIN="$BIN" "$GO" install "google.golang.org/protobuf/cmd/protoc-gen-go@$PROTOC_GEN_GO"
[ -x "$BIN/protoc-gen-go-grpc" ] || GOBIN="$BIN" "$GO" install "google.golang.org/grpc/cmd/protoc-gen-go-grpc@$PROTOC_GEN_GO_GRPC"

OUT="$HERE/keystorepb"
if [ "${1:-}" = "--check" ]; then
  OUT="$(mktemp -d)"
  trap 'rm -rf "$OUT"' EXIT
fi
PROTO_DIR="$REPO/proto-bundle/src/main/proto"
TMP="$(mktemp -d)"
# the well-known types (timestamp.proto) ship inside protobuf-java, which the build fetched too
WKT="$TMP/wkt"
mkdir -p "$WKT"
PB_JAR="$HOME/.m2/repository/com/google/protobuf/protobuf-java/$PROTOBUF_VERSION/protobuf-java-$PROTOBUF_VERSION.jar"
(cd "$WKT" && unzip -q -o "$PB_JAR" 'google/protobuf/*.proto')
PATH="$BIN:$PATH" "$PROTOC" -I "$PROTO_DIR" -I "$WKT" --go_out="$TMP" --go-grpc_out="$TMP" \
  "$PROTO_DIR/openkcm/keystore/v1/keystore.proto" "$PROTO_DIR/openkcm/keystore/v1/key_service.proto" \
  "$PROTO_DIR/openkcm/keystore/v1/plugin.proto"
mkdir -p "$OUT"
cp "$TMP"/github.com/openkcm/keystore/sdk/go/keystorepb/*.go "$OUT"/
rm -rf "$TMP"
if [ "${1:-}" = "--check" ]; then
  if ! diff -ru "$HERE/keystorepb" "$OUT"; then
    echo "sdk/go/keystorepb is out of date with the .proto files: run sdk/go/gen.sh and commit" >&2
    exit 1
  fi
  echo "sdk/go/keystorepb matches the .proto files"
fi

#!/usr/bin/env bash
# Runs the Go tests of the SDK (go test ./...), after checking that the committed generated code
# matches the .proto files. The e2e tests start the built runtime: OPENKCM_RUNTIME (default
# distribution/target/runtime) and the scratch backend OPENKCM_TESTBACKEND_JAR (default testbackend-bundle/target).
# The distribution module runs this in its integration-test phase (./mvnw -B verify).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
GO="$(command -v go || echo /usr/local/go/bin/go)"
PATH="$(dirname "$GO"):$PATH"
"$HERE/gen.sh" --check
cd "$HERE"
"$GO" vet ./...
"$GO" test -count=1 -timeout 10m ./...

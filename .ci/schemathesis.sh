#!/usr/bin/env bash
# Schemathesis against the live API: starts the debug binary on a random port over a fresh
# SQLite data dir with the demo source, and fuzzes every operation of
# /api/v1/openapi.json. Fails on any 5xx, any status or content type the document does not
# list, and any answer that breaks its schema. Bounded in time (SCHEMATHESIS_MAX_TIME seconds,
# 120 by default) so that .ci/run stays well under 15 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=4.32.5
MAX_TIME=${SCHEMATHESIS_MAX_TIME:-120}
MAX_EXAMPLES=${SCHEMATHESIS_MAX_EXAMPLES:-50}
# Outside the checkout, like cargo's registry: a fresh clone reuses the tool installed before
# instead of installing it again from PyPI.
VENV=${SCHEMATHESIS_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/commodex/schemathesis-$VERSION}
TOKEN=schemathesis-token-0123456789

if ! "$VENV/bin/st" --version 2>/dev/null | grep -q "$VERSION"; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet "schemathesis==$VERSION"
fi
# The binary the test build made: `cargo build -p commodex` would resolve features for that one
# package, differently from the workspace, and recompile a hundred dependencies (9 minutes).
cargo test --workspace --all-targets --locked --no-run --quiet

DATA=$(mktemp -d)
SERVER=""
cleanup() {
    if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
    rm -rf "$DATA"
}
trap cleanup EXIT

# Small simulation bounds keep each fuzzed simulation quick; the rate limit is raised out of
# the fuzzer's way (its 429 has its own test); only the demo and csv sources are enabled, so
# that nothing tries the network.
COMMODEX_PROFILE=testing COMMODEX_DATA_DIR="$DATA" COMMODEX_BIND=127.0.0.1:0 \
COMMODEX_API_TOKEN="$TOKEN" \
COMMODEX_SERVER__RATE_LIMIT_PER_CLIENT="1000000/second" \
COMMODEX_SERVER__REQUEST_TIMEOUT_SECS=20 \
COMMODEX_SIMULATION__MAX_PATHS=2000 COMMODEX_SIMULATION__DEFAULT_PATHS=200 \
COMMODEX_SIMULATION__MAX_HORIZON_DAYS=300 COMMODEX_SIMULATION__DEFAULT_HORIZON_DAYS=21 \
COMMODEX_SOURCES__ALPHA_VANTAGE__ENABLED=false COMMODEX_SOURCES__FMP__ENABLED=false \
COMMODEX_SOURCES__API_NINJAS__ENABLED=false COMMODEX_SOURCES__COMMODITY_PRICE_API__ENABLED=false \
    target/debug/commodex serve >"$DATA/serve.log" 2>&1 &
SERVER=$!
ADDRESS=""
for _ in $(seq 1 600); do
    ADDRESS=$(sed -n 's/^commodex listening on \(http:\/\/[0-9.:]*\).*/\1/p' "$DATA/serve.log")
    [ -n "$ADDRESS" ] && break
    kill -0 "$SERVER" 2>/dev/null || { cat "$DATA/serve.log" >&2; exit 1; }
    sleep 0.2
done
[ -n "$ADDRESS" ] || { echo "the server did not start" >&2; cat "$DATA/serve.log" >&2; exit 1; }
echo "server at $ADDRESS"

"$VENV/bin/st" run "$ADDRESS/api/v1/openapi.json" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --header "Authorization: Bearer $TOKEN" \
    --max-examples "$MAX_EXAMPLES" --max-time "$MAX_TIME" \
    --request-timeout 30 --seed 42 --no-color --workers 2

#!/usr/bin/env bash
# WebSocket load test, loopback only and bounded in time: starts one `commodex serve` (SQLite,
# the demo source polled every second: 34 price updates a second), connects CLIENTS WebSocket
# clients, measures for SECONDS, prints the delivery delay percentiles, stops the server.
#   scripts/bench/ws_load.sh [CLIENTS=1000] [SECONDS=20] [--release]
set -euo pipefail
cd "$(dirname "$0")/../.."
CLIENTS=${1:-1000}
SECONDS_TO_RUN=${2:-20}
PROFILE_FLAG=${3:-}
# Each client is two sockets on this machine (the client's and the server's end).
ulimit -n "$(( CLIENTS * 2 + 1024 ))" 2>/dev/null || ulimit -n "$(ulimit -Hn)"

cargo build $PROFILE_FLAG -p commodex
cargo build $PROFILE_FLAG -p server --example ws_load
TARGET=target/debug
[ "$PROFILE_FLAG" = "--release" ] && TARGET=target/release

WORK=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# All clients come from 127.0.0.1: the per-client request limit would refuse most handshakes.
COMMODEX_PROFILE=testing COMMODEX_DATA_DIR="$WORK/data" COMMODEX_LIVE__POLL_INTERVAL_SECS=1 \
COMMODEX_SERVER__RATE_LIMIT_PER_CLIENT="1000000/second" \
  "$TARGET/commodex" serve --bind "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 300); do
  curl -fs "http://127.0.0.1:$PORT/api/v1/ready" >/dev/null && break
  sleep 0.5
done
echo "machine: $(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$TARGET/examples/ws_load" "ws://127.0.0.1:$PORT/ws/data" "$CLIENTS" "$SECONDS_TO_RUN"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

#!/usr/bin/env bash
# GET /api/v1/prices for a cached ten-year daily series, against a bare axum handler that
# answers the same bytes (crates/server/examples/bare_axum.rs), back to back in the same run;
# then the same with a 1 s live poll, where every demo tick retires the cached answer and the
# requests in flight at that moment need it computed again (single-flighted: one computation
# for all of them), to compare its p99 with the 60 s poll's.
#
# Usage: scripts/bench/api_prices.sh [DURATION_SECS] [CONNECTIONS] [THREADS]
#        (defaults 10 64 2; needs wrk and curl; builds the release binary and the example;
#         POLLS="60 1" lists the poll intervals measured, the first one against the bare server)
#
# Ours runs `commodex serve` (testing profile: warn-level logs, no log files) over a fresh
# SQLite data dir with the demo history, with every layer of the real server (request id,
# trace span, security headers, CORS, metrics, rate limit raised out of the way, timeout,
# body limit). wrk sends no Accept-Encoding, so neither side compresses. The machine's load
# (`uptime`) is printed before and after: both sides share whatever else is running.
set -euo pipefail
cd "$(dirname "$0")/../.."

DURATION=${1:-10}
CONNECTIONS=${2:-64}
THREADS=${3:-2}
OURS_PORT=${OURS_PORT:-18101}
BARE_PORT=${BARE_PORT:-18102}
POLLS=${POLLS:-60 1}

command -v wrk >/dev/null || { echo "wrk is needed (apt-get install -y wrk)" >&2; exit 1; }
# Two commands: `--example` limits a build to that example, so one command would leave the
# commodex binary as it was.
cargo build --release --quiet -p commodex
cargo build --release --quiet -p server --example bare_axum

DATA=$(mktemp -d)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$DATA"
}
trap cleanup EXIT

wait_for() { # url
    for _ in $(seq 1 300); do
        curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
        sleep 0.2
    done
    echo "$1 did not answer" >&2
    return 1
}

start_ours() { # poll_interval_secs data_dir
    # The demo history is stored at start, before the first poll.
    COMMODEX_PROFILE=testing COMMODEX_DATA_DIR="$2" COMMODEX_BIND="127.0.0.1:$OURS_PORT" \
    COMMODEX_SERVER__RATE_LIMIT_PER_CLIENT="1000000000/second" \
    COMMODEX_LIVE__POLL_INTERVAL_SECS="$1" \
        target/release/commodex serve >"$2.log" 2>&1 &
    OURS_PID=$!
    PIDS+=("$OURS_PID")
    wait_for "http://127.0.0.1:$OURS_PORT/api/v1/ready"
}

read -r FIRST_POLL _ <<<"$POLLS"
start_ours "$FIRST_POLL" "$DATA/ours-$FIRST_POLL"
END=$(date -u -d yesterday +%F)
START=$(date -u -d "$END - 10 years" +%F)
URL="http://127.0.0.1:$OURS_PORT/api/v1/prices?source=demo&symbol=GOLD&start=$START&end=$END"
curl -fsS -o "$DATA/body.json" "$URL"
BYTES=$(stat -c %s "$DATA/body.json")
BARS=$(grep -o '"date"' "$DATA/body.json" | wc -l)

target/release/examples/bare_axum "127.0.0.1:$BARE_PORT" "$DATA/body.json" 2>/dev/null &
PIDS+=($!)
wait_for "http://127.0.0.1:$BARE_PORT/"
cmp -s "$DATA/body.json" <(curl -fsS "http://127.0.0.1:$BARE_PORT/") \
    || { echo "the bare server does not answer the same bytes" >&2; exit 1; }

echo "series: GOLD daily $START..$END, $BARS bars, $BYTES bytes a response"
echo "wrk: $THREADS threads, $CONNECTIONS connections, ${DURATION}s each (after a 2 s warm-up)"
echo "load before: $(uptime)"

run() { # url -> "requests_per_sec p99"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d2s "$1" >/dev/null
    local out
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$1")
    local rps p99 errors
    rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    errors=$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")
    if [ -n "$errors" ]; then
        echo "$1 answered $errors non-2xx responses" >&2
        exit 1
    fi
    echo "$rps $p99"
}

to_ms() { # wrk latency (850.00us, 12.34ms, 1.02s) -> milliseconds
    awk -v t="$1" 'BEGIN {
        v = t + 0
        if (t ~ /us$/) v /= 1000; else if (t ~ /ms$/) v *= 1; else if (t ~ /s$/) v *= 1000
        printf "%.3f", v
    }'
}

declare -A RPS P99
read -r RPS[$FIRST_POLL] P99[$FIRST_POLL] < <(run "$URL")
read -r BARE_RPS BARE_P99 < <(run "http://127.0.0.1:$BARE_PORT/")
for POLL in $POLLS; do
    [ "$POLL" = "$FIRST_POLL" ] && continue
    kill "$OURS_PID"
    wait "$OURS_PID" 2>/dev/null || true
    start_ours "$POLL" "$DATA/ours-$POLL"
    read -r RPS[$POLL] P99[$POLL] < <(run "$URL")
done
echo "load after: $(uptime)"
printf '%-40s %12s %10s\n' "server" "requests/s" "p99"
for POLL in $POLLS; do
    printf '%-40s %12s %10s\n' "commodex GET /api/v1/prices, ${POLL}s poll" "${RPS[$POLL]}" "${P99[$POLL]}"
done
printf '%-40s %12s %10s\n' "bare axum, same bytes" "$BARE_RPS" "$BARE_P99"
RATIO=$(awk -v a="${RPS[$FIRST_POLL]}" -v b="$BARE_RPS" 'BEGIN {printf "%.2f", a / b}')
echo "ratio ours/bare (${FIRST_POLL}s poll): ${RATIO}x (target >= 0.5x)"
for POLL in $POLLS; do
    [ "$POLL" = "$FIRST_POLL" ] && continue
    P99_RATIO=$(awk -v a="$(to_ms "${P99[$POLL]}")" -v b="$(to_ms "${P99[$FIRST_POLL]}")" \
        'BEGIN {printf "%.2f", a / b}')
    echo "p99 ${POLL}s poll / ${FIRST_POLL}s poll: ${P99_RATIO}x (target <= 2x)"
done

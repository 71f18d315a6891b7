#!/usr/bin/env bash
# Runs deploy/compose.yaml end to end with podman-compose and checks what a team deployment
# needs: both instances ready on PostgreSQL and Redis, the dashboard and the API through nginx,
# live price updates on a WebSocket through nginx, and, with the polling instance stopped,
# updates continuing from the other one while clients are still answered.
#
#   deploy/smoke.sh            # up, check, down (volumes removed)
#   KEEP=1 deploy/smoke.sh     # leave the stack running afterwards
#
# Needs podman, podman-compose, curl and python3, and the images compose.yaml names: on a
# machine without a registry, deploy/standins/build.sh makes postgres, redis and nginx from
# Debian's packages, and `podman-compose up` builds commodex:latest from deploy/Dockerfile.
# Port: COMMODEX_PORT (default 18000). Exit status: 0 when every check passed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

export COMMODEX_PORT=${COMMODEX_PORT:-18000}
export COMMODEX_API_TOKEN=${COMMODEX_API_TOKEN:-$(python3 -c 'import secrets; print(secrets.token_hex(24))')}
export POSTGRES_PASSWORD=${POSTGRES_PASSWORD:-smoke-$(python3 -c 'import secrets; print(secrets.token_hex(8))')}
# A short poll, so that updates (and the takeover) are seen in seconds rather than minutes.
export COMMODEX_LIVE__POLL_INTERVAL_SECS=${COMMODEX_LIVE__POLL_INTERVAL_SECS:-2}
project=${SMOKE_PROJECT:-commodexsmoke}
base=http://127.0.0.1:$COMMODEX_PORT
ws=ws://127.0.0.1:$COMMODEX_PORT/ws/data
scratch=$(mktemp -d)
failures=0

compose() { podman-compose -p "$project" -f compose.yaml "$@"; }
cname() { echo "${project}_$1_1"; }
say() { printf '%s  %s\n' "$(date -u +%H:%M:%S)" "$*"; }
ok() { say "ok    $*"; }
fail() { say "FAIL  $*"; failures=$((failures + 1)); }
check() { # check DESCRIPTION COMMAND...: runs COMMAND, ok or FAIL by its status.
    local what=$1; shift
    if "$@"; then ok "$what"; else fail "$what"; fi
}
# Waits up to $1 seconds for COMMAND to succeed.
wait_for() {
    local seconds=$1; shift
    local until=$((SECONDS + seconds))
    until "$@" >/dev/null 2>&1; do
        [ "$SECONDS" -ge "$until" ] && return 1
        sleep 1
    done
}
# An instance's own answer, from inside its container (nginx is not in the way).
inside() { podman exec "$(cname "$1")" curl -fsS --max-time 3 "http://127.0.0.1:8000$2"; }
ready() { inside "$1" /api/v1/ready | grep -q '"status":"ready"'; }
# Requests the instance answered on ROUTE, from its /metrics.
answered() {
    inside "$1" /metrics | awk -v route="route=\"$2\"" \
        'index($0, "commodex_http_requests_total{") == 1 && index($0, route) { n += $NF } END { print n + 0 }'
}
# The instance holding the poller lease now: the last of them to log that it polls.
poller() {
    local best="" best_at="" at svc
    for svc in commodex-1 commodex-2; do
        at=$(podman logs --timestamps "$(cname "$svc")" 2>&1 | grep 'this instance now polls' | tail -1 | awk '{print $1}')
        if [ -n "$at" ] && [[ "$at" > "$best_at" ]]; then best=$svc; best_at=$at; fi
    done
    echo "$best"
}
cleanup() {
    if [ -z "${KEEP:-}" ]; then
        say "down"
        compose down -v -t 20 >"$scratch/down.log" 2>&1 || cat "$scratch/down.log"
    fi
    rm -rf "$scratch"
}
trap cleanup EXIT

say "podman $(podman --version | awk '{print $3}'), $(podman-compose version 2>/dev/null | grep -i 'podman-compose' | head -1)"
for image in postgres:17-bookworm redis:7-bookworm nginx:1.27-bookworm; do
    if ! podman image exists "$image"; then
        say "no image $image here and no registry to pull it from: run deploy/standins/build.sh"
        exit 2
    fi
done

say "up (project $project, port $COMMODEX_PORT, poll every ${COMMODEX_LIVE__POLL_INTERVAL_SECS}s)"
compose down -v -t 5 >/dev/null 2>&1
if ! compose up -d >"$scratch/up.log" 2>&1; then
    cat "$scratch/up.log"; say "podman-compose up failed"; exit 1
fi

# podman-compose 1.0.3 starts services in dependency order but does not wait for
# `condition: service_healthy`, and without systemd Podman runs no health checks by itself:
# run the compose file's checks here. An instance that started before PostgreSQL accepted
# connections exits and is started again by its restart policy.
check "postgres healthy (its compose health check: pg_isready)" \
    wait_for 60 podman healthcheck run "$(cname postgres)"
check "redis healthy (its compose health check: redis-cli ping)" \
    wait_for 30 podman healthcheck run "$(cname redis)"
for svc in commodex-1 commodex-2; do
    check "$svc ready: /api/v1/ready says ready with database and redis ok" wait_for 120 ready "$svc"
    say "      $svc: $(inside "$svc" /api/v1/ready)"
    check "$svc image health check (curl /api/v1/health inside)" \
        podman exec "$(cname "$svc")" curl --fail --silent --show-error --max-time 2 -o /dev/null \
        http://127.0.0.1:8000/api/v1/health
done
check "nginx answers on :$COMMODEX_PORT" wait_for 30 curl -fsS --max-time 3 -o /dev/null "$base/api/v1/health"

# The dashboard and the API through nginx, and nginx spreading requests over both instances.
page=$(curl -fsS --max-time 5 -D "$scratch/headers" "$base/" || true)
check "dashboard through nginx: GET / is HTML naming Commodex" \
    grep -qi '<title>.*commodex' <<<"$page"
check "dashboard asset through nginx" \
    curl -fsS --max-time 5 -o /dev/null "$base/$(grep -o 'src="[^"]*\.js"' <<<"$page" | head -1 | sed 's/src="\/\{0,1\}//; s/"$//')"
check "API through nginx: GET /api/v1/sources lists demo" \
    grep -q '"demo"' <(curl -fsS --max-time 5 "$base/api/v1/sources")
before1=$(answered commodex-1 /api/v1/health); before2=$(answered commodex-2 /api/v1/health)
for _ in $(seq 20); do curl -fsS --max-time 5 -o /dev/null "$base/api/v1/health"; done
after1=$(answered commodex-1 /api/v1/health); after2=$(answered commodex-2 /api/v1/health)
say "      20 requests through nginx: commodex-1 answered $((after1 - before1)), commodex-2 $((after2 - before2))"
check "nginx spreads requests over both instances" \
    test $((after1 - before1)) -gt 0 -a $((after2 - before2)) -gt 0

# Live updates through nginx.
check "WebSocket through nginx: /ws/data sends price_update (3 within 20 s)" \
    python3 smoke_ws.py "$ws" --updates 3 --seconds 20 --log "$scratch/ws-first.log"
say "      $(grep -c price_update "$scratch/ws-first.log") price updates, first: $(grep -m1 price_update "$scratch/ws-first.log")"

# Stop the instance that polls; the other must take the lease over and keep everyone updated.
victim=$(poller)
if [ -z "$victim" ]; then
    fail "find the polling instance (no 'this instance now polls' in the logs)"
    victim=commodex-1
fi
survivor=commodex-2; [ "$victim" = commodex-2 ] && survivor=commodex-1
say "      $victim polls; stopping it, $survivor stays"
# Four clients through nginx before the stop; each instance's /metrics says how many it took.
ws1=$(answered commodex-1 /ws/data); ws2=$(answered commodex-2 /ws/data)
for n in 1 2 3 4; do
    python3 smoke_ws.py "$ws" --seconds 40 --log "$scratch/ws-held-$n.log" &
    sleep 0.3
done
sleep 4
held1=$(( $(answered commodex-1 /ws/data) - ws1 )); held2=$(( $(answered commodex-2 /ws/data) - ws2 ))
say "      4 clients held through nginx: commodex-1 took $held1, commodex-2 $held2"
ip_before=$(podman inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$(cname "$victim")")
stop_started=$(date +%s.%N)
podman stop -t 20 "$(cname "$victim")" >/dev/null
stopped=$(date +%s.%N)
say "      podman stop took $(python3 -c "print(f'{$stopped - $stop_started:.1f}')") s, exit code $(podman inspect -f '{{.State.ExitCode}}' "$(cname "$victim")")"
check "$victim released the lease on SIGTERM" \
    grep -q 'releasing the lease' <(podman logs "$(cname "$victim")" 2>&1)

# Clients still answered: 30 requests through nginx right after the stop, each timed.
: >"$scratch/after-stop"
for _ in $(seq 30); do
    curl -s --max-time 30 -o /dev/null -w '%{http_code} %{time_total}\n' "$base/api/v1/health" >>"$scratch/after-stop"
done
codes=$(awk '{print $1}' "$scratch/after-stop" | sort | uniq -c | tr -s ' ' | tr '\n' ',' | sed 's/,$//')
slowest=$(awk '$2 > m {m = $2} END {print m + 0}' "$scratch/after-stop")
say "      30 requests after the stop: status counts [$codes], slowest ${slowest}s"
check "every request after the stop answered 200" \
    test "$(grep -vc '^200 ' "$scratch/after-stop")" -eq 0
check "no request after the stop waited 2 s or more for the stopped instance" \
    awk '$2 >= 2 {exit 1}' "$scratch/after-stop"
check "$survivor took the poller lease over" \
    wait_for 20 sh -c "podman logs --since '$(date -u -d "@${stop_started%.*}" +%Y-%m-%dT%H:%M:%SZ)' '$(cname "$survivor")' 2>&1 | grep -q 'this instance now polls'"
check "a new WebSocket through nginx gets price_update after the stop" \
    python3 smoke_ws.py "$ws" --updates 2 --seconds 20 --log "$scratch/ws-after.log"
wait
for n in 1 2 3 4; do
    log=$scratch/ws-held-$n.log
    before=$(awk -v t="$stop_started" '$1 < t && $2 == "price_update"' "$log" | wc -l)
    after=$(awk -v t="$stopped" '$1 > t && $2 == "price_update"' "$log" | wc -l)
    ending=$(grep -E ' (closed|eof|reset)' "$log" | head -1 | cut -d' ' -f2-)
    say "      client $n (connected before the stop): $before updates before, $after after${ending:+, then $ending}"
    echo "$after" >"$scratch/held-after-$n"
done
kept=$(cat "$scratch"/held-after-* | awk '$1 > 0' | wc -l)
closed=$(grep -l ' closed 1001' "$scratch"/ws-held-*.log 2>/dev/null | wc -l)
say "      $kept held client(s) kept getting updates after the stop; $closed closed with 1001 (going away)"
held_survivor=$held2; [ "$survivor" = commodex-1 ] && held_survivor=$held1
held_victim=$held1; [ "$survivor" = commodex-1 ] && held_victim=$held2
check "every client held on $survivor kept getting updates after the stop ($held_survivor held there)" \
    test "$held_survivor" -gt 0 -a "$kept" -ge "$held_survivor"
check "every client held on $victim was closed with 1001 going away ($held_victim held there)" \
    test "$closed" -eq "$held_victim"

# The stopped instance back: ready again and given requests by nginx again.
podman start "$(cname "$victim")" >/dev/null
check "$victim ready again after podman start" wait_for 90 ready "$victim"
ip_after=$(podman inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$(cname "$victim")")
say "      $victim address before the stop $ip_before, after the start $ip_after"
sleep 11 # nginx's fail_timeout: the instance is tried again after it
to_victim() { # requests out of 20 through nginx that the restarted instance answered
    local before after
    before=$(answered "$victim" /api/v1/health)
    for _ in $(seq 20); do curl -fsS --max-time 5 -o /dev/null "$base/api/v1/health"; done
    after=$(answered "$victim" /api/v1/health)
    echo $((after - before))
}
got=$(to_victim)
say "      20 requests through nginx after the restart: $victim answered $got"
check "nginx sends requests to the restarted $victim again" test "$got" -gt 0
if [ "$got" -eq 0 ] && [ "$ip_before" != "$ip_after" ]; then
    # nginx resolved commodex-1/-2 once, at start; re-resolving needs `resolve` on the upstream
    # servers (nginx >= 1.27.3). A reload resolves them again.
    podman exec "$(cname nginx)" nginx -s reload
    sleep 2
    got=$(to_victim)
    say "      after nginx -s reload: $victim answered $got of 20"
    check "after nginx -s reload, nginx sends requests to the restarted $victim" test "$got" -gt 0
fi

if [ "$failures" -eq 0 ]; then say "all checks passed"; else say "$failures check(s) failed"; fi
exit $((failures > 0))

#!/usr/bin/env bash
# Compares builds or settings of the app on the same JSON sign-up load, runs
# interleaved (A B A B ...) so that whatever else the machine does falls on
# each side alike. Each run starts the binary on a fresh SQLite database and
# sends JSON sign-ups with wrk: saturated (200 connections that never pause)
# and paced (200 connections offering BENCH_PACED_RATE sign-ups/s in all).
#
#   benches/compare.sh ROUNDS LABEL CHECKOUT 'ENV=... /path/to/aanmeldpunt' ...
#
# Each side runs in its checkout (its templates/ and static/). For example,
# the code before and after a change (an old commit in a git worktree), and
# one setting:
#   git worktree add /tmp/old <commit> && (cd /tmp/old && cargo build --release)
#   benches/compare.sh 3 before /tmp/old /tmp/old/target/release/aanmeldpunt \
#     after . target/release/aanmeldpunt \
#     nice0 . 'env ROCKET_MAIL_RENDER_NICE=0 target/release/aanmeldpunt'
#
# With BENCH_POSTGRES=postgres://user@host:port (no database name), each run
# gets a fresh PostgreSQL database `aanmeldpunt_compare` there instead.
#
# Prints one line per run: label, round, sign-ups/s, p50 and p99 in ms,
# errors, and the app's peak resident memory in MB. Needs wrk, and sqlite3 or
# psql.
set -euo pipefail

rounds=$1
shift
labels=()
checkouts=()
commands=()
while [ $# -ge 3 ]; do
  labels+=("$1")
  checkouts+=("$(cd "$2" && pwd)")
  commands+=("$3")
  shift 3
done
seconds=${BENCH_SECONDS:-10}
paced_rate=${BENCH_PACED_RATE:-1000}
port=${BENCH_PORT:-18555}
work=$(mktemp -d)
app_pid=
# An interrupted run leaves no app behind on the port.
trap 'if [ -n "$app_pid" ]; then kill "$app_pid" 2>/dev/null || true; fi; rm -rf "$work"' EXIT

cat >"$work/json.lua" <<'LUA'
local counter = 0
local threads = {}
function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end
function init(args)
  thread_id = thread_id or 0
  math.randomseed(os.time() + thread_id)
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
function request()
  counter = counter + 1
  local email = string.format("w%d-%d-%d@utrecht.nl", thread_id, math.random(1, 1000000000), counter)
  return wrk.format(nil, nil, nil, string.format(
    '{"name":"Anna de Vries","email":"%s","organisation":"Gemeente Utrecht","sector":"GEM"}', email))
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %f %f %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout + e.status))
end
LUA
# The paced run: each of 200 connections pauses an exponentially distributed
# time, as arrivals from many independent people.
mean_pause_ms=$(awk "BEGIN { print 200 * 1000 / $paced_rate }")
{
  cat "$work/json.lua"
  printf 'function delay()\n  return -math.log(1 - math.random()) * %s\nend\n' "$mean_pause_ms"
} >"$work/paced.lua"

run_once() {
  local label=$1 checkout=$2 command=$3 round=$4 kind=$5 script=$6
  local dir="$work/run"
  rm -rf "$dir" && mkdir -p "$dir/mail"
  # The mail folder in memory, as the load benchmark does (BENCHMARKS.md, 21).
  local mail_dir="$dir/mail"
  [ -d /dev/shm ] && mail_dir=$(mktemp -d /dev/shm/aanmeldpunt-compare.XXXXXX)
  local database_url="sqlite://$dir/bench.db?mode=rwc"
  if [ -n "${BENCH_POSTGRES:-}" ]; then
    psql -q "$BENCH_POSTGRES/postgres" -c "DROP DATABASE IF EXISTS aanmeldpunt_compare WITH (FORCE)" \
      -c "CREATE DATABASE aanmeldpunt_compare" >/dev/null 2>&1
    database_url="$BENCH_POSTGRES/aanmeldpunt_compare"
  fi
  env ROCKET_PROFILE=release \
    ROCKET_SECRET_KEY="$(head -c 32 /dev/urandom | base64)" \
    ROCKET_DATABASE_URL="$database_url" \
    ROCKET_ADDRESS=127.0.0.1 ROCKET_PORT="$port" \
    ROCKET_BASE_URL="http://127.0.0.1:$port" \
    ROCKET_MAIL_TRANSPORT=files ROCKET_MAIL_DIR="$mail_dir" \
    ROCKET_LOG_LEVEL=critical ROCKET_SEED=true \
    ROCKET_REGISTER_ON_FIRST_START=false \
    ROCKET_RATE_LIMIT_SIGN_UPS_PER_MINUTE=100000000 \
    ROCKET_RATE_LIMIT_PER_EMAIL_PER_HOUR=100000000 \
    bash -c "cd '$checkout' && exec $command serve" >/dev/null 2>"$dir/stderr" &
  local pid=$!
  app_pid=$pid
  for _ in $(seq 600); do
    curl -fs "http://127.0.0.1:$port/livez" >/dev/null 2>&1 && break
    sleep 0.05
  done
  # Room for everyone: every sign-up takes the full confirmed path.
  local room="UPDATE events SET capacity = 100000000;"
  if [ -n "${BENCH_POSTGRES:-}" ]; then
    psql -q "$database_url" -c "$room" >/dev/null
  else
    sqlite3 -cmd ".timeout 10000" "$dir/bench.db" "$room" >/dev/null
  fi
  local out
  out=$(wrk -t 2 -c 200 -d "${seconds}s" --latency -s "$script" \
    "http://127.0.0.1:$port/api/v1/events/partnerships-voor-meer-banen/registrations" | grep '^BENCH')
  local peak
  peak=$(awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$pid/status")
  kill "$pid" && wait "$pid" 2>/dev/null || true
  [ "$mail_dir" != "$dir/mail" ] && rm -rf "$mail_dir"
  read -r _ requests duration_us p50_us p99_us errors <<<"$out"
  awk -v l="$label" -v r="$round" -v k="$kind" -v n="$requests" -v d="$duration_us" \
    -v p50="$p50_us" -v p99="$p99_us" -v e="$errors" -v m="$peak" \
    'BEGIN { printf "%-10s %-2s %-10s %8.0f/s  p50 %7.1f ms  p99 %7.1f ms  errors %d  peak %s MB\n",
      l, r, k, n / (d / 1e6), p50 / 1000, p99 / 1000, e, m }'
}

for round in $(seq "$rounds"); do
  for i in "${!labels[@]}"; do
    run_once "${labels[$i]}" "${checkouts[$i]}" "${commands[$i]}" "$round" saturated "$work/json.lua"
    run_once "${labels[$i]}" "${checkouts[$i]}" "${commands[$i]}" "$round" "${paced_rate}/s" "$work/paced.lua"
  done
done

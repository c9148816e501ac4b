#!/usr/bin/env bash
# Fuzzes the JSON API with schemathesis against its own OpenAPI document:
# builds the app, starts it on a fresh database, runs `st`, stops the app.
#
#   pip install schemathesis                 # once; `st` must be on PATH
#   scripts/schemathesis.sh                  # SQLite in a temporary folder
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/st_fuzz scripts/schemathesis.sh
#
# Extra arguments go to `st run` (e.g. `--max-examples 500 --seed 1`). The
# PostgreSQL database must exist and be empty. Rate limits are raised for
# the run: a fuzzer from one address would otherwise mostly meet 429s.
set -euo pipefail

cd "$(dirname "$0")/.."
port="${PORT:-8765}"
work="$(mktemp -d)"
cargo build --quiet

export ROCKET_PORT="$port"
export ROCKET_DATABASE_URL="${DATABASE_URL:-sqlite://$work/fuzz.db?mode=rwc}"
export ROCKET_MAIL_TRANSPORT=files ROCKET_MAIL_DIR="$work/mail"
export ROCKET_RATE_LIMIT_SIGN_UPS_PER_MINUTE=1000000
export ROCKET_RATE_LIMIT_PER_EMAIL_PER_HOUR=1000000
export ROCKET_LOG_LEVEL=critical
./target/debug/aanmeldpunt >"$work/app.log" 2>&1 &
app=$!
trap 'kill "$app" 2>/dev/null; wait "$app" 2>/dev/null; rm -rf "$work"' EXIT

# Every check but `unsupported_method`: Rocket answers an unknown method
# on a known path with 404 (400 for non-standard ones such as QUERY), not
# with 405 and an Allow header.
# From the temporary folder, so that st's cache stays out of the repository.
cd "$work"
st run "http://127.0.0.1:$port/api/v1/openapi.json" \
    --wait-for-schema 60 \
    --checks all --exclude-checks unsupported_method \
    --workers 4 \
    "$@"

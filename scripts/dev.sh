#!/usr/bin/env bash
# Runs the whole stack on this machine, offline: set up, start `passa devnet`, deploy the
# contracts, play a season of activity with real wallets (`passa demo`), mirror it into
# PostgreSQL (`passa sync --once`), check the mirror against the chain (`passa verify`) and
# print a short summary read from the mirror.
#
#   scripts/dev.sh            # a fresh devnet and a fresh database `passa_dev`
#   PASSA_DEV_KEEP=1 scripts/dev.sh   # leave the devnet running at the end (Ctrl-C stops it)
#
# Environment: DATABASE_URL (default postgres://passa:passa@127.0.0.1:5432/passa_dev; the
# database is dropped and re-created), PASSA_DEV_PORT (default 8000).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

export DATABASE_URL="${DATABASE_URL:-postgres://passa:passa@127.0.0.1:5432/passa_dev}"
PORT="${PASSA_DEV_PORT:-8000}"
export PASSA_NETWORK=local
export STELLAR_RPC_URL="http://127.0.0.1:$PORT/"
STATE=.passa/dev
step() { printf '==> %s\n' "$*"; }

step "Set up (PostgreSQL, toolchains, build, contracts' wasm)"
DATABASE_URL="${DATABASE_URL%/*}/passa" scripts/setup.sh
PASSA="${CARGO_TARGET_DIR:-$PWD/target}/debug/passa"

step "A fresh database ${DATABASE_URL##*/}"
psql_url="${DATABASE_URL%/*}/postgres"
psql -X -q "$psql_url" -c "DROP DATABASE IF EXISTS \"${DATABASE_URL##*/}\" WITH (FORCE)" >/dev/null
"$PASSA" db create
"$PASSA" db migrate >/dev/null
"$PASSA" db seed

step "Start passa devnet on 127.0.0.1:$PORT (state in $STATE)"
rm -rf "$STATE"
mkdir -p "$STATE"
"$PASSA" devnet --listen "127.0.0.1:$PORT" --state-dir "$STATE/ledger" --ledger-close-ms 500 \
  >"$STATE/devnet.log" 2>&1 &
DEVNET_PID=$!
stop_devnet() { kill "$DEVNET_PID" 2>/dev/null && wait "$DEVNET_PID" 2>/dev/null || true; }
if [ "${PASSA_DEV_KEEP:-0}" != 1 ]; then
  trap stop_devnet EXIT
fi
for _ in $(seq 1 50); do
  grep -q '^rpc:' "$STATE/devnet.log" 2>/dev/null && break
  sleep 0.1
done
grep -q '^rpc:' "$STATE/devnet.log" || { cat "$STATE/devnet.log" >&2; exit 1; }

step "Deploy (the admin key is $STATE/admin.toml)"
"$PASSA" keys generate --out "$STATE/admin.toml" --fund >/dev/null
"$PASSA" deploy --source "$STATE/admin.toml"

step "A season of activity (about a minute: the event has to start and end)"
"$PASSA" demo --source "$STATE/admin.toml" --seed "dev-$(date +%s)"

step "Mirror it"
"$PASSA" sync --once
"$PASSA" sync parked

step "Verify the mirror against the chain"
"$PASSA" verify

step "Summary, read from the mirror"
psql -X -q "$DATABASE_URL" <<'SQL'
\pset footer off
SELECT e.title, e.status, e.tickets_sold,
       round(e.gross_sales_raw / 1e7, 2) AS gross_xlm, round(e.refunds_raw / 1e7, 2) AS refunds_xlm
  FROM events e ORDER BY e.title;
SELECT t.token_id, e.title, t.ticket_tier, t.ticket_status, coalesce(u.username, '(no user)') AS owner,
       left(t.owner_address, 8) || '…' AS address
  FROM tickets t JOIN events e USING (event_id) LEFT JOIN users u ON u.user_id = t.owner_user_id
 ORDER BY t.token_id;
SELECT a.contribution_type, a.share_type, a.percentage_share, round(a.fixed_amount, 2) AS fixed,
       a.status, round(a.amount_paid, 2) AS paid_xlm, coalesce(u.username, left(a.contributor_address, 8)) AS who
  FROM attribution a LEFT JOIN users u ON u.user_id = a.user_id ORDER BY a.status, a.contribution_type;
SQL
if [ "${PASSA_DEV_KEEP:-0}" = 1 ]; then
  step "passa devnet keeps running (pid $DEVNET_PID) at $STELLAR_RPC_URL"
fi

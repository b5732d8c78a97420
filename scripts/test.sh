#!/usr/bin/env bash
# Everything CI checks, in the order it checks it; run it before pushing.
#   1. scripts/setup.sh: toolchains, PostgreSQL, build, the contracts' wasm (the contract wasm
#      tests load target/wasm/*.wasm, so it must come before the tests), migrated database.
#      Fast when everything is already there;
#   2. formatting and lints (skip with PASSA_SKIP_LINT=1 while iterating);
#   3. every Rust test, against the PostgreSQL at DATABASE_URL (the database tests create and
#      drop their own uniquely named databases there; the schema tests then run twice at
#      once to show two runs on one server do not collide), then the contract tests against
#      the built wasm and the Node tests.
# Exits non-zero at the first failure.
#
# Environment:
#   DATABASE_URL       default postgres://passa:passa@127.0.0.1:5432/passa
#   PASSA_SKIP_LINT=1  skip cargo fmt and cargo clippy

set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

export DATABASE_URL="${DATABASE_URL:-postgres://passa:passa@127.0.0.1:5432/passa}"

step() { printf '==> %s\n' "$*"; }

scripts/setup.sh
# setup.sh may have found cargo through ~/.cargo/env; do the same here.
if ! command -v cargo >/dev/null 2>&1 && [ -f "$HOME/.cargo/env" ]; then
  # shellcheck disable=SC1091
  . "$HOME/.cargo/env"
fi

if [ "${PASSA_SKIP_LINT:-0}" = 1 ]; then
  step "Lint: skipped (PASSA_SKIP_LINT=1)"
else
  step "Format (cargo fmt --check)"
  cargo fmt --all --check
  step "Lint (cargo clippy, warnings are errors)"
  cargo clippy --quiet --workspace --all-targets --locked -- -D warnings
fi

# The crate graph is the data flow (README, Layout): the indexer carries neither the local
# network, the deployer nor the demo, and no crate's modules import each other in a circle.
step "Layering (the indexer's dependencies; no circle of modules)"
sync_deps=$(cargo tree --locked -p passa-sync -e normal --prefix none)
for forbidden in passa-devnet soroban-simulation soroban-env-host passa-deploy passa-testdb; do
  if grep -q "^$forbidden " <<<"$sync_deps"; then
    echo "error: passa-sync depends on $forbidden (cargo tree -p passa-sync -e normal -i $forbidden)" >&2
    exit 1
  fi
done
python3 scripts/check-layering.py

step "Rust tests"
# --no-fail-fast: run every test binary and report every failure in one go (still exits
# non-zero if any failed).
cargo test --workspace --locked --no-fail-fast

# Every database test makes a database of its own with a name no other run picks
# (offchain/testdb), so two runs on one server — two checkouts, a developer and CI — never drop
# each other's. Shown here by running the schema tests twice at once.
step "The schema tests, twice at once on one server"
schema_tests=$(cargo test --locked -p passa-db --test schema --no-run 2>&1 |
  sed -n 's/^ *Executable .*(\(.*\))$/\1/p')
[ -x "$schema_tests" ] || { echo "error: cargo did not name the schema test binary" >&2; exit 1; }
"$schema_tests" -q &
first_run=$!
"$schema_tests" -q
wait "$first_run"

# The restore drill as an operator runs it, on a scratch cluster of its own (its socket in a
# private directory, so the port never collides with anything): a full backup, restores to a
# time, a named point, an xid and immediate, each checked by markers, amcheck and a dump.
step "Restore drill (passa db backup drill, small database)"
"${CARGO_TARGET_DIR:-$PWD/target}/debug/passa" db backup drill --size-mb 8 --archive-timeout 2

# The same contract tests again, this time against the optimised wasm that setup.sh built
# into target/wasm (what is deployed), not the native build.
step "Contract tests against the built wasm (target/wasm)"
if [ "${PASSA_SKIP_LINT:-0}" != 1 ]; then
  cargo clippy --quiet --locked -p passa-ticketing -p passa-attribution -p passa-revenue \
    --all-targets --features wasm-tests -- -D warnings
fi
cargo test --locked --no-fail-fast -p passa-ticketing -p passa-attribution -p passa-revenue \
  --features wasm-tests

# Node tests: the official @stellar/stellar-sdk (a second, independent client) against a
# `passa devnet` it spawns from the binary setup.sh built (deploy the test contract, invoke it,
# read its events). Skipped only when node or npm is missing.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  step "Node tests (offchain/devnet/js: @stellar/stellar-sdk against passa devnet, node $(node --version))"
  PASSA_BIN="${CARGO_TARGET_DIR:-$PWD/target}/debug/passa"
  export PASSA_BIN
  (cd offchain/devnet/js && npm ci --quiet --no-audit --no-fund && npm test --silent)
else
  step "Node tests: SKIPPED (node and/or npm not installed; Debian/Ubuntu: apt-get install nodejs npm, node >= 20)"
fi

step "All checks passed"

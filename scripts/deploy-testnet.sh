#!/usr/bin/env bash
# Deploys the Passa contracts to Stellar's testnet and registers them in the database — the
# same `passa deploy` that CI runs against `passa devnet`, pointed at testnet. Needs internet
# (https://soroban-testnet.stellar.org and https://friendbot.stellar.org); never run by CI.
#
#   scripts/deploy-testnet.sh [extra passa deploy flags…]
#
# The signing key, first found of:
#   PASSA_SECRET_KEY            an S… secret in the environment;
#   PASSA_SOURCE=FILE|IDENTITY  a key file or a stellar CLI identity name;
#   .passa/testnet-deployer.toml, generated (and funded by friendbot) on the first run.
# Re-running is safe: what is deployed and registered already is left alone.
#
# Environment: DATABASE_URL (default postgres://passa:passa@127.0.0.1:5432/passa),
# STELLAR_RPC_URL (default SDF's testnet RPC), PASSA_DEPLOYMENT (default main).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

export DATABASE_URL="${DATABASE_URL:-postgres://passa:passa@127.0.0.1:5432/passa}"
step() { printf '==> %s\n' "$*"; }

step "Build passa and the contracts' wasm"
cargo build --quiet --release --locked -p passa
PASSA="${CARGO_TARGET_DIR:-$PWD/target}/release/passa"
scripts/build-contracts.sh

step "Database"
"$PASSA" db create
"$PASSA" db migrate

source_args=()
if [ -n "${PASSA_SECRET_KEY:-}" ]; then
  step "Key: PASSA_SECRET_KEY"
elif [ -n "${PASSA_SOURCE:-}" ]; then
  step "Key: $PASSA_SOURCE"
  source_args=(--source "$PASSA_SOURCE")
else
  key=.passa/testnet-deployer.toml
  if [ ! -f "$key" ]; then
    step "Key: generating $key and funding it through friendbot"
    mkdir -p .passa
    "$PASSA" keys generate --out "$key" --fund --network testnet
  else
    step "Key: $key"
  fi
  source_args=(--source "$key")
fi
"$PASSA" keys fund --network testnet "${source_args[@]}" >/dev/null

step "Deploy to testnet"
"$PASSA" deploy --network testnet --deployment "${PASSA_DEPLOYMENT:-main}" "${source_args[@]}" "$@"

step "Registry"
"$PASSA" contracts list --network testnet

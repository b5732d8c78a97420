#!/usr/bin/env bash
# Cost report of the attribution and revenue contracts, measured on the optimised wasm with
# `env.cost_estimate().resources()` (CPU instructions, memory, ledger reads / writes and
# bytes, event bytes) for every public function, plus the wasm sizes. Re-runnable:
#
#   scripts/contract-costs.sh            # builds the wasm, writes target/wasm/COSTS.md
#   scripts/contract-costs.sh --targets  # also runs the (ignored) issue targets
#
# Ticketing is a native mock in these tests, so calls into ticketing are cheaper than on a
# network; revenue, attribution and the Stellar Asset Contract are real.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
scripts/build-contracts.sh passa-attribution passa-revenue >&2
OUT="$ROOT/target/wasm/COSTS.md"
{
  echo "# Contract costs ($(date -u +%Y-%m-%dT%H:%MZ), soroban-sdk test host, wasm)"
  echo
  echo "| wasm | bytes | KiB |"
  echo "|---|---:|---:|"
  for f in target/wasm/passa_attribution.wasm target/wasm/passa_revenue.wasm; do
    b=$(stat -c %s "$f"); echo "| $(basename "$f") | $b | $(awk "BEGIN{printf \"%.1f\", $b/1024}") |"
  done
  cargo test --quiet -p passa-attribution -p passa-revenue --features wasm-tests \
    wasm_cost_report -- --nocapture --test-threads 1 2>/dev/null |
    grep -E '^(\||#|$)' | grep -v '^$$' || true
} > "$OUT"
if [[ "${1:-}" == "--targets" ]]; then
  cargo test -p passa-revenue --features wasm-tests wasm_cost_targets -- --ignored --nocapture
fi
cat "$OUT"
echo "written to $OUT" >&2

#!/usr/bin/env bash
# Rebuilds ../tests/fixtures/devnet_test_contract.wasm with Debian's Rust (see TOOLCHAIN.md).
# The spec is not shaken: the devnet tests never read it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 \
CARGO_TARGET_WASM32V1_NONE_LINKER=/usr/lib/llvm-22/bin/wasm-ld \
SOROBAN_SDK_BUILD_SYSTEM_SUPPORTS_SPEC_SHAKING_V2=1 \
CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}" \
/usr/bin/cargo build --release --target wasm32v1-none -Zbuild-std=core,alloc
wasm-opt -Oz --mvp-features --enable-mutable-globals --enable-sign-ext \
  "${CARGO_TARGET_DIR:-target}/wasm32v1-none/release/devnet_test_contract.wasm" \
  -o ../tests/fixtures/devnet_test_contract.wasm

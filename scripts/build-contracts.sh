#!/usr/bin/env bash
# Builds every Soroban contract of the workspace (crates under contracts/ with crate-type
# cdylib) to wasm32v1-none, shakes their spec, optimises them and writes:
#
#   target/wasm/<crate_name>.wasm         e.g. passa_ticketing.wasm, passa_attribution.wasm,
#   target/wasm/<crate_name>.wasm.sha256       passa_revenue.wasm (the crate name, '-' → '_')
#
# The compiler is the first of:
#   1. the stellar CLI (`stellar contract build`), when installed and rustup has the
#      wasm32v1-none target (the CLI compiles with rustup's toolchain, so without the target it
#      cannot build; a CLI on a machine without it is skipped, with a note);
#   2. a rustup toolchain with the wasm32v1-none target installed;
#   3. Debian's Rust with its std sources (RUSTC_BOOTSTRAP=1, -Zbuild-std=core,alloc, wasm-ld
#      from llvm-22); see TOOLCHAIN.md.
# always with the workspace's `contract` profile (lto, panic abort, strip), but opt-level 3
# (PASSA_WASM_OPT_LEVEL overrides it, e.g. z): measured on these contracts, opt-level 3 then
# `wasm-opt -Oz` gives both smaller and cheaper wasm than opt-level z (ticketing 55 023 ->
# 49 907 bytes, purchase 1 023 957 -> 941 717 instructions; attribution 23 817 -> 18 824 bytes;
# revenue 26 723 -> 25 370 bytes, claim 1 348 794 -> 1 243 778; REQUESTS.md item 2).
# Then, for each wasm:
#   * spec shaking (passa-wasm-shake, i.e. soroban_spec::shaking::{find_all, filter}, as
#     `stellar contract build` does) rewrites the contractspecv0 section, and the same tool
#     unexports the toolchain's globals `_`, `__data_end`, `__heap_base` (no host or client
#     uses them; every export costs ~2.3k instructions on every call); docs in the spec per
#     PASSA_SPEC_DOCS=keep|summary|strip (summary: one line per function, type, event;
#     strip by default: full docs cost ~8 KB, summaries ~2-3 KB per contract, and the
#     size target is 20 KiB; the docs live in the source and `cargo doc`);
#   * `wasm-opt -Oz` restricted to the wasm features Soroban's VM accepts (MVP + mutable
#     globals + sign extension; no floats, multi-value, reference types, bulk memory);
#   * sha256.
# Every builder links with a 60 KiB stack (PASSA_WASM_STACK_SIZE overrides it): one memory page.
# Builds are deterministic: paths are remapped, so two builds give identical hashes.
#
# Usage: scripts/build-contracts.sh [--via stellar|rustup|debian] [package …]
#   PASSA_WASM_BUILDER=stellar|rustup|debian forces a builder, like --via.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/target/wasm"
TARGET=wasm32v1-none
PROFILE=contract
# A target dir of its own: the wasm build never invalidates the native build's artefacts.
export CARGO_TARGET_DIR="${PASSA_WASM_TARGET_DIR:-$ROOT/target/wasm-build}"
export SOROBAN_SDK_BUILD_SYSTEM_SUPPORTS_SPEC_SHAKING_V2=1
# Cargo's profile override by environment: applies to every builder (they all run cargo).
export CARGO_PROFILE_CONTRACT_OPT_LEVEL="${PASSA_WASM_OPT_LEVEL:-3}"

via="${PASSA_WASM_BUILDER:-}"
packages=()
while (($#)); do
  case "$1" in
    --via) via="$2"; shift 2 ;;
    --via=*) via="${1#--via=}"; shift ;;
    -h|--help) sed -n '2,35p' "$0"; exit 0 ;;
    *) packages+=("$1"); shift ;;
  esac
done

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'build-contracts: %s\n' "$*" >&2; exit 1; }

# Contract packages: crates under contracts/ whose [lib] crate-type includes cdylib.
if ((${#packages[@]} == 0)); then
  while IFS= read -r manifest; do
    if grep -Eq '^crate-type *= *\[[^]]*"cdylib"' "$manifest"; then
      packages+=("$(sed -nE 's/^name *= *"([^"]+)".*/\1/p' "$manifest" | head -n1)")
    fi
  done < <(find "$ROOT/contracts" -name Cargo.toml -not -path '*/target/*' | sort)
fi
((${#packages[@]})) || die "no contract crates found under contracts/"

pkg_args=()
for p in "${packages[@]}"; do pkg_args+=(-p "$p"); done

# Deterministic output: no absolute paths of this machine in the wasm.
remap="--remap-path-prefix=$ROOT=/passa --remap-path-prefix=${CARGO_HOME:-$HOME/.cargo}=/cargo"
# A 60 KiB stack instead of wasm-ld's default 1 MiB: with the contracts' static data (< 4 KiB)
# the module then fits in 1 memory page instead of 17, and the host charges the memory's
# allocation on every call (1 MiB -> 64 KiB: MemAlloc ~230k -> ~108k instructions per call,
# contracts/common/REQUESTS.md item 1; 2 pages -> 1 page: ~8k instructions and 65 KB of memory
# less per contract instantiated). The wasm tests (every ticketing test runs against the wasm)
# check that no path overflows it; the build warns when a module needs more than one page.
STACK_SIZE="${PASSA_WASM_STACK_SIZE:-61440}"
rustflags="$remap -C link-arg=-zstack-size=$STACK_SIZE"

have_rustup_target() {
  command -v rustup >/dev/null 2>&1 &&
    rustup target list --installed 2>/dev/null | grep -qx "$TARGET"
}

if [[ -z "$via" ]]; then
  if have_rustup_target; then
    if command -v stellar >/dev/null 2>&1; then via=stellar; else via=rustup; fi
  else
    command -v stellar >/dev/null 2>&1 &&
      log "stellar CLI found, but rustup has no $TARGET target for it to build with: using Debian's Rust"
    via=debian
  fi
fi

cd "$ROOT"
case "$via" in
  stellar)
    log "building ${packages[*]} with the stellar CLI"
    for p in "${packages[@]}"; do
      RUSTFLAGS="$rustflags" stellar contract build --package "$p" --profile "$PROFILE" \
        --out-dir "$CARGO_TARGET_DIR/$TARGET/$PROFILE"
    done
    ;;
  rustup)
    log "building ${packages[*]} with rustup's toolchain ($TARGET)"
    RUSTFLAGS="$rustflags" cargo build --locked --target "$TARGET" --profile "$PROFILE" "${pkg_args[@]}"
    ;;
  debian)
    log "building ${packages[*]} with Debian's Rust and -Zbuild-std"
    [[ -x /usr/bin/cargo && -x /usr/bin/rustc ]] || die "Debian's cargo/rustc not found (see TOOLCHAIN.md)"
    linker=/usr/lib/llvm-22/bin/wasm-ld
    [[ -x "$linker" ]] || linker="$(command -v wasm-ld || true)"
    [[ -n "$linker" ]] || die "wasm-ld not found (apt-get install lld-22)"
    RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1 RUSTUP_TOOLCHAIN= \
      CARGO_TARGET_WASM32V1_NONE_LINKER="$linker" RUSTFLAGS="$rustflags" \
      /usr/bin/cargo build --locked --target "$TARGET" --profile "$PROFILE" \
      -Zbuild-std=core,alloc "${pkg_args[@]}"
    ;;
  *) die "unknown builder '$via' (stellar, rustup or debian)" ;;
esac

# The shaking tool is a native binary of this workspace (built with the default toolchain,
# into the normal target dir).
log "building the spec-shaking tool"
CARGO_TARGET_DIR="$ROOT/target" cargo build --locked --quiet --release -p passa-wasm-shake
SHAKE="$ROOT/target/release/passa-wasm-shake"

command -v wasm-opt >/dev/null 2>&1 || die "wasm-opt not found (apt-get install binaryen)"
# Soroban's VM (wasmi, soroban-env-host budget/wasmi_helper.rs) enables MVP + mutable globals,
# sign extension and bulk memory only. wasm32v1-none emits MVP + mutable globals; let wasm-opt
# use no more than MVP + mutable globals + sign extension.
WASM_OPT_FEATURES=(--mvp-features --enable-mutable-globals --enable-sign-ext)

mkdir -p "$OUT"
for p in "${packages[@]}"; do
  name="${p//-/_}"
  built="$CARGO_TARGET_DIR/$TARGET/$PROFILE/$name.wasm"
  [[ -f "$built" ]] || die "missing $built"
  shaken="$CARGO_TARGET_DIR/$name.shaken.wasm"
  "$SHAKE" --docs "${PASSA_SPEC_DOCS:-strip}" "$built" "$shaken" >&2
  wasm-opt -Oz --converge "${WASM_OPT_FEATURES[@]}" "$shaken" -o "$OUT/$name.wasm"
  (cd "$OUT" && sha256sum "$name.wasm" > "$name.wasm.sha256")
  # The memory section's minimum pages (section id 5: count, flags, min as LEB128).
  pages=$(od -An -v -tu1 "$OUT/$name.wasm" | tr -s ' ' '\n' | awk '
    NF { b[n++] = $1 }
    END {
      i = 8
      while (i < n) {
        id = b[i++]; len = 0; s = 1
        do { x = b[i++]; len += (x % 128) * s; s *= 128 } while (x >= 128)
        if (id == 5) { print b[i + 2]; exit }
        i += len
      }
    }')
  [[ "$pages" == 1 ]] || log "warning: $name.wasm needs ${pages:-?} memory pages (stack $STACK_SIZE + data > 64 KiB)"
  printf '%-28s %7d bytes  sha256 %s\n' "$name.wasm" "$(stat -c %s "$OUT/$name.wasm")" \
    "$(cut -d' ' -f1 "$OUT/$name.wasm.sha256")"
done

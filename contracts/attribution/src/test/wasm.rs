//! The key flows against the optimised wasm (`target/wasm/passa_attribution.wasm`).

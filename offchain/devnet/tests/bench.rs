//! The benchmarks of [`passa_devnet::bench`] as ignored tests (`passa bench devnet` runs the
//! same functions):
//!
//! ```text
//! cargo test -p passa-devnet --release --test bench -- --ignored --nocapture
//! ```
//!
//! `BENCH_CLIENTS` (60), `BENCH_ROUNDS` (10), `BENCH_LEDGER_CLOSE_MS` (100) and
//! `BENCH_ENTRIES` (100 000) change the defaults.
use std::time::Duration;

use passa_devnet::bench::{self, BenchOptions};

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Fails below 200 invocations/s applied end to end through the RPC port.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run with --release -- --ignored --nocapture"]
async fn invocations_per_second_through_the_port() {
    let defaults = BenchOptions::default();
    let options = BenchOptions {
        clients: env_or("BENCH_CLIENTS", defaults.clients),
        rounds: env_or("BENCH_ROUNDS", defaults.rounds),
        ledger_close: Duration::from_millis(env_or(
            "BENCH_LEDGER_CLOSE_MS",
            defaults.ledger_close.as_millis() as usize,
        ) as u64),
    };
    let report = bench::invocations_per_second(options.clone())
        .await
        .unwrap();
    println!("{report}");
    assert_eq!(report.invocations, options.clients * options.rounds);
    assert!(
        report.meets_target(),
        "{:.0} invocations/s",
        report.per_second
    );
}

/// Memory with 100 000 entries; one invocation must still succeed at that size, and the
/// state must save and load whole.
#[test]
#[ignore = "benchmark: run with --release -- --ignored --nocapture"]
fn memory_after_100_000_entries() {
    let entries = env_or("BENCH_ENTRIES", 100_000);
    let report = bench::memory_after_entries(entries).unwrap();
    println!("{report}");
    assert!(report.entries >= entries);
}

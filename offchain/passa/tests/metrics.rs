//! `passa sync --metrics-listen`: a following sync serves Prometheus metrics that show it
//! mirroring the devnet's ledgers.
#![cfg(feature = "devnet")]

mod support;

use std::process::{Command, Stdio};
use std::time::Duration;

use passa_db::migrations::MIGRATOR;
use passa_testdb::TestDb;

/// The value of metric `name` in a text exposition.
fn value(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test]
async fn a_following_sync_serves_its_lag_and_counters() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    let local = support::devnet().await;
    let admin = support::funded(&local.rpc).await;
    support::deployed(&local.rpc, &pool, &admin).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let listen = format!("127.0.0.1:{port}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_passa"))
        .args([
            "sync",
            "--rpc-url",
            &local.devnet.rpc_url(),
            "--metrics-listen",
            &listen,
        ])
        .env("DATABASE_URL", db.url())
        .env_remove("PASSA_FAILPOINT")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("passa sync starts");

    let url = format!("http://{listen}/metrics");
    let mut text = String::new();
    let mut caught_up = false;
    for _ in 0..150 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let Ok(response) = reqwest::get(&url).await else {
            continue;
        };
        text = response.text().await.unwrap_or_default();
        let last = value(&text, "passa_sync_last_ledger").unwrap_or(0.0);
        let lag = value(&text, "passa_sync_lag_ledgers").unwrap_or(f64::MAX);
        if last > 0.0 && lag <= 1.0 && value(&text, "passa_sync_rpc_up") == Some(1.0) {
            caught_up = true;
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        caught_up,
        "the sync never reported itself caught up:\n{text}"
    );
    assert!(
        text.contains("# TYPE passa_sync_events_applied_total counter"),
        "{text}"
    );
    assert!(
        value(&text, "passa_sync_rpc_latency_seconds").is_some(),
        "{text}"
    );
    local.devnet.shutdown().await;
}

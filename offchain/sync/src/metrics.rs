//! What `passa sync` reports while it runs: Prometheus metrics on an HTTP endpoint
//! (`--metrics-listen`), and a progress bar on a terminal while it catches up.
//!
//! Metrics (text exposition format 0.0.4, at `GET /metrics`):
//! - `passa_sync_last_ledger`: every ledger up to this one is mirrored;
//! - `passa_sync_latest_ledger`: the RPC server's latest ledger, as last seen;
//! - `passa_sync_lag_ledgers`: the difference;
//! - `passa_sync_pages_total`, `passa_sync_events_seen_total`, `passa_sync_events_applied_total`,
//!   `passa_sync_events_ignored_total`, `passa_sync_events_parked_total`,
//!   `passa_sync_events_unparked_total`: since this process started;
//! - `passa_sync_rpc_latency_seconds`: how long the last `getLatestLedger` probe took (one
//!   every few seconds), and `passa_sync_rpc_up` whether it answered.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use crate::options::{Observer, SyncReport};
use passa_stellar::rpc::Rpc;

/// The numbers, shared between the sync, the prober and the HTTP endpoint.
#[derive(Debug, Default)]
pub struct SyncMetrics {
    last_ledger: AtomicU64,
    latest_ledger: AtomicU64,
    pages: AtomicU64,
    seen: AtomicU64,
    applied: AtomicU64,
    ignored: AtomicU64,
    parked: AtomicU64,
    unparked: AtomicU64,
    rpc_latency_micros: AtomicU64,
    rpc_up: AtomicU64,
}

impl SyncMetrics {
    /// Records a run's report so far and the server's latest ledger.
    pub fn record(&self, report: &SyncReport, latest: Option<u32>) {
        self.last_ledger
            .store(u64::from(report.last_ledger), Ordering::Relaxed);
        if let Some(latest) = latest {
            self.latest_ledger
                .fetch_max(u64::from(latest), Ordering::Relaxed);
        }
        for (counter, value) in [
            (&self.pages, report.pages),
            (&self.seen, report.events_seen),
            (&self.applied, report.applied),
            (&self.ignored, report.ignored),
            (&self.parked, report.parked),
            (&self.unparked, report.unparked),
        ] {
            // A report counts from the start of its run; the process may run several.
            counter.fetch_max(value, Ordering::Relaxed);
        }
    }

    /// Records one probe of the RPC server.
    pub fn record_probe(&self, latency: Duration, latest: Option<u32>) {
        self.rpc_latency_micros.store(
            u64::try_from(latency.as_micros()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
        self.rpc_up
            .store(u64::from(latest.is_some()), Ordering::Relaxed);
        if let Some(latest) = latest {
            self.latest_ledger
                .fetch_max(u64::from(latest), Ordering::Relaxed);
        }
    }

    /// The text exposition of every metric.
    pub fn render(&self) -> String {
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let last = get(&self.last_ledger);
        let latest = get(&self.latest_ledger);
        let mut out = String::new();
        let mut metric = |name: &str, kind: &str, help: &str, value: String| {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} {kind}");
            let _ = writeln!(out, "{name} {value}");
        };
        metric(
            "passa_sync_last_ledger",
            "gauge",
            "Every ledger up to this one is mirrored.",
            last.to_string(),
        );
        metric(
            "passa_sync_latest_ledger",
            "gauge",
            "The RPC server's latest ledger, as last seen.",
            latest.to_string(),
        );
        metric(
            "passa_sync_lag_ledgers",
            "gauge",
            "Ledgers the mirror is behind the RPC server.",
            latest.saturating_sub(last).to_string(),
        );
        metric(
            "passa_sync_pages_total",
            "counter",
            "getEvents pages applied.",
            get(&self.pages).to_string(),
        );
        metric(
            "passa_sync_events_seen_total",
            "counter",
            "Events the RPC server returned.",
            get(&self.seen).to_string(),
        );
        metric(
            "passa_sync_events_applied_total",
            "counter",
            "New events applied to the mirror.",
            get(&self.applied).to_string(),
        );
        metric(
            "passa_sync_events_ignored_total",
            "counter",
            "New events with nothing to mirror.",
            get(&self.ignored).to_string(),
        );
        metric(
            "passa_sync_events_parked_total",
            "counter",
            "New events parked.",
            get(&self.parked).to_string(),
        );
        metric(
            "passa_sync_events_unparked_total",
            "counter",
            "Parked events applied on a retry.",
            get(&self.unparked).to_string(),
        );
        metric(
            "passa_sync_rpc_latency_seconds",
            "gauge",
            "Duration of the last getLatestLedger probe.",
            format!("{:.6}", get(&self.rpc_latency_micros) as f64 / 1e6),
        );
        metric(
            "passa_sync_rpc_up",
            "gauge",
            "Whether the last probe of the RPC server answered.",
            get(&self.rpc_up).to_string(),
        );
        out
    }
}

/// Serves `metrics` at `GET /metrics` on `listen` until the process ends; returns the bound
/// address (port 0 picks a free one).
///
/// # Errors
/// The bind error.
pub async fn serve(metrics: Arc<SyncMetrics>, listen: SocketAddr) -> std::io::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let bound = listener.local_addr()?;
    let app = axum::Router::new().route(
        "/metrics",
        axum::routing::get(move || {
            let metrics = metrics.clone();
            async move {
                (
                    [(
                        axum::http::header::CONTENT_TYPE,
                        "text/plain; version=0.0.4; charset=utf-8",
                    )],
                    metrics.render(),
                )
            }
        }),
    );
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::warn!(error = %e, "the metrics endpoint stopped");
        }
    });
    Ok(bound)
}

/// Probes the RPC server every `every` (latency, latest ledger) until the process ends.
pub fn probe(rpc: Rpc, metrics: Arc<SyncMetrics>, every: Duration) {
    tokio::spawn(async move {
        loop {
            let started = Instant::now();
            let latest = rpc.latest_ledger().await.ok();
            metrics.record_probe(started.elapsed(), latest);
            tokio::time::sleep(every).await;
        }
    });
}

/// The sync's observer for the command line: metrics, and a progress bar while catching up
/// (hidden when stderr is not a terminal).
pub struct Reporter {
    metrics: Arc<SyncMetrics>,
    bar: ProgressBar,
    start: std::sync::OnceLock<u32>,
}

impl Reporter {
    /// A reporter feeding `metrics`.
    pub fn new(metrics: Arc<SyncMetrics>) -> Self {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} ledger {msg} [{bar:30}] {percent}% (eta {eta})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Self {
            metrics,
            bar,
            start: std::sync::OnceLock::new(),
        }
    }
}

impl Observer for Reporter {
    fn page(&self, report: &SyncReport, latest: u32) {
        self.metrics.record(report, Some(latest));
        let start = *self.start.get_or_init(|| report.last_ledger);
        self.bar
            .set_length(u64::from(latest.saturating_sub(start)).max(1));
        self.bar
            .set_position(u64::from(report.last_ledger.saturating_sub(start)));
        self.bar.set_message(format!(
            "{} / {latest}: {} applied, {} parked",
            report.last_ledger, report.applied, report.parked
        ));
    }

    fn caught_up(&self, report: &SyncReport) {
        self.metrics.record(report, None);
        self.bar.finish_and_clear();
        tracing::info!(
            ledger = report.last_ledger,
            applied = report.applied,
            "caught up"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_gauges_and_the_lag() {
        let m = SyncMetrics::default();
        let report = SyncReport {
            pages: 3,
            events_seen: 40,
            applied: 30,
            parked: 2,
            last_ledger: 90,
            ..Default::default()
        };
        m.record(&report, Some(100));
        m.record_probe(Duration::from_millis(12), Some(101));
        let text = m.render();
        assert!(text.contains("passa_sync_last_ledger 90\n"), "{text}");
        assert!(text.contains("passa_sync_lag_ledgers 11\n"), "{text}");
        assert!(
            text.contains("passa_sync_events_applied_total 30\n"),
            "{text}"
        );
        assert!(
            text.contains("passa_sync_events_parked_total 2\n"),
            "{text}"
        );
        assert!(
            text.contains("passa_sync_rpc_latency_seconds 0.012000\n"),
            "{text}"
        );
        assert!(
            text.contains("# TYPE passa_sync_pages_total counter\n"),
            "{text}"
        );
        // A later, shorter run in the same process does not move counters back.
        m.record(
            &SyncReport {
                applied: 1,
                last_ledger: 95,
                ..Default::default()
            },
            None,
        );
        assert!(m.render().contains("passa_sync_events_applied_total 30\n"));
    }
}

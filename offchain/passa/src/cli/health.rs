//! `passa db health`: the report of [`passa_db::health`], as text, JSON or Prometheus.

use std::time::{Duration, SystemTime};

use clap::{Args, ValueEnum};

use passa_db::backup::{self, RunAs, Stanza};
use passa_db::config::DbConfig;
use passa_db::health::{self, Health};

use crate::error::Result;

/// How the report is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HealthFormat {
    /// For a terminal.
    Text,
    /// One JSON document.
    Json,
    /// Prometheus text format (node_exporter's textfile collector, or a scrape wrapper).
    Prometheus,
}

/// `passa db health …`
#[derive(Debug, Clone, Args)]
pub struct HealthArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: HealthFormat,
    /// Statements slower than this on average (ms) are listed as slow.
    #[arg(long, value_name = "MS", default_value_t = 100)]
    pub slow_ms: u64,
    /// Report the age of this pgBackRest stanza's newest full backup too (when configured).
    #[arg(long, value_name = "NAME", default_value = "passa")]
    pub stanza: String,
    /// pgBackRest's configuration directory (see `passa db backup`).
    #[arg(long, value_name = "DIR", default_value = "/etc/pgbackrest")]
    pub backup_config_dir: std::path::PathBuf,
}

/// Runs `passa db health`.
pub async fn run(config: &DbConfig, args: &HealthArgs) -> Result<()> {
    let mut conn = passa_db::connect(config).await?;
    let report = health::read(&mut conn, Duration::from_millis(args.slow_ms)).await;
    passa_db::close(conn).await;
    let mut report = report.map_err(passa_db::Error::Query)?;
    report.backup_age_seconds = backup_age(args).await;
    match args.format {
        HealthFormat::Text => out!("{}", render(&report).trim_end()),
        HealthFormat::Json => out!(
            "{}",
            serde_json::to_string_pretty(&report)
                .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
        ),
        HealthFormat::Prometheus => out!("{}", report.prometheus().trim_end()),
    }
    Ok(())
}

/// The newest full backup's age, when the stanza is configured and readable here.
async fn backup_age(args: &HealthArgs) -> Option<f64> {
    let stanza = Stanza {
        name: args.stanza.clone(),
        config_dir: args.backup_config_dir.clone(),
        run_as: RunAs::default_for_this_process(),
    };
    if !stanza.stanza_file().exists() {
        return None;
    }
    match backup::list(&stanza, SystemTime::now()).await {
        Ok(listing) => listing.newest_full_age.map(|a| a.as_secs_f64()),
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the backups' age");
            None
        }
    }
}

fn render(h: &Health) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "server: PostgreSQL {}{}, database {:.1} MB, cache hit ratio {}",
        h.server.version,
        if h.server.in_recovery {
            " (replica)"
        } else {
            ""
        },
        h.server.database_bytes as f64 / 1e6,
        h.cache_hit_ratio
            .map_or_else(|| "-".to_owned(), |r| format!("{:.2} %", r * 100.0))
    );
    if let Some(why) = &h.statements_missing {
        let _ = writeln!(s, "\nqueries: {why}");
    }
    for (title, rows) in [
        ("top queries by total time", &h.top_queries),
        ("slow queries (mean)", &h.slow_queries),
    ] {
        if !rows.is_empty() {
            let _ = writeln!(s, "\n{title}:");
        }
        for q in rows {
            let _ = writeln!(
                s,
                "  {:>10.1} ms total {:>8.2} ms mean {:>8} calls  {}",
                q.total_ms, q.mean_ms, q.calls, q.query
            );
        }
    }
    let _ = writeln!(s, "\nunused indexes: {}", h.unused_indexes.len());
    for i in h.unused_indexes.iter().take(10) {
        let _ = writeln!(
            s,
            "  {}.{} ({:.1} MB)",
            i.table,
            i.index,
            i.bytes as f64 / 1e6
        );
    }
    let _ = writeln!(s, "duplicate indexes: {}", h.duplicate_indexes.len());
    for group in &h.duplicate_indexes {
        let _ = writeln!(s, "  {}", group.join(" = "));
    }
    let _ = writeln!(s, "\nbloat (dead tuples):");
    for b in &h.bloat {
        let _ = writeln!(
            s,
            "  {:<28} {:>10} dead / {:>10} live ({:.1} %)",
            b.table,
            b.dead,
            b.live,
            b.dead_ratio * 100.0
        );
    }
    let _ = writeln!(s, "\nconnections:");
    for c in &h.connections {
        let _ = writeln!(s, "  {:<24} {:<28} {}", c.role, c.state, c.count);
    }
    let _ = writeln!(s, "\nbehind on vacuum/analyze: {}", h.maintenance_lag.len());
    for m in &h.maintenance_lag {
        let _ = writeln!(
            s,
            "  {:<28} {:>8} changed since analyze, {:>8} dead",
            m.table, m.modified_since_analyze, m.dead
        );
    }
    let _ = writeln!(s, "\npartitions:");
    for p in &h.partitions {
        let _ = writeln!(
            s,
            "  {:<20} {:>3} partitions, {:>2} months ahead, {} rows in default",
            p.table, p.partitions, p.months_ahead, p.default_rows
        );
    }
    let _ = writeln!(s, "\nreplication:");
    if h.replication.is_empty() {
        let _ = writeln!(s, "  no replicas");
    }
    for r in &h.replication {
        let _ = writeln!(
            s,
            "  {:<20} {:<10} replay lag {:.1} s, {} bytes",
            r.name,
            r.state,
            r.replay_lag_s.unwrap_or(0.0),
            r.lag_bytes.unwrap_or(0)
        );
    }
    let _ = writeln!(
        s,
        "\nbackup: {}",
        h.backup_age_seconds.map_or_else(
            || "no stanza configured here".to_owned(),
            |a| format!("newest full backup {:.1} h old", a / 3600.0)
        )
    );
    s
}

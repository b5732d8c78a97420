//! `passa db health`: what a DBA looks at first, in one report — the queries that cost the
//! most (pg_stat_statements), slow ones, unused and duplicate indexes, dead-tuple bloat, the
//! cache hit ratio, connections by role and state, tables that autovacuum or autoanalyze are
//! behind on, how far ahead the monthly partitions reach, replication lag, and the backup's
//! age (when a stanza is given). Every figure comes from the server's own statistics views;
//! nothing here changes anything.

use std::time::Duration;

use serde::Serialize;
use sqlx::PgConnection;

/// Queries slower than this on average are listed as slow.
pub const DEFAULT_SLOW_MEAN: Duration = Duration::from_millis(100);

/// The report.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Health {
    /// Server version and whether it is a replica.
    pub server: Server,
    /// The ten queries with the most total execution time (when pg_stat_statements is there).
    pub top_queries: Vec<QueryStat>,
    /// Queries whose mean time exceeds the slow threshold.
    pub slow_queries: Vec<QueryStat>,
    /// Why the query lists are empty, when pg_stat_statements is not installed.
    pub statements_missing: Option<String>,
    /// Indexes never scanned that enforce nothing (not unique, not a primary key); those of
    /// partitions are left out (each repeats its parent's).
    pub unused_indexes: Vec<IndexStat>,
    /// Indexes with the same table, columns, operator classes, expressions and predicate.
    pub duplicate_indexes: Vec<Vec<String>>,
    /// Tables with the most dead tuples (an estimate of bloat).
    pub bloat: Vec<TableBloat>,
    /// Share of buffer reads served from shared buffers, this database.
    pub cache_hit_ratio: Option<f64>,
    /// Connections to this server by role and state.
    pub connections: Vec<Connections>,
    /// Tables autovacuum or autoanalyze are behind on.
    pub maintenance_lag: Vec<MaintenanceLag>,
    /// The partitioned tables: partitions, how far ahead they reach, rows in the default.
    pub partitions: Vec<PartitionCoverage>,
    /// Streaming replicas of this server (on a primary), or this replica's replay delay.
    pub replication: Vec<Replication>,
    /// The newest full backup's age in seconds, when known.
    pub backup_age_seconds: Option<f64>,
}

/// The server.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Server {
    /// `server_version`.
    pub version: String,
    /// `pg_is_in_recovery()`: a replica (or a copy still recovering).
    pub in_recovery: bool,
    /// The database's size, bytes.
    pub database_bytes: i64,
}

/// One statement's totals.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct QueryStat {
    /// The normalized text, shortened.
    pub query: String,
    /// Executions.
    pub calls: i64,
    /// Total execution time, ms.
    pub total_ms: f64,
    /// Mean, ms.
    pub mean_ms: f64,
    /// Rows returned or affected.
    pub rows: i64,
}

/// One index.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct IndexStat {
    /// Its table.
    pub table: String,
    /// The index.
    pub index: String,
    /// Its size, bytes.
    pub bytes: i64,
}

/// One table's dead tuples.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct TableBloat {
    /// The table.
    pub table: String,
    /// Live tuples (estimate).
    pub live: i64,
    /// Dead tuples (estimate).
    pub dead: i64,
    /// dead / (live + dead).
    pub dead_ratio: f64,
    /// Its size with indexes and TOAST, bytes.
    pub bytes: i64,
}

/// Connections of a role in a state.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Connections {
    /// The role (`-` for background workers).
    pub role: String,
    /// active, idle, idle in transaction, …
    pub state: String,
    /// How many.
    pub count: i64,
}

/// A table autovacuum or autoanalyze is behind on.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct MaintenanceLag {
    /// The table.
    pub table: String,
    /// Rows changed since it was last analyzed.
    pub modified_since_analyze: i64,
    /// Dead tuples.
    pub dead: i64,
    /// Seconds since it was last vacuumed (by hand or autovacuum), if ever.
    pub since_vacuum_s: Option<f64>,
    /// Seconds since it was last analyzed, if ever.
    pub since_analyze_s: Option<f64>,
}

/// A partitioned table's monthly coverage.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PartitionCoverage {
    /// The partitioned table.
    pub table: String,
    /// Its partitions, the default included.
    pub partitions: i64,
    /// Whole months after the current one with a partition of their own.
    pub months_ahead: i64,
    /// Rows in the default partition (a month without its partition).
    pub default_rows: i64,
}

/// A replica's lag.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Replication {
    /// Its application name (or `this server` on a replica).
    pub name: String,
    /// streaming, catchup, …
    pub state: String,
    /// Seconds behind in replay.
    pub replay_lag_s: Option<f64>,
    /// Bytes of WAL not yet replayed.
    pub lag_bytes: Option<i64>,
}

/// Reads the report (`slow_mean`: the slow-query threshold).
///
/// # Errors
/// The database's.
pub async fn read(conn: &mut PgConnection, slow_mean: Duration) -> Result<Health, sqlx::Error> {
    let mut health = Health {
        server: sqlx::query_as::<_, (String, bool, i64)>(SERVER)
            .fetch_one(&mut *conn)
            .await
            .map(|(version, in_recovery, database_bytes)| Server {
                version,
                in_recovery,
                database_bytes,
            })?,
        ..Health::default()
    };
    statements(conn, slow_mean, &mut health).await?;
    health.unused_indexes = sqlx::query_as(UNUSED_INDEXES).fetch_all(&mut *conn).await?;
    health.duplicate_indexes = sqlx::query_scalar(DUPLICATE_INDEXES)
        .fetch_all(&mut *conn)
        .await?;
    health.bloat = sqlx::query_as(BLOAT).fetch_all(&mut *conn).await?;
    health.cache_hit_ratio = sqlx::query_scalar(CACHE_HIT).fetch_one(&mut *conn).await?;
    health.connections = sqlx::query_as(CONNECTIONS).fetch_all(&mut *conn).await?;
    health.maintenance_lag = sqlx::query_as(MAINTENANCE_LAG)
        .fetch_all(&mut *conn)
        .await?;
    health.partitions = sqlx::query_as(PARTITIONS).fetch_all(&mut *conn).await?;
    let replication = if health.server.in_recovery {
        REPLICA_DELAY
    } else {
        REPLICAS
    };
    health.replication = sqlx::query_as(replication).fetch_all(&mut *conn).await?;
    Ok(health)
}

async fn statements(
    conn: &mut PgConnection,
    slow_mean: Duration,
    health: &mut Health,
) -> Result<(), sqlx::Error> {
    let schema: Option<String> = sqlx::query_scalar(STATEMENTS_SCHEMA)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(schema) = schema else {
        health.statements_missing = Some(
            "pg_stat_statements is not installed in this database: add it to \
             shared_preload_libraries and run CREATE EXTENSION pg_stat_statements as a \
             superuser (scripts/setup.sh does both)"
                .to_owned(),
        );
        return Ok(());
    };
    // The schema comes from the catalog, quoted.
    let view = format!("\"{}\".pg_stat_statements", schema.replace('"', "\"\""));
    let top = format!(
        "{STATEMENT_COLUMNS} FROM {view} s WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
          ORDER BY s.total_exec_time DESC LIMIT 10"
    );
    let slow = format!(
        "{STATEMENT_COLUMNS} FROM {view} s WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
            AND s.mean_exec_time > $1 ORDER BY s.mean_exec_time DESC LIMIT 10"
    );
    let denied = |e: sqlx::Error| match &e {
        // A role without pg_read_all_stats sees only its own statements' texts: still fine;
        // one that cannot read the view at all gets the reason instead of a failed report.
        sqlx::Error::Database(d) if d.code().as_deref() == Some("42501") => Ok(()),
        _ => Err(e),
    };
    match sqlx::query_as(sqlx::AssertSqlSafe(top))
        .fetch_all(&mut *conn)
        .await
    {
        Ok(rows) => health.top_queries = rows,
        Err(e) => denied(e)?,
    }
    match sqlx::query_as(sqlx::AssertSqlSafe(slow))
        .bind(slow_mean.as_secs_f64() * 1000.0)
        .fetch_all(&mut *conn)
        .await
    {
        Ok(rows) => health.slow_queries = rows,
        Err(e) => denied(e)?,
    }
    Ok(())
}

const SERVER: &str =
    "SELECT current_setting('server_version'), pg_is_in_recovery(), pg_database_size(current_database())";

const STATEMENTS_SCHEMA: &str = "
SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
 WHERE e.extname = 'pg_stat_statements'";

const STATEMENT_COLUMNS: &str = "
SELECT left(regexp_replace(s.query, '\\s+', ' ', 'g'), 200) AS query, s.calls,
       s.total_exec_time AS total_ms, s.mean_exec_time AS mean_ms, s.rows";

const UNUSED_INDEXES: &str = "
SELECT s.relname::text AS table, s.indexrelname::text AS index,
       pg_relation_size(s.indexrelid) AS bytes
  FROM pg_stat_user_indexes s JOIN pg_index i ON i.indexrelid = s.indexrelid
  JOIN pg_class t ON t.oid = s.relid
 WHERE s.idx_scan = 0 AND NOT i.indisunique AND NOT i.indisprimary AND NOT t.relispartition
   AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = s.indexrelid)
 ORDER BY pg_relation_size(s.indexrelid) DESC, s.indexrelname
 LIMIT 50";

/// Partitions' indexes are left out: they repeat their parent's on every partition.
const DUPLICATE_INDEXES: &str = "
SELECT array_agg(c.relname::text ORDER BY c.relname)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
  JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND NOT t.relispartition
 GROUP BY i.indrelid, i.indkey::text, i.indclass::text, coalesce(pg_get_expr(i.indexprs, i.indrelid), ''),
          coalesce(pg_get_expr(i.indpred, i.indrelid), '')
HAVING count(*) > 1";

const BLOAT: &str = "
SELECT relname::text AS table, n_live_tup AS live, n_dead_tup AS dead,
       CASE WHEN n_live_tup + n_dead_tup = 0 THEN 0
            ELSE n_dead_tup::float8 / (n_live_tup + n_dead_tup) END AS dead_ratio,
       pg_total_relation_size(relid) AS bytes
  FROM pg_stat_user_tables WHERE n_dead_tup > 0
 ORDER BY n_dead_tup DESC LIMIT 10";

const CACHE_HIT: &str = "
SELECT CASE WHEN blks_hit + blks_read = 0 THEN NULL
            ELSE blks_hit::float8 / (blks_hit + blks_read) END
  FROM pg_stat_database WHERE datname = current_database()";

const CONNECTIONS: &str = "
SELECT coalesce(usename::text, '-') AS role, coalesce(state, backend_type, 'not visible') AS state,
       count(*) AS count
  FROM pg_stat_activity GROUP BY 1, 2 ORDER BY 1, 2";

/// Behind: more than autovacuum's default analyze threshold (10 % + 50 rows) changed since the
/// last analyze, or more than its vacuum threshold (20 % + 50) dead.
const MAINTENANCE_LAG: &str = "
SELECT relname::text AS table, n_mod_since_analyze AS modified_since_analyze, n_dead_tup AS dead,
       extract(epoch FROM now() - greatest(last_vacuum, last_autovacuum))::float8 AS since_vacuum_s,
       extract(epoch FROM now() - greatest(last_analyze, last_autoanalyze))::float8 AS since_analyze_s
  FROM pg_stat_user_tables
 WHERE n_mod_since_analyze > 50 + 0.1 * n_live_tup OR n_dead_tup > 50 + 0.2 * n_live_tup
 ORDER BY n_mod_since_analyze + n_dead_tup DESC LIMIT 20";

/// Monthly partitions are named `<table>_yYYYYmMM` (see the partition functions).
const PARTITIONS: &str = "
SELECT p.relname::text AS table, count(c.oid) AS partitions,
       coalesce(max(CASE WHEN c.relname ~ '_y[0-9]{4}m[0-9]{2}$' THEN
           (extract(year FROM to_date(right(c.relname, 7), 'YYYY\"m\"MM')) * 12
            + extract(month FROM to_date(right(c.relname, 7), 'YYYY\"m\"MM')))
           - (extract(year FROM now()) * 12 + extract(month FROM now())) END), 0)::int8 AS months_ahead,
       coalesce((SELECT greatest(c2.reltuples, 0)::int8 FROM pg_inherits i2 JOIN pg_class c2 ON c2.oid = i2.inhrelid
                  WHERE i2.inhparent = p.oid AND c2.relname LIKE '%\\_default' LIMIT 1), 0) AS default_rows
  FROM pg_class p LEFT JOIN pg_inherits i ON i.inhparent = p.oid LEFT JOIN pg_class c ON c.oid = i.inhrelid
 WHERE p.relkind = 'p'
 GROUP BY p.oid, p.relname ORDER BY p.relname";

const REPLICAS: &str = "
SELECT application_name::text AS name, state::text AS state,
       extract(epoch FROM replay_lag)::float8 AS replay_lag_s,
       pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::int8 AS lag_bytes
  FROM pg_stat_replication ORDER BY application_name";

const REPLICA_DELAY: &str = "
SELECT 'this server' AS name, 'replaying' AS state,
       CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
            ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END::float8 AS replay_lag_s,
       pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())::int8 AS lag_bytes";

impl Health {
    /// The key figures in Prometheus text format, low-cardinality labels only (tables and
    /// roles, never query texts).
    pub fn prometheus(&self) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        let mut gauge = |name: &str, help: &str, samples: Vec<(String, f64)>| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
            for (labels, value) in samples {
                let _ = writeln!(out, "{name}{labels} {value}");
            }
        };
        let plain = |v: f64| vec![(String::new(), v)];
        gauge(
            "passa_db_in_recovery",
            "1 on a replica.",
            plain(f64::from(u8::from(self.server.in_recovery))),
        );
        gauge(
            "passa_db_size_bytes",
            "The database's size.",
            plain(self.server.database_bytes as f64),
        );
        if let Some(ratio) = self.cache_hit_ratio {
            gauge(
                "passa_db_cache_hit_ratio",
                "Buffer reads served from shared buffers.",
                plain(ratio),
            );
        }
        gauge(
            "passa_db_connections",
            "Connections by role and state.",
            self.connections
                .iter()
                .map(|c| {
                    (
                        format!("{{role=\"{}\",state=\"{}\"}}", c.role, c.state),
                        c.count as f64,
                    )
                })
                .collect(),
        );
        gauge(
            "passa_db_unused_indexes",
            "Indexes never scanned that enforce nothing.",
            plain(self.unused_indexes.len() as f64),
        );
        gauge(
            "passa_db_duplicate_indexes",
            "Groups of identical indexes.",
            plain(self.duplicate_indexes.len() as f64),
        );
        gauge(
            "passa_db_slow_queries",
            "Statements slower than the threshold on average.",
            plain(self.slow_queries.len() as f64),
        );
        gauge(
            "passa_db_dead_tuples",
            "Dead tuples of the most bloated tables.",
            self.bloat
                .iter()
                .map(|b| (format!("{{table=\"{}\"}}", b.table), b.dead as f64))
                .collect(),
        );
        gauge(
            "passa_db_tables_behind_maintenance",
            "Tables autovacuum or autoanalyze are behind on.",
            plain(self.maintenance_lag.len() as f64),
        );
        gauge(
            "passa_db_partition_months_ahead",
            "Months after this one with a partition of their own.",
            self.partitions
                .iter()
                .map(|p| (format!("{{table=\"{}\"}}", p.table), p.months_ahead as f64))
                .collect(),
        );
        gauge(
            "passa_db_partition_default_rows",
            "Rows in the default partition (estimate).",
            self.partitions
                .iter()
                .map(|p| (format!("{{table=\"{}\"}}", p.table), p.default_rows as f64))
                .collect(),
        );
        gauge(
            "passa_db_replication_lag_seconds",
            "Replay lag of each replica (or of this one).",
            self.replication
                .iter()
                .map(|r| {
                    (
                        format!("{{replica=\"{}\"}}", r.name),
                        r.replay_lag_s.unwrap_or(0.0),
                    )
                })
                .collect(),
        );
        if let Some(age) = self.backup_age_seconds {
            gauge(
                "passa_backup_newest_full_age_seconds",
                "Age of the newest full backup.",
                plain(age),
            );
        }
        out
    }
}

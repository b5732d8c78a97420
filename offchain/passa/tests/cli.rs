//! End-to-end tests of the `passa` binary against the PostgreSQL server of this machine.
//!
//! The server comes from DATABASE_URL (default: the local development URL that
//! `scripts/setup.sh` prepares); its role needs CREATEDB. Each test creates its own database
//! with a unique name (`passa_testdb::unique_name`), using `passa db create`, and drops it when
//! done, pass or fail.

use std::collections::BTreeSet;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use passa_testdb::DEFAULT_DATABASE_URL;
use sqlx::migrate::MigrateDatabase;
use sqlx::{Connection, PgConnection, Postgres};

/// A password that appears nowhere else, to check it is never printed.
const SECRET: &str = "Hunter2-xyzzy";

fn base_url() -> url::Url {
    let raw = passa_testdb::server_url();
    url::Url::parse(&raw).expect("DATABASE_URL must be a valid URL for the tests")
}

/// Runs `passa ARGS` with DATABASE_URL set to `database_url`.
fn passa(database_url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_passa"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .output()
        .expect("the passa binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs `passa ARGS` and insists that it succeeds; returns stdout.
#[track_caller]
fn passa_ok(database_url: &str, args: &[&str]) -> String {
    let output = passa(database_url, args);
    assert!(
        output.status.success(),
        "passa {args:?} failed ({}):\nstdout:\n{}\nstderr:\n{}",
        output.status,
        stdout(&output),
        stderr(&output)
    );
    stdout(&output)
}

/// Runs `passa ARGS`, insists that it fails with exactly one stderr line `error: …` that
/// never shows `password`; returns that line.
#[track_caller]
fn passa_fails(database_url: &str, args: &[&str], password: &str) -> String {
    let output = passa(database_url, args);
    let err = stderr(&output);
    assert!(
        !output.status.success(),
        "passa {args:?} should fail; stdout:\n{}\nstderr:\n{err}",
        stdout(&output)
    );
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "expected one stderr line, got:\n{err}");
    assert!(lines[0].starts_with("error: "), "{err}");
    assert!(!err.contains(password), "password printed: {err}");
    assert!(!stdout(&output).contains(password), "password printed");
    assert!(!err.contains("panicked"), "{err}");
    lines[0].to_owned()
}

/// The migration versions in the repository's migrations/ directory (what the binary embeds).
fn migration_versions() -> Vec<i64> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations");
    let mut versions = BTreeSet::new();
    for entry in std::fs::read_dir(&dir).expect("migrations/ is readable") {
        let name = entry.expect("directory entry").file_name();
        let name = name.to_string_lossy();
        if let Some(stem) = name.strip_suffix(".up.sql") {
            let digits: String = stem.chars().take_while(char::is_ascii_digit).collect();
            versions.insert(digits.parse::<i64>().expect("numbered migration"));
        }
    }
    assert!(!versions.is_empty(), "no *.up.sql in {}", dir.display());
    versions.into_iter().collect()
}

/// A fresh database, dropped on drop.
struct TestDb {
    url: String,
    name: String,
}

impl TestDb {
    fn new(tag: &str) -> Self {
        let name = passa_testdb::unique_name(tag);
        let mut url = base_url();
        url.set_path(&name);
        let db = TestDb {
            url: url.to_string(),
            name,
        };
        let out = passa_ok(&db.url, &["db", "create"]);
        assert_eq!(out, format!("created database \"{}\"\n", db.name));
        db
    }

    /// Runs SQL in this database (test set-up only).
    fn execute(&self, sql: &'static str) {
        block_on(async {
            let mut conn = PgConnection::connect(&self.url).await?;
            sqlx::raw_sql(sql).execute(&mut conn).await?;
            conn.close().await
        })
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Err(e) = block_on(Postgres::force_drop_database(&self.url)) {
            eprintln!("could not drop test database {}: {e}", self.name);
        }
    }
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
        .block_on(future)
}

/// One row of `passa db status`.
#[derive(Debug)]
struct Row {
    version: i64,
    state: String,
    applied_at: String,
    note: String,
}

/// Parses the `passa db status` table by its header's column positions.
fn parse_status(out: &str) -> (Vec<Row>, String) {
    let mut lines = out.lines();
    let header = lines.next().expect("status has a header");
    let col = |name: &str| {
        header
            .find(name)
            .unwrap_or_else(|| panic!("no {name} column in {header}"))
    };
    let (state_at, applied_at, note_at) = (col("STATE"), col("APPLIED AT"), col("NOTE"));
    // Header, one line per migration, and a summary line last.
    let mut body: Vec<&str> = lines.collect();
    let summary = body.pop().expect("status has a summary line").to_owned();
    let mut rows = Vec::new();
    for line in body {
        let field = |from: usize, to: usize| {
            line.get(from..to.min(line.len()))
                .unwrap_or("")
                .trim()
                .to_owned()
        };
        rows.push(Row {
            version: line
                .split_whitespace()
                .next()
                .and_then(|v| v.parse().ok())
                .expect("version"),
            state: field(state_at, applied_at),
            applied_at: field(applied_at, note_at),
            note: field(note_at, usize::MAX),
        });
    }
    (rows, summary)
}

fn status(db: &TestDb) -> (Vec<Row>, String) {
    parse_status(&passa_ok(&db.url, &["db", "status"]))
}

fn states(rows: &[Row]) -> Vec<(i64, &str)> {
    rows.iter().map(|r| (r.version, r.state.as_str())).collect()
}

fn all(versions: &[i64], state: &'static str) -> Vec<(i64, &'static str)> {
    versions.iter().map(|v| (*v, state)).collect()
}

/// Lines of `out` that start with `verb`, as `verb VERSION`.
fn steps(out: &str, verb: &str) -> Vec<i64> {
    out.lines()
        .filter_map(|l| {
            l.strip_prefix(verb)?
                .split_whitespace()
                .next()?
                .parse()
                .ok()
        })
        .collect()
}

#[test]
fn migrate_then_revert_all_round_trip() {
    let versions = migration_versions();
    let n = versions.len();
    let db = TestDb::new("roundtrip");

    // A fresh database: everything pending, and `status` must not create anything.
    let (rows, summary) = status(&db);
    assert_eq!(states(&rows), all(&versions, "pending"));
    assert!(rows.iter().all(|r| r.applied_at == "-"), "{rows:?}");
    assert_eq!(summary, format!("{n} migrations: 0 applied, {n} pending"));

    let out = passa_ok(&db.url, &["db", "migrate"]);
    assert_eq!(steps(&out, "applied "), versions, "{out}");
    assert!(
        out.ends_with(&format!("{n} migration(s) applied\n")),
        "{out}"
    );

    let (rows, summary) = status(&db);
    assert_eq!(states(&rows), all(&versions, "applied"));
    assert!(
        rows.iter().all(|r| r.applied_at.ends_with(" UTC")),
        "{rows:?}"
    );
    assert!(rows.iter().all(|r| r.note.is_empty()), "{rows:?}");
    assert_eq!(summary, format!("{n} migrations: {n} applied, 0 pending"));

    let out = passa_ok(&db.url, &["db", "migrate"]);
    assert_eq!(
        out,
        format!("database is up to date ({n} migrations applied)\n")
    );

    let out = passa_ok(&db.url, &["db", "revert", "--all"]);
    let mut newest_first = versions.clone();
    newest_first.reverse();
    assert_eq!(steps(&out, "reverted "), newest_first, "{out}");

    let (rows, summary) = status(&db);
    assert_eq!(states(&rows), all(&versions, "pending"));
    assert_eq!(summary, format!("{n} migrations: 0 applied, {n} pending"));

    // The schema is really gone: only sqlx's bookkeeping table is left.
    let tables = block_on(async {
        let mut conn = PgConnection::connect(&db.url).await?;
        let names: Vec<String> = sqlx::query_scalar(
            "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
        )
        .fetch_all(&mut conn)
        .await?;
        conn.close().await?;
        Ok::<_, sqlx::Error>(names)
    })
    .expect("list tables");
    assert_eq!(tables, vec!["_sqlx_migrations".to_owned()]);

    assert_eq!(
        passa_ok(&db.url, &["db", "revert", "--all"]),
        "nothing to revert\n"
    );
    // And everything comes back.
    let out = passa_ok(&db.url, &["db", "migrate"]);
    assert_eq!(steps(&out, "applied "), versions, "{out}");
}

#[test]
fn revert_defaults_to_the_latest_migration_and_to_keeps_its_target() {
    let versions = migration_versions();
    assert!(versions.len() >= 3, "this test needs three migrations");
    let n = versions.len();
    let db = TestDb::new("revert");
    passa_ok(&db.url, &["db", "migrate"]);

    let latest = versions[n - 1];
    let out = passa_ok(&db.url, &["db", "revert"]);
    assert_eq!(steps(&out, "reverted "), vec![latest], "{out}");
    let (rows, summary) = status(&db);
    let mut expected = all(&versions, "applied");
    expected[n - 1].1 = "pending";
    assert_eq!(states(&rows), expected);
    assert_eq!(
        summary,
        format!("{n} migrations: {} applied, 1 pending", n - 1)
    );

    // --to V keeps V: revert down to the second migration.
    let keep = versions[1];
    let out = passa_ok(&db.url, &["db", "revert", "--to", &keep.to_string()]);
    let expected_reverted: Vec<i64> = versions[2..n - 1].iter().rev().copied().collect();
    assert_eq!(steps(&out, "reverted "), expected_reverted, "{out}");
    let (rows, _) = status(&db);
    let applied: Vec<i64> = rows
        .iter()
        .filter(|r| r.state == "applied")
        .map(|r| r.version)
        .collect();
    assert_eq!(applied, versions[..2].to_vec());

    // A version that does not exist is refused, and nothing changes.
    let line = passa_fails(&db.url, &["db", "revert", "--to", "987654"], SECRET);
    assert_eq!(
        line,
        "error: no migration has version 987654; `passa db status` lists the versions"
    );

    // Migrating again re-applies exactly what was reverted.
    let out = passa_ok(&db.url, &["db", "migrate"]);
    assert_eq!(steps(&out, "applied "), versions[2..].to_vec(), "{out}");
}

#[test]
fn status_flags_modified_and_unknown_migrations() {
    let versions = migration_versions();
    let db = TestDb::new("status");
    passa_ok(&db.url, &["db", "migrate"]);
    db.execute(
        "UPDATE _sqlx_migrations SET checksum = '\\x00'::bytea \
         WHERE version = (SELECT min(version) FROM _sqlx_migrations);
         INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES (987654, 'from the future', true, '\\x00'::bytea, 0);",
    );

    let output = passa(&db.url, &["db", "status"]);
    assert!(output.status.success(), "status exits 0 whatever the state");
    let (rows, summary) = parse_status(&stdout(&output));
    assert_eq!(rows.len(), versions.len() + 1);
    assert!(rows[0].note.contains("CHECKSUM MISMATCH"), "{rows:?}");
    let last = rows.last().expect("rows");
    assert_eq!(
        (last.version, last.state.as_str()),
        (987654, "applied"),
        "{rows:?}"
    );
    assert!(last.note.contains("MISSING"), "{rows:?}");
    assert!(summary.ends_with("2 with problems (see NOTE)"), "{summary}");

    // Neither migrate nor revert works on such a database.
    let line = passa_fails(&db.url, &["db", "migrate"], SECRET);
    assert!(line.contains("987654"), "{line}");
    let line = passa_fails(&db.url, &["db", "revert"], SECRET);
    assert!(line.contains("987654"), "{line}");
}

#[test]
fn create_is_idempotent_and_seed_runs_twice() {
    let db = TestDb::new("seed");
    assert_eq!(
        passa_ok(&db.url, &["db", "create"]),
        format!("database \"{}\" already exists\n", db.name)
    );

    // Seeding needs the schema.
    let line = passa_fails(&db.url, &["db", "seed"], SECRET);
    assert!(
        line.ends_with("pending; run `passa db migrate` before `passa db seed`"),
        "{line}"
    );

    passa_ok(&db.url, &["db", "migrate"]);
    assert_eq!(passa_ok(&db.url, &["db", "seed"]), "seed data loaded\n");
    assert_eq!(passa_ok(&db.url, &["db", "seed"]), "seed data loaded\n");
}

/// The base URL with `SECRET` as password and the given port and database.
fn url_with(port: Option<u16>, database: &str) -> String {
    let mut url = base_url();
    url.set_password(Some(SECRET))
        .expect("URL takes a password");
    if let Some(port) = port {
        url.set_port(Some(port)).expect("URL takes a port");
    }
    url.set_path(database);
    url.to_string()
}

fn masked(url: &str) -> String {
    url.replace(SECRET, "****")
}

#[test]
fn unparsable_url_is_one_masked_line() {
    for url in [
        format!("mysql://passa:{SECRET}@127.0.0.1/passa"),
        format!("passa:{SECRET}@127.0.0.1/passa"),
        format!("postgres://passa:{SECRET}@127.0.0.1:99999/passa"),
        format!("postgres://passa:{SECRET}@[::1/passa"),
    ] {
        for command in ["create", "migrate", "status", "revert", "seed"] {
            let line = passa_fails(&url, &["db", command], SECRET);
            assert!(
                line.starts_with(&format!(
                    "error: invalid database URL \"{}\": ",
                    masked(&url)
                )),
                "{line}"
            );
        }
    }
}

#[test]
fn unreachable_server_is_one_masked_line() {
    // Nothing listens on port 1.
    let url = url_with(Some(1), "passa");
    for command in ["create", "migrate", "status", "revert", "seed"] {
        let line = passa_fails(&url, &["db", command], SECRET);
        assert_eq!(
            line,
            format!(
                "error: cannot connect to PostgreSQL at {}: connection refused \
                 (is PostgreSQL running on that host and port?)",
                masked(&url)
            )
        );
    }
}

#[test]
fn silent_server_times_out() {
    // A socket that accepts connections (the kernel does, through the backlog) and never
    // answers: the connect timeout is what ends the wait.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a local port");
    let port = listener.local_addr().expect("local address").port();
    let url = url_with(Some(port), "passa");
    let started = std::time::Instant::now();
    let line = passa_fails(&url, &["db", "status", "--connect-timeout", "1"], SECRET);
    assert!(
        started.elapsed().as_secs() < 10,
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(
        line,
        format!(
            "error: cannot connect to PostgreSQL at {}: no answer within 1 s \
             (change it with --connect-timeout)",
            masked(&url)
        )
    );
    drop(listener);
}

#[test]
fn missing_database_is_one_masked_line() {
    // Keep the base URL's own credentials (a wrong password would fail authentication first
    // on a server that checks passwords).
    let mut url = base_url();
    url.set_path("passa_test_no_such_database");
    let url = url.to_string();
    let password = base_url().password().unwrap_or("").to_owned();
    let masked_url = passa_db::config::mask_password(&url);
    for command in ["migrate", "status", "revert", "seed"] {
        let output = passa(&url, &["db", command]);
        assert!(!output.status.success());
        let err = stderr(&output);
        assert_eq!(
            err,
            format!(
                "error: cannot connect to PostgreSQL at {masked_url}: database \
                 \"passa_test_no_such_database\" does not exist (create it with `passa db create`)\n"
            )
        );
        if !password.is_empty() && Some(password.as_str()) != Some(base_url().username()) {
            assert!(!err.contains(&password), "{err}");
        }
    }
}

#[test]
fn help_explains_the_defaults_and_environment() {
    let out = passa_ok(DEFAULT_DATABASE_URL, &["db", "--help"]);
    for needle in ["create", "migrate", "status", "revert", "seed"] {
        assert!(out.contains(needle), "{out}");
    }
    let out = passa_ok(&url_with(None, "passa"), &["db", "revert", "--help"]);
    assert!(
        out.contains("--all") && out.contains("--to <VERSION>"),
        "{out}"
    );
    assert!(out.contains("[env: DATABASE_URL]"), "{out}");
    assert!(out.contains("[default: 5]"), "{out}");
    // The value of DATABASE_URL from the environment is not shown.
    assert!(!out.contains(SECRET), "{out}");
}

/// `passa bench devnet` runs both benchmarks and prints their tables (small sizes here; the
/// figures themselves are not judged by a test).
#[cfg(feature = "devnet")]
#[test]
fn bench_devnet_prints_both_tables() {
    let output = passa(
        base_url().as_ref(),
        &[
            "bench",
            "devnet",
            "--clients",
            "4",
            "--rounds",
            "2",
            "--entries",
            "500",
        ],
    );
    let text = stdout(&output);
    assert!(output.status.success(), "{text}\n{}", stderr(&output));
    assert!(
        text.contains("invocations        8 (2 per client)"),
        "{text}"
    );
    assert!(text.contains("throughput"), "{text}");
    assert!(text.contains("memory with 501 ledger entries"), "{text}");
}

/// `passa bench sync` runs end to end on a small backfill and prints every figure: the raw
/// rows and the tickets it wrote loaded again with COPY (10 purchases of 10 tickets), the
/// ratio's bound, peak RSS and live lag (the figures themselves are not judged by a test).
#[cfg(feature = "devnet")]
#[test]
fn bench_sync_prints_every_figure() {
    let wasm_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/wasm");
    let wasm_dir = wasm_dir.to_str().expect("a UTF-8 path");
    let output = passa(
        base_url().as_ref(),
        &["bench", "sync", "--events", "110", "--wasm-dir", wasm_dir],
    );
    let text = stdout(&output);
    assert!(output.status.success(), "{text}\n{}", stderr(&output));
    for line in [
        "produced           112 events in 10 transactions",
        "passa sync --once",
        "COPY of the rows",
        "COPY of tickets",
        "(100 rows); both COPYs",
        "sync / COPY ≤",
        "sync peak RSS",
        "live lag",
    ] {
        assert!(text.contains(line), "{line:?} in:\n{text}");
    }
}

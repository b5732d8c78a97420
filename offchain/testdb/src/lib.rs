//! Throwaway PostgreSQL databases for Passa's tests, one per test, on the server that
//! `DATABASE_URL` names.
//!
//! Why not `#[sqlx::test]`: it names each database after its test (a hash of the test's path)
//! and drops any database of that name before creating its own, so two runs of the same tests
//! on one server — two checkouts, a developer and CI — drop each other's databases mid-test.
//! Here every database gets a name no other run can choose: the creation time, random bytes
//! and, to find it again, the test's name.
//!
//! A database is dropped when its [`TestDb`] goes out of scope, except when the test is
//! panicking: then it is kept, and its name printed, for inspection. Kept databases, and those
//! of runs that were killed, are dropped by the first test of a later run once they are
//! [`STALE_AFTER`] old.
//!
//! ```no_run
//! # async fn example(migrator: &sqlx::migrate::Migrator) {
//! let db = passa_testdb::TestDb::migrated(migrator).await;
//! let pool = db.pool();
//! sqlx::query("SELECT 1").execute(&pool).await.unwrap();
//! # }
//! ```
//!
//! Test support: failures panic with what went wrong, as a test should.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sqlx::migrate::Migrator;
use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, PgConnection, PgPool};
use tokio::sync::OnceCell;

/// The server used when `DATABASE_URL` is not set (what scripts/setup.sh prepares).
pub const DEFAULT_DATABASE_URL: &str = "postgres://passa:passa@127.0.0.1:5432/passa";

/// Every test database's name starts with this, then its creation time in Unix seconds.
const PREFIX: &str = "passa_t_";

/// PostgreSQL truncates identifiers longer than this many bytes.
const MAX_NAME: usize = 63;

/// Age after which a test database left behind (a failed test's, a killed run's) is dropped.
/// Far longer than any test run, so no running test loses its database.
pub const STALE_AFTER: Duration = Duration::from_secs(6 * 60 * 60);

/// How long to retry `CREATE DATABASE … TEMPLATE` while a closed connection's backend ends.
const TEMPLATE_BUSY_WAIT: Duration = Duration::from_secs(30);

/// A database of its own for one test, dropped when this goes out of scope (kept if the test
/// panics).
pub struct TestDb {
    name: String,
    url: String,
    pool: PgPool,
    dropped: bool,
}

impl TestDb {
    /// A new database with every migration of `migrator` applied.
    pub async fn migrated(migrator: &Migrator) -> TestDb {
        let db = TestDb::empty().await;
        if let Err(e) = migrator.run(&db.pool).await {
            panic!("migrating test database {}: {e}", db.name);
        }
        db
    }

    /// A new database with nothing in it.
    pub async fn empty() -> TestDb {
        drop_stale_once().await;
        let name = unique_name(&test_name());
        let mut admin = admin().await;
        execute(&mut admin, &format!("CREATE DATABASE \"{name}\"")).await;
        admin.close().await.ok();
        TestDb::open(name).await
    }

    /// A copy of this database — schema, rows, sequences, the very same ids — made with
    /// `CREATE DATABASE … TEMPLATE`. That needs every connection to this database closed, so
    /// this closes [`TestDb::pool`] (and every clone of it) and opens a new one: take the pool
    /// again afterwards.
    pub async fn copy(&mut self) -> TestDb {
        self.pool.close().await;
        let name = unique_name(&format!("copy_{}", test_name()));
        let mut admin = admin().await;
        let statement = format!("CREATE DATABASE \"{name}\" TEMPLATE \"{}\"", self.name);
        let started = std::time::Instant::now();
        loop {
            match sqlx::query(sqlx::AssertSqlSafe(statement.clone()))
                .execute(&mut admin)
                .await
            {
                Ok(_) => break,
                // A closed connection's backend may take a moment to go.
                Err(e)
                    if e.to_string().contains("being accessed by other users")
                        && started.elapsed() < TEMPLATE_BUSY_WAIT =>
                {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("{statement}: {e}"),
            }
        }
        admin.close().await.ok();
        self.pool = connect(&self.url).await;
        TestDb::open(name).await
    }

    /// A pool on this database (a handle: clones share its connections).
    pub fn pool(&self) -> PgPool {
        self.pool.clone()
    }

    /// The URL of this database, for a child process (`passa --database-url …`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Drops the database now, ending every connection to it.
    pub async fn drop_now(mut self) {
        self.pool.close().await;
        drop_database(&self.name).await;
        self.dropped = true;
    }

    async fn open(name: String) -> TestDb {
        let url = url_of(&name);
        let pool = connect(&url).await;
        TestDb {
            name,
            url,
            pool,
            dropped: false,
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        if std::thread::panicking() {
            eprintln!("test database {} kept for inspection", self.name);
            return;
        }
        let name = self.name.clone();
        // Not on the test's runtime, which may be the one this is dropped from: a thread with
        // its own. WITH (FORCE) ends the pool's connections.
        let _ = std::thread::spawn(move || {
            if let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                runtime.block_on(drop_database(&name));
            }
        })
        .join();
    }
}

/// `DATABASE_URL`, or [`DEFAULT_DATABASE_URL`].
pub fn server_url() -> String {
    std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_DATABASE_URL.to_owned())
}

/// The URL of database `name` on the server of [`server_url`].
fn url_of(name: &str) -> String {
    let base = server_url();
    let mut url = url::Url::parse(&base).unwrap_or_else(|e| panic!("DATABASE_URL {base}: {e}"));
    url.set_path(name);
    url.to_string()
}

async fn connect(url: &str) -> PgPool {
    PgPoolOptions::new()
        .connect(url)
        .await
        .unwrap_or_else(|e| panic!("connecting to test database {url}: {e}"))
}

/// A connection to the server's own database, for CREATE and DROP DATABASE.
async fn admin() -> PgConnection {
    let url = server_url();
    PgConnection::connect(&url)
        .await
        .unwrap_or_else(|e| panic!("connecting to {url} (DATABASE_URL): {e}"))
}

async fn execute(conn: &mut PgConnection, statement: &str) {
    if let Err(e) = sqlx::query(sqlx::AssertSqlSafe(statement.to_owned()))
        .execute(conn)
        .await
    {
        panic!("{statement}: {e}");
    }
}

async fn drop_database(name: &str) {
    if let Ok(mut admin) = PgConnection::connect(&server_url()).await {
        let statement = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        if let Err(e) = sqlx::query(sqlx::AssertSqlSafe(statement))
            .execute(&mut admin)
            .await
        {
            eprintln!("could not drop test database {name}: {e}");
        }
        admin.close().await.ok();
    }
}

/// The running test's name: libtest names each test's thread after it.
fn test_name() -> String {
    let thread = std::thread::current();
    let path = thread.name().unwrap_or("test");
    path.rsplit("::").next().unwrap_or(path).to_owned()
}

/// A database name no other test run picks: `passa_t_<unix seconds>_<10 random hex
/// digits>_<label>`, in the characters PostgreSQL leaves alone, cut to the length it keeps.
/// For tests that create their database some other way (through `passa db create`); the
/// sweep drops it, too, once it is stale.
pub fn unique_name(label: &str) -> String {
    let mut random = [0u8; 5];
    if let Err(e) = getrandom::getrandom(&mut random) {
        panic!("random bytes for a test database's name: {e}");
    }
    let random: String = random.iter().map(|b| format!("{b:02x}")).collect();
    let label: String = label
        .chars()
        .map(|c| match c {
            'a'..='z' | '0'..='9' | '_' => c,
            'A'..='Z' => c.to_ascii_lowercase(),
            _ => '_',
        })
        .collect();
    let mut name = format!("{PREFIX}{}_{random}_{label}", unix_now());
    name.truncate(MAX_NAME);
    name
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// When the test database `name` was created, from its name.
fn created_at(name: &str) -> Option<u64> {
    name.strip_prefix(PREFIX)?.split('_').next()?.parse().ok()
}

/// Drops, once per test process, test databases older than [`STALE_AFTER`].
async fn drop_stale_once() {
    static DONE: OnceCell<()> = OnceCell::const_new();
    DONE.get_or_init(|| async {
        let mut admin = admin().await;
        sweep(&mut admin).await;
        admin.close().await.ok();
    })
    .await;
}

/// Drops test databases older than [`STALE_AFTER`]. One still in use (somebody inspecting it)
/// is left alone, and a failure only means it is tried again by a later run.
async fn sweep(admin: &mut PgConnection) {
    let names: Vec<String> =
        sqlx::query_scalar("SELECT datname::text FROM pg_database WHERE starts_with(datname, $1)")
            .bind(PREFIX)
            .fetch_all(&mut *admin)
            .await
            .unwrap_or_default();
    let now = unix_now();
    for name in names {
        if created_at(&name).is_some_and(|t| now.saturating_sub(t) > STALE_AFTER.as_secs()) {
            let statement = format!("DROP DATABASE IF EXISTS \"{name}\"");
            let _ = sqlx::query(sqlx::AssertSqlSafe(statement))
                .execute(&mut *admin)
                .await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn exists(name: &str) -> bool {
        let mut admin = admin().await;
        sqlx::query_scalar("SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)")
            .bind(name)
            .fetch_one(&mut admin)
            .await
            .expect("pg_database")
    }

    /// Two runs of one test (here, two databases asked for by the same test) get two
    /// databases; the end of one leaves the other's alone.
    #[tokio::test]
    async fn two_databases_of_one_test_are_separate_and_outlive_each_other() {
        let first = TestDb::empty().await;
        let second = TestDb::empty().await;
        assert_ne!(first.name(), second.name());
        for db in [&first, &second] {
            assert!(db.name().starts_with(PREFIX), "{}", db.name());
            assert!(
                db.name().contains("_two_databases_of_one_test"),
                "named after the test: {}",
                db.name()
            );
            assert_eq!(db.name().len(), MAX_NAME);
        }
        sqlx::raw_sql("CREATE TABLE kept (n int); INSERT INTO kept VALUES (7)")
            .execute(&second.pool())
            .await
            .expect("a table in the second");

        let first_name = first.name().to_owned();
        drop(first);
        assert!(!exists(&first_name).await, "dropped at the end of scope");

        let n: i32 = sqlx::query_scalar("SELECT n FROM kept")
            .fetch_one(&second.pool())
            .await
            .expect("the second database still serves");
        assert_eq!(n, 7);
        let second_name = second.name().to_owned();
        second.drop_now().await;
        assert!(!exists(&second_name).await);
    }

    #[tokio::test]
    async fn a_copy_has_the_rows_and_the_original_reopens() {
        let mut original = TestDb::empty().await;
        sqlx::raw_sql("CREATE TABLE t (n int); INSERT INTO t VALUES (1), (2)")
            .execute(&original.pool())
            .await
            .expect("rows");
        let copy = original.copy().await;
        sqlx::query("INSERT INTO t VALUES (3)")
            .execute(&original.pool())
            .await
            .expect("the original reopened");
        let count = |pool: PgPool| async move {
            sqlx::query_scalar::<_, i64>("SELECT count(*) FROM t")
                .fetch_one(&pool)
                .await
                .expect("count")
        };
        assert_eq!(count(copy.pool()).await, 2);
        assert_eq!(count(original.pool()).await, 3);
        assert!(copy.name().contains("_copy_a_copy_has"), "{}", copy.name());
    }

    #[test]
    fn names_are_cut_to_what_postgresql_keeps_and_carry_their_age() {
        let name = unique_name("A-Very::Long label with spaces and UPPER case, far beyond 63");
        assert_eq!(name.len(), MAX_NAME);
        assert!(name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'));
        let created = created_at(&name).expect("a creation time");
        assert!(unix_now() - created < 60);
        assert_eq!(created_at("passa_t_1700000000_ab12_x"), Some(1_700_000_000));
        assert_eq!(created_at("_sqlx_test_abc"), None);
        assert_eq!(created_at("passa_t_notanumber_x"), None);
    }

    /// A database older than STALE_AFTER is dropped by the sweep; a young one is not.
    #[tokio::test]
    async fn the_sweep_drops_only_stale_databases() {
        let old = format!(
            "{PREFIX}{}_0000000000_sweep_test",
            unix_now() - STALE_AFTER.as_secs() - 60
        );
        let young = TestDb::empty().await;
        let mut admin = admin().await;
        execute(&mut admin, &format!("CREATE DATABASE \"{old}\"")).await;
        // drop_stale_once ran at the first TestDb of this process; sweep again.
        sweep(&mut admin).await;
        assert!(!exists(&old).await, "the stale database was dropped");
        assert!(exists(young.name()).await, "the young one was not");
    }
}

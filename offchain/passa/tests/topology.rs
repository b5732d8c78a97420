//! Replicas and poolers with the real programs: a streaming replica (pg_basebackup, a cluster
//! of the test's own) serves `passa verify --read-database-url`, and `passa db health` on the
//! primary reports its lag; PgBouncer (Debian's) in transaction mode serves the backend's
//! queries, and `passa sync` refuses to run through it, or on a replica.
#![cfg(feature = "devnet")]

mod support;

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use passa::demo::{self, Cast, Timing};
use passa_db::backup::{pg_bin, Cluster, RunAs};
use passa_db::migrations::MIGRATOR;
use passa_sync::{self as sync, SyncOptions};
use passa_testdb::TestDb;
use sqlx::PgPool;

fn tempdir(name: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    std::env::temp_dir().join(format!("passa-{name}-{}-{nanos}", std::process::id()))
}

/// `passa …` against the devnet at `rpc_url` (the `db` commands talk to no network).
fn passa(rpc_url: &str, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_passa"));
    command.args(args);
    if args.first() != Some(&"db") {
        command.args(["--rpc-url", rpc_url]);
    }
    command
        .env("RUST_LOG", "warn")
        .env_remove("DATABASE_URL")
        .env_remove("PASSA_READ_DATABASE_URL")
        .env_remove("PASSA_NETWORK")
        .env_remove("STELLAR_NETWORK_PASSPHRASE")
        .stdin(Stdio::null());
    command
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A URL reaching `cluster`'s `database` through its socket, as postgres.
fn socket_url(cluster: &Cluster, database: &str) -> String {
    format!(
        "postgres://postgres@localhost/{database}?host={}&port={}",
        cluster.socket_dir.display(),
        cluster.port
    )
}

/// A primary and its streaming replica, both of the test's own.
struct Pair {
    root: PathBuf,
    primary: Cluster,
    replica: Cluster,
}

async fn primary_and_replica() -> Pair {
    let root = tempdir("replica");
    let run_as = RunAs::default_for_this_process();
    run_as.private_dir(&root).expect("a scratch directory");
    let primary = Cluster {
        data: root.join("primary"),
        port: free_port(),
        socket_dir: root.join("socket"),
        bin: pg_bin(None).expect("PostgreSQL's programs"),
        run_as: run_as.clone(),
    };
    primary
        .init(&[
            ("wal_level", "replica".to_owned()),
            ("max_wal_senders", "4".to_owned()),
        ])
        .await
        .expect("initdb");
    primary.start().await.expect("the primary starts");
    let replica = Cluster {
        data: root.join("replica"),
        port: free_port(),
        ..primary.clone()
    };
    let mut basebackup = run_as.command(primary.bin.join("pg_basebackup"));
    basebackup
        .arg("--pgdata")
        .arg(&replica.data)
        .arg("--host")
        .arg(&primary.socket_dir)
        .args([
            "--port",
            &primary.port.to_string(),
            "--username",
            "postgres",
        ])
        .args([
            "--write-recovery-conf",
            "--wal-method=stream",
            "--checkpoint=fast",
        ]);
    let done = basebackup.output().await.expect("pg_basebackup runs");
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    replica.start().await.expect("the replica starts");
    Pair {
        root,
        primary,
        replica,
    }
}

/// Stops both servers even when an assertion failed, so no test leaves a cluster running.
impl Drop for Pair {
    fn drop(&mut self) {
        for cluster in [&self.primary, &self.replica] {
            let mut pg_ctl = match &cluster.run_as.user {
                Some(user) => {
                    let mut c = Command::new("runuser");
                    c.args(["-u", user, "--"]).arg(cluster.bin.join("pg_ctl"));
                    c
                }
                None => Command::new(cluster.bin.join("pg_ctl")),
            };
            let _ = pg_ctl
                .arg("--pgdata")
                .arg(&cluster.data)
                .args(["--mode", "immediate", "stop"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

async fn pool(cluster: &Cluster, database: &str) -> PgPool {
    sqlx::postgres::PgPoolOptions::new()
        .max_connections(4)
        .connect_with(cluster.options(database))
        .await
        .expect("a pool")
}

/// Waits until the replica has replayed everything the primary has written.
async fn caught_up(primary: &PgPool, replica: &PgPool) {
    let target: String = sqlx::query_scalar("SELECT pg_current_wal_lsn()::text")
        .fetch_one(primary)
        .await
        .unwrap();
    for _ in 0..300 {
        let behind: bool = sqlx::query_scalar("SELECT pg_last_wal_replay_lsn() < $1::pg_lsn")
            .bind(&target)
            .fetch_one(replica)
            .await
            .unwrap();
        if !behind {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the replica did not catch up");
}

#[tokio::test]
async fn a_replica_serves_verify_and_health_reports_its_lag() {
    let pair = primary_and_replica().await;
    let mut admin = pair.primary.connect("postgres").await.expect("the primary");
    sqlx::query("CREATE DATABASE passa")
        .execute(&mut admin)
        .await
        .unwrap();
    let primary = pool(&pair.primary, "passa").await;
    MIGRATOR.run(&primary).await.expect("migrated");

    let local = support::devnet().await;
    let admin_key = support::funded(&local.rpc).await;
    let contracts = support::deployed(&local.rpc, &primary, &admin_key).await;
    let mut conn = primary.acquire().await.expect("a connection");
    let cast = Cast::new(&local.rpc, admin_key).await.expect("a cast");
    demo::register_off_chain(&mut conn, &cast, "replica")
        .await
        .expect("backend rows");
    demo::season(
        &local.rpc,
        &contracts,
        &cast,
        "replica",
        Timing::default(),
        &|_| {},
    )
    .await
    .expect("the season");
    let once = SyncOptions {
        once: true,
        ..Default::default()
    };
    sync::run(&local.rpc, &mut conn, &once).await.expect("sync");
    drop(conn);
    let replica = pool(&pair.replica, "passa").await;
    caught_up(&primary, &replica).await;

    let (primary_url, replica_url) = (
        socket_url(&pair.primary, "passa"),
        socket_url(&pair.replica, "passa"),
    );
    let rpc_url = local.devnet.rpc_url();
    let run = |args: Vec<String>| {
        let rpc_url = rpc_url.clone();
        async move {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            support::output(passa(&rpc_url, &args)).await
        }
    };
    let verified = run(vec![
        "verify".into(),
        "--database-url".into(),
        primary_url.clone(),
        "--read-database-url".into(),
        replica_url.clone(),
    ])
    .await;
    assert!(verified.status.success(), "{}", text(&verified));
    // It really read the replica: stop the primary and verify from the replica alone.
    // (First the refusals, while both run.)
    let wrong = run(vec![
        "verify".into(),
        "--database-url".into(),
        primary_url.clone(),
        "--read-database-url".into(),
        primary_url.clone(),
    ])
    .await;
    assert!(!wrong.status.success());
    assert!(
        text(&wrong).contains("is not a replica"),
        "{}",
        text(&wrong)
    );
    let on_replica = run(vec![
        "sync".into(),
        "--once".into(),
        "--database-url".into(),
        replica_url.clone(),
    ])
    .await;
    assert!(!on_replica.status.success());
    assert!(
        text(&on_replica).contains("is a replica"),
        "{}",
        text(&on_replica)
    );
    let health = run(vec![
        "db".into(),
        "health".into(),
        "--format".into(),
        "json".into(),
        "--database-url".into(),
        primary_url.clone(),
    ])
    .await;
    assert!(health.status.success(), "{}", text(&health));
    let report: serde_json::Value = serde_json::from_slice(&health.stdout).expect("a JSON report");
    let replicas = report["replication"].as_array().expect("replication");
    assert_eq!(replicas.len(), 1, "{report:#}");
    assert_eq!(replicas[0]["state"], "streaming");

    primary.close().await;
    pair.primary.stop().await.expect("the primary stops");
    let alone = run(vec![
        "verify".into(),
        "--database-url".into(),
        primary_url,
        "--read-database-url".into(),
        replica_url,
    ])
    .await;
    assert!(
        alone.status.success(),
        "verify read only the replica: {}",
        text(&alone)
    );
    replica.close().await;
    local.devnet.shutdown().await;
}

/// PgBouncer in transaction mode in front of the test database, on a free port.
struct Bouncer {
    dir: PathBuf,
    port: u16,
    child: std::process::Child,
}

impl Drop for Bouncer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Debian installs it in /usr/sbin, which not every user's PATH holds.
fn pgbouncer_program() -> PathBuf {
    let sbin = PathBuf::from("/usr/sbin/pgbouncer");
    if sbin.exists() {
        sbin
    } else {
        PathBuf::from("pgbouncer")
    }
}

fn pgbouncer(database: &str, server_port: u16) -> Bouncer {
    let dir = tempdir("pgbouncer");
    let run_as = RunAs::default_for_this_process();
    run_as.private_dir(&dir).expect("a directory");
    let port = free_port();
    let ini = format!(
        "[databases]\n{database} = host=127.0.0.1 port={server_port} dbname={database}\n\
         [pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir = {dir}\n\
         auth_type = trust\nauth_file = {dir}/userlist.txt\npool_mode = transaction\n\
         default_pool_size = 2\nignore_startup_parameters = extra_float_digits,options\n\
         logfile = {dir}/pgbouncer.log\npidfile = {dir}/pgbouncer.pid\n",
        dir = dir.display()
    );
    run_as
        .private_file(&dir.join("pgbouncer.ini"), &ini)
        .expect("the configuration");
    run_as
        .private_file(&dir.join("userlist.txt"), "\"passa\" \"\"\n")
        .expect("the user list");
    let mut command = match &run_as.user {
        Some(user) => {
            let mut c = Command::new("runuser");
            c.args(["-u", user, "--"]).arg(pgbouncer_program());
            c
        }
        None => Command::new(pgbouncer_program()),
    };
    let mut child = command
        .arg(dir.join("pgbouncer.ini"))
        .stdin(Stdio::null())
        // It logs to its logfile; inheriting the test's pipes would keep them open.
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("pgbouncer starts (apt-get install pgbouncer)");
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Bouncer { dir, port, child };
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!(
        "pgbouncer did not listen on {port}; its log: {}",
        dir.join("pgbouncer.log").display()
    );
}

#[tokio::test]
async fn the_sync_refuses_a_transaction_pooler_the_backend_goes_through() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let name = db.name().to_owned();
    let server = url::Url::parse(&passa_testdb::server_url()).expect("the server's URL");
    let bouncer = pgbouncer(&name, server.port().unwrap_or(5432));
    let through = format!("postgres://passa:passa@127.0.0.1:{}/{name}", bouncer.port);

    // The backend's kind of traffic: short transactions, simple protocol (psql).
    let psql = Command::new("psql")
        .args([&through, "-X", "-tA", "-c"])
        .arg("BEGIN; SELECT count(*) FROM users; COMMIT; SELECT 1;")
        .output()
        .expect("psql runs");
    assert!(psql.status.success(), "{}", text(&psql));

    let local = support::devnet().await;
    let refused = support::output(passa(
        &local.devnet.rpc_url(),
        &["sync", "--once", "--database-url", &through],
    ))
    .await;
    assert!(!refused.status.success());
    let said = text(&refused);
    assert!(said.contains("a pooler such as PgBouncer"), "{said}");
    assert!(
        !said.contains("passa:passa@"),
        "no password in the message: {said}"
    );
    local.devnet.shutdown().await;
}

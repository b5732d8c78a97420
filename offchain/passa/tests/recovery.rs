//! Nothing lost on either side, on `passa devnet` + PostgreSQL:
//! - a sync pointed at a network that was reset, or at a devnet rolled back to an older state,
//!   stops at once with one clear error and writes nothing; `passa verify` names the contract
//!   the network does not know; `passa sync reset` archives the mirror and a new deployment is
//!   mirrored from scratch;
//! - after a point-in-time restore (real pgBackRest, a cluster of the test's own), the sync
//!   refills the chain-derived tables from the chain and `passa verify` finds no drift.
#![cfg(feature = "devnet")]

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use passa::demo::{self, Cast, Timing};
use passa_db::backup::{
    self, pg_bin, BackupKind, Cluster, RestoreTarget, RunAs, Stanza, StanzaConfig,
};
use passa_db::migrations::MIGRATOR;
use passa_stellar::keys::Signer;
use passa_stellar::network::NetworkName;
use passa_sync::verify::{self, VerifyError};
use passa_sync::{self as sync, SyncError, SyncOptions};
use passa_testdb::TestDb;
use sqlx::{PgConnection, PgPool};
use support::{devnet_at, Local};

fn once() -> SyncOptions {
    SyncOptions {
        once: true,
        ..Default::default()
    }
}

/// Closes `ledgers` empty ledgers at once (a devnet-only method); the new latest ledger.
async fn advance(local: &Local, ledgers: u32) -> u32 {
    use jsonrpsee_core::client::ClientT as _;
    let client = stellar_rpc_client::Client::new(&local.devnet.rpc_url()).expect("an RPC client");
    let mut params = jsonrpsee_core::params::ObjectParams::new();
    params.insert("ledgers", ledgers).expect("params");
    let answer: serde_json::Value = client
        .client()
        .request("devnet_advanceLedgers", params)
        .await
        .expect("devnet_advanceLedgers");
    u32::try_from(answer["sequence"].as_u64().expect("a sequence")).expect("a ledger")
}

/// The backend's rows and a season of activity with `seed`, on a deployment whose admin is
/// `admin` (handed back for the next season).
async fn season(
    local: &Local,
    conn: &mut PgConnection,
    contracts: &demo::Contracts,
    admin: Signer,
    seed: &str,
) -> Signer {
    let cast = Cast::new(&local.rpc, admin)
        .await
        .expect("the cast is funded");
    demo::register_off_chain(conn, &cast, seed)
        .await
        .expect("backend rows");
    demo::season(
        &local.rpc,
        contracts,
        &cast,
        seed,
        Timing::default(),
        &|_| {},
    )
    .await
    .expect("the season runs");
    cast.admin
}

/// Everything the mirror holds, as one text: the sync's tables and the chain-derived rows.
async fn mirror_state(pool: &PgPool) -> String {
    let mut state = String::new();
    for query in [
        "SELECT string_agg(s::text, ';' ORDER BY network) FROM sync_cursors s",
        "SELECT count(*)::text || '/' || coalesce(max(event_id), '') FROM chain_events",
        "SELECT count(*)::text FROM parked_events",
        "SELECT count(*)::text FROM transactions",
        "SELECT count(*)::text FROM audit_logs",
        "SELECT string_agg(token_id || owner_address || ticket_status, ',' ORDER BY token_id) FROM tickets",
        "SELECT string_agg(contributor_address || status || amount_paid_raw, ',' ORDER BY contributor_address) FROM attribution",
        "SELECT string_agg(coalesce(onchain_status, '-') || gross_sales_raw, ',' ORDER BY event_id) FROM events",
    ] {
        let value: Option<String> = sqlx::query_scalar(query)
            .fetch_one(pool)
            .await
            .expect("the mirror reads");
        state.push_str(&value.unwrap_or_default());
        state.push('\n');
    }
    state
}

fn assert_reset(result: Result<sync::SyncReport, SyncError>, says: &str) {
    match result {
        Err(e @ SyncError::NetworkReset { .. }) => {
            let text = e.to_string();
            assert!(text.contains(says), "{text}");
            assert!(text.contains("passa sync reset --network local"), "{text}");
            assert!(text.contains("Nothing was written"), "{text}");
        }
        other => panic!("expected the one reset error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_reset_network_stops_the_sync_at_once_and_the_mirror_can_start_over() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    let old = support::devnet().await;
    let admin = support::funded(&old.rpc).await;
    let contracts = support::deployed(&old.rpc, &pool, &admin).await;
    let mut conn = pool.acquire().await.expect("a connection");
    season(&old, &mut conn, &contracts, admin, "before-reset").await;
    let synced = sync::run(&old.rpc, &mut conn, &once()).await.expect("sync");
    assert!(synced.applied > 0);
    old.devnet.shutdown().await;
    let before = mirror_state(&pool).await;

    // The network starts afresh, far behind the mirror's cursor.
    let new = support::devnet().await;
    assert_reset(
        sync::run(&new.rpc, &mut conn, &once()).await,
        "is below ledger",
    );
    // It catches up in height: the ledger the mirror anchored now has another hash.
    advance(&new, synced.last_ledger + 5).await;
    assert_reset(sync::run(&new.rpc, &mut conn, &once()).await, "hash");
    assert_eq!(mirror_state(&pool).await, before, "nothing written");
    match verify::verify(&new.rpc, &mut conn, NetworkName::Local).await {
        Err(e @ VerifyError::NotOnNetwork { .. }) => {
            assert!(e.to_string().contains("may have been reset"), "{e}")
        }
        other => panic!("expected the missing contract to be named, got {other:?}"),
    }

    // Archive and reset the mirror, deploy again, and the new chain is mirrored.
    let archive = tempdir("reset-archive");
    let report = sync::reset(&mut conn, NetworkName::Local, &archive)
        .await
        .expect("reset");
    assert_eq!(report.contracts, 3);
    assert_eq!(report.events_to_draft, 2);
    let manifest = passa_db::archive::check(&archive).expect("an intact archive");
    let rows = |table: &str| {
        manifest
            .tables
            .iter()
            .find(|t| t.table == table)
            .map_or(0, |t| t.rows)
    };
    assert_eq!(rows("tickets"), 6);
    assert_eq!(rows("smart_contracts"), 3);
    assert!(rows("chain_events") >= synced.events_new);
    let drafts: i64 =
        sqlx::query_scalar("SELECT count(*) FROM events WHERE status = 'draft' AND tiers IS NULL")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(drafts, 2, "the events went back to draft");
    let admin = support::funded(&new.rpc).await;
    let contracts = support::deployed(&new.rpc, &pool, &admin).await;
    season(&new, &mut conn, &contracts, admin, "after-reset").await;
    let again = sync::run(&new.rpc, &mut conn, &once()).await.expect("sync");
    assert!(again.applied > 0);
    let drift = verify::verify(&new.rpc, &mut conn, NetworkName::Local)
        .await
        .expect("verify");
    assert!(drift.drift.is_empty(), "{:#?}", drift.drift);
    let _ = std::fs::remove_dir_all(&archive);
    new.devnet.shutdown().await;
}

#[tokio::test]
async fn a_devnet_rolled_back_to_an_older_state_stops_the_sync() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    let dir = tempdir("rollback");
    let (state, older) = (dir.join("state"), dir.join("older"));
    let local = devnet_at(Some(state.clone())).await;
    let admin = support::funded(&local.rpc).await;
    let contracts = support::deployed(&local.rpc, &pool, &admin).await;
    let mut conn = pool.acquire().await.expect("a connection");
    local.devnet.shutdown().await;
    copy_dir(&state, &older);

    // Carry on from the newer state: a season, mirrored.
    let local = devnet_at(Some(state.clone())).await;
    season(&local, &mut conn, &contracts, admin, "rollback").await;
    let synced = sync::run(&local.rpc, &mut conn, &once())
        .await
        .expect("sync");
    local.devnet.shutdown().await;
    let before = mirror_state(&pool).await;

    // The older state comes back: behind the cursor, then past it with other ledgers.
    let rolled_back = devnet_at(Some(older)).await;
    assert_reset(
        sync::run(&rolled_back.rpc, &mut conn, &once()).await,
        "is below ledger",
    );
    advance(&rolled_back, synced.last_ledger + 5).await;
    assert_reset(
        sync::run(&rolled_back.rpc, &mut conn, &once()).await,
        "hash",
    );
    assert_eq!(mirror_state(&pool).await, before, "nothing written");
    rolled_back.devnet.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// A scratch cluster of the test's own, archiving into an encrypted repository.
struct Archived {
    root: PathBuf,
    cluster: Cluster,
    stanza: Stanza,
}

async fn archived_cluster() -> Archived {
    let root = tempdir("pitr");
    let run_as = RunAs::default_for_this_process();
    run_as.private_dir(&root).expect("a scratch directory");
    let cluster = Cluster {
        data: root.join("data"),
        port: 5470,
        socket_dir: root.join("socket"),
        bin: pg_bin(None).expect("PostgreSQL's programs"),
        run_as: run_as.clone(),
    };
    let stanza = Stanza {
        name: "recovery".to_owned(),
        config_dir: root.join("config"),
        run_as,
    };
    stanza
        .write_config(&StanzaConfig {
            pg_path: cluster.data.clone(),
            pg_port: cluster.port,
            pg_socket: Some(cluster.socket_dir.clone()),
            repo: root.join("repository"),
            repo2: None,
            retention_full: 2,
            retention_diff: 2,
            work_dir: Some(root.join("pgbackrest")),
        })
        .expect("the stanza");
    cluster
        .init(&[
            ("archive_mode", "on".to_owned()),
            ("archive_command", stanza.archive_command()),
            ("archive_timeout", "1s".to_owned()),
        ])
        .await
        .expect("initdb");
    cluster.start().await.expect("the cluster starts");
    Archived {
        root,
        cluster,
        stanza,
    }
}

async fn pool_of(cluster: &Cluster, database: &str) -> PgPool {
    sqlx::postgres::PgPoolOptions::new()
        .max_connections(4)
        .connect_with(cluster.options(database))
        .await
        .expect("a pool")
}

#[tokio::test]
async fn after_a_point_in_time_restore_the_sync_refills_the_mirror_from_the_chain() {
    let a = archived_cluster().await;
    let mut admin = a.cluster.connect("postgres").await.expect("the cluster");
    sqlx::query("CREATE DATABASE passa")
        .execute(&mut admin)
        .await
        .unwrap();
    let pool = pool_of(&a.cluster, "passa").await;
    MIGRATOR.run(&pool).await.expect("migrated");
    a.stanza
        .run("stanza-create", &[])
        .await
        .expect("stanza-create");
    backup::run(&a.stanza, BackupKind::Full)
        .await
        .expect("a full backup");

    let local = support::devnet().await;
    let deployer = support::funded(&local.rpc).await;
    let contracts = support::deployed(&local.rpc, &pool, &deployer).await;
    let mut conn = pool.acquire().await.expect("a connection");
    let deployer = season(&local, &mut conn, &contracts, deployer, "before-point").await;
    sync::run(&local.rpc, &mut conn, &once())
        .await
        .expect("sync");
    // The second season's backend rows exist before the point; its chain activity after it.
    let cast = Cast::new(&local.rpc, deployer).await.expect("a cast");
    demo::register_off_chain(&mut conn, &cast, "after-point")
        .await
        .expect("backend rows");
    backup::mark(&mut admin, "before-second-season")
        .await
        .expect("a restore point");
    demo::season(
        &local.rpc,
        &contracts,
        &cast,
        "after-point",
        Timing::default(),
        &|_| {},
    )
    .await
    .expect("the second season");
    let source = sync::run(&local.rpc, &mut conn, &once())
        .await
        .expect("sync");
    drop(conn);

    // Restore to the point: the second season's chain-derived rows are gone from the copy …
    let copy = Cluster {
        data: a.root.join("restored"),
        port: 5471,
        socket_dir: a.root.join("socket-restored"),
        ..a.cluster.clone()
    };
    let target = RestoreTarget::Name("before-second-season".to_owned());
    backup::restore(&a.stanza, &target, &copy.data)
        .await
        .expect("restore");
    copy.start().await.expect("the copy starts");
    copy.wait_promoted(Duration::from_secs(120))
        .await
        .expect("promoted");
    let restored = pool_of(&copy, "passa").await;
    assert_ne!(mirror_state(&restored).await, mirror_state(&pool).await);

    // … and the sync brings them back from the chain, up to its head, without drift.
    let mut conn = restored.acquire().await.expect("a connection");
    let refill = sync::run(&local.rpc, &mut conn, &once())
        .await
        .expect("sync");
    assert!(refill.applied > 0, "{refill:?}");
    assert_eq!(
        refill.last_ledger,
        source.last_ledger.max(refill.last_ledger)
    );
    let report = verify::verify(&local.rpc, &mut conn, NetworkName::Local)
        .await
        .expect("verify");
    assert!(report.drift.is_empty(), "{:#?}", report.drift);
    assert_eq!(report.tickets, 12, "both seasons' tickets");
    assert_eq!(chain_rows(&restored).await, chain_rows(&pool).await);
    drop(conn);
    restored.close().await;
    pool.close().await;
    let _ = copy.stop().await;
    let _ = a.cluster.stop().await;
    local.devnet.shutdown().await;
    let _ = std::fs::remove_dir_all(&a.root);
}

/// The chain-derived rows, as facts the chain decides (not the mirror's own ids and times).
async fn chain_rows(pool: &PgPool) -> String {
    let mut rows = String::new();
    for query in [
        "SELECT string_agg(event_id, ',' ORDER BY event_id) FROM chain_events",
        "SELECT string_agg(token_id || owner_address || ticket_status || price_raw, ',' ORDER BY token_id) FROM tickets",
        "SELECT string_agg(contributor_address || status || amount_earned_raw || amount_paid_raw, ',' ORDER BY event_id, contributor_address) FROM attribution WHERE contributor_address IS NOT NULL",
        "SELECT string_agg(event_id || onchain_status || gross_sales_raw || refunds_raw || tickets_sold, ',' ORDER BY event_id) FROM events WHERE onchain_status IS NOT NULL",
        "SELECT string_agg(transaction_hash || status, ',' ORDER BY transaction_hash) FROM transactions WHERE status = 'confirmed'",
    ] {
        let value: Option<String> = sqlx::query_scalar(query).fetch_one(pool).await.expect("rows");
        rows.push_str(&value.unwrap_or_default());
        rows.push('\n');
    }
    rows
}

fn tempdir(name: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    std::env::temp_dir().join(format!("passa-{name}-{}-{nanos}", std::process::id()))
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("a directory");
    for entry in std::fs::read_dir(from).expect("the state") {
        let entry = entry.expect("an entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("a copy");
        }
    }
}

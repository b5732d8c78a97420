//! `passa deploy` and `passa contracts …` against a real Stellar RPC server — `passa devnet`,
//! started in process on a free loopback port — and PostgreSQL (a fresh database per test,
//! migrated, from `passa_testdb::TestDb`).
//!
//! Needs the contracts' wasm in target/wasm (`scripts/build-contracts.sh`; scripts/test.sh
//! builds them first). Some tests run the `passa` binary itself, to kill it at a crash point
//! (`PASSA_FAILPOINT`) and to see the errors a user sees.
#![cfg(feature = "devnet")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use passa_db::migrations::MIGRATOR;
use passa_deploy::deploy::{self, Action, ContractWasm, DeployOptions, Quiet};
use passa_deploy::registry::{self, ContractKind};
use passa_deploy::{contracts, contracts::ContractsError};
use passa_stellar::keys::{self, Signer};
use passa_stellar::network::{Network, NetworkName, LOCAL_PASSPHRASE};
use passa_stellar::rpc::{self, Rpc};
use passa_testdb::TestDb;
use sqlx::{PgPool, Row};
use stellar_xdr as xdr;

mod support;
use support::{devnet, funded, output, wasm_dir};

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(pool)
        .await
        .expect("a count")
}

/// Every table `passa deploy` writes, as counts, to compare before and after.
async fn footprint(pool: &PgPool) -> (i64, i64, i64) {
    (
        count(pool, "SELECT count(*) FROM smart_contracts").await,
        count(pool, "SELECT count(*) FROM transactions").await,
        count(pool, "SELECT count(*) FROM audit_logs").await,
    )
}

fn address(text: &str) -> xdr::ScAddress {
    keys::parse_address(text).expect("an address")
}

/// Checks every registry row against the ledger: the instance exists, runs the registered
/// wasm, which is the local file's; the deployment transaction is confirmed; the wiring
/// getters answer the siblings' addresses.
async fn assert_registry_matches_chain(pool: &PgPool, rpc: &Rpc, reader: &Signer) {
    let mut conn = pool.acquire().await.expect("a connection");
    let rows = registry::list(&mut conn, Some(NetworkName::Local.as_str()))
        .await
        .expect("the registry");
    assert_eq!(rows.len(), 3, "{rows:#?}");
    let by_kind = |kind| {
        rows.iter()
            .find(|r| r.kind == kind)
            .expect("each kind registered")
    };
    for row in &rows {
        assert_eq!(row.status, "active");
        assert_eq!(row.version, 1);
        assert_eq!(row.deployer.as_deref(), Some(reader.address().as_str()));
        let file = ContractWasm::load(&wasm_dir().join(row.kind.wasm_file())).expect("wasm");
        assert_eq!(row.wasm_hash.as_deref(), Some(file.hash_hex().as_str()));
        let instance = rpc
            .entry(&deploy::instance_key(&address(&row.address)))
            .await
            .expect("getLedgerEntries")
            .expect("the instance is on the ledger");
        assert_eq!(deploy::instance_wasm_hash(&instance), Some(file.hash));
        assert!(rpc
            .entry(&deploy::code_key(file.hash))
            .await
            .expect("rpc")
            .is_some());
        let hash = row
            .deployment_tx_hash
            .as_deref()
            .expect("a deployment transaction");
        let tx = sqlx::query("SELECT status, block_number, transaction_type, to_address FROM transactions WHERE transaction_hash = $1")
            .bind(hash)
            .fetch_one(pool)
            .await
            .expect("the transaction row");
        assert_eq!(tx.get::<String, _>(0), "confirmed");
        assert!(tx.get::<Option<i64>, _>(1).is_some());
        assert_eq!(tx.get::<String, _>(2), "contract_deployment");
        assert_eq!(
            tx.get::<Option<String>, _>(3).as_deref(),
            Some(row.address.as_str())
        );
        let abi: serde_json::Value =
            sqlx::query_scalar("SELECT contract_abi FROM smart_contracts WHERE contract_id = $1")
                .bind(row.id)
                .fetch_one(pool)
                .await
                .expect("the abi");
        assert!(
            abi.to_string().contains("\"upgrade\""),
            "the spec lists the functions"
        );
    }

    for (contract, getter, expected) in deploy::WIRING {
        let got = rpc
            .read(
                &reader.account_id(),
                &address(&by_kind(contract).address),
                getter,
                vec![],
            )
            .await
            .expect("the getter answers");
        assert_eq!(
            got,
            xdr::ScVal::Address(address(&by_kind(expected).address)),
            "{contract}.{getter}()"
        );
    }
    for kind in ContractKind::ALL {
        let admin = rpc
            .read(
                &reader.account_id(),
                &address(&by_kind(kind).address),
                "admin",
                vec![],
            )
            .await
            .expect("admin()");
        assert_eq!(admin, xdr::ScVal::Address(reader.sc_address()));
    }
}

#[tokio::test]
async fn deploys_from_scratch_and_a_second_run_changes_nothing() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    let local = devnet().await;
    let deployer = funded(&local.rpc).await;
    let options = DeployOptions::new(wasm_dir());
    let mut conn = pool.acquire().await.expect("a connection");

    let report = deploy::deploy(&local.rpc, &mut conn, &deployer, &options, &Quiet)
        .await
        .expect("the first deployment succeeds");
    for c in &report.contracts {
        assert_eq!(c.actions, vec![Action::Uploaded, Action::Created], "{c:?}");
    }
    assert!(!report.unchanged());
    assert_registry_matches_chain(&pool, &local.rpc, &deployer).await;
    // Three uploads and three creations, all confirmed.
    assert_eq!(
        count(&pool, "SELECT count(*) FROM transactions WHERE status = 'confirmed' AND transaction_type = 'contract_deployment'").await,
        6
    );

    let before = footprint(&pool).await;
    let updated: Vec<chrono::DateTime<chrono::Utc>> =
        sqlx::query_scalar("SELECT updated_at FROM smart_contracts ORDER BY contract_address")
            .fetch_all(&pool)
            .await
            .expect("rows");
    let ledger = local.rpc.latest_ledger().await.expect("a ledger");
    let again = deploy::deploy(&local.rpc, &mut conn, &deployer, &options, &Quiet)
        .await
        .expect("the second deployment succeeds");
    assert!(again.unchanged(), "{again:#?}");
    assert_eq!(
        again
            .contracts
            .iter()
            .map(|c| &c.address)
            .collect::<Vec<_>>(),
        report
            .contracts
            .iter()
            .map(|c| &c.address)
            .collect::<Vec<_>>(),
        "the same addresses"
    );
    assert_eq!(footprint(&pool).await, before);
    let updated_again: Vec<chrono::DateTime<chrono::Utc>> =
        sqlx::query_scalar("SELECT updated_at FROM smart_contracts ORDER BY contract_address")
            .fetch_all(&pool)
            .await
            .expect("rows");
    assert_eq!(updated, updated_again, "no registry row was touched");
    // Nothing was sent either: the account's sequence number did not move.
    let seq_before = local
        .rpc
        .account(&deployer.account_id())
        .await
        .expect("rpc")
        .expect("account")
        .seq_num;
    local.rpc.latest_ledger().await.expect("rpc");
    assert!(local.rpc.latest_ledger().await.expect("rpc") >= ledger);
    let seq_after = local
        .rpc
        .account(&deployer.account_id())
        .await
        .expect("rpc")
        .expect("account")
        .seq_num;
    assert_eq!(seq_before, seq_after);

    // Another deployment name is another set of contracts.
    let mut demo = options.clone();
    demo.deployment = "demo".to_owned();
    let other = deploy::deploy(&local.rpc, &mut conn, &deployer, &demo, &Quiet)
        .await
        .expect("a second deployment");
    for c in &other.contracts {
        assert_eq!(
            c.actions,
            vec![Action::Created],
            "wasm is shared, contracts are new: {c:?}"
        );
    }
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM smart_contracts WHERE status = 'active'"
        )
        .await,
        6
    );
    drop(conn);
    local.devnet.shutdown().await;
}

/// Runs the passa binary with `args` against `db_url`, with the deployer's key in a file.
async fn passa(db_url: &str, key_file: &Path, failpoint: Option<&str>, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_passa"));
    command
        .args(args)
        .arg("--source")
        .arg(key_file)
        .env("DATABASE_URL", db_url)
        .env_remove("PASSA_SECRET_KEY")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null());
    match failpoint {
        Some(point) => command.env("PASSA_FAILPOINT", point),
        None => command.env_remove("PASSA_FAILPOINT"),
    };
    output(command).await
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn key_file(signer: &Signer) -> (tempdir::Dir, PathBuf) {
    let dir = tempdir::Dir::new();
    let path = dir.0.join("deployer.toml");
    signer.write_key_file(&path).expect("a key file");
    (dir, path)
}

mod tempdir {
    /// A directory removed when dropped.
    pub struct Dir(pub std::path::PathBuf);

    impl Dir {
        pub fn new() -> Self {
            use std::sync::atomic::{AtomicUsize, Ordering};
            static NEXT: AtomicUsize = AtomicUsize::new(0);
            let path = std::env::temp_dir().join(format!(
                "passa-deploy-test-{}-{}",
                std::process::id(),
                NEXT.fetch_add(1, Ordering::Relaxed)
            ));
            std::fs::create_dir_all(&path).expect("a temp dir");
            Self(path)
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

#[tokio::test]
async fn a_deploy_killed_between_upload_and_creation_resumes() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    let local = devnet().await;
    let deployer = funded(&local.rpc).await;
    let (_dir, key) = key_file(&deployer);
    let db_url = db.url().to_owned();
    let wasm = wasm_dir();
    let args = [
        "deploy",
        "--network",
        "local",
        "--rpc-url",
        &local.devnet.rpc_url(),
        "--wasm-dir",
        wasm.to_str().expect("a UTF-8 path"),
    ];

    let killed = passa(&db_url, &key, Some("deploy.after_upload"), &args).await;
    assert!(!killed.status.success(), "the failpoint aborts the run");
    assert!(
        text(&killed.stderr).contains("aborting here on purpose"),
        "{}",
        text(&killed.stderr)
    );
    // What the dead run left: the code on the ledger and its upload transactions, no contract.
    for kind in ContractKind::ALL {
        let file = ContractWasm::load(&wasm.join(kind.wasm_file())).expect("wasm");
        assert!(local
            .rpc
            .entry(&deploy::code_key(file.hash))
            .await
            .expect("rpc")
            .is_some());
    }
    assert_eq!(footprint(&pool).await, (0, 3, 0));

    let resumed = passa(&db_url, &key, None, &args).await;
    assert!(
        resumed.status.success(),
        "{}\n{}",
        text(&resumed.stdout),
        text(&resumed.stderr)
    );
    let out = text(&resumed.stdout);
    assert_eq!(out.matches("created").count(), 3, "{out}");
    assert!(
        !out.contains("wasm uploaded"),
        "nothing uploaded twice: {out}"
    );
    assert_registry_matches_chain(&pool, &local.rpc, &deployer).await;
    assert_eq!(footprint(&pool).await, (3, 6, 0));

    let again = passa(&db_url, &key, None, &args).await;
    assert!(again.status.success());
    assert!(
        text(&again.stdout).contains("nothing to do"),
        "{}",
        text(&again.stdout)
    );

    // What a user reads back.
    let rpc_url = local.devnet.rpc_url();
    let (ok, list, err) = passa_plain(&db_url, &[], &["contracts", "list"]).await;
    assert!(ok, "{err}");
    let rows: Vec<_> = list.lines().filter(|l| l.starts_with("local ")).collect();
    assert_eq!(rows.len(), 3, "{list}");
    assert!(rows.iter().all(|l| l.contains(" active ")), "{list}");
    let show_args = ["contracts", "show", "ticketing", "--rpc-url", &rpc_url];
    let (ok, show, err) = passa_plain(&db_url, &[], &show_args).await;
    assert!(ok, "{err}");
    assert!(show.contains("on chain:    live, same wasm"), "{show}");
    let admin_line = format!("admin:       {}", deployer.address());
    assert!(show.contains(&admin_line), "{show}");
    let bad = ["contracts", "show", "CNOTACONTRACT", "--rpc-url", &rpc_url];
    let (ok, _, err) = passa_plain(&db_url, &[], &bad).await;
    assert!(
        !ok && err.contains("\"CNOTACONTRACT\" is neither a contract kind"),
        "{err}"
    );
    local.devnet.shutdown().await;
}

#[tokio::test]
async fn keys_generate_fund_and_address() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let local = devnet().await;
    let db_url = db.url().to_owned();
    let rpc_url = local.devnet.rpc_url();
    let dir = tempdir::Dir::new();
    let file = dir.0.join("new.toml");
    let file = file.to_str().expect("a UTF-8 path");
    let generate = [
        "keys",
        "generate",
        "--out",
        file,
        "--fund",
        "--rpc-url",
        &rpc_url,
    ];
    let (ok, generated, err) = passa_plain(&db_url, &[], &generate).await;
    assert!(ok, "{err}");
    let address = generated.trim();
    assert!(
        address.starts_with('G') && address.len() == 56,
        "{generated}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(file)
            .expect("the key file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "only the owner may read the key file");
    }
    let signer = keys::load(Some(file)).expect("the key file loads");
    assert_eq!(signer.address(), address);
    let account = local.rpc.account(&signer.account_id()).await.expect("rpc");
    assert!(account.is_some(), "funded");
    let (ok, shown, _) = passa_plain(&db_url, &[], &["keys", "address", "--source", file]).await;
    assert!(ok && shown.trim() == address, "{shown}");
    // Funding again leaves the account as it is; a second generate never overwrites.
    let fund = ["keys", "fund", address, "--rpc-url", &rpc_url];
    let (ok, _, err) = passa_plain(&db_url, &[], &fund).await;
    assert!(ok, "{err}");
    let (ok, _, err) = passa_plain(&db_url, &[], &["keys", "generate", "--out", file]).await;
    assert!(!ok && err.contains("cannot write key file"), "{err}");
    let reloaded = keys::load(Some(file)).expect("unchanged");
    assert_eq!(reloaded.address(), address);
    local.devnet.shutdown().await;
}

#[tokio::test]
async fn a_deploy_killed_after_sending_settles_its_pending_transaction() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    let local = devnet().await;
    let deployer = funded(&local.rpc).await;
    let (_dir, key) = key_file(&deployer);
    let db_url = db.url().to_owned();
    let wasm = wasm_dir();
    let args = [
        "deploy",
        "--rpc-url",
        &local.devnet.rpc_url(),
        "--wasm-dir",
        wasm.to_str().expect("a UTF-8 path"),
    ];

    // Dies right after sending the first upload, before recording its outcome.
    let killed = passa(&db_url, &key, Some("deploy.after_send"), &args).await;
    assert!(!killed.status.success());
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM transactions WHERE status = 'pending'"
        )
        .await,
        1
    );

    let resumed = passa(&db_url, &key, None, &args).await;
    assert!(
        resumed.status.success(),
        "{}\n{}",
        text(&resumed.stdout),
        text(&resumed.stderr)
    );
    assert!(
        text(&resumed.stdout).contains("pending transaction settled"),
        "{}",
        text(&resumed.stdout)
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM transactions WHERE status = 'pending'"
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM transactions WHERE status = 'confirmed'"
        )
        .await,
        6
    );
    assert_registry_matches_chain(&pool, &local.rpc, &deployer).await;
    local.devnet.shutdown().await;
}

/// The native asset's contract on the devnet's network.
fn native_asset_contract() -> xdr::ScAddress {
    let network =
        Network::resolve(NetworkName::Local, None, Some(LOCAL_PASSPHRASE)).expect("network");
    rpc::native_asset_contract(&network).expect("an address")
}

#[tokio::test]
async fn a_source_that_cannot_pay_gets_a_clear_error_and_no_active_row() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    let local = devnet().await;
    let poor = funded(&local.rpc).await;
    let sink = funded(&local.rpc).await;
    // Send everything but the minimum balance (1 XLM for an account without subentries) and
    // this transfer's own fee away, through the native asset's contract.
    let balance = local
        .rpc
        .account(&poor.account_id())
        .await
        .expect("rpc")
        .expect("account")
        .balance;
    let probe = rpc::invoke_contract(
        &native_asset_contract(),
        "transfer",
        vec![
            xdr::ScVal::Address(poor.sc_address()),
            xdr::ScVal::Address(sink.sc_address()),
            passa_stellar::scval::i128(1),
        ],
    )
    .expect("a call");
    let fee = i64::from(
        local
            .rpc
            .prepare(&poor, probe, "probe")
            .await
            .expect("simulates")
            .tx
            .fee,
    );
    let amount = balance - 10_000_000 - fee;
    let transfer = rpc::invoke_contract(
        &native_asset_contract(),
        "transfer",
        vec![
            xdr::ScVal::Address(poor.sc_address()),
            xdr::ScVal::Address(sink.sc_address()),
            passa_stellar::scval::i128(i128::from(amount)),
        ],
    )
    .expect("a call");
    let prepared = local
        .rpc
        .prepare(&poor, transfer, "drain")
        .await
        .expect("simulates");
    let signed = local.rpc.sign(prepared.tx, &poor).expect("signs");
    local.rpc.send(&signed).await.expect("sent");
    local.rpc.wait(&signed).await.expect("included");

    let mut conn = pool.acquire().await.expect("a connection");
    let err = deploy::deploy(
        &local.rpc,
        &mut conn,
        &poor,
        &DeployOptions::new(wasm_dir()),
        &Quiet,
    )
    .await
    .expect_err("the deployment cannot be paid for");
    let message = err.to_string();
    assert!(message.contains("txINSUFFICIENT_BALANCE"), "{message}");
    assert!(message.contains("add XLM"), "{message}");
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM smart_contracts WHERE status = 'active'"
        )
        .await,
        0
    );
    // The refused transaction is on record as failed, not pending.
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM transactions WHERE status = 'pending'"
        )
        .await,
        0
    );
    drop(conn);
    local.devnet.shutdown().await;
}

/// Pause and unpause the revenue contract: the stranger is refused, the admin's calls are
/// mirrored and audited, and pausing twice is refused before anything is sent.
async fn pause_and_unpause_by_the_admin_only(
    rpc: &Rpc,
    conn: &mut sqlx::PgConnection,
    pool: &PgPool,
    admin: &Signer,
    stranger: &Signer,
) {
    let revenue = contracts::resolve(&mut *conn, NetworkName::Local, "revenue")
        .await
        .expect("row");
    assert!(
        contracts::set_paused(rpc, &mut *conn, stranger, &revenue, true)
            .await
            .is_err()
    );
    contracts::set_paused(rpc, &mut *conn, admin, &revenue, true)
        .await
        .expect("paused");
    let paused = contracts::resolve(&mut *conn, NetworkName::Local, "revenue")
        .await
        .expect("row");
    assert_eq!(paused.status, "paused");
    let state = contracts::chain_state(rpc, &admin.account_id(), &paused.address)
        .await
        .expect("state");
    assert_eq!(state.paused, Some(true));
    assert!(matches!(
        contracts::set_paused(rpc, &mut *conn, admin, &paused, true).await,
        Err(ContractsError::AlreadyInState { .. })
    ));
    contracts::set_paused(rpc, &mut *conn, admin, &paused, false)
        .await
        .expect("unpaused");
    let state = contracts::chain_state(rpc, &admin.account_id(), &paused.address)
        .await
        .expect("state");
    assert_eq!(state.paused, Some(false));
    assert_eq!(
        count(pool, "SELECT count(*) FROM audit_logs WHERE action IN ('contract.pause', 'contract.unpause')").await,
        2
    );
}

#[tokio::test]
async fn upgrade_keeps_address_and_state_and_is_audited_and_only_the_admin_may() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    let local = devnet().await;
    let admin = funded(&local.rpc).await;
    let stranger = funded(&local.rpc).await;
    let mut conn = pool.acquire().await.expect("a connection");
    deploy::deploy(
        &local.rpc,
        &mut conn,
        &admin,
        &DeployOptions::new(wasm_dir()),
        &Quiet,
    )
    .await
    .expect("deployed");
    let attribution = contracts::resolve(&mut conn, NetworkName::Local, "attribution")
        .await
        .expect("registered");

    // New code: the same contract with one more custom section, hence another hash.
    let dir = tempdir::Dir::new();
    let original =
        std::fs::read(wasm_dir().join(ContractKind::Attribution.wasm_file())).expect("wasm");
    let mut variant = original.clone();
    let name = b"passa-test-variant";
    variant.extend_from_slice(&[0, (name.len() + 1 + 1) as u8, name.len() as u8]);
    variant.extend_from_slice(name);
    variant.push(1);
    let variant_path = dir.0.join("attribution-v2.wasm");
    std::fs::write(&variant_path, &variant).expect("written");
    let v2 = ContractWasm::load(&variant_path).expect("a valid contract");
    assert_ne!(
        v2.hash_hex(),
        attribution.wasm_hash.clone().expect("a hash")
    );

    // A stranger cannot upgrade it: the contract refuses, the registry is untouched.
    let before = footprint(&pool).await;
    let refused = contracts::upgrade(&local.rpc, &mut conn, &stranger, &attribution, &v2).await;
    assert!(
        matches!(refused, Err(ContractsError::Deploy(_))),
        "{refused:?}"
    );
    let after_refusal = contracts::resolve(&mut conn, NetworkName::Local, "attribution")
        .await
        .expect("row");
    assert_eq!(after_refusal.version, 1);
    assert_eq!(after_refusal.wasm_hash, attribution.wasm_hash);
    assert_eq!(
        count(&pool, "SELECT count(*) FROM audit_logs").await,
        before.2
    );

    let (included, version) = contracts::upgrade(&local.rpc, &mut conn, &admin, &attribution, &v2)
        .await
        .expect("the admin upgrades");
    assert_eq!(version, 2);
    let upgraded = contracts::resolve(&mut conn, NetworkName::Local, "attribution")
        .await
        .expect("row");
    assert_eq!(upgraded.address, attribution.address, "same address");
    assert_eq!(upgraded.version, 2);
    assert_eq!(upgraded.wasm_hash.as_deref(), Some(v2.hash_hex().as_str()));
    let chain = contracts::chain_state(&local.rpc, &admin.account_id(), &upgraded.address)
        .await
        .expect("chain state");
    assert_eq!(chain.wasm_hash.as_deref(), Some(v2.hash_hex().as_str()));
    // State kept: the wiring and the admin stored by the constructor are still there.
    assert_eq!(chain.admin.as_deref(), Some(admin.address().as_str()));
    let ticketing = contracts::resolve(&mut conn, NetworkName::Local, "ticketing")
        .await
        .expect("row");
    let wired = local
        .rpc
        .read(
            &admin.account_id(),
            &address(&upgraded.address),
            "ticketing",
            vec![],
        )
        .await
        .expect("getter");
    assert_eq!(wired, xdr::ScVal::Address(address(&ticketing.address)));
    let audit = sqlx::query(
        "SELECT action, resource_id, old_values->>'version', new_values->>'version', new_values->>'wasm_hash', transaction_hash, ledger FROM audit_logs",
    )
    .fetch_all(&pool)
    .await
    .expect("audit rows");
    assert_eq!(audit.len(), 1);
    let row = &audit[0];
    assert_eq!(row.get::<String, _>(0), "contract.upgrade");
    assert_eq!(
        row.get::<Option<String>, _>(1),
        Some(attribution.id.to_string())
    );
    assert_eq!(row.get::<Option<String>, _>(2).as_deref(), Some("1"));
    assert_eq!(row.get::<Option<String>, _>(3).as_deref(), Some("2"));
    assert_eq!(row.get::<Option<String>, _>(4), Some(v2.hash_hex()));
    assert_eq!(
        row.get::<Option<String>, _>(5).as_deref(),
        Some(included.hash.as_str())
    );
    assert_eq!(
        row.get::<Option<i64>, _>(6),
        Some(i64::from(included.ledger))
    );
    assert_eq!(
        count(&pool, "SELECT count(*) FROM transactions WHERE transaction_type = 'contract_upgrade' AND status = 'confirmed'").await,
        1
    );
    // The same wasm again is refused before anything is sent.
    assert!(matches!(
        contracts::upgrade(&local.rpc, &mut conn, &admin, &upgraded, &v2).await,
        Err(ContractsError::SameWasm { .. })
    ));

    pause_and_unpause_by_the_admin_only(&local.rpc, &mut conn, &pool, &admin, &stranger).await;
    drop(conn);
    local.devnet.shutdown().await;
}

/// Runs the binary for the bad-input cases: returns (exit success, stdout, stderr).
async fn passa_plain(db_url: &str, env: &[(&str, &str)], args: &[&str]) -> (bool, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_passa"));
    command
        .args(args)
        .env("DATABASE_URL", db_url)
        .env_remove("PASSA_SECRET_KEY")
        .env_remove("RUST_LOG")
        .env_remove("PASSA_FAILPOINT")
        .stdin(Stdio::null());
    for (k, v) in env {
        command.env(k, v);
    }
    let output = output(command).await;
    (
        output.status.success(),
        text(&output.stdout),
        text(&output.stderr),
    )
}

/// A bad-input case: (name, extra environment, arguments, expected in the error).
type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, Vec<&'a str>, &'a str);

/// The cases where the key and wasm are fine but the RPC, the database or the network is not.
fn unreachable_or_wrong_network_cases<'a>(
    rpc_url: &'a str,
    key: &'a str,
    wasm: &'a str,
) -> Vec<Case<'a>> {
    vec![
        (
            "RPC unreachable",
            vec![],
            vec![
                "deploy",
                "--rpc-url",
                "http://127.0.0.1:1/",
                "--source",
                key,
                "--wasm-dir",
                wasm,
            ],
            "cannot reach the Stellar RPC server at http://127.0.0.1:1/",
        ),
        (
            "database unreachable",
            vec![("DATABASE_URL", "postgres://passa:pw@127.0.0.1:1/passa")],
            vec![
                "deploy",
                "--rpc-url",
                rpc_url,
                "--source",
                key,
                "--wasm-dir",
                wasm,
            ],
            "cannot connect to PostgreSQL at postgres://passa:****@127.0.0.1:1/passa",
        ),
        (
            "wrong network passphrase",
            vec![],
            vec![
                "deploy",
                "--rpc-url",
                rpc_url,
                "--network-passphrase",
                "Other ; 2020",
                "--source",
                key,
                "--wasm-dir",
                wasm,
            ],
            "serves the network",
        ),
        (
            "mainnet without an RPC URL",
            vec![("STELLAR_RPC_URL", "")],
            vec![
                "deploy",
                "--network",
                "mainnet",
                "--source",
                key,
                "--wasm-dir",
                wasm,
            ],
            "mainnet has no default RPC server",
        ),
    ]
}

#[tokio::test]
async fn bad_input_gets_one_clear_error_and_writes_nothing() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    let local = devnet().await;
    let deployer = funded(&local.rpc).await;
    let (_dir, key) = key_file(&deployer);
    let db_url = db.url().to_owned();
    let rpc_url = local.devnet.rpc_url();
    let wasm = wasm_dir();
    let wasm = wasm.to_str().expect("a UTF-8 path");
    let key = key.to_str().expect("a UTF-8 path");
    let secret_env = std::fs::read_to_string(key).expect("key file");
    let secret = secret_env
        .split('"')
        .nth(1)
        .expect("secret_key = \"S…\"")
        .to_owned();

    let mut cases: Vec<Case> = vec![
        (
            "unknown network",
            vec![],
            vec!["deploy", "--network", "moonnet", "--source", key],
            "invalid value 'moonnet'",
        ),
        (
            "malformed secret key",
            vec![("PASSA_SECRET_KEY", "SBADKEY")],
            vec!["deploy", "--rpc-url", &rpc_url, "--wasm-dir", wasm],
            "PASSA_SECRET_KEY does not hold a valid Stellar secret key",
        ),
        (
            "secret on the command line",
            vec![],
            vec!["deploy", "--rpc-url", &rpc_url, "--source", &secret],
            "refusing a secret key on the command line",
        ),
        (
            "malformed strkey",
            vec![],
            vec![
                "deploy",
                "--rpc-url",
                &rpc_url,
                "--source",
                key,
                "--admin",
                "GNOTANADDRESS",
            ],
            "\"GNOTANADDRESS\" is not a Stellar account",
        ),
        (
            "missing wasm",
            vec![],
            vec![
                "deploy",
                "--rpc-url",
                &rpc_url,
                "--source",
                key,
                "--wasm-dir",
                "/nonexistent/wasm",
            ],
            "build the contracts with scripts/build-contracts.sh",
        ),
    ];
    cases.extend(unreachable_or_wrong_network_cases(&rpc_url, key, wasm));
    for (name, env, args, expected) in cases {
        let (ok, out, err) = passa_plain(&db_url, &env, &args).await;
        assert!(!ok, "{name}: should fail\n{out}\n{err}");
        assert!(
            err.contains(expected),
            "{name}: expected {expected:?} in:\n{err}"
        );
        assert!(!err.contains(&secret), "{name}: the secret leaked");
        let lines: Vec<_> = err.lines().filter(|l| !l.trim().is_empty()).collect();
        assert!(
            lines.len() == 1 || name == "unknown network",
            "{name}: one line expected:\n{err}"
        );
        assert_eq!(footprint(&pool).await, (0, 0, 0), "{name}: nothing written");
    }
    local.devnet.shutdown().await;
}

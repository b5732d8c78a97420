//! `passa sync` against a real Stellar RPC server — `passa devnet` in process on a free
//! loopback port — and PostgreSQL (a fresh migrated database per test, from `passa_testdb::TestDb`):
//! contracts deployed with `passa deploy`, real signed invocations, then the mirror's rows.
//!
//! Needs the contracts' wasm in target/wasm (`scripts/build-contracts.sh`).
// These scenario tests still read as one story per function, over the lint's 120 lines;
// splitting them into named phases is open work (issue 14), so the lint is allowed here only.
#![allow(clippy::too_many_lines)]
#![cfg(feature = "devnet")]

mod support;
use passa_testdb::TestDb;
use support::{funded, wasm_dir};

use std::time::Duration;

use passa_deploy::deploy::{self, DeployOptions, Quiet};
use passa_deploy::registry::{self, ContractKind};
use passa_devnet::Devnet;
use passa_stellar::keys::Signer;
use passa_stellar::network::{Network, NetworkName, LOCAL_PASSPHRASE};
use passa_stellar::rpc::{self, Rpc};
use passa_stellar::scval;
use passa_sync::{self as sync, SyncOptions, SyncReport};
use sqlx::migrate::Migrator;
use sqlx::{PgPool, Row};
use stellar_xdr as xdr;
use uuid::Uuid;

static MIGRATOR: Migrator = sqlx::migrate!("../../migrations");

struct Local {
    devnet: Devnet,
    rpc: Rpc,
    admin: Signer,
    ticketing: xdr::ScAddress,
    attribution: xdr::ScAddress,
}

async fn deployed(pool: &PgPool) -> Local {
    let support::Local { devnet, rpc } = support::devnet().await;
    let admin = support::funded(&rpc).await;
    let contracts = support::deployed(&rpc, pool, &admin).await;
    Local {
        ticketing: contracts.ticketing,
        attribution: contracts.attribution,
        devnet,
        rpc,
        admin,
    }
}

/// Invokes `function` on `contract` with `signer` as source (whose auth covers its own
/// address), and waits for it. Returns the call's result.
async fn invoke(
    rpc: &Rpc,
    signer: &Signer,
    contract: &xdr::ScAddress,
    function: &str,
    args: Vec<xdr::ScVal>,
) -> xdr::ScVal {
    let call = rpc::invoke_contract(contract, function, args).expect("a call");
    let prepared = rpc
        .prepare(signer, call, function)
        .await
        .unwrap_or_else(|e| panic!("{function} simulates: {e}"));
    let signed = rpc.sign(prepared.tx, signer).expect("signs");
    rpc.send(&signed).await.expect("sent");
    rpc.wait(&signed)
        .await
        .unwrap_or_else(|e| panic!("{function} is included: {e}"))
        .return_value
}

fn sym(s: &str) -> xdr::ScVal {
    xdr::ScVal::Symbol(xdr::ScSymbol(s.try_into().expect("a symbol")))
}

/// A `#[contracttype]` struct: a map with its fields sorted by name.
fn record(mut fields: Vec<(&str, xdr::ScVal)>) -> xdr::ScVal {
    fields.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    xdr::ScVal::Map(Some(xdr::ScMap(
        fields
            .into_iter()
            .map(|(k, v)| xdr::ScMapEntry {
                key: sym(k),
                val: v,
            })
            .collect::<Vec<_>>()
            .try_into()
            .expect("a map"),
    )))
}

fn event_id(id: Uuid) -> xdr::ScVal {
    xdr::ScVal::Bytes(xdr::ScBytes(
        id.as_bytes().to_vec().try_into().expect("16 bytes"),
    ))
}

fn address(signer: &Signer) -> xdr::ScVal {
    xdr::ScVal::Address(signer.sc_address())
}

/// The native asset's contract on the devnet's network.
fn native_asset_contract() -> xdr::ScAddress {
    use sha2::Digest as _;
    use stellar_xdr::WriteXdr as _;
    let network =
        Network::resolve(NetworkName::Local, None, Some(LOCAL_PASSPHRASE)).expect("network");
    let preimage = xdr::HashIdPreimage::ContractId(xdr::HashIdPreimageContractId {
        network_id: xdr::Hash(network.id()),
        contract_id_preimage: xdr::ContractIdPreimage::Asset(xdr::Asset::Native),
    });
    let bytes = preimage.to_xdr(xdr::Limits::none()).expect("xdr");
    xdr::ScAddress::Contract(xdr::ContractId(xdr::Hash(
        sha2::Sha256::digest(bytes).into(),
    )))
}

/// token id, owner user, owner address, status, tier, raw price, purchase transaction hash
type TicketRow = (
    i64,
    Option<Uuid>,
    Option<String>,
    String,
    String,
    String,
    Option<String>,
);

/// The latest ledger's close time: the `now` the contracts see (on a devnet with fast ledgers
/// it runs ahead of the wall clock).
async fn ledger_time(local: &Local) -> u64 {
    let client = stellar_rpc_client::Client::new(&local.devnet.rpc_url()).expect("an RPC client");
    let latest = local.rpc.latest_ledger().await.expect("the latest ledger");
    let ledgers = client
        .get_ledgers(
            stellar_rpc_client::LedgerStart::Ledger(latest),
            Some(1),
            None,
        )
        .await
        .expect("getLedgers");
    u64::try_from(ledgers.latest_ledger_close_time).expect("a time")
}

/// Records what the sync reports as it goes.
#[derive(Default)]
struct Recorder {
    pages: std::sync::Mutex<Vec<(SyncReport, u32)>>,
    caught_up: std::sync::Mutex<u32>,
}

impl sync::Observer for Recorder {
    fn page(&self, report: &SyncReport, latest: u32) {
        self.pages
            .lock()
            .expect("the recorder")
            .push((report.clone(), latest));
    }

    fn caught_up(&self, _report: &SyncReport) {
        *self.caught_up.lock().expect("the recorder") += 1;
    }
}

/// 1 XLM in stroops: the GA tier's price.
const PRICE: i128 = 10_000_000;

/// `create_event` for `organizer`: one tier GA (1 XLM, 10 tickets, 5 per wallet), on sale
/// and running now, for two hours.
async fn create_event(local: &Local, organizer: &Signer, id: Uuid) {
    let now = rpc::unix_now();
    let schedule = (now - 600, now + 3_600, now - 600, now + 7_200);
    create_event_with(local, organizer, id, false, 0, schedule).await;
}

/// `create_event` with resale allowed or not, and its royalty.
async fn create_event_with(
    local: &Local,
    organizer: &Signer,
    id: Uuid,
    resaleable: bool,
    royalty_bps: u32,
    (sales_start, sales_end, start, end): (u64, u64, u64, u64),
) {
    let tier = record(vec![
        ("code", sym("GA")),
        ("price", scval::i128(PRICE)),
        ("supply", xdr::ScVal::U32(10)),
        ("max_per_wallet", xdr::ScVal::U32(5)),
    ]);
    let config = record(vec![
        (
            "payment_token",
            xdr::ScVal::Address(native_asset_contract()),
        ),
        (
            "tiers",
            xdr::ScVal::Vec(Some(xdr::ScVec(vec![tier].try_into().expect("a vec")))),
        ),
        ("sales_start", xdr::ScVal::U64(sales_start)),
        ("sales_end", xdr::ScVal::U64(sales_end)),
        ("start", xdr::ScVal::U64(start)),
        ("end", xdr::ScVal::U64(end)),
        ("transferable", xdr::ScVal::Bool(true)),
        ("resaleable", xdr::ScVal::Bool(resaleable)),
        ("refundable", xdr::ScVal::Bool(false)),
        ("resale_cap_bps", xdr::ScVal::U32(11_000)),
        ("royalty_bps", xdr::ScVal::U32(royalty_bps)),
        (
            "metadata_uri",
            xdr::ScVal::String(xdr::ScString(
                "https://passa.example/e".try_into().expect("uri"),
            )),
        ),
    ]);
    invoke(
        &local.rpc,
        organizer,
        &local.ticketing,
        "create_event",
        vec![address(organizer), event_id(id), config],
    )
    .await;
}

/// `purchase` of `quantity` GA tickets by `buyer`; returns the token ids.
async fn purchase(local: &Local, buyer: &Signer, id: Uuid, quantity: u32) -> Vec<u32> {
    purchase_referred(local, buyer, id, quantity, None).await
}

/// The next token id to buy: `purchase` mints the ids its caller chooses, unique per
/// deployment, and the tests of this binary may share one.
static NEXT_TOKEN_ID: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);

/// `purchase` with a referrer.
async fn purchase_referred(
    local: &Local,
    buyer: &Signer,
    id: Uuid,
    quantity: u32,
    referrer: Option<&Signer>,
) -> Vec<u32> {
    let result = invoke(
        &local.rpc,
        buyer,
        &local.ticketing,
        "purchase",
        vec![
            address(buyer),
            event_id(id),
            xdr::ScVal::U32(0),
            xdr::ScVal::U32(
                NEXT_TOKEN_ID.fetch_add(quantity, std::sync::atomic::Ordering::Relaxed),
            ),
            xdr::ScVal::U32(quantity),
            referrer.map_or(xdr::ScVal::Void, address),
        ],
    )
    .await;
    let xdr::ScVal::Vec(Some(ids)) = result else {
        panic!("purchase returns the token ids: {result:?}")
    };
    ids.iter()
        .map(|v| match v {
            xdr::ScVal::U32(id) => *id,
            other => panic!("a token id: {other:?}"),
        })
        .collect()
}

/// A user with a stellar wallet; an organizer row when `organizer`.
async fn user(pool: &PgPool, name: &str, wallet: &Signer, organizer: bool) -> Uuid {
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO users (username, email) VALUES ($1, $1 || '@passa.example') RETURNING user_id",
    )
    .bind(name)
    .fetch_one(pool)
    .await
    .expect("a user");
    sqlx::query("INSERT INTO wallets (user_id, wallet_address, is_primary) VALUES ($1, $2, true)")
        .bind(id)
        .bind(wallet.address())
        .execute(pool)
        .await
        .expect("a wallet");
    if organizer {
        sqlx::query("INSERT INTO organizers (user_id) VALUES ($1)")
            .bind(id)
            .execute(pool)
            .await
            .expect("an organizer");
    }
    id
}

/// A draft event row, as the web backend creates it before publishing on chain.
async fn draft_event(pool: &PgPool, id: Uuid, organizer: Uuid, slug: &str) {
    sqlx::query(
        "INSERT INTO events (event_id, organizer_user_id, title, slug, start_datetime, end_datetime)
         VALUES ($1, $2, 'Nairobi Nights', $3, now() + interval '30 days', now() + interval '31 days')",
    )
    .bind(id)
    .bind(organizer)
    .bind(slug)
    .execute(pool)
    .await
    .expect("a draft event");
}

async fn sync_once(local: &Local, pool: &PgPool) -> SyncReport {
    let mut conn = pool.acquire().await.expect("a connection");
    sync::run(
        &local.rpc,
        &mut conn,
        &SyncOptions {
            once: true,
            ..SyncOptions::default()
        },
    )
    .await
    .expect("sync runs")
}

async fn parked_now(pool: &PgPool) -> Vec<sync::ParkedEvent> {
    let mut conn = pool.acquire().await.expect("a connection");
    sync::parked(&mut conn, NetworkName::Local, false)
        .await
        .expect("the parked events")
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(pool)
        .await
        .expect("a count")
}

/// Everything sync writes, as text, to compare two states of the mirror.
async fn mirror(pool: &PgPool) -> Vec<String> {
    let mut out = vec![];
    for sql in [
        "SELECT event_id || outcome || coalesce(applied_at::text, '') FROM chain_events ORDER BY 1",
        "SELECT event_id || reason_code || attempts || coalesce(resolved_at::text, '') FROM parked_events ORDER BY 1",
        "SELECT t::text FROM tickets t ORDER BY token_id",
        "SELECT e::text FROM events e ORDER BY event_id",
        "SELECT o::text FROM organizers o ORDER BY user_id",
        "SELECT x::text FROM transactions x ORDER BY transaction_hash",
        "SELECT count(*)::text FROM audit_logs",
    ] {
        let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
            .fetch_all(pool)
            .await
            .expect("mirror rows");
        out.extend(rows);
    }
    out
}

#[tokio::test]
async fn mirrors_organizers_events_tickets_check_in_and_refund_and_a_rerun_changes_nothing() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    let local = deployed(&pool).await;
    let organizer = funded(&local.rpc).await;
    let buyer = funded(&local.rpc).await;
    let stranger = funded(&local.rpc).await;
    let organizer_user = user(&pool, "wanjiru", &organizer, true).await;
    let buyer_user = user(&pool, "otieno", &buyer, false).await;
    let event = Uuid::from_u128(0x5eed_0000_0000_4000_8000_0000_0000_0001);
    draft_event(&pool, event, organizer_user, "nairobi-nights").await;

    invoke(
        &local.rpc,
        &local.admin,
        &local.ticketing,
        "verify_organizer",
        vec![address(&organizer)],
    )
    .await;
    create_event(&local, &organizer, event).await;
    let mine = purchase(&local, &buyer, event, 2).await;
    // A buyer without a wallet in the database keeps the address and no user.
    let theirs = purchase(&local, &stranger, event, 1).await;
    invoke(
        &local.rpc,
        &organizer,
        &local.ticketing,
        "check_in",
        vec![address(&organizer), xdr::ScVal::U32(mine[0])],
    )
    .await;
    // A call whose only event the mirror has nothing to apply from.
    invoke(
        &local.rpc,
        &organizer,
        &local.ticketing,
        "set_gate_operator",
        vec![address(&organizer), event_id(event), address(&stranger)],
    )
    .await;

    let report = sync_once(&local, &pool).await;
    assert_eq!(
        report.parked,
        0,
        "{report:?}\n{:#?}",
        parked_now(&pool).await
    );
    assert_eq!(report.events_new, report.events_seen, "{report:?}");
    // verify, create, 2 purchases, check-in
    assert_eq!(report.applied, 5, "{report:?}");
    assert!(
        report.ignored >= 4,
        "the mints and the gate operator: {report:?}"
    );

    let org = sqlx::query(
        "SELECT is_verified, verified_at IS NOT NULL, stellar_address FROM organizers WHERE user_id = $1",
    )
    .bind(organizer_user)
    .fetch_one(&pool)
    .await
    .expect("the organizer");
    assert!(org.get::<bool, _>(0));
    assert!(org.get::<bool, _>(1));
    assert_eq!(org.get::<String, _>(2), organizer.address());

    let ticketing_id: Uuid = sqlx::query_scalar(
        "SELECT contract_id FROM smart_contracts WHERE contract_type = 'ticketing'",
    )
    .fetch_one(&pool)
    .await
    .expect("ticketing registered");
    let ev = sqlx::query(
        "SELECT status, onchain_status, smart_contract_id, capacity, tickets_sold, organizer_address,
                gross_sales_raw::text, min_ticket_price::text, tiers->0->>'code', published_at IS NOT NULL
           FROM events WHERE event_id = $1",
    )
    .bind(event)
    .fetch_one(&pool)
    .await
    .expect("the event");
    assert_eq!(ev.get::<String, _>(0), "published");
    assert_eq!(ev.get::<Option<String>, _>(1).as_deref(), Some("published"));
    assert_eq!(ev.get::<Option<Uuid>, _>(2), Some(ticketing_id));
    assert_eq!(ev.get::<Option<i32>, _>(3), Some(10));
    assert_eq!(ev.get::<i32, _>(4), 3);
    assert_eq!(ev.get::<Option<String>, _>(5), Some(organizer.address()));
    assert_eq!(ev.get::<String, _>(6), (3 * PRICE).to_string());
    assert_eq!(ev.get::<Option<String>, _>(7).as_deref(), Some("1.0000000"));
    assert_eq!(ev.get::<Option<String>, _>(8).as_deref(), Some("GA"));
    assert!(ev.get::<bool, _>(9));

    let tickets: Vec<TicketRow> = sqlx::query_as(
        "SELECT token_id, owner_user_id, owner_address, ticket_status, ticket_tier,
                    price_raw::text, t.transaction_hash
               FROM tickets
               LEFT JOIN transactions t ON t.transaction_id = tickets.purchase_transaction_id
              ORDER BY token_id",
    )
    .fetch_all(&pool)
    .await
    .expect("tickets");
    assert_eq!(tickets.len(), 3, "{tickets:?}");
    for (token, owner_user, owner, status, tier, price, tx) in &tickets {
        let token = u32::try_from(*token).expect("a u32");
        let (expected_user, expected_owner) = if mine.contains(&token) {
            (Some(buyer_user), buyer.address())
        } else {
            assert!(theirs.contains(&token));
            (None, stranger.address())
        };
        assert_eq!(*owner_user, expected_user);
        assert_eq!(owner.as_deref(), Some(expected_owner.as_str()));
        let expected_status = if token == mine[0] {
            "used"
        } else {
            "purchased"
        };
        assert_eq!(status, expected_status, "ticket {token}");
        assert_eq!(tier, "GA");
        assert_eq!(*price, PRICE.to_string());
        assert!(tx.is_some(), "the purchase transaction is recorded");
    }
    assert_eq!(
        count(&pool, "SELECT count(*) FROM transactions WHERE transaction_type = 'ticket_purchase' AND status = 'confirmed' AND block_number > 0").await,
        2
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM audit_logs WHERE action LIKE 'chain.%'"
        )
        .await,
        5
    );
    // Each purchase transaction: sent by its buyer, its fee and amount recorded.
    let purchases: Vec<(Option<String>, bool, Option<String>)> = sqlx::query_as(
        "SELECT from_address, gas_fee > 0, amount::text FROM transactions
          WHERE transaction_type = 'ticket_purchase' ORDER BY block_number",
    )
    .fetch_all(&pool)
    .await
    .expect("the purchases");
    assert_eq!(
        purchases,
        vec![
            (Some(buyer.address()), true, Some("2.0000000".to_owned())),
            (Some(stranger.address()), true, Some("1.0000000".to_owned())),
        ]
    );
    // Every transaction has its row, the gate operator's too (only an ignored event):
    // verification, creation, 2 purchases, check-in, gate operator.
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM transactions WHERE metadata->>'source' = 'passa sync'"
        )
        .await,
        6
    );
    let gate: (String, Option<String>, bool, Option<Uuid>) = sqlx::query_as(
        "SELECT status, from_address, gas_fee > 0, event_id FROM transactions
          WHERE transaction_type = 'event_management' AND event_id IS NULL",
    )
    .fetch_one(&pool)
    .await
    .expect("the gate operator's transaction");
    assert_eq!(
        gate,
        (
            "confirmed".to_owned(),
            Some(organizer.address()),
            true,
            None
        )
    );

    // Nothing new on chain: a second run changes nothing but the cursor, which follows the
    // ledgers that closed meanwhile.
    let before = mirror(&pool).await;
    let again = sync_once(&local, &pool).await;
    assert_eq!(
        (again.events_new, again.applied, again.parked),
        (0, 0, 0),
        "{again:?}"
    );
    assert_eq!(mirror(&pool).await, before);
    assert!(
        again.last_ledger >= report.last_ledger,
        "{again:?} {report:?}"
    );

    // Read again from the first event on (a backfill over what is stored): every event is
    // seen, none is stored or applied twice.
    let first: i64 = sqlx::query_scalar("SELECT min(ledger) FROM chain_events")
        .fetch_one(&pool)
        .await
        .expect("the first ledger");
    let mut conn = pool.acquire().await.expect("a connection");
    let reread = sync::run(
        &local.rpc,
        &mut conn,
        &SyncOptions {
            once: true,
            from_ledger: Some(u32::try_from(first).expect("a ledger")),
            ..SyncOptions::default()
        },
    )
    .await
    .expect("sync runs");
    drop(conn);
    assert_eq!(
        (reread.events_seen, reread.events_new, reread.applied),
        (report.events_seen, 0, 0),
        "{reread:?} {report:?}"
    );
    assert_eq!(mirror(&pool).await, before);

    // Postponed by a week, picked up from the stored cursor.
    let week = 7 * 24 * 3_600;
    let new_start = ledger_time(&local).await + week;
    invoke(
        &local.rpc,
        &organizer,
        &local.ticketing,
        "postpone_event",
        vec![
            address(&organizer),
            event_id(event),
            xdr::ScVal::U64(new_start),
            xdr::ScVal::U64(new_start + 3_600),
        ],
    )
    .await;
    let postponed = sync_once(&local, &pool).await;
    assert_eq!(
        (postponed.applied, postponed.parked),
        (1, 0),
        "{postponed:?}"
    );
    let (status, onchain, start, end): (String, Option<String>, i64, i64) = sqlx::query_as(
        "SELECT status, onchain_status, extract(epoch FROM start_datetime)::bigint,
                extract(epoch FROM end_datetime)::bigint
           FROM events WHERE event_id = $1",
    )
    .bind(event)
    .fetch_one(&pool)
    .await
    .expect("the event");
    assert_eq!(
        (status.as_str(), onchain.as_deref()),
        ("postponed", Some("postponed"))
    );
    assert_eq!((start, end), (new_start as i64, new_start as i64 + 3_600));

    // Cancellation and a refund.
    invoke(
        &local.rpc,
        &organizer,
        &local.ticketing,
        "cancel_event",
        vec![address(&organizer), event_id(event)],
    )
    .await;
    invoke(
        &local.rpc,
        &buyer,
        &local.ticketing,
        "refund",
        vec![address(&buyer), xdr::ScVal::U32(mine[1])],
    )
    .await;
    let third = sync_once(&local, &pool).await;
    assert_eq!((third.applied, third.parked), (2, 0), "{third:?}");
    let (status, cancelled, refunds): (String, bool, String) = sqlx::query_as(
        "SELECT status, cancelled_at IS NOT NULL, refunds_raw::text FROM events WHERE event_id = $1",
    )
    .bind(event)
    .fetch_one(&pool)
    .await
    .expect("the event");
    assert_eq!((status.as_str(), cancelled), ("cancelled", true));
    assert_eq!(refunds, PRICE.to_string());
    let refunded: (String, bool) = sqlx::query_as(
        "SELECT ticket_status, refunded_at IS NOT NULL FROM tickets WHERE token_id = $1",
    )
    .bind(i64::from(mine[1]))
    .fetch_one(&pool)
    .await
    .expect("the refunded ticket");
    assert_eq!(refunded, ("refunded".to_owned(), true));

    // The admin revokes the organizer.
    invoke(
        &local.rpc,
        &local.admin,
        &local.ticketing,
        "revoke_organizer",
        vec![address(&organizer)],
    )
    .await;
    let revoked = sync_once(&local, &pool).await;
    assert_eq!(revoked.applied, 1, "{revoked:?}");
    // Used, refunded and held tickets, a cancelled event, a revoked organizer: as on chain.
    let mut conn = pool.acquire().await.expect("a connection");
    let drift = passa_sync::verify::verify(&local.rpc, &mut conn, NetworkName::Local)
        .await
        .expect("verify")
        .drift;
    assert!(drift.is_empty(), "{drift:#?}");
    drop(conn);
    let verified: bool =
        sqlx::query_scalar("SELECT is_verified FROM organizers WHERE user_id = $1")
            .bind(organizer_user)
            .fetch_one(&pool)
            .await
            .expect("the organizer");
    assert!(!verified);
    local.devnet.shutdown().await;
}

#[tokio::test]
async fn an_event_unknown_to_the_mirror_is_parked_then_applied_once_it_exists() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    let local = deployed(&pool).await;
    let organizer = funded(&local.rpc).await;
    let buyer = funded(&local.rpc).await;
    let organizer_user = user(&pool, "akinyi", &organizer, true).await;
    // Published on chain before the backend wrote its row.
    let event = Uuid::from_u128(0x5eed_0000_0000_4000_8000_0000_0000_0002);

    invoke(
        &local.rpc,
        &local.admin,
        &local.ticketing,
        "verify_organizer",
        vec![address(&organizer)],
    )
    .await;
    create_event(&local, &organizer, event).await;
    purchase(&local, &buyer, event, 1).await;

    let observer = Recorder::default();
    let first = {
        let mut conn = pool.acquire().await.expect("a connection");
        let opts = SyncOptions {
            once: true,
            ..SyncOptions::default()
        };
        sync::run_observed(&local.rpc, &mut conn, &opts, &observer)
            .await
            .expect("sync runs")
    };
    assert_eq!((first.applied, first.parked), (1, 2), "{first:?}");
    {
        let pages = observer.pages.lock().expect("the recorder");
        assert_eq!(pages.len() as u64, first.pages, "one call per page");
        assert_eq!(pages.last().map(|(r, _)| r), Some(&first));
        assert!(pages.iter().all(|(r, latest)| r.last_ledger <= *latest));
        assert_eq!(*observer.caught_up.lock().expect("the recorder"), 1);
    }
    let mut conn = pool.acquire().await.expect("a connection");
    let parked = sync::parked(&mut conn, NetworkName::Local, false)
        .await
        .expect("the parked events");
    let summary: Vec<(Option<&str>, &str, &str)> = parked
        .iter()
        .map(|p| {
            (
                p.name.as_deref(),
                p.reason_code.as_str(),
                p.subject.as_str(),
            )
        })
        .collect();
    let subject = format!("event:{event}");
    assert_eq!(
        summary,
        vec![
            (Some("event_created"), "unknown_event", subject.as_str()),
            (Some("purchased"), "waiting", subject.as_str()),
        ]
    );
    assert!(
        parked[0].reason.contains(&event.to_string()),
        "{}",
        parked[0].reason
    );
    assert!(
        parked[1].reason.contains(&parked[0].event_id),
        "{}",
        parked[1].reason
    );
    assert_eq!(count(&pool, "SELECT count(*) FROM tickets").await, 0);
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM chain_events WHERE outcome = 'parked'"
        )
        .await,
        2
    );

    // Still unresolvable: a rerun retries them, counts the attempt, applies nothing.
    let second = sync_once(&local, &pool).await;
    assert_eq!((second.events_new, second.unparked), (0, 0), "{second:?}");
    let attempts: Vec<i32> =
        sqlx::query_scalar("SELECT attempts FROM parked_events ORDER BY event_id")
            .fetch_all(&pool)
            .await
            .expect("attempts");
    assert_eq!(attempts, vec![2, 2]);

    // The backend writes the row; the next run applies both, in order.
    draft_event(&pool, event, organizer_user, "late-row").await;
    let third = sync_once(&local, &pool).await;
    assert_eq!((third.events_new, third.unparked), (0, 2), "{third:?}");
    assert!(sync::parked(&mut conn, NetworkName::Local, false)
        .await
        .expect("parked")
        .is_empty());
    let all = sync::parked(&mut conn, NetworkName::Local, true)
        .await
        .expect("parked, resolved too");
    assert_eq!(all.len(), 2);
    assert!(all
        .iter()
        .all(|p| p.resolved_at.is_some() && p.attempts == 3));
    let (status, sold): (String, i32) =
        sqlx::query_as("SELECT status, tickets_sold FROM events WHERE event_id = $1")
            .bind(event)
            .fetch_one(&pool)
            .await
            .expect("the event");
    assert_eq!((status.as_str(), sold), ("published", 1));
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM tickets WHERE ticket_status = 'purchased'"
        )
        .await,
        1
    );
    // Applied late, their transactions still get sender and fee.
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM transactions
              WHERE transaction_type IN ('event_management', 'ticket_purchase')
                AND from_address IS NOT NULL AND gas_fee > 0"
        )
        .await,
        2
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM chain_events WHERE outcome = 'parked'"
        )
        .await,
        0
    );
    drop(conn);
    local.devnet.shutdown().await;
}

#[tokio::test]
async fn sync_without_contracts_says_to_deploy() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    let support::Local { devnet, rpc } = support::devnet().await;
    let mut conn = pool.acquire().await.expect("a connection");
    let err = sync::run(&rpc, &mut conn, &SyncOptions::default())
        .await
        .expect_err("nothing to follow");
    assert!(
        err.to_string().contains("passa deploy --network local"),
        "{err}"
    );
    assert!(registry::list(&mut conn, None)
        .await
        .expect("registry")
        .is_empty());
    drop(conn);
    devnet.shutdown().await;
}

// ------------------------------------------------------------------------ schema of 0022

/// The sync's migrations (0022, 0023): each one's down restores exactly the schema before
/// it (the catalog by name and definition), and its up after that gives back the same schema.
#[tokio::test]
async fn the_sync_migrations_reverse_exactly() {
    let db = TestDb::empty().await;
    let pool = db.pool();
    MIGRATOR.run_to(21, &pool).await.expect("up to 0021");
    let mut before = catalog(&pool).await;
    for version in [22, 23, 24] {
        MIGRATOR.run_to(version, &pool).await.expect("up");
        let after = catalog(&pool).await;
        assert_ne!(before, after, "{version} changes the schema");
        MIGRATOR.undo(&pool, version - 1).await.expect("down");
        assert_eq!(catalog(&pool).await, before, "down of {version}");
        MIGRATOR.run_to(version, &pool).await.expect("up again");
        assert_eq!(catalog(&pool).await, after, "up again of {version}");
        before = after;
    }
}

async fn catalog(pool: &PgPool) -> Vec<String> {
    sqlx::query_scalar(
        r#"
        SELECT kind || ' ' || name || ' ' || COALESCE(def, '') FROM (
            SELECT 'relation' AS kind, c.relname::text AS name, c.relkind::text AS def
              FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace
            UNION ALL
            SELECT 'column', c.relname || '.' || a.attname,
                   format_type(a.atttypid, a.atttypmod) || ' notnull=' || a.attnotnull
                   || ' default=' || COALESCE(pg_get_expr(d.adbin, d.adrelid), '')
              FROM pg_attribute a
              JOIN pg_class c ON c.oid = a.attrelid
              LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
             WHERE c.relnamespace = 'public'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
            UNION ALL
            SELECT 'constraint', conrelid::regclass || '.' || conname, pg_get_constraintdef(oid)
              FROM pg_constraint WHERE connamespace = 'public'::regnamespace
            UNION ALL
            SELECT 'index', indexrelid::regclass::text, pg_get_indexdef(indexrelid)
              FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
             WHERE c.relnamespace = 'public'::regnamespace
            UNION ALL
            SELECT 'function', p.oid::regprocedure::text, md5(p.prosrc)
              FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
            UNION ALL
            SELECT 'trigger', t.tgrelid::regclass || '.' || t.tgname, pg_get_triggerdef(t.oid)
              FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
             WHERE c.relnamespace = 'public'::regnamespace AND NOT t.tgisinternal
            UNION ALL
            SELECT 'comment', d.objoid::regclass || '.' || COALESCE(a.attname, ''), md5(d.description)
              FROM pg_description d JOIN pg_class c ON c.oid = d.objoid
              LEFT JOIN pg_attribute a ON a.attrelid = d.objoid AND a.attnum = d.objsubid AND d.objsubid > 0
             WHERE d.classoid = 'pg_class'::regclass AND c.relnamespace = 'public'::regnamespace
        ) objects
        WHERE name NOT LIKE '%\_sqlx\_migrations%'
        ORDER BY 1
        "#,
    )
    .fetch_all(pool)
    .await
    .expect("catalog snapshot")
}

/// The cursor only moves forward, and raw events are immutable but for their outcome.
#[tokio::test]
async fn the_cursor_never_moves_back_and_raw_events_do_not_change() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    let cursor = |ledger: i64| format!("{:019}-{:010}", ledger << 32, 0);
    sqlx::query("INSERT INTO sync_cursors (network, cursor, last_ledger) VALUES ('local', $1, 10)")
        .bind(cursor(10))
        .execute(&pool)
        .await
        .expect("a cursor");
    sqlx::query("UPDATE sync_cursors SET cursor = $1, last_ledger = 12 WHERE network = 'local'")
        .bind(cursor(12))
        .execute(&pool)
        .await
        .expect("forward is fine");
    let err = sqlx::query(
        "UPDATE sync_cursors SET cursor = $1, last_ledger = 11 WHERE network = 'local'",
    )
    .bind(cursor(11))
    .execute(&pool)
    .await
    .expect_err("back is refused");
    let db = err.as_database_error().expect("a database error");
    assert_eq!(db.constraint(), Some("sync_cursors_forward_only"));
    let err = sqlx::query(
        "INSERT INTO sync_cursors (network, cursor, last_ledger) VALUES ('testnet', 'nonsense', 1)",
    )
    .execute(&pool)
    .await
    .expect_err("a malformed cursor is refused");
    assert_eq!(
        err.as_database_error().and_then(|d| d.constraint()),
        Some("sync_cursors_cursor_format")
    );

    let contract: Uuid = sqlx::query_scalar(
        "INSERT INTO smart_contracts (contract_address, contract_type, network)
         VALUES ('CAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'ticketing', 'local')
         RETURNING contract_id",
    )
    .fetch_one(&pool)
    .await
    .expect("a contract");
    sqlx::query(
        "INSERT INTO chain_events (network, event_id, smart_contract_id, contract_address, ledger,
                                   ledger_closed_at, transaction_hash, topics_xdr, value_xdr,
                                   topics, value, outcome)
         VALUES ('local', $1, $2, 'CAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 12, now(),
                 repeat('a', 64), '{}', 'AAAAAQ==', '[]', '{}', 'parked')",
    )
    .bind(cursor(12))
    .bind(contract)
    .execute(&pool)
    .await
    .expect("a raw event");
    sqlx::query("UPDATE chain_events SET outcome = 'applied', applied_at = now()")
        .execute(&pool)
        .await
        .expect("the outcome may change");
    let err = sqlx::query("UPDATE chain_events SET value_xdr = 'AAAAAA=='")
        .execute(&pool)
        .await
        .expect_err("what the chain said may not");
    assert_eq!(
        err.as_database_error().and_then(|d| d.constraint()),
        Some("chain_events_immutable")
    );
    let err = sqlx::query(
        "INSERT INTO chain_events (network, event_id, smart_contract_id, contract_address, ledger,
                                   ledger_closed_at, transaction_hash, topics_xdr, value_xdr,
                                   topics, value, outcome)
         VALUES ('local', $1, $2, 'CAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 13, now(),
                 repeat('a', 64), '{}', 'AAAAAQ==', '[]', '{}', 'parked')",
    )
    .bind(cursor(12))
    .bind(contract)
    .execute(&pool)
    .await
    .expect_err("the ledger is the id's");
    assert_eq!(
        err.as_database_error().and_then(|d| d.constraint()),
        Some("chain_events_ledger_matches_id")
    );
}

/// `Share::Commission(bps)` / `Share::Percentage(bps)` as the contract encodes them.
fn share(kind: &str, bps: u32) -> xdr::ScVal {
    xdr::ScVal::Vec(Some(xdr::ScVec(
        vec![sym(kind), xdr::ScVal::U32(bps)]
            .try_into()
            .expect("a vec"),
    )))
}

#[tokio::test]
async fn mirrors_contributions_referrals_and_a_resale() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    let local = deployed(&pool).await;
    let organizer = funded(&local.rpc).await;
    let promoter = funded(&local.rpc).await;
    let artist = funded(&local.rpc).await;
    let seller = funded(&local.rpc).await;
    let buyer = funded(&local.rpc).await;
    let organizer_user = user(&pool, "njeri", &organizer, true).await;
    let promoter_user = user(&pool, "kamau", &promoter, false).await;
    let seller_user = user(&pool, "achieng", &seller, false).await;
    let buyer_user = user(&pool, "mwangi", &buyer, false).await;
    // The artist has no wallet in the database: the address is kept, the user is NULL.
    let event = Uuid::from_u128(0x5eed_0000_0000_4000_8000_0000_0000_0003);
    draft_event(&pool, event, organizer_user, "season-opener").await;

    invoke(
        &local.rpc,
        &local.admin,
        &local.ticketing,
        "verify_organizer",
        vec![address(&organizer)],
    )
    .await;
    let now = rpc::unix_now();
    let schedule = (now - 600, now + 3_600, now - 600, now + 7_200);
    create_event_with(&local, &organizer, event, true, 500, schedule).await;
    // The organizer proposes a 2.5 % commission to the promoter, who accepts.
    invoke(
        &local.rpc,
        &organizer,
        &local.attribution,
        "propose",
        vec![
            event_id(event),
            address(&promoter),
            xdr::ScVal::U32(2),
            share("Commission", 250),
        ],
    )
    .await;
    invoke(
        &local.rpc,
        &promoter,
        &local.attribution,
        "accept",
        vec![event_id(event), address(&promoter)],
    )
    .await;
    // The artist submits 10 %; the organizer rejects it.
    invoke(
        &local.rpc,
        &artist,
        &local.attribution,
        "submit",
        vec![
            event_id(event),
            address(&artist),
            xdr::ScVal::U32(0),
            share("Percentage", 1_000),
        ],
    )
    .await;
    invoke(
        &local.rpc,
        &organizer,
        &local.attribution,
        "reject",
        vec![event_id(event), address(&artist)],
    )
    .await;
    let tokens = purchase_referred(&local, &seller, event, 1, Some(&promoter)).await;
    let token = tokens[0];
    // Resold at 110 % of face value; 5 % royalty to the escrow.
    let resale = PRICE * 11 / 10;
    invoke(
        &local.rpc,
        &seller,
        &local.ticketing,
        "list",
        vec![
            address(&seller),
            xdr::ScVal::U32(token),
            scval::i128(resale),
        ],
    )
    .await;
    invoke(
        &local.rpc,
        &buyer,
        &local.ticketing,
        "buy_listing",
        vec![address(&buyer), xdr::ScVal::U32(token)],
    )
    .await;

    let report = sync_once(&local, &pool).await;
    assert_eq!(
        report.parked,
        0,
        "{report:?}\n{:#?}",
        parked_now(&pool).await
    );
    // verify, create, propose, accept, submit, reject, purchase, list, transfer, resold
    assert_eq!(report.applied, 10, "{report:?}");

    // The event's ticket terms, and its tickets' flags, as create_event_with set them.
    let terms: String = sqlx::query_scalar(
        "SELECT concat_ws(' ', tickets_transferable, tickets_resaleable, tickets_refundable,
                          resale_cap_bps, royalty_bps, metadata_uri)
               FROM events WHERE event_id = $1",
    )
    .bind(event)
    .fetch_one(&pool)
    .await
    .expect("the event");
    assert_eq!(terms, "t t f 11000 500 https://passa.example/e");
    // The audit trail keeps what each change replaced.
    let replaced: Vec<String> = sqlx::query_scalar(
        "SELECT action || ' ' || COALESCE(old_values::text, '-') FROM audit_logs
          WHERE action IN ('chain.transfer', 'chain.contribution_approved', 'chain.listed')
          ORDER BY action, created_at",
    )
    .fetch_all(&pool)
    .await
    .expect("the audit trail");
    assert_eq!(replaced.len(), 3, "{replaced:#?}");
    assert!(
        replaced[0].starts_with("chain.contribution_approved ")
            && replaced[0].contains(r#""status": "pending""#),
        "{replaced:#?}"
    );
    assert!(
        replaced[1].starts_with("chain.listed ")
            && replaced[1].contains(r#""listed_price_raw": null"#),
        "{replaced:#?}"
    );
    assert!(
        replaced[2].starts_with("chain.transfer ")
            && replaced[2].contains(&format!(r#""owner_address": "{}""#, seller.address()))
            && replaced[2].contains(&format!(r#""owner_user_id": "{seller_user}""#)),
        "{replaced:#?}"
    );
    let flags: Vec<(bool, bool, bool, Option<String>)> = sqlx::query_as(
        "SELECT DISTINCT is_transferable, is_resaleable, is_refundable, metadata_uri
           FROM tickets WHERE event_id = $1",
    )
    .bind(event)
    .fetch_all(&pool)
    .await
    .expect("the tickets");
    assert_eq!(
        flags,
        [(
            true,
            true,
            false,
            Some("https://passa.example/e".to_owned())
        )]
    );

    let promoter_row = sqlx::query(
        "SELECT user_id, contribution_type, share_type, percentage_share::text, share_bps, status,
                approved_at IS NOT NULL, approved_by, approved_by_address, proposed_by,
                proposed_by_address
           FROM attribution WHERE event_id = $1 AND contributor_address = $2",
    )
    .bind(event)
    .bind(promoter.address())
    .fetch_one(&pool)
    .await
    .expect("the promoter's contribution");
    assert_eq!(promoter_row.get::<Option<Uuid>, _>(0), Some(promoter_user));
    assert_eq!(promoter_row.get::<String, _>(1), "promotion");
    assert_eq!(promoter_row.get::<String, _>(2), "commission");
    assert_eq!(
        promoter_row.get::<Option<String>, _>(3).as_deref(),
        Some("0.0250")
    );
    assert_eq!(promoter_row.get::<Option<i32>, _>(4), Some(250));
    assert_eq!(promoter_row.get::<String, _>(5), "approved");
    assert!(promoter_row.get::<bool, _>(6));
    assert_eq!(promoter_row.get::<Option<Uuid>, _>(7), Some(promoter_user));
    assert_eq!(
        promoter_row.get::<Option<String>, _>(8),
        Some(promoter.address())
    );
    assert_eq!(promoter_row.get::<Option<Uuid>, _>(9), Some(organizer_user));
    assert_eq!(
        promoter_row.get::<Option<String>, _>(10),
        Some(organizer.address())
    );

    let (artist_user, status, pct, rejected_by): (
        Option<Uuid>,
        String,
        Option<String>,
        Option<String>,
    ) = sqlx::query_as(
        "SELECT user_id, status, percentage_share::text, rejected_by_address
               FROM attribution WHERE event_id = $1 AND contributor_address = $2",
    )
    .bind(event)
    .bind(artist.address())
    .fetch_one(&pool)
    .await
    .expect("the artist's contribution");
    assert_eq!(artist_user, None);
    assert_eq!(status, "rejected");
    assert_eq!(pct.as_deref(), Some("0.1000"));
    assert_eq!(rejected_by, Some(organizer.address()));
    // A rejected share no longer counts against the event's 100 %.
    let total: String = sqlx::query_scalar(
        "SELECT attribution_percentage_total::text FROM events WHERE event_id = $1",
    )
    .bind(event)
    .fetch_one(&pool)
    .await
    .expect("the total");
    assert_eq!(total, "0.0000");

    let ticket = sqlx::query(
        "SELECT owner_address, owner_user_id, transfer_count, current_price_raw::text,
                listed_price_raw IS NULL, referrer_address, commission_raw::text, price_raw::text
           FROM tickets WHERE token_id = $1",
    )
    .bind(i64::from(token))
    .fetch_one(&pool)
    .await
    .expect("the ticket");
    assert_eq!(ticket.get::<Option<String>, _>(0), Some(buyer.address()));
    assert_eq!(ticket.get::<Option<Uuid>, _>(1), Some(buyer_user));
    assert_eq!(ticket.get::<i32, _>(2), 1);
    assert_eq!(ticket.get::<Option<String>, _>(3), Some(resale.to_string()));
    assert!(ticket.get::<bool, _>(4), "the listing died with the sale");
    assert_eq!(ticket.get::<Option<String>, _>(5), Some(promoter.address()));
    assert_eq!(
        ticket.get::<Option<String>, _>(6),
        Some((PRICE * 250 / 10_000).to_string())
    );
    assert_eq!(ticket.get::<Option<String>, _>(7), Some(PRICE.to_string()));

    let transfer: (
        String,
        String,
        Option<Uuid>,
        Option<Uuid>,
        Option<String>,
        Option<String>,
    ) = sqlx::query_as(
        "SELECT from_address, to_address, from_user_id, to_user_id, price_raw::text,
                    royalty_raw::text
               FROM ticket_transfers",
    )
    .fetch_one(&pool)
    .await
    .expect("one transfer");
    assert_eq!(
        transfer,
        (
            seller.address(),
            buyer.address(),
            Some(seller_user),
            Some(buyer_user),
            Some(resale.to_string()),
            Some((resale * 500 / 10_000).to_string()),
        )
    );
    let (royalties, commissions): (String, String) = sqlx::query_as(
        "SELECT royalties_raw::text, commissions_raw::text FROM events WHERE event_id = $1",
    )
    .bind(event)
    .fetch_one(&pool)
    .await
    .expect("the totals");
    assert_eq!(royalties, (resale * 500 / 10_000).to_string());
    assert_eq!(commissions, (PRICE * 250 / 10_000).to_string());

    // Read back from the chain, the mirror has no drift; a tampered row shows.
    let mut conn = pool.acquire().await.expect("a connection");
    let drift = passa_sync::verify::verify(&local.rpc, &mut conn, NetworkName::Local)
        .await
        .expect("verify")
        .drift;
    assert!(drift.is_empty(), "{drift:#?}");
    sqlx::query("UPDATE tickets SET owner_address = $1 WHERE token_id = $2")
        .bind(seller.address())
        .bind(i64::from(token))
        .execute(&pool)
        .await
        .expect("tampered");
    sqlx::query("UPDATE events SET royalties_raw = 0 WHERE event_id = $1")
        .bind(event)
        .execute(&pool)
        .await
        .expect("tampered");
    let drift = passa_sync::verify::verify(&local.rpc, &mut conn, NetworkName::Local)
        .await
        .expect("verify")
        .drift;
    let found: Vec<(&str, &str, &str, &str)> = drift
        .iter()
        .map(|d| (d.table, d.field, d.chain.as_str(), d.mirror.as_str()))
        .collect();
    let royalty = (resale * 500 / 10_000).to_string();
    let (buyer_address, seller_address) = (buyer.address(), seller.address());
    assert_eq!(
        found,
        vec![
            (
                "tickets",
                "owner_address",
                buyer_address.as_str(),
                seller_address.as_str()
            ),
            ("events", "royalties_raw", royalty.as_str(), "0"),
        ]
    );
    drop(conn);
    local.devnet.shutdown().await;
}

/// While one session holds the network's sync lock, a sync waits and writes nothing; once
/// the lock is released it takes over and applies.
#[tokio::test]
async fn a_second_sync_waits_for_the_first_then_takes_over() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    let local = deployed(&pool).await;
    let organizer = funded(&local.rpc).await;
    user(&pool, "wairimu", &organizer, true).await;
    invoke(
        &local.rpc,
        &local.admin,
        &local.ticketing,
        "verify_organizer",
        vec![address(&organizer)],
    )
    .await;

    let mut holder = pool.acquire().await.expect("a connection");
    sqlx::query("SELECT pg_advisory_lock(hashtextextended('passa sync local', 0))")
        .execute(&mut *holder)
        .await
        .expect("the lock");
    let rpc = local.rpc.clone();
    let follower_pool = pool.clone();
    let second = tokio::spawn(async move {
        let mut conn = follower_pool.acquire().await.expect("a connection");
        sync::run(
            &rpc,
            &mut conn,
            &SyncOptions {
                once: true,
                ..SyncOptions::default()
            },
        )
        .await
    });
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(!second.is_finished(), "the second sync waits for the lock");
    assert_eq!(count(&pool, "SELECT count(*) FROM chain_events").await, 0);
    sqlx::query("SELECT pg_advisory_unlock(hashtextextended('passa sync local', 0))")
        .execute(&mut *holder)
        .await
        .expect("unlocked");
    let report = tokio::time::timeout(Duration::from_secs(60), second)
        .await
        .expect("it finishes once the lock is free")
        .expect("the task")
        .expect("sync runs");
    assert_eq!(report.applied, 1, "{report:?}");
    assert_eq!(
        count(&pool, "SELECT count(*) FROM organizers WHERE is_verified").await,
        1
    );
    drop(holder);
    local.devnet.shutdown().await;
}

/// An RPC server that stopped answering: retried with backoff, then a clear error.
#[tokio::test]
async fn an_unreachable_rpc_is_retried_then_reported() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    let local = deployed(&pool).await;
    let rpc = local.rpc.clone();
    local.devnet.shutdown().await;
    let mut conn = pool.acquire().await.expect("a connection");
    let started = std::time::Instant::now();
    let err = sync::run(
        &rpc,
        &mut conn,
        &SyncOptions {
            once: true,
            rpc_attempts: 3,
            ..SyncOptions::default()
        },
    )
    .await
    .expect_err("no server");
    let text = err.to_string();
    assert!(text.contains("after 3 attempt(s)"), "{text}");
    // 250 ms + 500 ms of backoff between the three attempts.
    assert!(
        started.elapsed() >= Duration::from_millis(700),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(count(&pool, "SELECT count(*) FROM sync_cursors").await, 0);
}

/// Settlement and claims: a contributor's claim marks its attribution paid with the amount
/// revenue computed; the organizer's remainder has no attribution row and changes nothing.
#[tokio::test]
async fn a_claim_marks_the_contribution_paid() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    let local = deployed(&pool).await;
    let organizer = funded(&local.rpc).await;
    let artist = funded(&local.rpc).await;
    let buyer = funded(&local.rpc).await;
    let organizer_user = user(&pool, "muthoni", &organizer, true).await;
    let artist_user = user(&pool, "sauti", &artist, false).await;
    let event = Uuid::from_u128(0x5eed_0000_0000_4000_8000_0000_0000_0004);
    draft_event(&pool, event, organizer_user, "short-show").await;

    invoke(
        &local.rpc,
        &local.admin,
        &local.ticketing,
        "verify_organizer",
        vec![address(&organizer)],
    )
    .await;
    // A show that ends 40 ledger-seconds from now.
    let now = ledger_time(&local).await;
    let end = now + 40;
    create_event_with(
        &local,
        &organizer,
        event,
        false,
        0,
        (now - 600, end - 5, now - 600, end),
    )
    .await;
    invoke(
        &local.rpc,
        &organizer,
        &local.attribution,
        "propose",
        vec![
            event_id(event),
            address(&artist),
            xdr::ScVal::U32(0),
            share("Percentage", 1_000),
        ],
    )
    .await;
    invoke(
        &local.rpc,
        &artist,
        &local.attribution,
        "accept",
        vec![event_id(event), address(&artist)],
    )
    .await;
    purchase(&local, &buyer, event, 2).await;
    while ledger_time(&local).await <= end {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let revenue = {
        let mut conn = pool.acquire().await.expect("a connection");
        let rows = registry::list(&mut conn, Some(NetworkName::Local.as_str()))
            .await
            .expect("the registry");
        let text = rows
            .iter()
            .find(|c| c.kind == ContractKind::Revenue)
            .expect("revenue")
            .address
            .clone();
        passa_stellar::keys::parse_address(&text).expect("an address")
    };
    invoke(
        &local.rpc,
        &organizer,
        &revenue,
        "settle",
        vec![event_id(event)],
    )
    .await;
    // net 2 XLM, 2.5 % platform fee, the artist's 10 % of the rest, floored.
    let net = 2 * PRICE;
    let expected = (net - net * 250 / 10_000) * 1_000 / 10_000;
    let settled = sync_once(&local, &pool).await;
    assert_eq!(
        settled.parked,
        0,
        "{settled:?}\n{:#?}",
        parked_now(&pool).await
    );
    // verify, create, propose, accept, purchase, settle
    assert_eq!(settled.applied, 6, "{settled:?}");
    let (status, earned, paid_so_far): (String, String, String) = sqlx::query_as(
        "SELECT status, amount_earned_raw::text, amount_paid_raw::text
           FROM attribution WHERE event_id = $1",
    )
    .bind(event)
    .fetch_one(&pool)
    .await
    .expect("the artist's contribution");
    assert_eq!(
        (status.as_str(), earned, paid_so_far.as_str()),
        ("approved", expected.to_string(), "0"),
        "earned at settlement, not paid yet"
    );

    let paid = invoke(
        &local.rpc,
        &artist,
        &revenue,
        "claim",
        vec![event_id(event), address(&artist)],
    )
    .await;
    invoke(
        &local.rpc,
        &organizer,
        &revenue,
        "claim",
        vec![event_id(event), address(&organizer)],
    )
    .await;

    let report = sync_once(&local, &pool).await;
    assert_eq!(
        report.parked,
        0,
        "{report:?}\n{:#?}",
        parked_now(&pool).await
    );
    // the artist's claim, the organizer's claim
    assert_eq!(report.applied, 2, "{report:?}");
    assert_eq!(paid, scval::i128(expected), "revenue's own figure");
    let row = sqlx::query(
        "SELECT a.status, a.amount_paid_raw::text, a.amount_earned_raw::text, a.amount_paid::text,
                a.last_payout_at IS NOT NULL, t.transaction_type, a.user_id
           FROM attribution a
           LEFT JOIN transactions t ON t.transaction_id = a.payout_transaction_id
          WHERE a.event_id = $1",
    )
    .bind(event)
    .fetch_one(&pool)
    .await
    .expect("the artist's contribution, alone");
    assert_eq!(row.get::<String, _>(0), "paid");
    assert_eq!(row.get::<String, _>(1), expected.to_string());
    assert_eq!(row.get::<String, _>(2), expected.to_string());
    assert_eq!(row.get::<String, _>(3), "0.1950000");
    assert!(row.get::<bool, _>(4));
    assert_eq!(
        row.get::<Option<String>, _>(5).as_deref(),
        Some("revenue_claim")
    );
    assert_eq!(row.get::<Option<Uuid>, _>(6), Some(artist_user));
    // The show ended by ledger time: completed, as the contract derives it.
    let status: String = sqlx::query_scalar("SELECT status FROM events WHERE event_id = $1")
        .bind(event)
        .fetch_one(&pool)
        .await
        .expect("the event");
    assert_eq!(status, "completed");
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM audit_logs WHERE action = 'chain.event_completed'"
        )
        .await,
        1
    );
    local.devnet.shutdown().await;
}

/// A contract that joins the registry after the cursor passed its deployment (here: a second
/// deployment, deprecated while it was used, then reactivated) has its history backfilled up
/// to the cursor before the sync goes on.
#[tokio::test]
async fn a_contract_registered_behind_the_cursor_is_backfilled() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    let local = deployed(&pool).await;
    let organizer = funded(&local.rpc).await;
    user(&pool, "chebet", &organizer, true).await;
    let mut conn = pool.acquire().await.expect("a connection");
    let mut second = DeployOptions::new(wasm_dir());
    second.deployment = "second".to_owned();
    let report = deploy::deploy(&local.rpc, &mut conn, &local.admin, &second, &Quiet)
        .await
        .expect("a second deployment");
    let other = report
        .contracts
        .iter()
        .find(|c| c.kind == ContractKind::Ticketing)
        .expect("its ticketing")
        .address
        .clone();
    let other_id = registry::find(&mut conn, &other)
        .await
        .expect("the registry")
        .expect("registered")
        .id;
    registry::set_status(&mut conn, other_id, "deprecated")
        .await
        .expect("deprecated");
    invoke(
        &local.rpc,
        &local.admin,
        &passa_stellar::keys::parse_address(&other).expect("an address"),
        "verify_organizer",
        vec![address(&organizer)],
    )
    .await;

    // The deprecated contract is not followed: its event stays behind the cursor.
    let first = sync_once(&local, &pool).await;
    assert_eq!(first.events_new, 0, "{first:?}");
    assert_eq!(
        count(&pool, "SELECT count(*) FROM sync_contracts").await,
        5,
        "all but the deprecated one"
    );

    registry::set_status(&mut conn, other_id, "active")
        .await
        .expect("active again");
    let second_run = sync_once(&local, &pool).await;
    assert_eq!(
        (second_run.events_new, second_run.applied),
        (1, 1),
        "{second_run:?}"
    );
    assert_eq!(count(&pool, "SELECT count(*) FROM sync_contracts").await, 6);
    let verified: Option<String> =
        sqlx::query_scalar("SELECT stellar_address FROM organizers WHERE is_verified")
            .fetch_optional(&pool)
            .await
            .expect("a query");
    assert_eq!(verified, Some(organizer.address()));
    // Nothing is read twice.
    let third = sync_once(&local, &pool).await;
    assert_eq!(third.events_new, 0, "{third:?}");
    drop(conn);
    local.devnet.shutdown().await;
}

/// What the mirror says, without generated ids and clock times: equal for two runs that
/// applied the same events.
async fn mirror_facts(pool: &PgPool) -> Vec<String> {
    let mut out = vec![];
    for sql in [
        "SELECT event_id || ' ' || outcome FROM chain_events ORDER BY event_id",
        "SELECT event_id || ' ' || reason_code || ' ' || (resolved_at IS NULL) FROM parked_events ORDER BY event_id",
        "SELECT token_id || ' ' || owner_address || ' ' || ticket_status || ' ' || transfer_count FROM tickets ORDER BY token_id",
        "SELECT event_id || ' ' || status || ' ' || tickets_sold || ' ' || gross_sales_raw || ' ' || refunds_raw FROM events ORDER BY event_id",
        "SELECT user_id || ' ' || is_verified FROM organizers ORDER BY user_id",
        "SELECT transaction_hash || ' ' || transaction_type || ' ' || status FROM transactions ORDER BY transaction_hash",
        "SELECT action || ' ' || count(*) FROM audit_logs GROUP BY action ORDER BY action",
    ] {
        let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
            .fetch_all(pool)
            .await
            .expect("mirror facts");
        out.extend(rows);
    }
    out
}

/// A sync interrupted at many points — inside pages, between them, while retrying — and then
/// run to the end leaves exactly what one uninterrupted run does: nothing lost, nothing twice.
/// Each interrupted run's connection is closed, as a killed process's would be.
#[tokio::test]
async fn a_sync_interrupted_anywhere_resumes_with_nothing_lost_or_doubled() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    let local = deployed(&pool).await;
    let organizer = funded(&local.rpc).await;
    let buyer = funded(&local.rpc).await;
    let organizer_user = user(&pool, "kiprop", &organizer, true).await;
    user(&pool, "auma", &buyer, false).await;
    let event = Uuid::from_u128(0x5eed_0000_0000_4000_8000_0000_0000_0005);
    let late = Uuid::from_u128(0x5eed_0000_0000_4000_8000_0000_0000_0006);
    draft_event(&pool, event, organizer_user, "resumed").await;
    invoke(
        &local.rpc,
        &local.admin,
        &local.ticketing,
        "verify_organizer",
        vec![address(&organizer)],
    )
    .await;
    create_event(&local, &organizer, event).await;
    // An event without its row: parked, retried by every run.
    create_event(&local, &organizer, late).await;
    // Five tickets (the most one wallet may buy), in three purchases.
    let mut tickets = vec![];
    for quantity in [2, 2, 1] {
        tickets.extend(purchase(&local, &buyer, event, quantity).await);
    }
    invoke(
        &local.rpc,
        &organizer,
        &local.ticketing,
        "cancel_event",
        vec![address(&organizer), event_id(event)],
    )
    .await;
    invoke(
        &local.rpc,
        &buyer,
        &local.ticketing,
        "refund",
        vec![address(&buyer), xdr::ScVal::U32(tickets[0])],
    )
    .await;

    let url = db.url().to_owned();
    let small_pages = SyncOptions {
        once: true,
        page_size: 1,
        ..SyncOptions::default()
    };
    let mut interrupted = 0;
    let mut progress = vec![];
    // Every millisecond up to 40, then a few longer runs: the cuts land before the lock, in
    // the registry reads, inside pages and between them.
    for ms in (1u64..=40).chain([60, 80, 110]) {
        let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&url)
            .await
            .expect("a connection");
        let run = sync::run(&local.rpc, &mut conn, &small_pages);
        if tokio::time::timeout(Duration::from_millis(ms), run)
            .await
            .is_err()
        {
            interrupted += 1;
        }
        sqlx::Connection::close(conn).await.ok();
        progress.push(count(&pool, "SELECT count(*) FROM chain_events").await);
    }
    // How many are cut depends on the machine's speed; what matters is the cuts mid-way.
    assert!(interrupted >= 5, "runs were cut short: {interrupted}");
    let finished = {
        let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&url)
            .await
            .expect("a connection");
        sync::run(&local.rpc, &mut conn, &small_pages)
            .await
            .expect("the last run finishes")
    };
    let resumed = mirror_facts(&pool).await;

    // The same chain mirrored in one go, into a fresh copy of the schema.
    let fresh = TestDb::migrated(&MIGRATOR).await;
    let reference = fresh.pool();
    // The same registry and users (ids included), copied over as deploy and the backend wrote
    // them: without what the sync wrote.
    let copies = [
        ("users", "SELECT to_jsonb(t) FROM users t"),
        ("wallets", "SELECT to_jsonb(t) FROM wallets t"),
        (
            "organizers",
            "SELECT to_jsonb(t) || '{\"is_verified\": false, \"verified_at\": null,
                    \"stellar_address\": null, \"verification_ledger\": null}' FROM organizers t",
        ),
        (
            "smart_contracts",
            "SELECT to_jsonb(t) - 'deployment_transaction_id' FROM smart_contracts t",
        ),
        (
            "transactions",
            "SELECT to_jsonb(t) FROM transactions t WHERE metadata->>'source' IS DISTINCT FROM 'passa sync'",
        ),
        ("events", "SELECT to_jsonb(t) FROM events t"),
    ];
    for (table, select) in copies {
        let rows: Vec<serde_json::Value> =
            sqlx::query_scalar(sqlx::AssertSqlSafe(select.to_owned()))
                .fetch_all(&pool)
                .await
                .expect("rows");
        for row in rows {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO {table} SELECT * FROM jsonb_populate_record(NULL::{table}, $1)"
            )))
            .bind(row)
            .execute(&reference)
            .await
            .expect("copied");
        }
    }
    let links: Vec<(Uuid, Option<Uuid>)> =
        sqlx::query_as("SELECT contract_id, deployment_transaction_id FROM smart_contracts")
            .fetch_all(&pool)
            .await
            .expect("links");
    for (contract, tx) in links {
        sqlx::query(
            "UPDATE smart_contracts SET deployment_transaction_id = $2 WHERE contract_id = $1",
        )
        .bind(contract)
        .bind(tx)
        .execute(&reference)
        .await
        .expect("linked");
    }
    sqlx::query(
        "UPDATE events SET status = 'draft', published_at = NULL, cancelled_at = NULL,
                smart_contract_id = NULL, organizer_address = NULL, payment_token_address = NULL,
                onchain_status = NULL, onchain_ledger = NULL, tiers = NULL, tickets_sold = 0,
                gross_sales_raw = 0, refunds_raw = 0, commissions_raw = 0, royalties_raw = 0,
                refund_deadline = NULL",
    )
    .execute(&reference)
    .await
    .expect("reset events");
    let mut conn = reference.acquire().await.expect("a connection");
    sync::run(&local.rpc, &mut conn, &small_pages)
        .await
        .expect("the reference run");
    drop(conn);
    let expected = mirror_facts(&reference).await;
    fresh.drop_now().await;

    assert_eq!(resumed, expected, "{finished:?}");
    let total = count(&pool, "SELECT count(*) FROM chain_events").await;
    eprintln!("interrupted runs: {interrupted}; events stored after each: {progress:?} of {total}");
    assert!(
        progress.iter().any(|&n| n > 0 && n < total),
        "some run stopped part way: {progress:?} of {total}"
    );
    assert!(
        resumed.iter().any(|r| r.contains("refunded")),
        "the run got to the end: {resumed:#?}"
    );
    local.devnet.shutdown().await;
}

/// Without `--once` the sync follows: activity after it started is mirrored within a few
/// ledgers, and so is a deployment registered while it runs.
#[tokio::test]
async fn following_mirrors_new_activity_and_new_deployments() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    let local = deployed(&pool).await;
    let organizer = funded(&local.rpc).await;
    user(&pool, "jelimo", &organizer, true).await;
    let url = db.url().to_owned();
    let rpc = local.rpc.clone();
    let follower = tokio::spawn(async move {
        // Its own connection, dropped (closed) with the task, lock and all.
        let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&url)
            .await
            .expect("a connection");
        let opts = SyncOptions {
            poll_interval: Duration::from_millis(100),
            ..SyncOptions::default()
        };
        sync::run(&rpc, &mut conn, &opts).await
    });
    let wait_for = |sql: String| {
        let pool = pool.clone();
        async move {
            for _ in 0..200 {
                if count(&pool, &sql).await > 0 {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            panic!("not mirrored within 10 s: {sql}");
        }
    };
    wait_for("SELECT count(*) FROM sync_cursors".to_owned()).await;
    invoke(
        &local.rpc,
        &local.admin,
        &local.ticketing,
        "verify_organizer",
        vec![address(&organizer)],
    )
    .await;
    wait_for("SELECT count(*) FROM organizers WHERE is_verified".to_owned()).await;

    // A second deployment while the sync runs: followed once registered.
    let mut conn = pool.acquire().await.expect("a connection");
    let mut second = DeployOptions::new(wasm_dir());
    second.deployment = "later".to_owned();
    let report = deploy::deploy(&local.rpc, &mut conn, &local.admin, &second, &Quiet)
        .await
        .expect("a second deployment");
    drop(conn);
    let other = report
        .contracts
        .iter()
        .find(|c| c.kind == ContractKind::Ticketing)
        .expect("its ticketing")
        .address
        .clone();
    wait_for(
        "SELECT count(*) FROM (SELECT 1 FROM sync_contracts HAVING count(*) = 6) six".to_owned(),
    )
    .await;
    invoke(
        &local.rpc,
        &local.admin,
        &passa_stellar::keys::parse_address(&other).expect("an address"),
        "verify_organizer",
        vec![address(&organizer)],
    )
    .await;
    wait_for(format!(
        "SELECT count(*) FROM chain_events WHERE contract_address = '{other}' AND outcome = 'applied'"
    ))
    .await;
    assert!(!follower.is_finished(), "still following");
    follower.abort();
    local.devnet.shutdown().await;
}

/// Closes `ledgers` empty ledgers at once (a devnet-only method).
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

/// A cursor the server's retention window has left behind stops the sync with an error that
/// says how to backfill; `--from-ledger` at the oldest ledger accepts the gap and goes on.
#[tokio::test]
async fn a_cursor_older_than_the_retention_window_is_a_loud_error() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    let local = deployed(&pool).await;
    let organizer = funded(&local.rpc).await;
    let organizer_user = user(&pool, "nyambura", &organizer, true).await;
    let first = sync_once(&local, &pool).await;
    // Mirrored nowhere: it happens while the mirror is away, then leaves the window.
    invoke(
        &local.rpc,
        &local.admin,
        &local.ticketing,
        "verify_organizer",
        vec![address(&organizer)],
    )
    .await;
    let latest = advance(&local, passa_devnet::rpc::RETENTION_WINDOW + 2_000).await;
    let oldest = latest + 1 - passa_devnet::rpc::RETENTION_WINDOW;

    let mut conn = pool.acquire().await.expect("a connection");
    let once = SyncOptions {
        once: true,
        ..SyncOptions::default()
    };
    let err = sync::run(&local.rpc, &mut conn, &once)
        .await
        .expect_err("the cursor is too old");
    let text = err.to_string();
    let next = first.last_ledger + 1;
    assert!(
        matches!(
            err,
            sync::SyncError::CursorTooOld { next_ledger, .. } if next_ledger == next
        ),
        "{text}"
    );
    assert!(text.contains(&format!("--from-ledger {next}")), "{text}");
    assert!(text.contains("--from-ledger"), "{text}");
    assert!(text.contains("--rpc-url"), "{text}");
    let cursor_before: String = sqlx::query_scalar("SELECT cursor FROM sync_cursors")
        .fetch_one(&pool)
        .await
        .expect("the cursor");

    // Accepting the gap: from the oldest ledger the server has.
    let server_oldest = {
        let client =
            stellar_rpc_client::Client::new(&local.devnet.rpc_url()).expect("an RPC client");
        client.get_health().await.expect("getHealth").oldest_ledger
    };
    assert!(server_oldest >= oldest, "{server_oldest} {oldest}");
    let resumed = sync::run(
        &local.rpc,
        &mut conn,
        &SyncOptions {
            from_ledger: Some(server_oldest),
            ..once.clone()
        },
    )
    .await
    .expect("the sync goes on past the gap");
    assert!(resumed.last_ledger >= server_oldest, "{resumed:?}");
    let cursor_after: String = sqlx::query_scalar("SELECT cursor FROM sync_cursors")
        .fetch_one(&pool)
        .await
        .expect("the cursor");
    assert!(cursor_after > cursor_before, "the cursor moved on");
    // What happened in the gap was never read.
    let verified: bool =
        sqlx::query_scalar("SELECT is_verified FROM organizers WHERE user_id = $1")
            .bind(organizer_user)
            .fetch_one(&pool)
            .await
            .expect("the organizer");
    assert!(!verified);
    drop(conn);
    local.devnet.shutdown().await;
}

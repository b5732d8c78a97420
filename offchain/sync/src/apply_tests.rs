//! The mapping's statements against the real schema (a fresh migrated database per test), for
//! the cases the devnet tests cannot easily produce: settlement in every share kind, scaled or
//! not; a delisting; a chain that disagrees with the mirror about a ticket's holder.

use passa_testdb::TestDb;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::apply::{apply, Outcome};
use crate::decode::Decoded;
use crate::rows::{record_transactions, Origin, TxRow};
use passa_db::migrations::MIGRATOR;

const CONTRACT: &str = "CAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
const EVENT: Uuid = Uuid::from_u128(0x5eed_0000_0000_4000_8000_0000_0000_00aa);

fn account(n: u8) -> String {
    format!("{}", stellar_strkey::ed25519::PublicKey([n; 32]))
}

/// A user with a stellar wallet at `account(n)`.
async fn user(db: &mut PgConnection, n: u8) -> Uuid {
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO users (username, email) VALUES ($1, $1 || '@passa.example') RETURNING user_id",
    )
    .bind(format!("user{n}"))
    .fetch_one(&mut *db)
    .await
    .expect("a user");
    sqlx::query("INSERT INTO wallets (user_id, wallet_address) VALUES ($1, $2)")
        .bind(id)
        .bind(account(n))
        .execute(&mut *db)
        .await
        .expect("a wallet");
    id
}

/// A registered contract of `kind` at `address`; returns its id.
async fn contract(db: &mut PgConnection, address: &str, kind: &str) -> Uuid {
    sqlx::query_scalar(
        "INSERT INTO smart_contracts (contract_address, contract_type, network)
         VALUES ($1, $2, 'local') RETURNING contract_id",
    )
    .bind(address)
    .bind(kind)
    .fetch_one(&mut *db)
    .await
    .expect("a contract")
}

/// A ticketing contract, organizer 1 and a draft event EVENT; returns the contract's id.
async fn fixtures(db: &mut PgConnection) -> Uuid {
    let contract = contract(db, CONTRACT, "ticketing").await;
    let organizer = user(db, 1).await;
    sqlx::query("INSERT INTO organizers (user_id) VALUES ($1)")
        .bind(organizer)
        .execute(&mut *db)
        .await
        .expect("an organizer");
    sqlx::query(
        "INSERT INTO events (event_id, organizer_user_id, smart_contract_id, title, slug,
                             start_datetime, end_datetime, organizer_address)
         VALUES ($1, $2, $3, 'Show', 'show', now(), now() + interval '1 day', $4)",
    )
    .bind(EVENT)
    .bind(organizer)
    .bind(contract)
    .bind(account(1))
    .execute(&mut *db)
    .await
    .expect("an event");
    contract
}

/// The RPC id and transaction hash of the `n`th made-up event, in ledger 100.
fn ids(n: u32) -> (String, String) {
    (
        format!("{:019}-{:010}", (100i64 << 32) | (i64::from(n) << 12), 0),
        format!("{:064x}", n),
    )
}

/// Where a made-up event (`ids`) of the contract `(contract_id, contract)` comes from.
fn origin<'a>(
    (event_id, tx_hash): &'a (String, String),
    contract_id: Uuid,
    contract: &'a str,
) -> Origin<'a> {
    Origin {
        network: "local",
        event_id,
        contract_id,
        contract,
        ledger: 100,
        closed_at: "2026-11-24T12:00:00Z",
        tx_hash,
        tx: None,
    }
}

async fn run(db: &mut PgConnection, contract_id: Uuid, n: u32, decoded: Decoded) -> Outcome {
    let ids = ids(n);
    let origin = origin(&ids, contract_id, CONTRACT);
    apply(db, &origin, &decoded, &serde_json::json!({}))
        .await
        .expect("the statements run")
}

/// An approved contribution of `account(n)`: (share_type, bps, fixed raw).
async fn approved(db: &mut PgConnection, n: u8, share: (&str, Option<i32>, Option<i64>)) {
    sqlx::query(
        "INSERT INTO attribution (event_id, contribution_type, share_type, percentage_share,
                                  fixed_amount, fixed_amount_raw, share_bps, status, approved_at,
                                  contributor_address)
         VALUES ($1, 'promotion', $2, $3::numeric / 10000, $4::numeric / 10000000, $4, $3,
                 'approved', now(), $5)",
    )
    .bind(EVENT)
    .bind(share.0)
    .bind(share.1)
    .bind(share.2)
    .bind(account(n))
    .execute(&mut *db)
    .await
    .expect("a contribution");
}

/// A purchased ticket referred by `account(referrer)` that earned `commission`.
async fn referred_ticket(
    db: &mut PgConnection,
    contract: Uuid,
    token: i64,
    referrer: u8,
    commission: i64,
    status: &str,
) {
    sqlx::query(
        "INSERT INTO tickets (event_id, smart_contract_id, token_id, price, price_raw,
                              owner_address, ticket_status, purchase_date, refunded_at,
                              referrer_address, commission_raw)
         VALUES ($1, $2, $3, 1, 10000000, $4, $5, now(),
                 CASE WHEN $5 = 'refunded' THEN now() END, $6, $7)",
    )
    .bind(EVENT)
    .bind(contract)
    .bind(token)
    .bind(account(9))
    .bind(status)
    .bind(account(referrer))
    .bind(commission)
    .execute(&mut *db)
    .await
    .expect("a ticket");
}

async fn earned(db: &mut PgConnection) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT share_type, amount_earned_raw::text FROM attribution ORDER BY share_type",
    )
    .fetch_all(db)
    .await
    .expect("earnings")
}

/// A connection to `pool` with the [`fixtures`] in place; and the contract's id.
async fn with_fixtures(pool: &PgPool) -> (sqlx::pool::PoolConnection<sqlx::Postgres>, Uuid) {
    let mut db = pool.acquire().await.expect("a connection");
    let contract = fixtures(&mut db).await;
    (db, contract)
}

/// [`with_fixtures`], three approved contributions and two referred tickets.
async fn setup(pool: &PgPool) -> (sqlx::pool::PoolConnection<sqlx::Postgres>, Uuid) {
    let (mut db, contract) = with_fixtures(pool).await;
    approved(&mut db, 2, ("fixed", None, Some(6_000_000))).await;
    approved(&mut db, 3, ("commission", Some(250), None)).await;
    approved(&mut db, 4, ("percentage", Some(1_000), None)).await;
    // The referrer's live ticket earned 100 000; its refunded one earns nothing.
    referred_ticket(&mut db, contract, 1, 3, 100_000, "purchased").await;
    referred_ticket(&mut db, contract, 2, 3, 100_000, "refunded").await;
    (db, contract)
}

#[tokio::test]
async fn settlement_covering_every_share() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    let (mut db, contract) = setup(&pool).await;
    let outcome = run(
        &mut db,
        contract,
        1,
        Decoded::Settled {
            event: EVENT,
            pool: 20_000_000,
            pct_pool: 13_900_000,
            commissions: 100_000,
            fixed_total: 6_000_000,
            scaled: false,
        },
    )
    .await;
    assert_eq!(outcome, Outcome::Applied);
    assert_eq!(
        earned(&mut db).await,
        vec![
            ("commission".to_owned(), "100000".to_owned()),
            ("fixed".to_owned(), "6000000".to_owned()),
            // floor(13 900 000 × 1 000 / 10 000)
            ("percentage".to_owned(), "1390000".to_owned()),
        ]
    );
}

#[tokio::test]
async fn settlement_scaled_when_the_pool_cannot_cover_commitments() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    let (mut db, contract) = setup(&pool).await;
    run(
        &mut db,
        contract,
        1,
        Decoded::Settled {
            event: EVENT,
            pool: 3_000_000,
            pct_pool: 0,
            commissions: 100_000,
            fixed_total: 6_000_000,
            scaled: true,
        },
    )
    .await;
    assert_eq!(
        earned(&mut db).await,
        vec![
            // floor(100 000 × 3 000 000 / 6 100 000)
            ("commission".to_owned(), "49180".to_owned()),
            // floor(6 000 000 × 3 000 000 / 6 100 000)
            ("fixed".to_owned(), "2950819".to_owned()),
            ("percentage".to_owned(), "0".to_owned()),
        ]
    );
}

#[tokio::test]
async fn a_delisting_and_a_chain_that_disagrees_about_the_holder() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    let (mut db, contract) = with_fixtures(&pool).await;
    referred_ticket(&mut db, contract, 7, 3, 0, "purchased").await;
    let seller = account(9);
    let listed = run(
        &mut db,
        contract,
        1,
        Decoded::Listed {
            token_id: 7,
            seller: seller.clone(),
            price: 11_000_000,
            live_until_ledger: 500,
        },
    )
    .await;
    assert_eq!(listed, Outcome::Applied);
    let listing: (Option<String>, Option<i64>) = sqlx::query_as(
        "SELECT listed_price_raw::text, listed_until_ledger FROM tickets WHERE token_id = 7",
    )
    .fetch_one(&mut *db)
    .await
    .expect("the ticket");
    assert_eq!(listing, (Some("11000000".to_owned()), Some(500)));
    let delisted = run(
        &mut db,
        contract,
        2,
        Decoded::Delisted {
            token_id: 7,
            seller,
        },
    )
    .await;
    assert_eq!(delisted, Outcome::Applied);
    let listing: (Option<String>, Option<i64>) = sqlx::query_as(
        "SELECT listed_price_raw::text, listed_until_ledger FROM tickets WHERE token_id = 7",
    )
    .fetch_one(&mut *db)
    .await
    .expect("the ticket");
    assert_eq!(listing, (None, None));

    // The chain moves ticket 7 from someone the mirror does not know as its holder.
    let moved = run(
        &mut db,
        contract,
        3,
        Decoded::Transfer {
            from: account(5),
            to: account(6),
            token_id: 7,
        },
    )
    .await;
    assert!(
        matches!(&moved, Outcome::Parked("mismatch", reason) if reason.contains(&account(9))),
        "{moved:?}"
    );
    // And a ticket the mirror has never seen.
    let unknown = run(
        &mut db,
        contract,
        4,
        Decoded::Transfer {
            from: account(5),
            to: account(6),
            token_id: 8,
        },
    )
    .await;
    assert!(
        matches!(unknown, Outcome::Parked("unknown_ticket", _)),
        "{unknown:?}"
    );
}

/// A transaction whose ignored and applied events came in different pages has the same row
/// in either order: the applied event's contract, type and plain metadata.
#[tokio::test]
async fn an_applied_event_gives_its_transaction_row_whichever_page_comes_first() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    let (mut db, ticketing) = setup(&pool).await;
    const OTHER: &str = "CBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";
    let other = contract(&mut db, OTHER, "attribution").await;
    let verified = Decoded::OrganizerVerified {
        organizer: account(1),
    };
    let mut rows = Vec::new();
    for (n, ignored_first) in [(1, true), (2, false)] {
        let ids = ids(n);
        let (applied_at, ignored_at) = (
            origin(&ids, ticketing, CONTRACT),
            origin(&ids, other, OTHER),
        );
        let applied = TxRow {
            origin: &applied_at,
            decoded: &verified,
            name: None,
        };
        let ignored = TxRow {
            origin: &ignored_at,
            decoded: &Decoded::Ignored,
            name: Some("attribution_locked"),
        };
        let pages = if ignored_first {
            [ignored, applied]
        } else {
            [applied, ignored]
        };
        for page in pages {
            record_transactions(&mut db, &[page])
                .await
                .expect("recorded");
        }
        let row: (String, Uuid, String, serde_json::Value) = sqlx::query_as(
            "SELECT transaction_type, smart_contract_id, to_address, metadata
               FROM transactions WHERE transaction_hash = $1",
        )
        .bind(&ids.1)
        .fetch_one(&mut *db)
        .await
        .expect("the row");
        rows.push(row);
    }
    let expected = (
        "organizer_verification".to_owned(),
        ticketing,
        CONTRACT.to_owned(),
        serde_json::json!({"source": "passa sync"}),
    );
    assert_eq!(rows, vec![expected.clone(), expected]);
    // Alone, the ignored event's transaction is typed by the call that emits it.
    let alone = ids(3);
    let alone_at = origin(&alone, other, OTHER);
    let row = TxRow {
        origin: &alone_at,
        decoded: &Decoded::Ignored,
        name: Some("attribution_locked"),
    };
    record_transactions(&mut db, &[row])
        .await
        .expect("recorded");
    let kind: String =
        sqlx::query_scalar("SELECT transaction_type FROM transactions WHERE transaction_hash = $1")
            .bind(&alone.1)
            .fetch_one(&mut *db)
            .await
            .expect("the row");
    assert_eq!(kind, "revenue_settlement");
}

/// A purchase of no tickets, of more than ticketing sells at once, or whose tokens run past
/// u32::MAX is parked as malformed, before any row is read or written.
#[tokio::test]
async fn a_purchase_of_an_impossible_quantity_is_parked_and_writes_nothing() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    let (mut db, contract) = with_fixtures(&pool).await;
    let purchase = |quantity: u32, first_token_id: u32| Decoded::Purchased {
        event: EVENT,
        buyer: account(5),
        tier: 0,
        quantity,
        first_token_id,
        price: 10_000_000,
        amount: 10_000_000 * i128::from(quantity),
        referrer: None,
        commission: 0,
    };
    for (n, (quantity, first, reason)) in [
        (
            0,
            1,
            "a purchase of 0 tickets (ticketing sells 1 to 10 at a time)",
        ),
        (
            11,
            1,
            "a purchase of 11 tickets (ticketing sells 1 to 10 at a time)",
        ),
        (
            u32::MAX,
            1,
            "a purchase of 4294967295 tickets (ticketing sells 1 to 10 at a time)",
        ),
        (2, u32::MAX, "tickets from 4294967295 run past u32::MAX"),
    ]
    .into_iter()
    .enumerate()
    {
        let outcome = run(&mut db, contract, n as u32 + 1, purchase(quantity, first)).await;
        assert_eq!(
            outcome,
            Outcome::Parked("malformed", reason.to_owned()),
            "{quantity} from {first}"
        );
    }
    let written: (i64, i64, i32) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM tickets), (SELECT count(*) FROM transactions),
                (SELECT tickets_sold FROM events WHERE event_id = $1)",
    )
    .bind(EVENT)
    .fetch_one(&mut *db)
    .await
    .expect("counts");
    assert_eq!(written, (0, 0, 0));
}

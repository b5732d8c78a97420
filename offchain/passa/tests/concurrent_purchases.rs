//! Concurrent purchases on `passa devnet`: buyers of the same tier whose transactions were all
//! simulated on the same ledger state, before any of them was sent, all succeed when applied.
//! (With token ids taken from a counter in storage, every one of them named the same new
//! ticket keys in its footprint and all but the first failed `TRAPPED`; see
//! `contracts/INTERFACES.md`, "Token ids".)
// These scenario tests still read as one story per function, over the lint's 120 lines;
// splitting them into named phases is open work (issue 14), so the lint is allowed here only.
#![allow(clippy::too_many_lines)]
#![cfg(feature = "devnet")]

mod support;

use passa::demo::{self, XLM};
use passa_db::migrations::MIGRATOR;
use passa_stellar::keys::{self, Signer};
use passa_stellar::rpc::{self, Prepared, Rpc, RpcError};
use passa_stellar::scval;
use passa_testdb::TestDb;
use stellar_xdr as xdr;

/// Buyers purchasing at once.
const BUYERS: usize = 6;
/// Tickets each buys.
const QUANTITY: u32 = 2;

/// Simulates (prepares) `buyer`'s purchase of `QUANTITY` GA tickets at `first`…, without
/// sending it.
async fn prepare_purchase(
    rpc: &Rpc,
    ticketing: &xdr::ScAddress,
    event: &[u8; 16],
    buyer: &Signer,
    first: u32,
) -> Result<Prepared, RpcError> {
    let args = vec![
        scval::address(&buyer.sc_address()),
        scval::bytes(event).expect("an event id"),
        scval::u32(0),
        scval::u32(first),
        scval::u32(QUANTITY),
        scval::option(None),
    ];
    let host_function = rpc::invoke_contract(ticketing, "purchase", args).expect("a call");
    rpc.prepare(buyer, host_function, "purchase").await
}

async fn owner_of(rpc: &Rpc, reader: &Signer, ticketing: &xdr::ScAddress, id: u32) -> String {
    let owner = rpc
        .read(
            &reader.account_id(),
            ticketing,
            "owner_of",
            vec![scval::u32(id)],
        )
        .await
        .expect("a minted ticket has an owner");
    keys::address_strkey(&scval::to_address(&owner).expect("an address"))
}

#[tokio::test]
async fn purchases_simulated_on_the_same_state_all_succeed() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    let local = support::devnet().await;
    let rpc = &local.rpc;
    let admin = support::funded(rpc).await;
    let contracts = support::deployed(rpc, &pool, &admin).await;
    let t = &contracts.ticketing;
    let organizer = support::funded(rpc).await;
    let mut buyers = Vec::new();
    for _ in 0..BUYERS {
        buyers.push(support::funded(rpc).await);
    }

    let call = |function: &str, args| rpc::invoke_contract(t, function, args).expect("a call");
    rpc.submit(
        &admin,
        &[],
        call(
            "verify_organizer",
            vec![scval::address(&organizer.sc_address())],
        ),
        "verify",
    )
    .await
    .expect("organizer verified");
    let event = demo::event_id("concurrent", "main");
    let token = rpc::native_asset_contract(rpc.network()).expect("the native asset");
    let now = rpc.ledger_time().await.expect("ledger time");
    // One tier, a supply for everyone and a per-wallet limit that binds (so each purchase
    // also writes its buyer's bought-count).
    let tiers = [("GA", 10 * XLM, 100, 4)];
    let config = demo::event_config(&token, now, now + 3_600, now + 7_200, "concurrent", &tiers)
        .expect("a config");
    rpc.submit(
        &organizer,
        &[],
        call(
            "create_event",
            vec![
                scval::address(&organizer.sc_address()),
                scval::bytes(&event).expect("an event id"),
                config,
            ],
        ),
        "create the event",
    )
    .await
    .expect("event created");

    // Tickets of the tier sold, as the contract says.
    let tier_sold = || async {
        let sold = rpc
            .read(
                &organizer.account_id(),
                t,
                "tier_sold",
                vec![scval::bytes(&event).expect("an event id"), scval::u32(0)],
            )
            .await
            .expect("tier_sold");
        scval::to_u32(&sold).expect("a count")
    };

    // Every purchase simulated before any is sent: all on the same ledger state. Ids as a
    // wallet picks them, each buyer its own range (spread over the id space, out of order).
    let firsts: Vec<u32> = (0..BUYERS as u32)
        .map(|i| u32::MAX - 1 - i * 1_000_003)
        .collect();
    let mut signed = Vec::new();
    let first_ledger = rpc.latest_ledger().await.expect("a ledger");
    for (buyer, &first) in buyers.iter().zip(&firsts) {
        let prepared = prepare_purchase(rpc, t, &event, buyer, first)
            .await
            .expect("simulated");
        assert_eq!(
            scval::to_u32_vec(&prepared.return_value).expect("ids"),
            vec![first, first + 1]
        );
        signed.push(rpc.sign(prepared.tx, buyer).expect("signed"));
    }
    // Nothing was applied in between: the tier still has sold nothing.
    assert_eq!(tier_sold().await, 0);

    for s in &signed {
        rpc.send(s).await.expect("accepted");
    }
    let mut ledgers = Vec::new();
    for s in &signed {
        let included = rpc.wait(s).await.expect("the purchase succeeds");
        ledgers.push(included.ledger);
    }
    assert!(ledgers.iter().all(|&l| l > first_ledger), "{ledgers:?}");
    println!("{BUYERS} purchases simulated from ledger {first_ledger}, applied in {ledgers:?}");

    assert_eq!(tier_sold().await, BUYERS as u32 * QUANTITY);
    for (buyer, &first) in buyers.iter().zip(&firsts) {
        for id in [first, first + 1] {
            assert_eq!(owner_of(rpc, &organizer, t, id).await, buyer.address());
        }
        let balance = rpc
            .read(
                &organizer.account_id(),
                t,
                "balance",
                vec![scval::address(&buyer.sc_address())],
            )
            .await
            .expect("balance");
        assert_eq!(scval::to_u32(&balance).expect("a count"), QUANTITY);
    }

    // Two buyers naming the same id on the same state: the first applied wins, the other
    // fails (TokenIdTaken when applied) and changes nothing; a retry with another range
    // succeeds.
    let (a, b) = (&buyers[0], &buyers[1]);
    let shared = 77;
    let pa = prepare_purchase(rpc, t, &event, a, shared)
        .await
        .expect("simulated");
    let pb = prepare_purchase(rpc, t, &event, b, shared - 1)
        .await
        .expect("simulated");
    let (sa, sb) = (
        rpc.sign(pa.tx, a).expect("signed"),
        rpc.sign(pb.tx, b).expect("signed"),
    );
    rpc.send(&sa).await.expect("accepted");
    rpc.wait(&sa).await.expect("the first succeeds");
    let failed = match rpc.send(&sb).await {
        Ok(()) => rpc.wait(&sb).await.err(),
        Err(e) => Some(e),
    };
    assert!(failed.is_some(), "the second purchase of id 77 must fail");
    assert_eq!(owner_of(rpc, &organizer, t, shared).await, a.address());
    assert!(
        rpc.read(
            &organizer.account_id(),
            t,
            "owner_of",
            vec![scval::u32(shared - 1)]
        )
        .await
        .is_err(),
        "nothing of the failed purchase was minted"
    );
    // Simulating it again names the reason: TokenIdTaken (16).
    match prepare_purchase(rpc, t, &event, b, shared - 1).await {
        Err(RpcError::Simulation { detail, .. }) => {
            assert!(detail.contains("Error(Contract, #16)"), "{detail}");
        }
        other => panic!("expected TokenIdTaken, got {other:?}"),
    }
    let retry = prepare_purchase(rpc, t, &event, b, 1_000)
        .await
        .expect("another range simulates");
    let retry = rpc.sign(retry.tx, b).expect("signed");
    rpc.send(&retry).await.expect("accepted");
    rpc.wait(&retry).await.expect("the retry succeeds");
    assert_eq!(owner_of(rpc, &organizer, t, 1_001).await, b.address());
}

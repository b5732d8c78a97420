//! `passa demo`'s season on `passa devnet` (in process) with a fresh deployment: every step
//! goes through the real contracts, and the chain ends in the state the report describes.
#![cfg(feature = "devnet")]

mod support;

use passa::demo::{self, Cast, Timing, XLM};
use passa_db::migrations::MIGRATOR;
use passa_stellar::keys;
use passa_stellar::scval;
use passa_testdb::TestDb;
use stellar_xdr as xdr;

#[tokio::test]
async fn a_season_runs_and_the_chain_agrees_with_its_report() {
    let db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    let local = support::devnet().await;
    let rpc = &local.rpc;
    let admin = support::funded(rpc).await;
    let contracts = support::deployed(rpc, &pool, &admin).await;

    let cast = Cast::new(rpc, admin).await.expect("the cast is funded");
    let season = demo::season(rpc, &contracts, &cast, "test", Timing::default(), &|_| {})
        .await
        .expect("the season runs");
    assert_eq!(season.tickets.len(), 6);
    assert!(season.transactions >= 25, "{}", season.transactions);

    let reader = cast.organizer.account_id();
    for ticket in &season.tickets {
        let owner = rpc
            .read(
                &reader,
                &contracts.ticketing,
                "owner_of",
                vec![scval::u32(ticket.token_id)],
            )
            .await;
        match &ticket.owner {
            Some(expected) => {
                let got = owner.expect("a live ticket has an owner");
                assert_eq!(
                    keys::address_strkey(&scval::to_address(&got).expect("an address")),
                    *expected
                );
            }
            None => assert!(owner.is_err(), "a refunded ticket is burned"),
        }
    }
    // Every payee was paid something, and the organizer the most.
    assert_eq!(season.claims.len(), 4);
    assert!(
        season.claims.iter().all(|(_, amount)| *amount > 0),
        "{:?}",
        season.claims
    );
    let sponsor = season
        .claims
        .iter()
        .find(|(a, _)| *a == cast.sponsor.address())
        .expect("sponsor");
    assert_eq!(sponsor.1, 30 * XLM, "a fixed share is paid exactly");
    let settlement = rpc
        .read(
            &reader,
            &contracts.revenue,
            "settlement",
            vec![scval::bytes(&season.main_event).expect("id")],
        )
        .await
        .expect("settled");
    assert!(!matches!(settlement, xdr::ScVal::Void));
    local.devnet.shutdown().await;
}

//! `passa demo`'s season on `passa devnet` (in process) with a fresh deployment: every step
//! goes through the real contracts, and the chain ends in the state the report describes.
#![cfg(feature = "devnet")]

use std::time::Duration;

use passa::demo::{self, Cast, Contracts, Timing, XLM};
use passa::deploy::{self, DeployOptions, Quiet};
use passa::keys::{self, Signer};
use passa::network::{Network, NetworkName};
use passa::rpc::Rpc;
use passa::scval;
use passa_devnet::{Devnet, DevnetOptions};
use sqlx::PgPool;
use stellar_xdr as xdr;

#[sqlx::test(migrations = "../../migrations")]
async fn a_season_runs_and_the_chain_agrees_with_its_report(pool: PgPool) {
    let devnet = Devnet::start(DevnetOptions {
        listen: "127.0.0.1:0".parse().expect("an address"),
        ledger_close: Duration::from_millis(100),
        ..Default::default()
    })
    .await
    .expect("the devnet starts");
    let network =
        Network::resolve(NetworkName::Local, Some(&devnet.rpc_url()), None).expect("a network");
    let rpc = Rpc::connect(&network).await.expect("the devnet answers");
    let admin = Signer::generate().expect("a key");
    rpc.fund(&admin.account_id()).await.expect("funded");
    let wasm = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/wasm");
    let mut conn = pool.acquire().await.expect("a connection");
    let report = deploy::deploy(&rpc, &mut conn, &admin, &DeployOptions::new(wasm), &Quiet)
        .await
        .expect("deployed");
    let address = |i: usize| keys::parse_address(&report.contracts[i].address).expect("address");
    let contracts = Contracts {
        ticketing: address(0),
        attribution: address(1),
        revenue: address(2),
    };

    let cast = Cast::new(&rpc, admin).await.expect("the cast is funded");
    let season = demo::season(&rpc, &contracts, &cast, "test", Timing::default(), &|_| {})
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
    drop(conn);
    devnet.shutdown().await;
}

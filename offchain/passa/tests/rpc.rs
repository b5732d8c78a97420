//! The transaction life of `passa_stellar::rpc` against a real Stellar RPC server (`passa devnet` in
//! process): authorizations signed for accounts other than the source, refused without their
//! key.
#![cfg(feature = "devnet")]

mod support;

use passa_stellar::keys::Signer;
use passa_stellar::rpc::{self, Rpc, RpcError};
use stellar_xdr as xdr;

async fn balance(rpc: &Rpc, who: &Signer) -> i64 {
    rpc.account(&who.account_id())
        .await
        .expect("rpc")
        .expect("the account exists")
        .balance
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_accounts_authorizations_are_signed_with_their_keys() {
    let local = support::devnet().await;
    let rpc = &local.rpc;
    let network = rpc.network().clone();
    let [payer, owner, receiver] = [(); 3].map(|()| Signer::generate().expect("a key"));
    for who in [&payer, &owner, &receiver] {
        rpc.fund(&who.account_id()).await.expect("funded");
    }
    let native = rpc::native_asset_contract(&network).expect("the XLM contract");
    // `owner` moves its XLM, but `payer` sends (and pays for) the transaction.
    let transfer = rpc::invoke_contract(
        &native,
        "transfer",
        vec![
            xdr::ScVal::Address(owner.sc_address()),
            xdr::ScVal::Address(receiver.sc_address()),
            passa_stellar::scval::i128(123_456_789),
        ],
    )
    .expect("a call");

    let refused = rpc.prepare(&payer, transfer.clone(), "transfer").await;
    match refused {
        Err(RpcError::ForeignAuth { address, .. }) => assert_eq!(address, owner.address()),
        other => panic!("expected ForeignAuth, got {other:?}"),
    }
    let stranger = Signer::generate().expect("a key");
    let wrong_key = rpc
        .prepare_signed(&payer, &[&stranger], transfer.clone(), "transfer")
        .await;
    assert!(
        matches!(wrong_key, Err(RpcError::ForeignAuth { .. })),
        "{wrong_key:?}"
    );

    let (owner_before, receiver_before, payer_before) = (
        balance(rpc, &owner).await,
        balance(rpc, &receiver).await,
        balance(rpc, &payer).await,
    );
    let prepared = rpc
        .prepare_signed(&payer, &[&owner], transfer, "transfer")
        .await
        .expect("simulated and signed");
    let signed = rpc.sign(prepared.tx, &payer).expect("signed");
    rpc.send(&signed).await.expect("accepted");
    let included = rpc.wait(&signed).await.expect("included");
    assert!(included.fee_charged > 0);
    assert_eq!(
        balance(rpc, &owner).await,
        owner_before - 123_456_789,
        "owner pays no fee"
    );
    assert_eq!(balance(rpc, &receiver).await, receiver_before + 123_456_789);
    assert_eq!(
        balance(rpc, &payer).await,
        payer_before - included.fee_charged
    );
    local.devnet.shutdown().await;
}

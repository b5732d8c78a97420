//! The events as the network carries them (XDR), checked on real calls: the layout
//! `contracts/EVENTS.md` documents for the indexer. `--nocapture` prints every event of a
//! purchase, a transfer, an approval, a listing and a refund.

use soroban_sdk::xdr::{ContractEventBody, ScSymbol, ScVal};

use super::*;

fn sym(s: &str) -> ScVal {
    ScVal::Symbol(ScSymbol(s.try_into().unwrap()))
}

/// (topics, data) of the ticketing contract's events of the last call.
fn bodies(s: &Setup) -> std::vec::Vec<(std::vec::Vec<ScVal>, ScVal)> {
    s.events()
        .into_iter()
        .map(|e| {
            let ContractEventBody::V0(b) = e.body;
            std::println!("topics {:?}\n  data {:?}", b.topics, b.data);
            (b.topics.to_vec(), b.data)
        })
        .collect()
}

fn map_keys(v: &ScVal) -> std::vec::Vec<std::string::String> {
    match v {
        ScVal::Map(Some(m)) => m
            .iter()
            .map(|e| match &e.key {
                ScVal::Symbol(s) => s.to_utf8_string().unwrap(),
                other => panic!("map key {other:?}"),
            })
            .collect(),
        other => panic!("not a map: {other:?}"),
    }
}

#[test]
fn events_have_the_documented_xdr_layout() {
    let s = Setup::new();
    let e = s.create(1);
    let buyer = s.wallet();
    let friend = s.wallet();
    let id_bytes = ScVal::Bytes(e.to_array().to_vec().try_into().unwrap());

    // an event with topic fields only carries an empty map
    s.client.verify_organizer(&Address::generate(&s.env));
    let ev = bodies(&s);
    assert_eq!(ev[0].0[0], sym("organizer_verified"));
    assert_eq!(ev[0].1, ScVal::Map(Some(std::vec![].try_into().unwrap())));

    s.client.purchase(&buyer, &e, &0, &s.ids(1), &1, &None);
    let ev = bodies(&s);
    // SEP-50 mint: ["mint", to], data the token id alone
    assert_eq!(ev[0].0[0], sym("mint"));
    assert_eq!(ev[0].0.len(), 2);
    assert_eq!(ev[0].1, ScVal::U32(1));
    // purchased: ["purchased", event_id, buyer], data a map, keys sorted
    assert_eq!(ev[1].0[0], sym("purchased"));
    assert_eq!(ev[1].0[1], id_bytes);
    // an absent Option field is left out of the map (no Void entry)
    assert_eq!(
        map_keys(&ev[1].1),
        [
            "amount",
            "commission",
            "first_token_id",
            "price",
            "quantity",
            "tier"
        ]
    );
    let promoter = Address::generate(&s.env);
    s.client
        .purchase(&buyer, &e, &0, &s.ids(1), &1, &Some(promoter));
    let ev = bodies(&s);
    assert_eq!(
        map_keys(&ev[1].1),
        [
            "amount",
            "commission",
            "first_token_id",
            "price",
            "quantity",
            "referrer",
            "tier"
        ]
    );

    s.client.transfer(&buyer, &friend, &1);
    let ev = bodies(&s);
    assert_eq!(ev[0].0[0], sym("transfer"));
    assert_eq!(ev[0].0.len(), 3);
    assert_eq!(ev[0].1, ScVal::U32(1));

    let live = s.env.ledger().sequence() + 100;
    s.client.approve(&friend, &buyer, &1, &live);
    let ev = bodies(&s);
    // SEP-50 approve: ["approve", owner, token_id], data a vec [approved, live_until_ledger]
    assert_eq!(ev[0].0[0], sym("approve"));
    assert_eq!(ev[0].0[2], ScVal::U32(1));
    match &ev[0].1 {
        ScVal::Vec(Some(v)) => assert_eq!(v[1], ScVal::U32(live)),
        other => panic!("{other:?}"),
    }

    s.client.list(&friend, &1, &GA_PRICE);
    let ev = bodies(&s);
    assert_eq!(ev[0].0, std::vec![sym("listed"), ScVal::U32(1)]);
    assert_eq!(map_keys(&ev[0].1), ["live_until_ledger", "price", "seller"]);

    s.client.cancel_event(&s.organizer, &e);
    let ev = bodies(&s);
    assert_eq!(ev[0].0, std::vec![sym("event_cancelled"), id_bytes.clone()]);
    assert_eq!(map_keys(&ev[0].1), ["refund_deadline"]);

    s.client.refund(&friend, &1);
    let ev = bodies(&s);
    assert_eq!(ev[0].0[0], sym("burn"));
    assert_eq!(ev[1].0[0], sym("refunded"));
    assert_eq!(
        map_keys(&ev[1].1),
        ["amount", "commission_reversed", "token_id"]
    );
}

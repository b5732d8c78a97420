//! The events as the network carries them (XDR), checked on real calls: the layout
//! `contracts/EVENTS.md` documents for the indexer. `--nocapture` prints every event of a
//! purchase, a transfer, an approval, a listing and a refund.

use soroban_sdk::xdr::{ContractEventBody, ScString, ScSymbol, ScVal};

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

/// The XDR type of a value, as `contracts/EVENTS.md` names it.
fn type_name(v: &ScVal) -> &'static str {
    match v {
        ScVal::Bool(_) => "Bool",
        ScVal::U32(_) => "U32",
        ScVal::U64(_) => "U64",
        ScVal::I128(_) => "I128",
        ScVal::Bytes(_) => "Bytes",
        ScVal::String(_) => "String",
        ScVal::Symbol(_) => "Symbol",
        ScVal::Address(_) => "Address",
        ScVal::Vec(_) => "Vec",
        ScVal::Map(_) => "Map",
        other => panic!("unexpected value {other:?}"),
    }
}

/// (key, XDR type) of a data map's entries, in their order.
fn map_layout(v: &ScVal) -> std::vec::Vec<(std::string::String, &'static str)> {
    match v {
        ScVal::Map(Some(m)) => map_keys(v)
            .into_iter()
            .zip(m.iter().map(|e| type_name(&e.val)))
            .collect(),
        other => panic!("not a map: {other:?}"),
    }
}

#[test]
fn events_have_the_documented_xdr_layout() {
    let s = Setup::new();
    let e = s.create(1);
    let id_bytes = ScVal::Bytes(e.to_array().to_vec().try_into().unwrap());
    // event_created: ["event_created", event_id, organizer], data a map of the event's
    // schedule, tiers and ticket terms, keys sorted
    let ev = bodies(&s);
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0].0.len(), 3);
    assert_eq!(ev[0].0[0], sym("event_created"));
    assert_eq!(ev[0].0[1], id_bytes);
    assert_eq!(type_name(&ev[0].0[2]), "Address");
    let layout = map_layout(&ev[0].1);
    let layout: std::vec::Vec<(&str, &str)> =
        layout.iter().map(|(k, t)| (k.as_str(), *t)).collect();
    assert_eq!(
        layout,
        [
            ("capacity", "U32"),
            ("end", "U64"),
            ("metadata_uri", "String"),
            ("payment_token", "Address"),
            ("refundable", "Bool"),
            ("resale_cap_bps", "U32"),
            ("resaleable", "Bool"),
            ("royalty_bps", "U32"),
            ("sales_end", "U64"),
            ("sales_start", "U64"),
            ("start", "U64"),
            ("tiers", "Vec"),
            ("transferable", "Bool"),
        ]
    );
    let ScVal::Map(Some(data)) = &ev[0].1 else {
        unreachable!()
    };
    let field = |k: &str| {
        data.iter()
            .find(|e| e.key == sym(k))
            .map(|e| e.val.clone())
            .unwrap()
    };
    assert_eq!(field("transferable"), ScVal::Bool(true));
    assert_eq!(field("resaleable"), ScVal::Bool(true));
    assert_eq!(field("refundable"), ScVal::Bool(true));
    assert_eq!(field("resale_cap_bps"), ScVal::U32(11_000));
    assert_eq!(field("royalty_bps"), ScVal::U32(500));
    assert_eq!(
        field("metadata_uri"),
        ScVal::String(ScString(
            "https://passa.example/e/1.json".try_into().unwrap()
        ))
    );

    let buyer = s.wallet();
    let friend = s.wallet();

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

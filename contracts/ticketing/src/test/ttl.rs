//! TTL: persistent entries and the instance stay live under use; approvals and listings expire.

use super::*;
use crate::storage::{key, LISTING_LEDGERS};
use passa_common::ttl::{DAY_IN_LEDGERS, PERSISTENT_EXTEND_TO, PERSISTENT_TTL_THRESHOLD};
use soroban_sdk::testutils::storage::{Instance as _, Persistent as _, Temporary as _};

fn persistent_ttl(s: &Setup, key: &Val) -> u32 {
    s.env
        .as_contract(&s.id, || s.env.storage().persistent().get_ttl(key))
}

fn temporary_ttl(s: &Setup, key: &Val) -> u32 {
    s.env
        .as_contract(&s.id, || s.env.storage().temporary().get_ttl(key))
}

fn instance_ttl(s: &Setup) -> u32 {
    s.env
        .as_contract(&s.id, || s.env.storage().instance().get_ttl())
}

/// Advances the clock and the ledger sequence by `days`.
fn advance_days(s: &Setup, days: u32) {
    s.env.ledger().with_mut(|li| {
        li.sequence_number += days * DAY_IN_LEDGERS;
        li.timestamp += days as u64 * 86_400;
    });
}

#[test]
fn entries_stay_live_across_a_year_of_use() {
    let s = Setup::new();
    let mut config = s.config();
    config.sales_end = T0 + 400 * 86_400;
    config.start = T0 + 400 * 86_400;
    config.end = T0 + 401 * 86_400;
    let mut ga = config.tiers.get(0).unwrap();
    ga.max_per_wallet = ga.supply;
    config.tiers.set(0, ga);
    let e = s.create_with(1, &config);
    let alice = s.wallet();
    let bob = s.wallet();
    s.buy(&alice, &e, 1);
    let keys = [
        key::event(&s.env, e.clone()),
        key::tier(&s.env, e.clone(), 0),
        key::ticket(&s.env, 1),
        key::organizer(&s.env, s.organizer.clone()),
    ];
    let (mut from, mut to) = (alice.clone(), bob.clone());
    // A touch every 25 days for a year: each one moves the ticket (ticket, event, balances)
    // and reads the ledger (event, tiers); the organizer publishes now and then.
    for step in 0..15u8 {
        advance_days(&s, 25);
        s.client.transfer(&from, &to, &1);
        core::mem::swap(&mut from, &mut to);
        s.client.event_ledger(&e);
        s.client.is_verified_organizer(&s.organizer);
        for key in &keys {
            let ttl = persistent_ttl(&s, key);
            assert!(
                ttl >= PERSISTENT_TTL_THRESHOLD,
                "step {step}: {key:?} ttl {ttl}"
            );
        }
        assert!(instance_ttl(&s) >= passa_common::ttl::INSTANCE_TTL_THRESHOLD);
        // A later purchase keeps the buyer's balance entry live too.
        s.client.purchase(&from, &e, &0, &s.ids(1), &1, &None);
        assert!(
            persistent_ttl(&s, &key::balance(&s.env, from.clone())) >= PERSISTENT_TTL_THRESHOLD
        );
    }
    assert_eq!(s.client.owner_of(&1), from);
}

#[test]
fn writes_extend_to_the_policy() {
    let s = Setup::new();
    let e = s.create(1);
    let alice = s.wallet();
    s.buy(&alice, &e, 1);
    for key in [
        key::event(&s.env, e.clone()),
        key::tier(&s.env, e.clone(), 0),
        key::ticket(&s.env, 1),
        key::balance(&s.env, alice.clone()),
        key::bought(&s.env, e.clone(), 0, alice.clone()),
    ] {
        assert_eq!(persistent_ttl(&s, &key), PERSISTENT_EXTEND_TO, "{key:?}");
    }
}

#[test]
fn approvals_and_listings_live_until_their_ledger() {
    let s = Setup::new();
    let e = s.create(1);
    let alice = s.wallet();
    s.buy(&alice, &e, 2);
    let spender = Address::generate(&s.env);
    s.client.approve(&alice, &spender, &1, &(SEQ0 + 500));
    assert_eq!(temporary_ttl(&s, &key::approval(&s.env, 1)), 500);
    s.client.approve_for_all(&alice, &spender, &(SEQ0 + 700));
    assert_eq!(
        temporary_ttl(
            &s,
            &key::approval_for_all(&s.env, alice.clone(), spender.clone())
        ),
        700
    );
    s.client.list(&alice, &2, &GA_PRICE);
    assert_eq!(temporary_ttl(&s, &key::listing(&s.env, 2)), LISTING_LEDGERS);

    // Reading them does not prolong them.
    s.env.ledger().set_sequence_number(SEQ0 + 400);
    assert_eq!(s.client.get_approved(&1), Some(spender.clone()));
    assert!(s.client.get_listing(&2).is_some());
    assert_eq!(temporary_ttl(&s, &key::approval(&s.env, 1)), 100);

    // Past their ledgers they are gone.
    s.env
        .ledger()
        .set_sequence_number(SEQ0 + LISTING_LEDGERS + 1);
    assert_eq!(s.client.get_approved(&1), None);
    assert!(!s.client.is_approved_for_all(&alice, &spender));
    assert_eq!(s.client.get_listing(&2), None);
}

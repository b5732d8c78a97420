//! For every privileged function: the wrong address signs and is refused.

use passa_common::testutils::auth;
use passa_common::Share;
use soroban_sdk::testutils::Address as _;
use soroban_sdk::{Address, BytesN, IntoVal};

use super::setup;
use crate::ContributionKind;

const K: ContributionKind = ContributionKind::Venue;

fn refused<T, E>(r: Result<T, E>) {
    assert!(r.is_err(), "the wrong signer was accepted");
}

#[test]
fn propose_needs_the_organizer() {
    let s = setup();
    let who = Address::generate(&s.env);
    let mallory = Address::generate(&s.env);
    let args = (&s.event_id, &who, K, Share::Fixed(1)).into_val(&s.env);
    auth::sign(&s.env, &mallory, &s.id(), "propose", args);
    let r = s
        .attribution
        .try_propose(&s.event_id, &who, &K, &Share::Fixed(1));
    assert!(matches!(r, Err(Err(_))));
    // nor may the contributor propose to itself
    let args = (&s.event_id, &who, K, Share::Fixed(1)).into_val(&s.env);
    auth::sign(&s.env, &who, &s.id(), "propose", args);
    refused(
        s.attribution
            .try_propose(&s.event_id, &who, &K, &Share::Fixed(1)),
    );
    assert_eq!(s.attribution.contribution(&s.event_id, &who), None);
}

#[test]
fn submit_needs_the_contributor() {
    let s = setup();
    let who = Address::generate(&s.env);
    let args = (&s.event_id, &who, K, Share::Fixed(1)).into_val(&s.env);
    auth::sign(&s.env, &s.organizer, &s.id(), "submit", args);
    refused(
        s.attribution
            .try_submit(&s.event_id, &who, &K, &Share::Fixed(1)),
    );
    assert_eq!(s.attribution.contribution(&s.event_id, &who), None);
}

#[test]
fn accept_needs_the_contributor() {
    let s = setup();
    let who = Address::generate(&s.env);
    s.env.mock_all_auths();
    s.attribution
        .propose(&s.event_id, &who, &K, &Share::Fixed(1));
    auth::sign(
        &s.env,
        &s.organizer,
        &s.id(),
        "accept",
        (&s.event_id, &who).into_val(&s.env),
    );
    refused(s.attribution.try_accept(&s.event_id, &who));
    assert_eq!(s.attribution.approved_share(&s.event_id, &who), None);
}

#[test]
fn approve_needs_the_organizer() {
    let s = setup();
    let who = Address::generate(&s.env);
    s.env.mock_all_auths();
    s.attribution
        .submit(&s.event_id, &who, &K, &Share::Fixed(1));
    auth::sign(
        &s.env,
        &who,
        &s.id(),
        "approve",
        (&s.event_id, &who).into_val(&s.env),
    );
    refused(s.attribution.try_approve(&s.event_id, &who));
    assert_eq!(s.attribution.approved_share(&s.event_id, &who), None);
}

#[test]
fn reject_needs_the_awaited_party() {
    let s = setup();
    let a = Address::generate(&s.env);
    let b = Address::generate(&s.env);
    s.env.mock_all_auths();
    s.attribution.propose(&s.event_id, &a, &K, &Share::Fixed(1));
    s.attribution.submit(&s.event_id, &b, &K, &Share::Fixed(1));
    // the proposal awaits a, not the organizer
    auth::sign(
        &s.env,
        &s.organizer,
        &s.id(),
        "reject",
        (&s.event_id, &a).into_val(&s.env),
    );
    refused(s.attribution.try_reject(&s.event_id, &a));
    // the submission awaits the organizer, not b
    auth::sign(
        &s.env,
        &b,
        &s.id(),
        "reject",
        (&s.event_id, &b).into_val(&s.env),
    );
    refused(s.attribution.try_reject(&s.event_id, &b));
}

#[test]
fn lock_needs_revenue() {
    let s = setup();
    auth::sign(
        &s.env,
        &s.organizer,
        &s.id(),
        "lock",
        (&s.event_id,).into_val(&s.env),
    );
    refused(s.attribution.try_lock(&s.event_id));
    auth::sign(
        &s.env,
        &s.admin,
        &s.id(),
        "lock",
        (&s.event_id,).into_val(&s.env),
    );
    refused(s.attribution.try_lock(&s.event_id));
    assert!(!s.attribution.totals(&s.event_id).locked);
}

#[test]
fn admin_functions_need_the_admin() {
    let s = setup();
    let mallory = Address::generate(&s.env);
    auth::sign(
        &s.env,
        &mallory,
        &s.id(),
        "transfer_admin",
        (&mallory,).into_val(&s.env),
    );
    refused(s.attribution.try_transfer_admin(&mallory));
    auth::sign(&s.env, &mallory, &s.id(), "pause", ().into_val(&s.env));
    refused(s.attribution.try_pause());
    s.env.mock_all_auths();
    s.attribution.pause();
    auth::sign(&s.env, &mallory, &s.id(), "unpause", ().into_val(&s.env));
    refused(s.attribution.try_unpause());
    let hash = BytesN::from_array(&s.env, &[7; 32]);
    auth::sign(
        &s.env,
        &mallory,
        &s.id(),
        "upgrade",
        (&hash,).into_val(&s.env),
    );
    refused(s.attribution.try_upgrade(&hash));
    assert_eq!(s.attribution.admin(), s.admin);
    assert!(s.attribution.paused());
}

#[test]
fn accept_admin_needs_the_pending_admin() {
    let s = setup();
    let next = Address::generate(&s.env);
    let mallory = Address::generate(&s.env);
    auth::sign(
        &s.env,
        &s.admin,
        &s.id(),
        "transfer_admin",
        (&next,).into_val(&s.env),
    );
    s.attribution.transfer_admin(&next);
    auth::sign(
        &s.env,
        &mallory,
        &s.id(),
        "accept_admin",
        ().into_val(&s.env),
    );
    refused(s.attribution.try_accept_admin());
    auth::sign(
        &s.env,
        &s.admin,
        &s.id(),
        "accept_admin",
        ().into_val(&s.env),
    );
    refused(s.attribution.try_accept_admin());
    assert_eq!(s.attribution.admin(), s.admin);
}

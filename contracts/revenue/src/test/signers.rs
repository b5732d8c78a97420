//! For every privileged function: the wrong address signs and is refused.

use passa_common::testutils::auth;
use soroban_sdk::testutils::Address as _;
use soroban_sdk::{Address, BytesN, IntoVal};

use super::setup;

fn refused<T, E>(r: Result<T, E>) {
    assert!(r.is_err(), "the wrong signer was accepted");
}

#[test]
fn pay_refund_needs_ticketing() {
    let s = setup();
    s.sell(100, None);
    let holder = Address::generate(&s.env);
    let tk = s.token.address.clone();
    for wrong in [holder.clone(), s.admin.clone(), s.organizer.clone()] {
        let args = (&s.event_id, &tk, &holder, 50i128).into_val(&s.env);
        auth::sign(&s.env, &wrong, &s.id(), "pay_refund", args);
        refused(s.revenue.try_pay_refund(&s.event_id, &tk, &holder, &50));
    }
    assert_eq!(s.balance(&holder), 0);
}

#[test]
fn settle_needs_the_organizer() {
    let s = setup();
    s.sell(100, None);
    s.end_event();
    let mallory = Address::generate(&s.env);
    for wrong in [mallory, s.admin.clone()] {
        auth::sign(
            &s.env,
            &wrong,
            &s.id(),
            "settle",
            (&s.event_id,).into_val(&s.env),
        );
        refused(s.revenue.try_settle(&s.event_id));
    }
    assert_eq!(s.revenue.settlement(&s.event_id), None);
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
    refused(s.revenue.try_transfer_admin(&mallory));
    auth::sign(&s.env, &mallory, &s.id(), "pause", ().into_val(&s.env));
    refused(s.revenue.try_pause());
    auth::sign(&s.env, &s.admin, &s.id(), "pause", ().into_val(&s.env));
    s.revenue.pause();
    auth::sign(&s.env, &mallory, &s.id(), "unpause", ().into_val(&s.env));
    refused(s.revenue.try_unpause());
    let hash = BytesN::from_array(&s.env, &[7; 32]);
    auth::sign(
        &s.env,
        &mallory,
        &s.id(),
        "upgrade",
        (&hash,).into_val(&s.env),
    );
    refused(s.revenue.try_upgrade(&hash));
    assert_eq!(s.revenue.admin(), s.admin);
    assert!(s.revenue.paused());
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
    s.revenue.transfer_admin(&next);
    auth::sign(
        &s.env,
        &mallory,
        &s.id(),
        "accept_admin",
        ().into_val(&s.env),
    );
    refused(s.revenue.try_accept_admin());
    assert_eq!(s.revenue.admin(), s.admin);
}

use passa_common::events::{AdminTransferStarted, AdminTransferred, Paused, Unpaused};
use passa_common::testutils::auth;
use soroban_sdk::testutils::Address as _;
use soroban_sdk::{Address, IntoVal};

use super::setup;

#[test]
fn admin_two_step_transfer() {
    let s = setup();
    let next = Address::generate(&s.env);
    auth::sign(
        &s.env,
        &s.admin,
        &s.id(),
        "transfer_admin",
        (&next,).into_val(&s.env),
    );
    s.revenue.transfer_admin(&next);
    auth::assert_only(
        &s.env,
        &s.admin,
        &s.id(),
        "transfer_admin",
        (&next,).into_val(&s.env),
    );
    s.assert_events(&[&AdminTransferStarted {
        current: s.admin.clone(),
        pending: next.clone(),
    }]);
    auth::sign(&s.env, &next, &s.id(), "accept_admin", ().into_val(&s.env));
    s.revenue.accept_admin();
    auth::assert_only(&s.env, &next, &s.id(), "accept_admin", ().into_val(&s.env));
    s.assert_events(&[&AdminTransferred {
        previous: s.admin.clone(),
        new_admin: next.clone(),
    }]);
    assert_eq!(s.revenue.admin(), next);
}

#[test]
fn pause_unpause() {
    let s = setup();
    auth::sign(&s.env, &s.admin, &s.id(), "pause", ().into_val(&s.env));
    s.revenue.pause();
    auth::assert_only(&s.env, &s.admin, &s.id(), "pause", ().into_val(&s.env));
    s.assert_events(&[&Paused {
        admin: s.admin.clone(),
    }]);
    auth::sign(&s.env, &s.admin, &s.id(), "unpause", ().into_val(&s.env));
    s.revenue.unpause();
    auth::assert_only(&s.env, &s.admin, &s.id(), "unpause", ().into_val(&s.env));
    s.assert_events(&[&Unpaused {
        admin: s.admin.clone(),
    }]);
}

use passa_common::testutils::auth;
use passa_common::{EventLedger, EventStatus, Share};
use soroban_sdk::testutils::Address as _;
use soroban_sdk::testutils::Ledger as _;
use soroban_sdk::{Address, IntoVal};

use super::{setup, END, FEE_BPS, HIGH_VALUE};
use crate::events::Settled;
use crate::{RevenueError as E, Settlement};

#[test]
fn constructor_wires() {
    let s = setup();
    assert_eq!(s.revenue.admin(), s.admin);
    assert_eq!(s.revenue.ticketing(), s.ticketing.address);
    assert_eq!(s.revenue.attribution(), s.attribution.address);
    assert_eq!(s.revenue.treasury(), s.treasury);
    assert_eq!(s.revenue.platform_fee_bps(), FEE_BPS);
    assert_eq!(s.revenue.high_value_threshold(), HIGH_VALUE);
    assert_eq!(s.revenue.pending_admin(), None);
    assert!(!s.revenue.paused());
    assert_eq!(s.revenue.settlement(&s.event_id), None);
}

#[test]
#[should_panic]
fn constructor_refuses_fee_over_100_percent() {
    let env = soroban_sdk::Env::default();
    let a = Address::generate(&env);
    env.register(crate::Revenue, (&a, &a, &a, &a, 10_001u32, 0i128));
}

/// The worked example of the crate docs: 3 000 sold, 2.5 % fee, a 10 % promoter who sold one
/// ticket, a fixed 500 sponsor, two 33.33 % artists.
#[test]
fn settle_freezes_the_pool() {
    let s = setup();
    let promoter = s.contributor(Share::Commission(1_000));
    s.contributor(Share::Fixed(500));
    s.contributor(Share::Percentage(3_333));
    s.contributor(Share::Percentage(3_333));
    s.sell(1_000, Some(&promoter));
    s.sell(1_000, None);
    s.sell(1_000, None);
    s.end_event();
    auth::sign(
        &s.env,
        &s.organizer,
        &s.id(),
        "settle",
        (&s.event_id,).into_val(&s.env),
    );
    let st = s.revenue.settle(&s.event_id);
    auth::assert_only(
        &s.env,
        &s.organizer,
        &s.id(),
        "settle",
        (&s.event_id,).into_val(&s.env),
    );
    let want = Settlement {
        organizer: s.organizer.clone(),
        token: s.token.address.clone(),
        net: 3_000,
        fee: 75,
        pool: 2_925,
        commissions: 100,
        fixed_total: 500,
        percentage_bps: 6_666,
        pct_pool: 2_325,
        scaled: false,
        payees: 4,
        payees_allocation: 2_149,
        organizer_base: 776,
        settled_at: END + 1,
        payees_claimed: 0,
        paid_to_payees: 0,
        organizer_paid: 0,
    };
    s.assert_events(&[&Settled {
        event_id: s.event_id.clone(),
        organizer: s.organizer.clone(),
        token: s.token.address.clone(),
        treasury: s.treasury.clone(),
        net: 3_000,
        fee: 75,
        pool: 2_925,
        commissions: 100,
        fixed_total: 500,
        percentage_bps: 6_666,
        pct_pool: 2_325,
        scaled: false,
        payees: 4,
        organizer_base: 776,
    }]);
    assert_eq!(st, want);
    assert_eq!(s.revenue.settlement(&s.event_id), Some(want));
    assert_eq!(s.balance(&s.treasury), 75);
    assert_eq!(s.balance(&s.id()), 2_925);
    assert!(s.attribution.totals(&s.event_id).locked);
}

#[test]
fn seed_rule_high_value_needs_the_admin_too() {
    let s = setup();
    s.sell(HIGH_VALUE + 1, None);
    s.end_event();
    auth::sign(
        &s.env,
        &s.organizer,
        &s.id(),
        "settle",
        (&s.event_id,).into_val(&s.env),
    );
    assert!(s.revenue.try_settle(&s.event_id).is_err());
    auth::sign(
        &s.env,
        &s.admin,
        &s.id(),
        "settle",
        (&s.event_id,).into_val(&s.env),
    );
    assert!(s.revenue.try_settle(&s.event_id).is_err());
    assert_eq!(s.revenue.settlement(&s.event_id), None);

    let args = (&s.event_id,).into_val(&s.env);
    let invoke = soroban_sdk::testutils::MockAuthInvoke {
        contract: &s.id(),
        fn_name: "settle",
        args,
        sub_invokes: &[],
    };
    s.env.mock_auths(&[
        soroban_sdk::testutils::MockAuth {
            address: &s.organizer,
            invoke: &invoke,
        },
        soroban_sdk::testutils::MockAuth {
            address: &s.admin,
            invoke: &invoke,
        },
    ]);
    s.revenue.settle(&s.event_id);
    let signers: std::vec::Vec<Address> = s.env.auths().into_iter().map(|(a, _)| a).collect();
    assert_eq!(signers, std::vec![s.organizer.clone(), s.admin.clone()]);
    // exactly the threshold is not high value
    let s = setup();
    s.sell(HIGH_VALUE, None);
    s.end_event();
    auth::sign(
        &s.env,
        &s.organizer,
        &s.id(),
        "settle",
        (&s.event_id,).into_val(&s.env),
    );
    s.revenue.settle(&s.event_id);
}

#[test]
fn settle_after_cancellation_waits_for_the_refund_window() {
    let s = setup();
    s.sell(1_000, None);
    let mut ledger: EventLedger = s.ticketing.event_ledger(&s.event_id);
    ledger.status = EventStatus::Cancelled;
    ledger.refund_deadline = 5_000;
    s.ticketing.set_event(&s.event_id, &ledger);
    s.env.ledger().with_mut(|l| l.timestamp = 5_000);
    s.env.mock_all_auths();
    assert_eq!(s.revenue.try_settle(&s.event_id), Err(Ok(E::EventNotOver)));
    s.env.ledger().with_mut(|l| l.timestamp = 5_001);
    assert_eq!(s.revenue.settle(&s.event_id).net, 1_000);
}

#[test]
fn settle_errors() {
    let s = setup();
    s.sell(1_000, None);
    s.env.mock_all_auths();
    let unknown = super::event_id(&s.env, 9);
    assert_eq!(s.revenue.try_settle(&unknown), Err(Ok(E::EventNotFound)));
    assert_eq!(s.revenue.try_settle(&s.event_id), Err(Ok(E::EventNotOver)));
    s.end_event();
    // ticketing reports a refund the escrow never paid
    let mut ledger: EventLedger = s.ticketing.event_ledger(&s.event_id);
    ledger.refunds = 1;
    ledger.status = EventStatus::Published;
    s.ticketing.set_event(&s.event_id, &ledger);
    assert_eq!(
        s.revenue.try_settle(&s.event_id),
        Err(Ok(E::AccountingMismatch))
    );
    ledger.refunds = 0;
    s.ticketing.set_event(&s.event_id, &ledger);
    s.revenue.pause();
    assert_eq!(s.revenue.try_settle(&s.event_id), Err(Ok(E::Paused)));
    s.revenue.unpause();
    s.revenue.settle(&s.event_id);
    assert_eq!(
        s.revenue.try_settle(&s.event_id),
        Err(Ok(E::AlreadySettled))
    );
}

#[test]
fn scaled_when_commitments_exceed_the_pool() {
    let s = setup();
    let a = s.contributor(Share::Fixed(1_000));
    let b = s.contributor(Share::Fixed(1_001));
    let p = s.contributor(Share::Percentage(1_000));
    s.sell(1_000, None);
    let st = s.settle();
    assert!(st.scaled);
    assert_eq!(
        (
            st.pool,
            st.pct_pool,
            st.payees_allocation,
            st.organizer_base
        ),
        (975, 0, 975, 0)
    );
    assert_eq!(s.revenue.claim(&s.event_id, &a), 487);
    assert_eq!(s.revenue.claim(&s.event_id, &b), 487);
    assert_eq!(s.revenue.claim(&s.event_id, &p), 0);
    assert_eq!(s.revenue.claim(&s.event_id, &s.organizer), 1);
    assert_eq!(s.balance(&s.id()), 0);
}

use passa_common::Share;
use soroban_sdk::testutils::Address as _;
use soroban_sdk::{vec, Address};

use super::{setup, Setup};
use crate::events::Claimed;
use crate::RevenueError as E;

struct Example {
    s: Setup,
    promoter: Address,
    sponsor: Address,
    artist1: Address,
    artist2: Address,
}

/// The worked example of `settle.rs`, settled.
fn example() -> Example {
    let s = setup();
    let promoter = s.contributor(Share::Commission(1_000));
    let sponsor = s.contributor(Share::Fixed(500));
    let artist1 = s.contributor(Share::Percentage(3_333));
    let artist2 = s.contributor(Share::Percentage(3_333));
    s.sell(1_000, Some(&promoter));
    s.sell(2_000, None);
    s.settle();
    Example {
        s,
        promoter,
        sponsor,
        artist1,
        artist2,
    }
}

fn claimed(s: &Setup, payee: &Address, amount: i128, total_paid: i128) {
    s.assert_events(&[&Claimed {
        event_id: s.event_id.clone(),
        payee: payee.clone(),
        amount,
        total_paid,
    }]);
}

#[test]
fn every_payee_claims_and_the_organizer_sweeps_the_dust() {
    let Example {
        s,
        promoter,
        sponsor,
        artist1,
        artist2,
    } = example();
    // anyone triggers: no auth at all
    s.env.set_auths(&[]);
    assert_eq!(s.revenue.claimable(&s.event_id, &promoter), 100);
    assert_eq!(s.revenue.claim(&s.event_id, &promoter), 100);
    assert_eq!(s.env.auths(), std::vec![]);
    claimed(&s, &promoter, 100, 100);
    assert_eq!(s.balance(&promoter), 100);

    // the organizer takes its base before everyone claimed
    assert_eq!(s.revenue.claim(&s.event_id, &s.organizer), 776);
    claimed(&s, &s.organizer, 776, 776);
    assert_eq!(
        s.revenue.try_claim(&s.event_id, &s.organizer),
        Err(Ok(E::NothingToClaim))
    );

    assert_eq!(s.revenue.claim(&s.event_id, &sponsor), 500);
    claimed(&s, &sponsor, 500, 500);
    assert_eq!(s.revenue.claim(&s.event_id, &artist1), 774);
    claimed(&s, &artist1, 774, 774);
    assert_eq!(s.revenue.claim(&s.event_id, &artist2), 774);
    // every contributor claimed: the organizer sweeps the dust
    assert_eq!(s.revenue.claim(&s.event_id, &s.organizer), 1);
    claimed(&s, &s.organizer, 1, 777);
    assert_eq!(s.revenue.paid(&s.event_id, &s.organizer), 777);
    assert_eq!(s.revenue.paid(&s.event_id, &artist2), 774);
    assert_eq!(s.balance(&s.id()), 0);
    let st = s.revenue.settlement(&s.event_id).unwrap();
    assert_eq!(
        (st.payees_claimed, st.paid_to_payees, st.organizer_paid),
        (4, 2_148, 777)
    );
    // Σ paid + fee = net
    assert_eq!(st.paid_to_payees + st.organizer_paid + st.fee, st.net);
}

#[test]
fn nothing_is_paid_twice() {
    let Example { s, sponsor, .. } = example();
    s.revenue.claim(&s.event_id, &sponsor);
    assert_eq!(
        s.revenue.try_claim(&s.event_id, &sponsor),
        Err(Ok(E::AlreadyClaimed))
    );
    assert_eq!(
        s.revenue.try_claimable(&s.event_id, &sponsor),
        Err(Ok(E::AlreadyClaimed))
    );
    assert_eq!(s.balance(&sponsor), 500);
}

#[test]
fn distribute_pays_a_batch_and_skips_the_paid() {
    let Example {
        s,
        promoter,
        sponsor,
        artist1,
        artist2,
    } = example();
    s.revenue.claim(&s.event_id, &sponsor);
    let payees = vec![
        &s.env,
        promoter.clone(),
        sponsor.clone(),
        artist1.clone(),
        artist2.clone(),
        s.organizer.clone(),
    ];
    assert_eq!(
        s.revenue.distribute(&s.event_id, &payees),
        100 + 774 + 774 + 777
    );
    s.assert_events(&[
        &Claimed {
            event_id: s.event_id.clone(),
            payee: promoter.clone(),
            amount: 100,
            total_paid: 100,
        },
        &Claimed {
            event_id: s.event_id.clone(),
            payee: artist1.clone(),
            amount: 774,
            total_paid: 774,
        },
        &Claimed {
            event_id: s.event_id.clone(),
            payee: artist2.clone(),
            amount: 774,
            total_paid: 774,
        },
        &Claimed {
            event_id: s.event_id.clone(),
            payee: s.organizer.clone(),
            amount: 777,
            total_paid: 777,
        },
    ]);
    assert_eq!(s.balance(&s.id()), 0);
    // again: everybody is skipped
    assert_eq!(s.revenue.distribute(&s.event_id, &payees), 0);
}

#[test]
fn claim_errors() {
    let s = setup();
    let a = s.contributor(Share::Fixed(10));
    s.sell(100, None);
    assert_eq!(s.revenue.try_claim(&s.event_id, &a), Err(Ok(E::NotSettled)));
    assert_eq!(
        s.revenue
            .try_distribute(&s.event_id, &vec![&s.env, a.clone()]),
        Err(Ok(E::NotSettled))
    );
    s.settle();
    let stranger = Address::generate(&s.env);
    assert_eq!(
        s.revenue.try_claim(&s.event_id, &stranger),
        Err(Ok(E::NotAPayee))
    );
    assert_eq!(
        s.revenue
            .try_distribute(&s.event_id, &vec![&s.env, a.clone(), stranger.clone()]),
        Err(Ok(E::NotAPayee))
    );
    let mut many = vec![&s.env];
    for _ in 0..=crate::MAX_DISTRIBUTE {
        many.push_back(a.clone());
    }
    assert_eq!(
        s.revenue.try_distribute(&s.event_id, &many),
        Err(Ok(E::BatchTooLarge))
    );
    s.env.mock_all_auths();
    s.revenue.pause();
    assert_eq!(s.revenue.try_claim(&s.event_id, &a), Err(Ok(E::Paused)));
    assert_eq!(
        s.revenue
            .try_distribute(&s.event_id, &vec![&s.env, a.clone()]),
        Err(Ok(E::Paused))
    );
    s.revenue.unpause();
    assert_eq!(s.revenue.claim(&s.event_id, &a), 10);
}

#[test]
fn a_contributor_owed_nothing_is_recorded_as_paid() {
    let s = setup();
    let promoter = s.contributor(Share::Commission(500));
    s.sell(100, None);
    s.settle();
    assert_eq!(s.revenue.claim(&s.event_id, &promoter), 0);
    claimed(&s, &promoter, 0, 0);
    assert_eq!(
        s.revenue.try_claim(&s.event_id, &promoter),
        Err(Ok(E::AlreadyClaimed))
    );
}

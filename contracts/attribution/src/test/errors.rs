use passa_common::CommonError;
use passa_common::Share;
use soroban_sdk::testutils::Address as _;
use soroban_sdk::Address;

use super::{event_id, setup};
use crate::{AttributionError as E, ContributionKind};

const K: ContributionKind = ContributionKind::Promotion;

#[test]
fn unknown_event() {
    let s = setup();
    s.env.mock_all_auths();
    let who = Address::generate(&s.env);
    let other = event_id(&s.env, 9);
    let share = Share::Percentage(10);
    assert_eq!(
        s.attribution.try_propose(&other, &who, &K, &share),
        Err(Ok(E::EventNotFound))
    );
    assert_eq!(
        s.attribution.try_submit(&other, &who, &K, &share),
        Err(Ok(E::EventNotFound))
    );
    assert_eq!(
        s.attribution.try_approve(&other, &who),
        Err(Ok(E::EventNotFound))
    );
}

#[test]
fn invalid_shares() {
    let s = setup();
    s.env.mock_all_auths();
    let who = Address::generate(&s.env);
    for share in [
        Share::Percentage(0),
        Share::Percentage(10_001),
        Share::Commission(0),
        Share::Commission(10_001),
        Share::Fixed(0),
        Share::Fixed(-5),
    ] {
        assert_eq!(
            s.attribution.try_propose(&s.event_id, &who, &K, &share),
            Err(Ok(E::InvalidShare))
        );
        assert_eq!(
            s.attribution.try_submit(&s.event_id, &who, &K, &share),
            Err(Ok(E::InvalidShare))
        );
    }
}

#[test]
fn organizer_cannot_contribute() {
    let s = setup();
    s.env.mock_all_auths();
    let share = Share::Percentage(10);
    assert_eq!(
        s.attribution
            .try_propose(&s.event_id, &s.organizer, &K, &share),
        Err(Ok(E::OrganizerCannotContribute))
    );
    assert_eq!(
        s.attribution
            .try_submit(&s.event_id, &s.organizer, &K, &share),
        Err(Ok(E::OrganizerCannotContribute))
    );
}

#[test]
fn one_contribution_per_contributor() {
    let s = setup();
    let who = Address::generate(&s.env);
    s.env.mock_all_auths();
    s.attribution
        .propose(&s.event_id, &who, &K, &Share::Fixed(1));
    assert_eq!(
        s.attribution
            .try_submit(&s.event_id, &who, &K, &Share::Fixed(2)),
        Err(Ok(E::ContributionExists))
    );
    s.attribution.accept(&s.event_id, &who);
    assert_eq!(
        s.attribution
            .try_propose(&s.event_id, &who, &K, &Share::Fixed(2)),
        Err(Ok(E::ContributionExists))
    );
}

#[test]
fn missing_not_pending_and_wrong_party() {
    let s = setup();
    let a = Address::generate(&s.env);
    let b = Address::generate(&s.env);
    s.env.mock_all_auths();
    assert_eq!(
        s.attribution.try_accept(&s.event_id, &a),
        Err(Ok(E::ContributionNotFound))
    );
    assert_eq!(
        s.attribution.try_approve(&s.event_id, &a),
        Err(Ok(E::ContributionNotFound))
    );
    assert_eq!(
        s.attribution.try_reject(&s.event_id, &a),
        Err(Ok(E::ContributionNotFound))
    );

    s.attribution.propose(&s.event_id, &a, &K, &Share::Fixed(1));
    s.attribution.submit(&s.event_id, &b, &K, &Share::Fixed(1));
    // a proposal awaits the contributor, a submission the organizer
    assert_eq!(
        s.attribution.try_approve(&s.event_id, &a),
        Err(Ok(E::WrongParty))
    );
    assert_eq!(
        s.attribution.try_accept(&s.event_id, &b),
        Err(Ok(E::WrongParty))
    );

    s.attribution.accept(&s.event_id, &a);
    s.attribution.reject(&s.event_id, &b);
    assert_eq!(
        s.attribution.try_accept(&s.event_id, &a),
        Err(Ok(E::NotPending))
    );
    assert_eq!(
        s.attribution.try_reject(&s.event_id, &a),
        Err(Ok(E::NotPending))
    );
    assert_eq!(
        s.attribution.try_approve(&s.event_id, &b),
        Err(Ok(E::NotPending))
    );
    assert_eq!(
        s.attribution.try_reject(&s.event_id, &b),
        Err(Ok(E::NotPending))
    );
}

#[test]
fn locked_event_is_frozen() {
    let s = setup();
    let a = Address::generate(&s.env);
    let b = Address::generate(&s.env);
    let c = Address::generate(&s.env);
    s.env.mock_all_auths();
    s.attribution.propose(&s.event_id, &a, &K, &Share::Fixed(1));
    s.attribution.submit(&s.event_id, &b, &K, &Share::Fixed(1));
    s.attribution.lock(&s.event_id);
    let share = Share::Fixed(1);
    assert_eq!(
        s.attribution.try_propose(&s.event_id, &c, &K, &share),
        Err(Ok(E::EventLocked))
    );
    assert_eq!(
        s.attribution.try_submit(&s.event_id, &c, &K, &share),
        Err(Ok(E::EventLocked))
    );
    assert_eq!(
        s.attribution.try_accept(&s.event_id, &a),
        Err(Ok(E::EventLocked))
    );
    assert_eq!(
        s.attribution.try_approve(&s.event_id, &b),
        Err(Ok(E::EventLocked))
    );
    assert_eq!(
        s.attribution.try_reject(&s.event_id, &a),
        Err(Ok(E::EventLocked))
    );
}

#[test]
fn paused_blocks_every_write() {
    let s = setup();
    let a = Address::generate(&s.env);
    s.env.mock_all_auths();
    s.attribution.propose(&s.event_id, &a, &K, &Share::Fixed(1));
    s.attribution.pause();
    assert!(s.attribution.paused());
    let share = Share::Fixed(1);
    assert_eq!(
        s.attribution.try_propose(&s.event_id, &a, &K, &share),
        Err(Ok(E::Paused))
    );
    assert_eq!(
        s.attribution.try_submit(&s.event_id, &a, &K, &share),
        Err(Ok(E::Paused))
    );
    assert_eq!(
        s.attribution.try_accept(&s.event_id, &a),
        Err(Ok(E::Paused))
    );
    assert_eq!(
        s.attribution.try_approve(&s.event_id, &a),
        Err(Ok(E::Paused))
    );
    assert_eq!(
        s.attribution.try_reject(&s.event_id, &a),
        Err(Ok(E::Paused))
    );
    assert_eq!(s.attribution.try_lock(&s.event_id), Err(Ok(E::Paused)));
    assert_eq!(s.attribution.try_pause(), Err(Ok(CommonError::Paused)));
    s.attribution.unpause();
    assert_eq!(s.attribution.try_unpause(), Err(Ok(CommonError::NotPaused)));
    s.attribution.accept(&s.event_id, &a);
}

#[test]
fn accept_admin_without_transfer() {
    let s = setup();
    s.env.mock_all_auths();
    assert_eq!(
        s.attribution.try_accept_admin(),
        Err(Ok(CommonError::NoPendingAdmin))
    );
}

use passa_common::testutils::auth;
use passa_common::{AttributionTotals, Share};
use soroban_sdk::testutils::Address as _;
use soroban_sdk::{Address, IntoVal};

use super::setup;
use crate::events::{
    AttributionLocked, ContributionApproved, ContributionProposed, ContributionRejected,
    ContributionSubmitted,
};
use crate::{Contribution, ContributionKind, ContributionStatus, EventTotals, Initiator};

#[test]
fn constructor_wires() {
    let s = setup();
    assert_eq!(s.attribution.admin(), s.admin);
    assert_eq!(s.attribution.ticketing(), s.ticketing.address);
    assert_eq!(s.attribution.revenue(), s.revenue);
    assert_eq!(s.attribution.pending_admin(), None);
    assert!(!s.attribution.paused());
    assert_eq!(s.attribution.totals(&s.event_id), EventTotals::default());
}

#[test]
fn propose_then_accept() {
    let s = setup();
    let artist = Address::generate(&s.env);
    let share = Share::Percentage(2_500);
    let kind = ContributionKind::ArtistPerformance;
    let args = (&s.event_id, &artist, kind, share.clone()).into_val(&s.env);
    auth::sign(&s.env, &s.organizer, &s.id(), "propose", args);
    s.attribution.propose(&s.event_id, &artist, &kind, &share);
    let args = (&s.event_id, &artist, kind, share.clone()).into_val(&s.env);
    auth::assert_only(&s.env, &s.organizer, &s.id(), "propose", args);
    s.assert_events(&[&ContributionProposed {
        event_id: s.event_id.clone(),
        contributor: artist.clone(),
        organizer: s.organizer.clone(),
        kind,
        share: share.clone(),
    }]);
    assert_eq!(
        s.attribution.contribution(&s.event_id, &artist),
        Some(Contribution {
            kind,
            share: share.clone(),
            status: ContributionStatus::Pending,
            initiator: Initiator::Organizer,
            updated_at: 0,
        })
    );
    assert_eq!(s.attribution.totals(&s.event_id).pending_bps, 2_500);
    assert_eq!(s.attribution.approved_share(&s.event_id, &artist), None);

    auth::sign(
        &s.env,
        &artist,
        &s.id(),
        "accept",
        (&s.event_id, &artist).into_val(&s.env),
    );
    s.attribution.accept(&s.event_id, &artist);
    auth::assert_only(
        &s.env,
        &artist,
        &s.id(),
        "accept",
        (&s.event_id, &artist).into_val(&s.env),
    );
    s.assert_events(&[&ContributionApproved {
        event_id: s.event_id.clone(),
        contributor: artist.clone(),
        approved_by: artist.clone(),
        kind,
        share: share.clone(),
    }]);
    assert_eq!(
        s.attribution.approved_share(&s.event_id, &artist),
        Some(share)
    );
    assert_eq!(
        s.attribution.totals(&s.event_id),
        EventTotals {
            pending_bps: 0,
            approved_bps: 2_500,
            fixed_total: 0,
            contributors: 1,
            locked: false
        }
    );
}

#[test]
fn submit_then_approve() {
    let s = setup();
    let sponsor = Address::generate(&s.env);
    let share = Share::Fixed(50_000_000_000);
    let kind = ContributionKind::Sponsorship;
    let args = (&s.event_id, &sponsor, kind, share.clone()).into_val(&s.env);
    auth::sign(&s.env, &sponsor, &s.id(), "submit", args);
    s.attribution.submit(&s.event_id, &sponsor, &kind, &share);
    let args = (&s.event_id, &sponsor, kind, share.clone()).into_val(&s.env);
    auth::assert_only(&s.env, &sponsor, &s.id(), "submit", args);
    s.assert_events(&[&ContributionSubmitted {
        event_id: s.event_id.clone(),
        contributor: sponsor.clone(),
        organizer: s.organizer.clone(),
        kind,
        share: share.clone(),
    }]);

    let args = (&s.event_id, &sponsor).into_val(&s.env);
    auth::sign(&s.env, &s.organizer, &s.id(), "approve", args);
    s.attribution.approve(&s.event_id, &sponsor);
    auth::assert_only(
        &s.env,
        &s.organizer,
        &s.id(),
        "approve",
        (&s.event_id, &sponsor).into_val(&s.env),
    );
    s.assert_events(&[&ContributionApproved {
        event_id: s.event_id.clone(),
        contributor: sponsor.clone(),
        approved_by: s.organizer.clone(),
        kind,
        share: share.clone(),
    }]);
    let totals = s.attribution.totals(&s.event_id);
    assert_eq!(totals.fixed_total, 50_000_000_000);
    assert_eq!(totals.contributors, 1);
}

#[test]
fn approved_commission_sets_referral_rate() {
    let s = setup();
    let promoter = Address::generate(&s.env);
    s.approved(&promoter, Share::Commission(500));
    assert_eq!(s.ticketing.referral_rate(&s.event_id, &promoter), 500);
    assert_eq!(s.attribution.totals(&s.event_id).contributors, 1);
}

#[test]
fn contributor_rejects_proposal() {
    let s = setup();
    let artist = Address::generate(&s.env);
    s.env.mock_all_auths();
    let kind = ContributionKind::ContentCreation;
    s.attribution
        .propose(&s.event_id, &artist, &kind, &Share::Percentage(4_000));
    auth::sign(
        &s.env,
        &artist,
        &s.id(),
        "reject",
        (&s.event_id, &artist).into_val(&s.env),
    );
    s.attribution.reject(&s.event_id, &artist);
    auth::assert_only(
        &s.env,
        &artist,
        &s.id(),
        "reject",
        (&s.event_id, &artist).into_val(&s.env),
    );
    s.assert_events(&[&ContributionRejected {
        event_id: s.event_id.clone(),
        contributor: artist.clone(),
        rejected_by: artist.clone(),
    }]);
    assert_eq!(s.attribution.totals(&s.event_id).pending_bps, 0);
    let c = s.attribution.contribution(&s.event_id, &artist).unwrap();
    assert_eq!(c.status, ContributionStatus::Rejected);
    // A rejected contribution may be proposed again.
    s.env.mock_all_auths();
    s.attribution
        .propose(&s.event_id, &artist, &kind, &Share::Percentage(3_000));
    assert_eq!(s.attribution.totals(&s.event_id).pending_bps, 3_000);
}

#[test]
fn organizer_rejects_submission() {
    let s = setup();
    let venue = Address::generate(&s.env);
    s.env.mock_all_auths();
    s.attribution.submit(
        &s.event_id,
        &venue,
        &ContributionKind::Venue,
        &Share::Percentage(9_000),
    );
    auth::sign(
        &s.env,
        &s.organizer,
        &s.id(),
        "reject",
        (&s.event_id, &venue).into_val(&s.env),
    );
    s.attribution.reject(&s.event_id, &venue);
    auth::assert_only(
        &s.env,
        &s.organizer,
        &s.id(),
        "reject",
        (&s.event_id, &venue).into_val(&s.env),
    );
    s.assert_events(&[&ContributionRejected {
        event_id: s.event_id.clone(),
        contributor: venue.clone(),
        rejected_by: s.organizer.clone(),
    }]);
    assert_eq!(s.attribution.totals(&s.event_id).pending_bps, 0);
}

#[test]
fn seed_rule_percentages_never_exceed_100() {
    let s = setup();
    let a = Address::generate(&s.env);
    let b = Address::generate(&s.env);
    let c = Address::generate(&s.env);
    s.approved(&a, Share::Percentage(6_000));
    s.env.mock_all_auths();
    let kind = ContributionKind::Promotion;
    // pending counts too
    s.attribution
        .submit(&s.event_id, &b, &kind, &Share::Percentage(4_000));
    assert_eq!(
        s.attribution
            .try_propose(&s.event_id, &c, &kind, &Share::Percentage(1)),
        Err(Ok(crate::AttributionError::PercentageOverflow))
    );
    assert_eq!(
        s.attribution
            .try_submit(&s.event_id, &c, &kind, &Share::Percentage(1)),
        Err(Ok(crate::AttributionError::PercentageOverflow))
    );
    // fixed and commission shares are not percentages
    s.attribution
        .submit(&s.event_id, &c, &kind, &Share::Commission(10_000));
    s.attribution.reject(&s.event_id, &b);
    s.attribution.reject(&s.event_id, &c);
    s.attribution
        .propose(&s.event_id, &c, &kind, &Share::Percentage(4_000));
    s.attribution.accept(&s.event_id, &c);
    let totals = s.attribution.totals(&s.event_id);
    assert_eq!((totals.approved_bps, totals.pending_bps), (10_000, 0));
}

#[test]
fn lock_returns_totals_once() {
    let s = setup();
    let a = Address::generate(&s.env);
    let b = Address::generate(&s.env);
    let p = Address::generate(&s.env);
    s.approved(&a, Share::Percentage(1_500));
    s.approved(&b, Share::Fixed(700));
    s.approved(&p, Share::Commission(300));
    auth::sign(
        &s.env,
        &s.revenue,
        &s.id(),
        "lock",
        (&s.event_id,).into_val(&s.env),
    );
    let totals = s.attribution.lock(&s.event_id);
    auth::assert_only(
        &s.env,
        &s.revenue,
        &s.id(),
        "lock",
        (&s.event_id,).into_val(&s.env),
    );
    let want = AttributionTotals {
        fixed_total: 700,
        percentage_bps: 1_500,
        contributors: 3,
    };
    assert_eq!(totals, want);
    s.assert_events(&[&AttributionLocked {
        event_id: s.event_id.clone(),
        fixed_total: 700,
        percentage_bps: 1_500,
        contributors: 3,
    }]);
    assert!(s.attribution.totals(&s.event_id).locked);
    auth::sign(
        &s.env,
        &s.revenue,
        &s.id(),
        "lock",
        (&s.event_id,).into_val(&s.env),
    );
    assert_eq!(s.attribution.lock(&s.event_id), want);
    s.assert_events(&[]);
}

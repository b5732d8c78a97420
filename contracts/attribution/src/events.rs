//! Events of the attribution contract (one per state change). The admin, pause and upgrade
//! events are `passa_common::events`.

use passa_common::{EventId, Share};
use soroban_sdk::{contractevent, Address};

use crate::types::ContributionKind;

/// The organizer proposed a contribution; the contributor must accept.
#[contractevent(sparse = false)]
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct ContributionProposed {
    #[topic]
    pub event_id: EventId,
    #[topic]
    pub contributor: Address,
    pub organizer: Address,
    pub kind: ContributionKind,
    pub share: Share,
}

/// The contributor submitted a contribution; the organizer must approve.
#[contractevent(sparse = false)]
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct ContributionSubmitted {
    #[topic]
    pub event_id: EventId,
    #[topic]
    pub contributor: Address,
    pub organizer: Address,
    pub kind: ContributionKind,
    pub share: Share,
}

/// The awaited party consented: the contribution is approved.
#[contractevent(sparse = false)]
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct ContributionApproved {
    #[topic]
    pub event_id: EventId,
    #[topic]
    pub contributor: Address,
    /// Who gave the final consent (the contributor or the organizer).
    pub approved_by: Address,
    pub kind: ContributionKind,
    pub share: Share,
}

/// The awaited party refused: the contribution is rejected.
#[contractevent(sparse = false)]
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct ContributionRejected {
    #[topic]
    pub event_id: EventId,
    #[topic]
    pub contributor: Address,
    pub rejected_by: Address,
}

/// Settlement locked the event's attribution for good.
#[contractevent(sparse = false)]
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct AttributionLocked {
    #[topic]
    pub event_id: EventId,
    pub fixed_total: i128,
    pub percentage_bps: u32,
    pub contributors: u32,
}

//! Attribution's own contract types.

use passa_common::Share;
use soroban_sdk::contracttype;

/// What the contributor did for the event (the database's `contribution_type`).
#[contracttype]
#[derive(Copy, Clone, Debug, Eq, PartialEq)]
pub enum ContributionKind {
    ArtistPerformance,
    ContentCreation,
    Promotion,
    Sponsorship,
    Organization,
    Venue,
}

/// Lifecycle of a contribution.
#[contracttype]
#[derive(Copy, Clone, Debug, Eq, PartialEq)]
pub enum ContributionStatus {
    Pending,
    Approved,
    Rejected,
}

/// Who started the contribution (the other party must consent).
#[contracttype]
#[derive(Copy, Clone, Debug, Eq, PartialEq)]
pub enum Initiator {
    /// Proposed by the organizer; the contributor accepts or rejects.
    Organizer,
    /// Submitted by the contributor; the organizer approves or rejects.
    Contributor,
}

/// One contributor's contribution to one event (persistent, key `(event_id, contributor)`).
#[contracttype]
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct Contribution {
    pub kind: ContributionKind,
    pub share: Share,
    pub status: ContributionStatus,
    pub initiator: Initiator,
    /// Ledger timestamp of the last status change.
    pub updated_at: u64,
}

/// Running totals of one event (persistent, key `event_id`).
#[contracttype]
#[derive(Clone, Debug, Default, Eq, PartialEq)]
pub struct EventTotals {
    /// Σ bps of pending `Percentage` shares.
    pub pending_bps: u32,
    /// Σ bps of approved `Percentage` shares.
    pub approved_bps: u32,
    /// Σ approved `Fixed` amounts.
    pub fixed_total: i128,
    /// Number of approved contributions (every kind).
    pub contributors: u32,
    /// Set by `lock` at settlement; no write afterwards.
    pub locked: bool,
}

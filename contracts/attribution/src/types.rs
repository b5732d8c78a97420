//! Attribution's own contract types. The plain enums are `u32` on chain (compact).

use passa_common::Share;
use soroban_sdk::contracttype;

/// What the contributor did for the event (the database's `contribution_type`).
#[contracttype]
#[derive(Copy, Clone, Debug, Eq, PartialEq)]
#[repr(u32)]
pub enum ContributionKind {
    ArtistPerformance = 0,
    ContentCreation = 1,
    Promotion = 2,
    Sponsorship = 3,
    Organization = 4,
    Venue = 5,
}

/// Lifecycle of a contribution.
#[contracttype]
#[derive(Copy, Clone, Debug, Eq, PartialEq)]
#[repr(u32)]
pub enum ContributionStatus {
    Pending = 0,
    Approved = 1,
    Rejected = 2,
}

/// Who started the contribution (the other party must consent).
#[contracttype]
#[derive(Copy, Clone, Debug, Eq, PartialEq)]
#[repr(u32)]
pub enum Initiator {
    /// Proposed by the organizer; the contributor accepts or rejects.
    Organizer = 0,
    /// Submitted by the contributor; the organizer approves or rejects.
    Contributor = 1,
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

//! Contributions to an event (attribution): `contribution_proposed` / `_submitted`,
//! `_approved`, `_rejected`.

use uuid::Uuid;

use super::support::{event_exists, no_contribution, park, user_of, Change, Outcome};
use crate::decode::Share;

// The statements that change a row return its id and, from the snapshot in `old`, the values
// they replaced (`audit_logs.old_values`).

const OPEN_CONTRIBUTION: &str = "
INSERT INTO attribution (event_id, user_id, contribution_type, share_type, percentage_share,
                         fixed_amount, status, proposed_by, contributor_address, share_bps,
                         fixed_amount_raw, proposed_by_address)
VALUES ($1, $2, $3, $4, $5::numeric / 10000, $6::numeric / 10000000, 'pending', $7, $8, $5,
        $6::numeric, $9)
ON CONFLICT (event_id, contributor_address) WHERE contributor_address IS NOT NULL DO UPDATE
   SET user_id = EXCLUDED.user_id, contribution_type = EXCLUDED.contribution_type,
       share_type = EXCLUDED.share_type, percentage_share = EXCLUDED.percentage_share,
       fixed_amount = EXCLUDED.fixed_amount, status = 'pending',
       proposed_by = EXCLUDED.proposed_by, share_bps = EXCLUDED.share_bps,
       fixed_amount_raw = EXCLUDED.fixed_amount_raw,
       proposed_by_address = EXCLUDED.proposed_by_address, approved_at = NULL,
       approved_by = NULL, approved_by_address = NULL, rejected_at = NULL,
       rejected_by_address = NULL, rejection_reason = NULL
RETURNING attribution_id";

const APPROVE_CONTRIBUTION: &str = "
WITH old AS (
    SELECT attribution_id, status, approved_at, approved_by_address, contribution_type,
           share_type, share_bps, fixed_amount_raw
      FROM attribution
     WHERE event_id = $1 AND contributor_address = $2
       FOR NO KEY UPDATE
)
UPDATE attribution a
   SET status = 'approved', approved_at = $3::timestamptz, approved_by = $4,
       approved_by_address = $5, contribution_type = $6, share_type = $7,
       percentage_share = $8::numeric / 10000, fixed_amount = $9::numeric / 10000000,
       share_bps = $8, fixed_amount_raw = $9::numeric
  FROM old
 WHERE a.attribution_id = old.attribution_id
RETURNING a.attribution_id, to_jsonb(old) - 'attribution_id'";

const REJECT_CONTRIBUTION: &str = "
WITH old AS (
    SELECT attribution_id, status, rejected_at, rejected_by_address FROM attribution
     WHERE event_id = $1 AND contributor_address = $2
       FOR NO KEY UPDATE
)
UPDATE attribution a
   SET status = 'rejected', rejected_at = $3::timestamptz, rejected_by_address = $4
  FROM old
 WHERE a.attribution_id = old.attribution_id
RETURNING a.attribution_id, to_jsonb(old) - 'attribution_id'";

/// A contribution as opened or approved: who, for which event, what kind and share.
pub(super) struct Contribution<'d> {
    pub event: &'d Uuid,
    pub contributor: &'d str,
    pub kind: &'static str,
    pub share: Share,
}

/// A contribution proposed by the `organizer` or, when `submitted`, by the contributor: a
/// pending row (a re-opened one starts over).
pub(super) async fn opened(
    c: &mut Change<'_, '_>,
    contribution: &Contribution<'_>,
    organizer: &str,
    submitted: bool,
) -> Result<Outcome, sqlx::Error> {
    let Contribution {
        event,
        contributor,
        kind,
        share,
    } = *contribution;
    if !event_exists(c.db, event).await? {
        return park("unknown_event", format!("no event {event} in the database"));
    }
    let contributor_user = user_of(c.db, contributor).await?;
    let proposer = if submitted { contributor } else { organizer };
    let proposer_user = user_of(c.db, proposer).await?;
    let (share_type, bps, fixed) = share_columns(share);
    let id: Uuid = sqlx::query_scalar(OPEN_CONTRIBUTION)
        .bind(event)
        .bind(contributor_user)
        .bind(kind)
        .bind(share_type)
        .bind(bps)
        .bind(fixed)
        .bind(proposer_user)
        .bind(contributor)
        .bind(proposer)
        .fetch_one(&mut *c.db)
        .await?;
    let action = if submitted {
        "contribution_submitted"
    } else {
        "contribution_proposed"
    };
    c.audited(proposer_user, action, ("attribution", id.to_string()), None)
        .await
}

/// A contribution approved by `approved_by`, with the share the chain agreed.
pub(super) async fn approved(
    c: &mut Change<'_, '_>,
    contribution: &Contribution<'_>,
    approved_by: &str,
) -> Result<Outcome, sqlx::Error> {
    let Contribution {
        event,
        contributor,
        kind,
        share,
    } = *contribution;
    let approver = user_of(c.db, approved_by).await?;
    let (share_type, bps, fixed) = share_columns(share);
    let id: Option<(Uuid, serde_json::Value)> = sqlx::query_as(APPROVE_CONTRIBUTION)
        .bind(event)
        .bind(contributor)
        .bind(c.origin.closed_at)
        .bind(approver)
        .bind(approved_by)
        .bind(kind)
        .bind(share_type)
        .bind(bps)
        .bind(fixed)
        .fetch_optional(&mut *c.db)
        .await?;
    let Some((id, old)) = id else {
        return park("unknown_contribution", no_contribution(event, contributor));
    };
    c.audited(
        approver,
        "contribution_approved",
        ("attribution", id.to_string()),
        Some(&old),
    )
    .await
}

/// A contribution rejected by `rejected_by`.
pub(super) async fn rejected(
    c: &mut Change<'_, '_>,
    event: &Uuid,
    contributor: &str,
    rejected_by: &str,
) -> Result<Outcome, sqlx::Error> {
    let id: Option<(Uuid, serde_json::Value)> = sqlx::query_as(REJECT_CONTRIBUTION)
        .bind(event)
        .bind(contributor)
        .bind(c.origin.closed_at)
        .bind(rejected_by)
        .fetch_optional(&mut *c.db)
        .await?;
    let Some((id, old)) = id else {
        return park("unknown_contribution", no_contribution(event, contributor));
    };
    let user = user_of(c.db, rejected_by).await?;
    c.audited(
        user,
        "contribution_rejected",
        ("attribution", id.to_string()),
        Some(&old),
    )
    .await
}

/// (share_type, bps, fixed raw amount) as the attribution columns hold them.
fn share_columns(share: Share) -> (&'static str, Option<i32>, Option<String>) {
    match share {
        Share::Percentage(bps) => ("percentage", i32::try_from(bps).ok(), None),
        Share::Commission(bps) => ("commission", i32::try_from(bps).ok(), None),
        Share::Fixed(amount) => ("fixed", None, Some(amount.to_string())),
    }
}

//! `organizer_verified` / `organizer_revoked` (ticketing): the organizer's verification.

use uuid::Uuid;

use super::support::{park, Change, Outcome};

// The statements that change a row return its user or id and, from the snapshot in `old`,
// the values they replaced (`audit_logs.old_values`).

const SET_ORGANIZER_VERIFIED: &str = "
WITH old AS (
    SELECT o.user_id, o.is_verified, o.verified_at, o.stellar_address, o.verification_ledger
      FROM organizers o JOIN wallets w ON w.user_id = o.user_id
     WHERE w.blockchain_network = 'stellar' AND w.wallet_address = $1
       FOR NO KEY UPDATE OF o
)
UPDATE organizers o
   SET is_verified = $2,
       verified_at = CASE WHEN $2 THEN $3::timestamptz ELSE o.verified_at END,
       stellar_address = $1,
       verification_ledger = $4
  FROM old
 WHERE o.user_id = old.user_id
RETURNING o.user_id, to_jsonb(old) - 'user_id'";

/// Marks the organizer whose wallet `organizer` is verified (or not).
pub(super) async fn set_verified(
    c: &mut Change<'_, '_>,
    organizer: &str,
    verified: bool,
) -> Result<Outcome, sqlx::Error> {
    let user: Option<(Uuid, serde_json::Value)> = sqlx::query_as(SET_ORGANIZER_VERIFIED)
        .bind(organizer)
        .bind(verified)
        .bind(c.origin.closed_at)
        .bind(c.ledger())
        .fetch_optional(&mut *c.db)
        .await?;
    let Some((user, old)) = user else {
        return park(
            "unknown_organizer",
            format!(
                "no organizer has the stellar wallet {organizer}: link it in wallets to \
                 a user with an organizers row"
            ),
        );
    };
    let action = if verified {
        "organizer_verified"
    } else {
        "organizer_revoked"
    };
    c.audited(
        Some(user),
        action,
        ("organizer", user.to_string()),
        Some(&old),
    )
    .await
}

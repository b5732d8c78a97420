use passa_common::ttl::{DAY_IN_LEDGERS, INSTANCE_TTL_THRESHOLD, PERSISTENT_TTL_THRESHOLD};
use passa_common::Share;
use soroban_sdk::testutils::storage::{Instance as _, Persistent as _};
use soroban_sdk::testutils::Ledger as _;

use super::setup;

/// The storage keys as the derived enum encoded them before `storage::key` wrote them by
/// hand; the tests below read the contract's entries through these.
#[soroban_sdk::contracttype]
#[derive(Clone, Debug, Eq, PartialEq)]
pub enum DataKey {
    Config,
    Refunds(passa_common::EventId),
    Settlement(passa_common::EventId),
    Paid(passa_common::EventId, soroban_sdk::Address),
}

#[test]
fn keys_encode_as_the_derived_enum() {
    use crate::storage::key;
    use soroban_sdk::xdr::ScVal;
    use soroban_sdk::{IntoVal, TryFromVal, Val};
    let s = setup();
    let env = &s.env;
    let who = soroban_sdk::Address::from_str(
        env,
        "GAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAWHF",
    );
    let e = &s.event_id;
    let xdr = |v: Val| ScVal::try_from_val(env, &v).unwrap();
    let pairs: [(Val, Val); 4] = [
        (key::config(env), DataKey::Config.into_val(env)),
        (
            key::refunds(env, e),
            DataKey::Refunds(e.clone()).into_val(env),
        ),
        (
            key::settlement(env, e),
            DataKey::Settlement(e.clone()).into_val(env),
        ),
        (
            key::paid(env, e, &who),
            DataKey::Paid(e.clone(), who.clone()).into_val(env),
        ),
    ];
    for (new, old) in pairs {
        assert_eq!(xdr(new), xdr(old));
    }
    // the configuration written by the constructor reads back under the old key
    s.env.as_contract(&s.id(), || {
        let config: Option<crate::Config> = s.env.storage().instance().get(&DataKey::Config);
        assert_eq!(config.unwrap().treasury, s.treasury);
    });
}

/// Settlement and paid entries touched every 45 days stay live for a year, instance included.
#[test]
fn entries_live_across_a_year_of_touches() {
    let s = setup();
    let payees: std::vec::Vec<_> = (0..4).map(|_| s.contributor(Share::Fixed(10))).collect();
    s.sell(1_000, None);
    s.settle();
    s.revenue.claim(&s.event_id, &payees[0]);
    for step in 1..9usize {
        s.env.ledger().with_mut(|l| {
            l.sequence_number += 45 * DAY_IN_LEDGERS;
            l.timestamp += 45 * 86_400;
        });
        match payees.get(step) {
            Some(p) => {
                s.revenue.claim(&s.event_id, p);
                s.revenue.paid(&s.event_id, &payees[0]);
            }
            None => {
                s.revenue.paid(&s.event_id, &payees[0]);
                s.revenue.settlement(&s.event_id);
            }
        }
        s.env.as_contract(&s.id(), || {
            let st = s.env.storage();
            let settlement = DataKey::Settlement(s.event_id.clone());
            let paid = DataKey::Paid(s.event_id.clone(), payees[0].clone());
            assert!(st.persistent().get_ttl(&settlement) >= PERSISTENT_TTL_THRESHOLD);
            assert!(st.persistent().get_ttl(&paid) >= PERSISTENT_TTL_THRESHOLD);
            assert!(st.instance().get_ttl() >= INSTANCE_TTL_THRESHOLD);
        });
    }
    assert_eq!(s.revenue.paid(&s.event_id, &payees[3]), 10);
}

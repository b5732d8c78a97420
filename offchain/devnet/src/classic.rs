//! The classic operations the devnet applies: `CreateAccount` and `Payment` of lumens, what the
//! friendbot's transactions and a wallet's first steps need. Each emits the `transfer` event
//! stellar-core emits for lumen movements since protocol 23 (CAP-67), from the native asset's
//! contract. Operations run in order; when one fails, the transaction fails and nothing any
//! of them did is kept, as in stellar-core.
use soroban_env_host::{
    xdr::{
        AccountId, ContractEvent, ContractEventBody, ContractEventType, ContractEventV0,
        ContractId, CreateAccountResult, ExtensionPoint, Hash, Int128Parts, LedgerKey,
        MuxedAccount, OperationBody, OperationResultTr, PaymentResult, ScAddress, ScString,
        ScSymbol, ScVal,
    },
    LedgerInfo,
};

use crate::{
    accounts,
    error::{Result, XdrContext},
    ledger::{Ledger, StoredEntry},
    outcome::{entry_changes, OpOutcome, TxOutcome},
    tx::CheckedTx,
};

/// Applies a classic transaction's operations.
pub fn apply(ledger: &Ledger, tx: &CheckedTx, info: &LedgerInfo) -> Result<TxOutcome> {
    let native = crate::genesis::native_contract_id(&ledger.network_id)?;
    let mut touched: Vec<(LedgerKey, Option<StoredEntry>)> = vec![];
    let mut outcomes = vec![];
    let mut success = true;
    for op in &tx.ops {
        let keys = op_keys(&tx.source, op);
        let before: Vec<_> = keys.iter().map(|k| (k.clone(), ledger.get(k))).collect();
        for (k, b) in &before {
            if !touched.iter().any(|(t, _)| t == k) {
                touched.push((k.clone(), b.clone()));
            }
        }
        let (result, event) = apply_one(ledger, &tx.source, op, info)?;
        let ok = event.is_some();
        success &= ok;
        let mut outcome = OpOutcome::failed(result, vec![]);
        if ok {
            outcome.success = true;
            outcome.changes = entry_changes(ledger, &before, &Default::default())?;
            outcome.events = event
                .map(|(from, to, amount)| transfer_event(&native, from, to, amount))
                .transpose()?
                .into_iter()
                .collect();
        }
        outcomes.push(outcome);
    }
    if !success {
        for (key, before) in touched {
            ledger.reset(&key, before);
        }
        for o in &mut outcomes {
            o.changes.clear();
            o.events.clear();
        }
    }
    Ok(TxOutcome {
        ops: outcomes,
        success,
    })
}

/// The accounts an operation may change.
fn op_keys(source: &AccountId, op: &OperationBody) -> Vec<LedgerKey> {
    let mut keys = vec![accounts::account_key(source)];
    let dest = match op {
        OperationBody::CreateAccount(c) => Some(c.destination.clone()),
        OperationBody::Payment(p) => Some(muxed(&p.destination)),
        _ => None,
    };
    if let Some(d) = dest.filter(|d| d != source) {
        keys.push(accounts::account_key(&d));
    }
    keys
}

fn muxed(m: &MuxedAccount) -> AccountId {
    match m {
        MuxedAccount::Ed25519(k) => accounts::account_id(k.0),
        MuxedAccount::MuxedEd25519(m) => accounts::account_id(m.ed25519.0),
    }
}

/// A lumen movement: from, to, amount.
type Transfer = (AccountId, AccountId, i64);

/// Applies one operation; `Some(transfer)` when it succeeded.
fn apply_one(
    ledger: &Ledger,
    source: &AccountId,
    op: &OperationBody,
    info: &LedgerInfo,
) -> Result<(OperationResultTr, Option<Transfer>)> {
    let reserve = i64::from(info.base_reserve);
    match op {
        OperationBody::CreateAccount(c) => {
            use CreateAccountResult as R;
            let fail = |r| Ok((OperationResultTr::CreateAccount(r), None));
            if c.starting_balance < 0 || &c.destination == source {
                return fail(R::Malformed);
            }
            if accounts::load(ledger, &c.destination).is_some() {
                return fail(R::AlreadyExist);
            }
            if c.starting_balance < 2 * reserve {
                return fail(R::LowReserve);
            }
            let Some(mut from) = accounts::load(ledger, source) else {
                return fail(R::Underfunded);
            };
            if from.balance - accounts::minimum_balance(&from, info.base_reserve)
                < c.starting_balance
            {
                return fail(R::Underfunded);
            }
            from.balance -= c.starting_balance;
            accounts::store(ledger, from)?;
            ledger.put(
                accounts::new_account(&c.destination, c.starting_balance, info.sequence_number),
                None,
            )?;
            Ok((
                OperationResultTr::CreateAccount(R::Success),
                Some((source.clone(), c.destination.clone(), c.starting_balance)),
            ))
        }
        OperationBody::Payment(p) => {
            use PaymentResult as R;
            let fail = |r| Ok((OperationResultTr::Payment(r), None));
            if p.amount <= 0 {
                return fail(R::Malformed);
            }
            let dest = muxed(&p.destination);
            // Lumens to oneself: nothing moves (stellar-core succeeds before any check).
            if &dest == source {
                return Ok((
                    OperationResultTr::Payment(R::Success),
                    Some((source.clone(), dest, p.amount)),
                ));
            }
            let Some(mut to) = accounts::load(ledger, &dest) else {
                return fail(R::NoDestination);
            };
            let Some(mut from) = accounts::load(ledger, source) else {
                return fail(R::Underfunded);
            };
            if from.balance - accounts::minimum_balance(&from, info.base_reserve) < p.amount {
                return fail(R::Underfunded);
            }
            let Some(new_balance) = to.balance.checked_add(p.amount) else {
                return fail(R::LineFull);
            };
            to.balance = new_balance;
            from.balance -= p.amount;
            accounts::store(ledger, from)?;
            accounts::store(ledger, to)?;
            Ok((
                OperationResultTr::Payment(R::Success),
                Some((source.clone(), dest, p.amount)),
            ))
        }
        // `tx::check` admits no other classic operation.
        _ => Ok((OperationResultTr::Payment(PaymentResult::Malformed), None)),
    }
}

/// The `transfer` event of a lumen movement (CAP-67): topics `transfer`, from, to and the
/// asset's SEP-11 name `native`; the amount as an i128.
fn transfer_event(
    native: &[u8; 32],
    from: AccountId,
    to: AccountId,
    amount: i64,
) -> Result<ContractEvent> {
    let symbol = ScSymbol("transfer".try_into().xdr("event topic")?);
    let asset = ScString("native".try_into().xdr("event topic")?);
    Ok(ContractEvent {
        ext: ExtensionPoint::V0,
        contract_id: Some(ContractId(Hash(*native))),
        type_: ContractEventType::Contract,
        body: ContractEventBody::V0(ContractEventV0 {
            topics: vec![
                ScVal::Symbol(symbol),
                ScVal::Address(ScAddress::Account(from)),
                ScVal::Address(ScAddress::Account(to)),
                ScVal::String(asset),
            ]
            .try_into()
            .xdr("event topics")?,
            data: ScVal::I128(Int128Parts {
                hi: if amount < 0 { -1 } else { 0 },
                lo: amount as u64,
            }),
        }),
    })
}

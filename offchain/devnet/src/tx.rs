//! Transaction validation: what stellar-core checks before a transaction may enter a ledger
//! (`checkValid`): envelope shape, time and ledger bounds, source account, sequence number,
//! fee, signatures against the network id, Soroban resources. A refusal is a
//! `TransactionResultCode`, as the real network gives it back in `errorResultXdr`.
use ed25519_dalek::{Signature as DalekSignature, Verifier, VerifyingKey};
use soroban_env_host::{
    fees::{compute_transaction_resource_fee, TransactionResources},
    xdr::{
        AccountEntry, AccountId, Asset, DecoratedSignature, LedgerKey, Memo, MuxedAccount,
        OperationBody, Preconditions, SignerKey, SorobanTransactionData, SorobanTransactionDataExt,
        Transaction, TransactionEnvelope, TransactionExt, TransactionResult, TransactionResultExt,
        TransactionResultResult, Uint256, WriteXdr,
    },
};

use crate::{
    accounts,
    error::{Result, XdrContext},
    genesis::BASE_FEE,
    ledger::{Ledger, XDR_LIMITS},
};

/// The most operations a transaction may hold (stellar-core's `MAX_OPS_PER_TX`).
pub const MAX_OPS_PER_TX: usize = 100;

/// A transaction that passed validation, with what applying it needs.
#[derive(Clone, Debug)]
pub struct CheckedTx {
    /// SHA-256 of the signature payload (network id + tagged transaction).
    pub hash: [u8; 32],
    pub envelope: TransactionEnvelope,
    pub source: AccountId,
    pub seq_num: i64,
    /// The whole fee the source offered (inclusion bid + resource fee).
    pub fee: i64,
    /// The operations: exactly one for a Soroban transaction; up to 100 classic ones
    /// (CreateAccount, native Payment) otherwise.
    pub ops: Vec<OperationBody>,
    /// The Soroban resources and fee; `None` for a classic transaction.
    pub soroban: Option<SorobanTransactionData>,
    /// Size of the envelope's XDR, which the bandwidth fee is charged on.
    pub size_bytes: u32,
    /// The non-refundable part of the resource fee, computed from the declared resources.
    pub non_refundable_fee: i64,
}

impl CheckedTx {
    /// The declared resource fee (0 for a classic transaction).
    pub fn resource_fee(&self) -> i64 {
        self.soroban.as_ref().map_or(0, |s| s.resource_fee)
    }
    /// The refundable part the source set aside for rent and events.
    pub fn refundable_budget(&self) -> i64 {
        self.resource_fee() - self.non_refundable_fee
    }
    /// Indices (in the read-write footprint) of archived entries this transaction restores.
    pub fn restored_indices(&self) -> Vec<u32> {
        match self.soroban.as_ref().map(|s| &s.ext) {
            Some(SorobanTransactionDataExt::V1(e)) => e.archived_soroban_entries.to_vec(),
            _ => vec![],
        }
    }
    /// The inclusion fee the network charges: the base fee per operation.
    pub fn inclusion_fee(&self) -> i64 {
        i64::from(BASE_FEE) * self.ops.len() as i64
    }
}

/// Why a transaction was refused, as a transaction result code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    pub result: TransactionResultResult,
    /// Why, in words, for the log and for diagnostics.
    pub reason: String,
}

impl Rejection {
    fn new(result: TransactionResultResult, reason: impl Into<String>) -> Self {
        Self {
            result,
            reason: reason.into(),
        }
    }

    /// The `TransactionResult` the RPC returns as `errorResultXdr`.
    pub fn to_result(&self, fee_charged: i64) -> TransactionResult {
        TransactionResult {
            fee_charged,
            result: self.result.clone(),
            ext: TransactionResultExt::V0,
        }
    }
}

/// What validation looks at beyond the ledger itself.
pub struct Context<'a> {
    pub ledger: &'a Ledger,
    /// Close time the next ledger will have (for time bounds).
    pub close_time: u64,
}

/// The transaction hash: SHA-256 of `TransactionSignaturePayload` for this network.
pub fn hash(envelope: &TransactionEnvelope, network_id: &[u8; 32]) -> Result<[u8; 32]> {
    envelope
        .hash(*network_id)
        .xdr("hashing transaction envelope")
}

/// The account paying for and sequencing an envelope (the fee source of a fee bump).
pub fn source_account(envelope: &TransactionEnvelope) -> Option<AccountId> {
    match envelope {
        TransactionEnvelope::Tx(e) => Some(muxed_to_account(&e.tx.source_account)),
        TransactionEnvelope::TxFeeBump(e) => Some(muxed_to_account(&e.tx.fee_source)),
        TransactionEnvelope::TxV0(e) => Some(accounts::account_id(e.tx.source_account_ed25519.0)),
    }
}

fn muxed_to_account(m: &MuxedAccount) -> AccountId {
    match m {
        MuxedAccount::Ed25519(Uint256(k)) => accounts::account_id(*k),
        MuxedAccount::MuxedEd25519(m) => accounts::account_id(m.ed25519.0),
    }
}

/// Validates an envelope against the ledger being built. `Ok(Err(..))` is a refusal with a
/// result code; `Err(..)` a failure of the node itself.
pub fn check(
    ctx: &Context<'_>,
    envelope: &TransactionEnvelope,
) -> Result<std::result::Result<CheckedTx, Rejection>> {
    use TransactionResultResult as R;
    let (tx, signatures): (&Transaction, &[DecoratedSignature]) = match envelope {
        TransactionEnvelope::Tx(e) => (&e.tx, &e.signatures),
        TransactionEnvelope::TxV0(_) => {
            return Ok(Err(Rejection::new(
                R::TxNotSupported,
                "v0 envelopes cannot carry Soroban operations",
            )))
        }
        TransactionEnvelope::TxFeeBump(_) => {
            return Ok(Err(Rejection::new(
                R::TxNotSupported,
                "fee-bump transactions are not supported by this devnet yet",
            )))
        }
    };
    let hash = hash(envelope, &ctx.ledger.network_id)?;
    let size_bytes = envelope.to_xdr(XDR_LIMITS).xdr("encoding envelope")?.len() as u32;

    // Operations: one Soroban operation, or classic ones of the kinds the devnet applies.
    let ops = tx.operations.as_slice();
    if ops.is_empty() {
        return Ok(Err(Rejection::new(R::TxMissingOperation, "no operation")));
    }
    if ops.len() > MAX_OPS_PER_TX {
        return Ok(Err(Rejection::new(
            R::TxMalformed,
            format!("more than {MAX_OPS_PER_TX} operations"),
        )));
    }
    let is_soroban = |b: &OperationBody| {
        matches!(
            b,
            OperationBody::InvokeHostFunction(_)
                | OperationBody::ExtendFootprintTtl(_)
                | OperationBody::RestoreFootprint(_)
        )
    };
    let soroban = if ops.iter().any(|o| is_soroban(&o.body)) {
        if ops.len() != 1 {
            return Ok(Err(Rejection::new(
                R::TxMalformed,
                "a Soroban operation must be the transaction's only one",
            )));
        }
        let TransactionExt::V1(soroban) = &tx.ext else {
            return Ok(Err(Rejection::new(
                R::TxMalformed,
                "a Soroban operation needs SorobanTransactionData",
            )));
        };
        if tx.memo != Memo::None {
            return Ok(Err(Rejection::new(
                R::TxMalformed,
                "Soroban transactions do not support memos",
            )));
        }
        Some(soroban)
    } else {
        for op in ops {
            let supported = match &op.body {
                OperationBody::CreateAccount(_) => true,
                OperationBody::Payment(p) => p.asset == Asset::Native,
                _ => false,
            };
            if !supported {
                return Ok(Err(Rejection::new(
                    R::TxNotSupported,
                    format!(
                        "operation {} is not supported by this devnet (classic: CreateAccount and native Payment only)",
                        op.body.name()
                    ),
                )));
            }
        }
        if let TransactionExt::V1(_) = &tx.ext {
            return Ok(Err(Rejection::new(
                R::TxMalformed,
                "SorobanTransactionData on a transaction without a Soroban operation",
            )));
        }
        None
    };

    // Preconditions: time and ledger bounds; the rest of CAP-21 is not implemented.
    let next_seq = ctx.ledger.next_sequence();
    let (time_bounds, ledger_bounds) = match &tx.cond {
        Preconditions::None => (None, None),
        Preconditions::Time(t) => (Some(t), None),
        Preconditions::V2(v2) => {
            if v2.min_seq_num.is_some()
                || v2.min_seq_age.0 != 0
                || v2.min_seq_ledger_gap != 0
                || !v2.extra_signers.is_empty()
            {
                return Ok(Err(Rejection::new(
                    R::TxNotSupported,
                    "minSeq*, extraSigners preconditions are not supported by this devnet",
                )));
            }
            (v2.time_bounds.as_ref(), v2.ledger_bounds.as_ref())
        }
    };
    if let Some(t) = time_bounds {
        if ctx.close_time < t.min_time.0 {
            return Ok(Err(Rejection::new(R::TxTooEarly, "before minTime")));
        }
        if t.max_time.0 != 0 && ctx.close_time > t.max_time.0 {
            return Ok(Err(Rejection::new(R::TxTooLate, "after maxTime")));
        }
    }
    if let Some(l) = ledger_bounds {
        if next_seq < l.min_ledger {
            return Ok(Err(Rejection::new(R::TxTooEarly, "before minLedger")));
        }
        if l.max_ledger != 0 && next_seq >= l.max_ledger {
            return Ok(Err(Rejection::new(R::TxTooLate, "at or after maxLedger")));
        }
    }

    // Fee: the inclusion bid must cover the base fee per operation, the declared resource fee
    // its non-refundable part, the resources the network's per-transaction limits.
    let fee = i64::from(tx.fee);
    let resource_fee = soroban.map_or(0, |s| s.resource_fee);
    let inclusion = i64::from(BASE_FEE) * ops.len() as i64;
    if resource_fee < 0 || fee - resource_fee < inclusion {
        return Ok(Err(Rejection::new(
            R::TxInsufficientFee,
            format!(
                "fee {fee} leaves less than the base fee {inclusion} after the resource fee {resource_fee}"
            ),
        )));
    }
    let mut non_refundable = 0;
    if let Some(soroban) = soroban {
        if let Err(why) = check_resource_limits(ctx.ledger, soroban, size_bytes) {
            return Ok(Err(Rejection::new(R::TxSorobanInvalid, why)));
        }
        non_refundable = non_refundable_fee(ctx.ledger, soroban, size_bytes);
        if non_refundable > soroban.resource_fee {
            return Ok(Err(Rejection::new(
                R::TxSorobanInvalid,
                format!(
                    "declared resource fee {} is below the non-refundable fee {non_refundable}",
                    soroban.resource_fee
                ),
            )));
        }
    }

    // Source account, sequence number, signatures, balance.
    let source = muxed_to_account(&tx.source_account);
    let Some(account) = accounts::load(ctx.ledger, &source) else {
        return Ok(Err(Rejection::new(
            R::TxNoAccount,
            "source account not found",
        )));
    };
    if tx.seq_num.0 != account.seq_num.0.wrapping_add(1) {
        return Ok(Err(Rejection::new(
            R::TxBadSeq,
            format!(
                "sequence {} is not the account's {} + 1",
                tx.seq_num.0, account.seq_num.0
            ),
        )));
    }
    let other_source = ops.iter().any(|op| {
        op.source_account
            .as_ref()
            .is_some_and(|s| muxed_to_account(s) != source)
    });
    if other_source {
        return Ok(Err(Rejection::new(
            R::TxNotSupported,
            "an operation source other than the transaction's is not supported by this devnet",
        )));
    }
    if let Err(rejection) = check_signatures(&account, &hash, signatures) {
        return Ok(Err(rejection));
    }
    let available = account.balance
        - accounts::minimum_balance(&account, ctx.ledger.latest().header.base_reserve);
    if available < fee {
        return Ok(Err(Rejection::new(
            R::TxInsufficientBalance,
            format!("available balance {available} is below the fee {fee}"),
        )));
    }

    Ok(Ok(CheckedTx {
        hash,
        envelope: envelope.clone(),
        source,
        seq_num: tx.seq_num.0,
        fee,
        ops: ops.iter().map(|o| o.body.clone()).collect(),
        soroban: soroban.cloned(),
        size_bytes,
        non_refundable_fee: non_refundable,
    }))
}

/// Signatures: every signature must be a valid ed25519 signature of the hash by a signer of
/// the account (txBAD_AUTH_EXTRA otherwise), and their weights must reach the medium
/// threshold, or 1 when it is 0 (txBAD_AUTH otherwise).
fn check_signatures(
    account: &AccountEntry,
    hash: &[u8; 32],
    signatures: &[DecoratedSignature],
) -> std::result::Result<(), Rejection> {
    use TransactionResultResult as R;
    let mut signers: Vec<([u8; 32], u32)> = vec![(
        accounts::public_key(&account.account_id),
        u32::from(account.thresholds.0[0]),
    )];
    for s in account.signers.iter() {
        if let SignerKey::Ed25519(Uint256(k)) = &s.key {
            signers.push((*k, s.weight));
        }
    }
    let mut used = vec![false; signers.len()];
    for sig in signatures {
        let Ok(signature) = DalekSignature::from_slice(&sig.signature.0) else {
            return Err(Rejection::new(R::TxBadAuth, "a signature is not 64 bytes"));
        };
        let found = signers.iter().position(|(key, _)| {
            key[28..] == sig.hint.0
                && VerifyingKey::from_bytes(key)
                    .map(|vk| vk.verify(hash, &signature).is_ok())
                    .unwrap_or(false)
        });
        match found {
            Some(i) if !used[i] => used[i] = true,
            Some(_) => {
                return Err(Rejection::new(R::TxBadAuthExtra, "a signer signed twice"));
            }
            None => {
                return Err(Rejection::new(
                    R::TxBadAuth,
                    "a signature does not verify against any signer of the source account",
                ))
            }
        }
    }
    let weight: u32 = signers
        .iter()
        .zip(&used)
        .filter(|(_, u)| **u)
        .map(|((_, w), _)| (*w).min(255))
        .sum();
    let needed = u32::from(account.thresholds.0[2]).max(1);
    if weight < needed {
        return Err(Rejection::new(
            R::TxBadAuth,
            format!("signature weight {weight} is below the threshold {needed}"),
        ));
    }
    Ok(())
}

/// Classic entries are read from disk; Soroban entries live in memory (protocol 23), except
/// archived ones being restored.
fn is_disk_read(key: &LedgerKey) -> bool {
    !matches!(key, LedgerKey::ContractData(_) | LedgerKey::ContractCode(_))
}

fn disk_read_entries(soroban: &SorobanTransactionData) -> u32 {
    let fp = &soroban.resources.footprint;
    let classic = fp
        .read_only
        .iter()
        .chain(fp.read_write.iter())
        .filter(|k| is_disk_read(k))
        .count();
    let restored = match &soroban.ext {
        SorobanTransactionDataExt::V0 => 0,
        SorobanTransactionDataExt::V1(e) => e.archived_soroban_entries.len(),
    };
    (classic + restored) as u32
}

/// The non-refundable resource fee of the declared resources.
pub fn non_refundable_fee(ledger: &Ledger, soroban: &SorobanTransactionData, size: u32) -> i64 {
    let r = &soroban.resources;
    let (non_refundable, _) = compute_transaction_resource_fee(
        &TransactionResources {
            instructions: r.instructions,
            disk_read_entries: disk_read_entries(soroban),
            write_entries: r.footprint.read_write.len() as u32,
            disk_read_bytes: r.disk_read_bytes,
            write_bytes: r.write_bytes,
            contract_events_size_bytes: 0,
            transaction_size_bytes: size,
        },
        &ledger.config.fee_configuration,
    );
    non_refundable
}

/// The network's per-transaction limits (the `ConfigSetting` entries).
fn check_resource_limits(
    ledger: &Ledger,
    soroban: &SorobanTransactionData,
    size: u32,
) -> std::result::Result<(), String> {
    use soroban_env_host::xdr::{
        ConfigSettingEntry as C, ConfigSettingId as Id, LedgerKeyConfigSetting as K,
    };
    let setting = |id| {
        ledger.config_setting(K {
            config_setting_id: id,
        })
    };
    let r = &soroban.resources;
    if i64::from(r.instructions) > ledger.config.tx_max_instructions {
        return Err(format!("{} instructions exceed the limit", r.instructions));
    }
    if let Some(C::ContractLedgerCostV0(c)) = setting(Id::ContractLedgerCostV0) {
        if disk_read_entries(soroban) > c.tx_max_disk_read_entries {
            return Err("too many disk reads".into());
        }
        if r.footprint.read_write.len() as u32 > c.tx_max_write_ledger_entries {
            return Err("too many written entries".into());
        }
        if r.disk_read_bytes > c.tx_max_disk_read_bytes {
            return Err("too many bytes read".into());
        }
        if r.write_bytes > c.tx_max_write_bytes {
            return Err("too many bytes written".into());
        }
    }
    if let Some(C::ContractLedgerCostExtV0(c)) = setting(Id::ContractLedgerCostExtV0) {
        let entries = r.footprint.read_only.len() + r.footprint.read_write.len();
        if entries as u32 > c.tx_max_footprint_entries {
            return Err("footprint too large".into());
        }
    }
    if let Some(C::ContractBandwidthV0(c)) = setting(Id::ContractBandwidthV0) {
        if size > c.tx_max_size_bytes {
            return Err(format!(
                "transaction of {size} bytes exceeds the size limit"
            ));
        }
    }
    Ok(())
}

/// The hash identifying a transaction in results and RPC answers, in hex.
pub fn hash_hex(hash: &[u8; 32]) -> String {
    hex::encode(hash)
}

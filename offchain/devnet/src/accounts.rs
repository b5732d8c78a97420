//! Classic accounts: the root account, new accounts, balances and sequence numbers.
use ed25519_dalek::SigningKey;
use soroban_env_host::xdr::{
    AccountEntry, AccountEntryExt, AccountId, LedgerEntry, LedgerEntryData, LedgerEntryExt,
    LedgerKey, LedgerKeyAccount, PublicKey, SequenceNumber, Thresholds, Uint256,
};

use crate::ledger::{Ledger, StoredEntry};

/// Lumens the friendbot gives a new account (10 000 XLM, as testnet's friendbot does).
pub const FRIENDBOT_STARTING_BALANCE: i64 = 10_000 * 10_000_000;

/// The account id of an ed25519 public key.
pub fn account_id(public_key: [u8; 32]) -> AccountId {
    AccountId(PublicKey::PublicKeyTypeEd25519(Uint256(public_key)))
}

/// The raw ed25519 key of an account id.
pub fn public_key(id: &AccountId) -> [u8; 32] {
    let AccountId(PublicKey::PublicKeyTypeEd25519(Uint256(k))) = id;
    *k
}

/// The ledger key of an account.
pub fn account_key(id: &AccountId) -> LedgerKey {
    LedgerKey::Account(LedgerKeyAccount {
        account_id: id.clone(),
    })
}

/// The root account's key: like stellar-core, its secret seed is the network id, so anyone
/// who knows the passphrase can derive it (this is a local network).
pub fn root_key(network_id: &[u8; 32]) -> SigningKey {
    SigningKey::from_bytes(network_id)
}

/// A new account entry. Its sequence number starts at `ledger << 32`, stellar-core's rule, so
/// that a re-created account can never replay an old transaction.
pub fn new_account(id: &AccountId, balance: i64, ledger_seq: u32) -> LedgerEntry {
    LedgerEntry {
        last_modified_ledger_seq: ledger_seq,
        data: LedgerEntryData::Account(AccountEntry {
            account_id: id.clone(),
            balance,
            seq_num: SequenceNumber(i64::from(ledger_seq) << 32),
            num_sub_entries: 0,
            inflation_dest: None,
            flags: 0,
            home_domain: Default::default(),
            // Master key weight 1, all thresholds 0.
            thresholds: Thresholds([1, 0, 0, 0]),
            signers: Default::default(),
            ext: AccountEntryExt::V0,
        }),
        ext: LedgerEntryExt::V0,
    }
}

/// An account as the ledger being built sees it.
pub fn load(ledger: &Ledger, id: &AccountId) -> Option<AccountEntry> {
    match ledger.get(&account_key(id)) {
        Some(StoredEntry {
            entry:
                LedgerEntry {
                    data: LedgerEntryData::Account(a),
                    ..
                },
            ..
        }) => Some(a),
        _ => None,
    }
}

/// Writes an account back.
pub fn store(ledger: &Ledger, account: AccountEntry) -> crate::Result<()> {
    ledger.put(
        LedgerEntry {
            last_modified_ledger_seq: 0,
            data: LedgerEntryData::Account(account),
            ext: LedgerEntryExt::V0,
        },
        None,
    )
}

/// The balance an account must keep: (2 + sub-entries) base reserves (sponsorship ignored).
pub fn minimum_balance(account: &AccountEntry, base_reserve: u32) -> i64 {
    (2 + i64::from(account.num_sub_entries)) * i64::from(base_reserve)
}

/// A v1 envelope of `tx` signed by `key` for the network `network_id`.
pub fn sign(
    key: &SigningKey,
    network_id: &[u8; 32],
    tx: soroban_env_host::xdr::Transaction,
) -> crate::Result<soroban_env_host::xdr::TransactionEnvelope> {
    use ed25519_dalek::Signer;
    use soroban_env_host::xdr::{
        DecoratedSignature, Signature, SignatureHint, TransactionEnvelope, TransactionV1Envelope,
    };

    use crate::error::XdrContext;
    let mut envelope = TransactionEnvelope::Tx(TransactionV1Envelope {
        tx,
        signatures: Default::default(),
    });
    let hash = envelope
        .hash(*network_id)
        .xdr("hashing transaction envelope")?;
    let public = key.verifying_key().to_bytes();
    let signature = DecoratedSignature {
        hint: SignatureHint([public[28], public[29], public[30], public[31]]),
        signature: Signature(
            key.sign(&hash)
                .to_bytes()
                .to_vec()
                .try_into()
                .xdr("signature")?,
        ),
    };
    if let TransactionEnvelope::Tx(e) = &mut envelope {
        e.signatures = vec![signature].try_into().xdr("signatures")?;
    }
    Ok(envelope)
}

/// The friendbot's transaction creating `destination`: a CreateAccount of
/// [`FRIENDBOT_STARTING_BALANCE`] from the root account (sequence `seq`), signed by the root
/// key for the network `network_id`, as testnet's friendbot signs with its own account.
pub fn friendbot_envelope(
    network_id: &[u8; 32],
    seq: i64,
    destination: &AccountId,
) -> crate::Result<soroban_env_host::xdr::TransactionEnvelope> {
    use soroban_env_host::xdr::{
        CreateAccountOp, Memo, MuxedAccount, Operation, OperationBody, Preconditions, Transaction,
        TransactionExt,
    };

    use crate::error::XdrContext;
    let root = root_key(network_id);
    let tx = Transaction {
        source_account: MuxedAccount::Ed25519(Uint256(root.verifying_key().to_bytes())),
        fee: crate::genesis::BASE_FEE,
        seq_num: SequenceNumber(seq),
        cond: Preconditions::None,
        memo: Memo::None,
        operations: vec![Operation {
            source_account: None,
            body: OperationBody::CreateAccount(CreateAccountOp {
                destination: destination.clone(),
                starting_balance: FRIENDBOT_STARTING_BALANCE,
            }),
        }]
        .try_into()
        .xdr("friendbot operations")?,
        ext: TransactionExt::V0,
    };
    sign(&root, network_id, tx)
}

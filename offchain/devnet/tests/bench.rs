//! Re-runnable benchmark of the ledger core (ignored by default):
//!
//! ```text
//! cargo test -p passa-devnet --release --test bench -- --ignored --nocapture
//! ```
//!
//! 1. Throughput: `BENCH_INVOCATIONS` (default 2 000) contract invocations, each preflighted
//!    with soroban-simulation, signed, validated, queued and applied at ledger close, from 50
//!    accounts (one transaction per account per ledger, as stellar-core allows). Fails below
//!    200 invocations/s.
//! 2. Memory: the ledger is filled to `BENCH_ENTRIES` (default 100 000) contract data entries,
//!    then the resident set size is printed and one more invocation must still succeed.
//! 3. Persistence at that size: the time to save and to load the state directory.
//!
//! It drives the `Node` in process (no HTTP): it measures the ledger, not the JSON layer.
use std::time::Instant;

use ed25519_dalek::{Signer, SigningKey};
use passa_devnet::{
    accounts,
    ledger::{sha256, XDR_LIMITS},
    node::{FundStatus, GenesisOptions, Node, SubmitStatus},
    simulate::{self, AuthMode},
};
use soroban_env_host::xdr::{
    ContractDataDurability, ContractDataEntry, ContractExecutable, ContractId, ContractIdPreimage,
    ContractIdPreimageFromAddress, CreateContractArgsV2, DecoratedSignature, ExtensionPoint, Hash,
    HashIdPreimage, HashIdPreimageContractId, HostFunction, InvokeContractArgs,
    InvokeHostFunctionOp, LedgerEntry, LedgerEntryData, LedgerEntryExt, Memo, MuxedAccount,
    Operation, OperationBody, Preconditions, ScAddress, ScSymbol, ScVal, SequenceNumber, Signature,
    SignatureHint, Transaction, TransactionEnvelope, TransactionExt, TransactionV1Envelope,
    Uint256, WriteXdr,
};

const WASM: &[u8] = include_bytes!("fixtures/devnet_test_contract.wasm");
const NOW: u64 = 1_750_000_000;
const ACCOUNTS: u8 = 50;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Resident set size in MiB (Linux), or 0 where /proc is missing.
fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

/// Simulates `f` as `key`, then builds the signed envelope with the simulated resources.
fn prepare(node: &Node, key: &SigningKey, f: HostFunction) -> TransactionEnvelope {
    let id = accounts::account_id(key.verifying_key().to_bytes());
    let sim =
        simulate::invoke(&node.ledger, &id, f.clone(), AuthMode::Record, vec![], NOW).unwrap();
    sim.invoke_result.as_ref().expect("simulation failed");
    let data = sim.transaction_data.clone().unwrap();
    let seq = accounts::load(&node.ledger, &id).unwrap().seq_num.0 + 1;
    let tx = Transaction {
        source_account: MuxedAccount::Ed25519(Uint256(key.verifying_key().to_bytes())),
        fee: 100 + data.resource_fee as u32,
        seq_num: SequenceNumber(seq),
        cond: Preconditions::None,
        memo: Memo::None,
        operations: vec![Operation {
            source_account: None,
            body: OperationBody::InvokeHostFunction(InvokeHostFunctionOp {
                host_function: f,
                auth: sim.auth.try_into().unwrap(),
            }),
        }]
        .try_into()
        .unwrap(),
        ext: TransactionExt::V1(data),
    };
    let mut env = TransactionEnvelope::Tx(TransactionV1Envelope {
        tx,
        signatures: Default::default(),
    });
    let hash = env.hash(node.ledger.network_id).unwrap();
    let pk = key.verifying_key().to_bytes();
    if let TransactionEnvelope::Tx(e) = &mut env {
        e.signatures = vec![DecoratedSignature {
            hint: SignatureHint(pk[28..].try_into().unwrap()),
            signature: Signature(key.sign(&hash).to_bytes().to_vec().try_into().unwrap()),
        }]
        .try_into()
        .unwrap();
    }
    env
}

fn submit_all(node: &mut Node, envs: &[TransactionEnvelope]) -> Vec<[u8; 32]> {
    let hashes = envs
        .iter()
        .map(|e| {
            let (status, hash) = node.submit(e, NOW).unwrap();
            assert_eq!(status, SubmitStatus::Pending);
            hash
        })
        .collect();
    node.close_ledger(NOW).unwrap();
    hashes
}

fn invoke(contract: &ScAddress, name: &str, args: Vec<ScVal>) -> HostFunction {
    HostFunction::InvokeContract(InvokeContractArgs {
        contract_address: contract.clone(),
        function_name: ScSymbol(name.try_into().unwrap()),
        args: args.try_into().unwrap(),
    })
}

#[test]
#[ignore = "benchmark: run with --release -- --ignored --nocapture"]
fn invocations_per_second_and_memory() {
    let invocations = env_or("BENCH_INVOCATIONS", 2_000);
    let target_entries = env_or("BENCH_ENTRIES", 100_000);
    let rss_start = rss_mib();

    let mut node = Node::genesis(&GenesisOptions::default(), NOW).unwrap();
    let keys: Vec<SigningKey> = (1..=ACCOUNTS)
        .map(|n| SigningKey::from_bytes(&[n; 32]))
        .collect();
    for k in &keys {
        let id = accounts::account_id(k.verifying_key().to_bytes());
        assert_eq!(node.fund(&id), FundStatus::Queued);
    }
    node.close_ledger(NOW).unwrap();

    // Upload and deploy the test contract (admin: the first account).
    let upload = HostFunction::UploadContractWasm(WASM.to_vec().try_into().unwrap());
    let env = prepare(&node, &keys[0], upload);
    submit_all(&mut node, &[env]);
    let admin = ScAddress::Account(accounts::account_id(keys[0].verifying_key().to_bytes()));
    let preimage = ContractIdPreimage::Address(ContractIdPreimageFromAddress {
        address: admin.clone(),
        salt: Uint256([7; 32]),
    });
    let id = sha256(
        &HashIdPreimage::ContractId(HashIdPreimageContractId {
            network_id: Hash(node.ledger.network_id),
            contract_id_preimage: preimage.clone(),
        })
        .to_xdr(XDR_LIMITS)
        .unwrap(),
    );
    let contract = ScAddress::Contract(ContractId(Hash(id)));
    let create = HostFunction::CreateContractV2(CreateContractArgsV2 {
        contract_id_preimage: preimage,
        executable: ContractExecutable::Wasm(Hash(sha256(WASM))),
        constructor_args: vec![ScVal::Address(admin), ScVal::U32(10)]
            .try_into()
            .unwrap(),
    });
    let env = prepare(&node, &keys[0], create);
    submit_all(&mut node, &[env]);

    // 1. Throughput: every account bumps its own counter (source-account auth), one
    // transaction per account per ledger.
    let start = Instant::now();
    let mut done = 0;
    let mut ledgers = 0;
    while done < invocations {
        let batch = (invocations - done).min(keys.len());
        let envs: Vec<_> = keys[..batch]
            .iter()
            .map(|k| {
                let caller = ScAddress::Account(accounts::account_id(k.verifying_key().to_bytes()));
                let f = invoke(
                    &contract,
                    "bump",
                    vec![ScVal::Address(caller), ScVal::U32(1)],
                );
                prepare(&node, k, f)
            })
            .collect();
        for hash in submit_all(&mut node, &envs) {
            assert!(node.transaction(&hash).unwrap().success);
        }
        done += batch;
        ledgers += 1;
    }
    let elapsed = start.elapsed().as_secs_f64();
    let rate = done as f64 / elapsed;
    println!(
        "throughput: {done} invocations (simulate + sign + validate + apply) in {ledgers} ledgers, {elapsed:.2} s: {rate:.0} invocations/s"
    );

    // 2. Memory with `target_entries` contract data entries.
    let rss_before_fill = rss_mib();
    let contract_id = match &contract {
        ScAddress::Contract(c) => c.clone(),
        _ => unreachable!(),
    };
    let live_until = node.ledger.next_sequence() + 100_000;
    let mut i = 0u32;
    while node.ledger.len() < target_entries {
        let entry = LedgerEntry {
            last_modified_ledger_seq: 0,
            data: LedgerEntryData::ContractData(ContractDataEntry {
                ext: ExtensionPoint::V0,
                contract: ScAddress::Contract(contract_id.clone()),
                key: ScVal::U64(u64::from(i)),
                durability: ContractDataDurability::Persistent,
                val: ScVal::U64(u64::from(i) * 3),
            }),
            ext: LedgerEntryExt::V0,
        };
        node.ledger.put(entry, Some(live_until)).unwrap();
        i += 1;
    }
    node.close_ledger(NOW).unwrap();
    let rss_filled = rss_mib();
    // Still works, and at what cost, with the full ledger.
    let t = Instant::now();
    let caller = ScAddress::Account(accounts::account_id(keys[1].verifying_key().to_bytes()));
    let f = invoke(
        &contract,
        "bump",
        vec![ScVal::Address(caller), ScVal::U32(1)],
    );
    let env = prepare(&node, &keys[1], f);
    let hash = submit_all(&mut node, &[env])[0];
    assert!(node.transaction(&hash).unwrap().success);
    println!(
        "memory: RSS {rss_start:.0} MiB at start, {rss_before_fill:.0} MiB after the benchmark, {rss_filled:.0} MiB with {} ledger entries ({} added); one invocation then took {:.1} ms",
        node.ledger.len(),
        i,
        t.elapsed().as_secs_f64() * 1e3
    );

    // 3. What --state-dir costs at this size: one save (after every busy ledger) and a load.
    let dir = std::env::temp_dir().join(format!("passa-devnet-bench-{}", std::process::id()));
    let t = Instant::now();
    passa_devnet::persist::save(&node, &dir).unwrap();
    let saved = t.elapsed().as_secs_f64() * 1e3;
    let bytes = std::fs::metadata(passa_devnet::persist::state_file(&dir))
        .map(|m| m.len())
        .unwrap_or(0);
    let t = Instant::now();
    let loaded = passa_devnet::persist::load(&dir).unwrap().unwrap();
    let load_ms = t.elapsed().as_secs_f64() * 1e3;
    assert_eq!(loaded.ledger.len(), node.ledger.len());
    std::fs::remove_dir_all(&dir).unwrap();
    println!(
        "state dir: {:.1} MiB, saved in {saved:.0} ms, loaded in {load_ms:.0} ms",
        bytes as f64 / (1024.0 * 1024.0)
    );
    assert!(rate >= 200.0, "{rate:.0} invocations/s is below 200");
}

//! The network's genesis: configuration settings, the root account and the native asset's
//! contract.
//!
//! Network configuration lives where stellar-core keeps it, in `ConfigSetting` ledger entries,
//! so that the host, the simulator (`NetworkConfig::load_from_snapshot`) and clients reading
//! them through `getLedgerEntries` all see the same values. The values are published ones;
//! each says where it came from:
//! - "mainnet fees": the snapshot of Stellar mainnet's fee settings (2026-07-10) in
//!   soroban-sdk 29.0.1 `src/testutils/cost_estimate.rs` (`CostEstimate::fee`);
//! - "mainnet limits": `InvocationResourceLimits::mainnet()` in the same file;
//! - "host defaults": the calibrated cost model of soroban-env-host 29.0.1
//!   (`impl Default for BudgetImpl`), read through `Budget::charge` (see [`cost_params`]);
//! - "devnet choice": values of our own, for settings those sources do not give.
use soroban_env_host::{
    budget::Budget,
    xdr::{
        ConfigSettingContractBandwidthV0, ConfigSettingContractComputeV0,
        ConfigSettingContractEventsV0, ConfigSettingContractExecutionLanesV0,
        ConfigSettingContractHistoricalDataV0, ConfigSettingContractLedgerCostExtV0,
        ConfigSettingContractLedgerCostV0, ConfigSettingContractParallelComputeV0,
        ConfigSettingEntry, ConfigSettingScpTiming, ContractCostParamEntry, ContractCostParams,
        ContractCostType, EvictionIterator, ExtensionPoint, StateArchivalSettings,
    },
};

use crate::error::{Error, HostContext, Result};

/// The passphrase of a local network, as stellar-core's standalone mode and the stellar
/// quickstart image use it.
pub const DEFAULT_PASSPHRASE: &str = "Standalone Network ; February 2017";

/// Total lumens in existence (100 billion XLM, in stroops), all held by the root account at
/// genesis, as on every Stellar network.
pub const TOTAL_COINS: i64 = 100_000_000_000 * 10_000_000;

/// Minimum inclusion fee per operation, in stroops (the network's base fee).
pub const BASE_FEE: u32 = 100;

/// Base reserve, in stroops (0.5 XLM, the mainnet value).
pub const BASE_RESERVE: u32 = 5_000_000;

/// TTL settings of the devnet, in ledgers. The defaults are mainnet's long-standing
/// `StateArchival` values (1 day temporary, 120 days persistent minimum, 180 days maximum, at
/// 5 s a ledger); they are not in the sources above, so check them with
/// `stellar network settings` when they matter. Tests may choose short ones.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TtlSettings {
    pub min_temporary_ttl: u32,
    pub min_persistent_ttl: u32,
    pub max_entry_ttl: u32,
}

impl Default for TtlSettings {
    fn default() -> Self {
        Self {
            min_temporary_ttl: 17_280,
            min_persistent_ttl: 2_073_600,
            max_entry_ttl: 3_110_400,
        }
    }
}

/// Number of samples of the live Soroban state size kept by the network (mainnet keeps 30).
const STATE_SIZE_WINDOW: usize = 30;

/// Rent fee per 1 KB: a devnet choice, about a tenth of mainnet's (soroban-sdk 29.0.1 estimates
/// mainnet at `fee_per_rent_1kb = 12000` in `CostEstimate::fee`). Rent on new code is charged
/// for the minimum persistent TTL (120 days) on the wasm's size *plus* its parsed module's
/// memory cost, so at mainnet's rate uploading the 50 KB ticketing contract came to
/// 7 826 760 699 stroops: more than a transaction's fee field (u32, 429 XLM) can carry. A flat
/// curve (low = high) keeps it constant whatever the devnet holds; fees on testnet and mainnet
/// differ (check them with `stellar network settings`).
const RENT_FEE_1KB: i64 = 1_000;

/// The id of the native asset's contract on the network `network_id`: SHA-256 of the
/// `ContractId` preimage of `Asset::Native`, as on every Stellar network.
pub fn native_contract_id(network_id: &[u8; 32]) -> Result<[u8; 32]> {
    use soroban_env_host::xdr::{
        Asset, ContractIdPreimage, Hash, HashIdPreimage, HashIdPreimageContractId, WriteXdr,
    };
    let preimage = HashIdPreimage::ContractId(HashIdPreimageContractId {
        network_id: Hash(*network_id),
        contract_id_preimage: ContractIdPreimage::Asset(Asset::Native),
    });
    let bytes = preimage
        .to_xdr(crate::ledger::XDR_LIMITS)
        .map_err(|source| Error::Xdr {
            what: "encoding the native contract id preimage",
            source,
        })?;
    Ok(crate::ledger::sha256(&bytes))
}

/// All `ConfigSetting` entries of the devnet's genesis ledger.
pub fn config_settings(ttl: &TtlSettings) -> Result<Vec<ConfigSettingEntry>> {
    let (cpu, mem) = cost_params()?;
    Ok(vec![
        // mainnet limits: max_contract_code_entry_size_bytes.
        ConfigSettingEntry::ContractMaxSizeBytes(131_072),
        ConfigSettingEntry::ContractComputeV0(ConfigSettingContractComputeV0 {
            // devnet choice: room for several maximal transactions per ledger.
            ledger_max_instructions: 4 * 400_000_000,
            // mainnet limits: instructions, mem_bytes.
            tx_max_instructions: 400_000_000,
            // mainnet fees: fee_per_instruction_increment.
            fee_rate_per_instructions_increment: 7,
            tx_memory_limit: 41_943_040,
        }),
        ConfigSettingEntry::ContractLedgerCostV0(ConfigSettingContractLedgerCostV0 {
            // devnet choice: ledger-wide limits of several maximal transactions.
            ledger_max_disk_read_entries: 4 * 200,
            ledger_max_disk_read_bytes: 4 * 200_000,
            ledger_max_write_ledger_entries: 4 * 200,
            ledger_max_write_bytes: 4 * 132_096,
            // mainnet limits: disk_read_entries, disk_read_bytes, write_entries, write_bytes.
            tx_max_disk_read_entries: 200,
            tx_max_disk_read_bytes: 200_000,
            tx_max_write_ledger_entries: 200,
            tx_max_write_bytes: 132_096,
            // mainnet fees.
            fee_disk_read_ledger_entry: 1_563,
            fee_write_ledger_entry: 2_500,
            fee_disk_read1_kb: 447,
            // devnet choice: a flat rent curve, see RENT_FEE_1KB.
            soroban_state_target_size_bytes: 1 << 40,
            rent_fee1_kb_soroban_state_size_low: RENT_FEE_1KB,
            rent_fee1_kb_soroban_state_size_high: RENT_FEE_1KB,
            soroban_state_rent_fee_growth_factor: 0,
        }),
        ConfigSettingEntry::ContractHistoricalDataV0(ConfigSettingContractHistoricalDataV0 {
            fee_historical1_kb: 4_059, // mainnet fees
        }),
        ConfigSettingEntry::ContractEventsV0(ConfigSettingContractEventsV0 {
            tx_max_contract_events_size_bytes: 16_384, // mainnet limits
            fee_contract_events1_kb: 5_000,            // mainnet fees
        }),
        ConfigSettingEntry::ContractBandwidthV0(ConfigSettingContractBandwidthV0 {
            // devnet choice: a maximal upload (code size limit) must fit in one transaction.
            ledger_max_txs_size_bytes: 4 * 133_120,
            tx_max_size_bytes: 133_120,
            fee_tx_size1_kb: 406, // mainnet fees
        }),
        ConfigSettingEntry::ContractCostParamsCpuInstructions(cpu),
        ConfigSettingEntry::ContractCostParamsMemoryBytes(mem),
        // mainnet limits: max_contract_data_key_size_bytes, max_contract_data_entry_size_bytes.
        ConfigSettingEntry::ContractDataKeySizeBytes(250),
        ConfigSettingEntry::ContractDataEntrySizeBytes(65_536),
        ConfigSettingEntry::StateArchival(StateArchivalSettings {
            max_entry_ttl: ttl.max_entry_ttl,
            min_temporary_ttl: ttl.min_temporary_ttl,
            min_persistent_ttl: ttl.min_persistent_ttl,
            // mainnet fees: the rent rate denominators.
            persistent_rent_rate_denominator: 1_215,
            temp_rent_rate_denominator: 2_430,
            // devnet choice: eviction is done by the devnet's own sweep, not a bucket scan.
            max_entries_to_archive: 1_000,
            live_soroban_state_size_window_sample_size: STATE_SIZE_WINDOW as u32,
            live_soroban_state_size_window_sample_period: 64,
            eviction_scan_size: 100_000,
            starting_eviction_scan_level: 7,
        }),
        // devnet choice: one lane, no parallel clusters to schedule.
        ConfigSettingEntry::ContractExecutionLanes(ConfigSettingContractExecutionLanesV0 {
            ledger_max_tx_count: 1_000,
        }),
        ConfigSettingEntry::LiveSorobanStateSizeWindow(
            vec![0u64; STATE_SIZE_WINDOW]
                .try_into()
                .map_err(|_| Error::State("state size window too long".into()))?,
        ),
        ConfigSettingEntry::EvictionIterator(EvictionIterator {
            bucket_list_level: 7,
            is_curr_bucket: true,
            bucket_file_offset: 0,
        }),
        ConfigSettingEntry::ContractParallelComputeV0(ConfigSettingContractParallelComputeV0 {
            ledger_max_dependent_tx_clusters: 1,
        }),
        ConfigSettingEntry::ContractLedgerCostExtV0(ConfigSettingContractLedgerCostExtV0 {
            tx_max_footprint_entries: 400, // mainnet limits: ledger_entries
            fee_write1_kb: 875,            // mainnet fees: fee_per_write_1kb
        }),
        // devnet choice: the timing the devnet's close timer defaults to.
        ConfigSettingEntry::ScpTiming(ConfigSettingScpTiming {
            ledger_target_close_time_milliseconds: 5_000,
            nomination_timeout_initial_milliseconds: 1_000,
            nomination_timeout_increment_milliseconds: 1_000,
            ballot_timeout_initial_milliseconds: 1_000,
            ballot_timeout_increment_milliseconds: 1_000,
        }),
    ])
}

/// The host's default cost model (CPU, memory), one entry per `ContractCostType`.
///
/// soroban-env-host keeps its calibrated defaults private; `Budget::charge` is public and
/// evaluates `const + (lin_scaled * input) >> 7`. Charging input 0 gives the constant term, and
/// charging input 128 (2^7) adds exactly the scaled linear term, which is what a
/// `ContractCostParamEntry` holds. Measured on a fresh default budget each time, so nothing
/// else is counted. The CPU count is updated before the budget's limit is checked, so it is
/// exact even for the costliest types (BLS multi-scalar multiplication at 128 points exceeds
/// the default 100M-instruction limit); their memory is then only charged for fewer inputs,
/// and its linear term is scaled up from the largest input that fits (exact to 1/128 byte per
/// input unit).
pub fn cost_params() -> Result<(ContractCostParams, ContractCostParams)> {
    struct Probe {
        ok: bool,
        cpu: u64,
        mem: u64,
    }
    let probe = |ty: ContractCostType, input: Option<u64>| -> Result<Probe> {
        let budget = Budget::default();
        let ok = budget.charge(ty, input).is_ok();
        Ok(Probe {
            ok,
            cpu: budget.get_cpu_insns_consumed().host("reading budget")?,
            mem: budget.get_mem_bytes_consumed().host("reading budget")?,
        })
    };
    let to_i64 = |v: u64| i64::try_from(v).map_err(|_| Error::State("cost too large".into()));
    let (mut cpu, mut mem) = (Vec::new(), Vec::new());
    for ty in ContractCostType::variants() {
        let zero = probe(ty, Some(0))?;
        let (c0, m0, c_lin, m_lin) = if !zero.ok {
            // Constant cost types take no input at all.
            let constant = probe(ty, None)?;
            if !constant.ok {
                return Err(Error::State(format!("cost type {ty:?} cannot be charged")));
            }
            (constant.cpu, constant.mem, 0, 0)
        } else {
            let at_128 = probe(ty, Some(128))?;
            let c_lin = at_128.cpu - zero.cpu;
            let m_lin = if at_128.ok {
                at_128.mem - zero.mem
            } else {
                let mut m_lin = 0;
                for n in [64u64, 32, 16, 8, 4, 2, 1] {
                    let p = probe(ty, Some(n))?;
                    if p.ok {
                        m_lin = ((p.mem - zero.mem) * 128).div_ceil(n);
                        break;
                    }
                }
                m_lin
            };
            (zero.cpu, zero.mem, c_lin, m_lin)
        };
        cpu.push(ContractCostParamEntry {
            ext: ExtensionPoint::V0,
            const_term: to_i64(c0)?,
            linear_term: to_i64(c_lin)?,
        });
        mem.push(ContractCostParamEntry {
            ext: ExtensionPoint::V0,
            const_term: to_i64(m0)?,
            linear_term: to_i64(m_lin)?,
        });
    }
    let too_many = |_| Error::State("too many cost types".into());
    Ok((
        ContractCostParams(cpu.try_into().map_err(too_many)?),
        ContractCostParams(mem.try_into().map_err(too_many)?),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cost_params_match_host_defaults() {
        let (cpu, mem) = cost_params().unwrap();
        assert_eq!(cpu.0.len(), ContractCostType::variants().len());
        // A budget built from the probed parameters charges the CPU the default one does
        // (counted even past the default budget's limit).
        for ty in ContractCostType::variants() {
            let linear = Budget::default().charge(ty, Some(0)).is_ok();
            for input in [0, 1, 7, 100, 1_000] {
                let input = linear.then_some(input);
                let probed =
                    Budget::try_from_configs(u64::MAX, u64::MAX, cpu.clone(), mem.clone()).unwrap();
                let default = Budget::default();
                probed.charge(ty, input).unwrap();
                let _ = default.charge(ty, input);
                assert_eq!(
                    probed.get_cpu_insns_consumed().unwrap(),
                    default.get_cpu_insns_consumed().unwrap(),
                    "{ty:?} input {input:?}"
                );
            }
        }
    }
}

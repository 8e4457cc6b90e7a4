#include "accelsim/memory/dram_config.hpp"

#include <string>

namespace accelsim {

DramConfig DramConfig::from(const Config& c) {
  DramConfig r;
  r.stacks = c.require<int>("stacks");
  r.channels_per_stack = c.require<int>("channels_per_stack");
  r.pcs_per_channel = c.require<int>("pseudo_channels_per_channel");
  r.bank_groups = c.require<int>("bank_groups");
  r.banks_per_group = c.require<int>("banks_per_group");
  r.row_bytes = c.require<Bytes>("row_bytes");
  r.burst_bytes = c.require<Bytes>("burst_bytes");
  r.interleave_bytes = c.require<Bytes>("interleave_bytes");
  r.tBL = c.require_ps("tBL_ns");
  r.tRCD = c.require_ps("tRCD_ns");
  r.tRP = c.require_ps("tRP_ns");
  r.tCL = c.require_ps("tCL_ns");
  r.tRAS = c.require_ps("tRAS_ns");
  r.tRRD_S = c.require_ps("tRRD_S_ns");
  r.tRRD_L = c.require_ps("tRRD_L_ns");
  r.tFAW = c.require_ps("tFAW_ns");
  r.tCCD_S = c.require_ps("tCCD_S_ns");
  r.tCCD_L = c.require_ps("tCCD_L_ns");
  r.tWTR = c.require_ps("tWTR_ns");
  r.tRTW = c.require_ps("tRTW_ns");
  r.tRFC = c.require_ps("tRFC_ns");
  r.tREFI = c.require_ps("tREFI_ns");
  r.tRFCpb = c.require_ps("tRFCpb_ns");
  r.access_latency = c.require_ps("access_latency_ns");
  // write timing: any of these turns the JEDEC write model on; a missing one takes its older value
  r.has_write_timing = c.has("tCWL_ns") || c.has("tWR_ns") || c.has("tRTP_ns") || c.has("tRCDWR_ns");
  r.tCWL = c.has("tCWL_ns") ? c.require_ps("tCWL_ns") : r.tCL;
  r.tWR = c.has("tWR_ns") ? c.require_ps("tWR_ns") : 0;
  r.tRTP = c.has("tRTP_ns") ? c.require_ps("tRTP_ns") : r.tCCD_L;
  r.tRCDWR = c.has("tRCDWR_ns") ? c.require_ps("tRCDWR_ns") : r.tRCD;
  if (r.tRFCpb > 0) r.refresh = RefreshKind::PerBank;
  if (c.has("refresh")) {
    const std::string m = c.require<std::string>("refresh");
    if (m == "all_bank") r.refresh = RefreshKind::AllBank;
    else if (m == "per_bank") r.refresh = RefreshKind::PerBank;
    else if (m == "off") r.refresh = RefreshKind::Off;
    else throw ConfigError("dram.refresh", "must be 'all_bank', 'per_bank' or 'off'");
  }
  if (c.has("refresh_group")) {
    const std::string m = c.require<std::string>("refresh_group");
    if (m == "pseudo_channel") r.refresh_by_channel = false;
    else if (m == "channel") r.refresh_by_channel = true;
    else throw ConfigError("dram.refresh_group", "must be 'pseudo_channel' or 'channel'");
  }
  if (c.has("command_bus")) {
    const std::string m = c.require<std::string>("command_bus");
    if (m == "pseudo_channel") r.shared_command_bus = false;
    else if (m == "channel") r.shared_command_bus = true;
    else throw ConfigError("dram.command_bus", "must be 'pseudo_channel' or 'channel'");
  }
  // Command times on the shared buses (validate() requires them > 0 when the buses are shared), rounded
  // down to a picosecond: two 1-CK column commands then still fit in a 2-CK tCCD_S rounded to the nearest.
  auto floor_ps = [&c](const char* key) {
    const TimePs ps = c.require_ps(key);
    return static_cast<double>(ps) > c.require_finite(key) * 1000.0 ? ps - 1 : ps;
  };
  if (c.has("col_cmd_ns")) r.cmd_col = floor_ps("col_cmd_ns");
  if (c.has("act_cmd_ns")) r.cmd_act = floor_ps("act_cmd_ns");
  if (c.has("pre_cmd_ns")) r.cmd_pre = floor_ps("pre_cmd_ns");
  if (c.has("sids")) r.sids = c.require<int>("sids");
  if (c.has("tCCDR_ns")) r.tCCDR = c.require_ps("tCCDR_ns");
  if (c.has("scheduler")) {
    const std::string m = c.require<std::string>("scheduler");
    if (m == "frfcfs") r.scheduler = SchedulerKind::FrFcfs;
    else if (m == "fcfs") r.scheduler = SchedulerKind::Fcfs;
    else if (m == "frfcfs_cap") r.scheduler = SchedulerKind::FrFcfsCap;
    else throw ConfigError("dram.scheduler", "must be 'frfcfs', 'fcfs' or 'frfcfs_cap'");
  }
  if (c.has("row_hit_cap")) r.row_hit_cap = c.require<int>("row_hit_cap");
  if (c.has("write_queue_bursts")) r.write_queue_bursts = c.require<int>("write_queue_bursts");
  if (c.has("write_high_watermark")) r.write_high_watermark = c.require_finite("write_high_watermark");
  if (c.has("write_low_watermark")) r.write_low_watermark = c.require_finite("write_low_watermark");
  if (c.has("fabric_gb_per_s")) r.fabric_bytes_per_ps = c.require_finite("fabric_gb_per_s") * 1e-3;
  if (c.has("address_map")) {
    const std::string m = c.require<std::string>("address_map");
    if (m == "hashed") r.address_map = AddressMapKind::Hashed;
    else if (m == "mop4clxor") r.address_map = AddressMapKind::Mop4ClXor;
    else throw ConfigError("dram.address_map", "must be 'hashed' or 'mop4clxor'");
  }
  return r;
}

void DramConfig::validate() const {
  require(stacks >= 1 && channels_per_stack >= 1 && pcs_per_channel >= 1, "dram.stacks", "organisation must be >= 1");
  require(bank_groups >= 1 && banks_per_group >= 1, "dram.bank_groups", "must be >= 1");
  require(burst_bytes >= 1, "dram.burst_length", "burst must move >= 1 byte");
  require(interleave_bytes >= burst_bytes && interleave_bytes % burst_bytes == 0, "dram.interleave_bytes",
          "must be a multiple of the burst size");
  require(row_bytes >= interleave_bytes, "dram.interleave_bytes", "must not exceed the row size");
  require(tBL > 0, "dram.data_rate_gbps", "burst time must be > 0");
  require(refresh == RefreshKind::Off || tREFI > tRFC, "dram.tREFI_ns", "must exceed tRFC");
  require(refresh != RefreshKind::PerBank || tRFCpb > 0, "dram.tRFCpb_ns", "must be > 0 for per-bank refresh");
  require(row_hit_cap >= 1, "dram.row_hit_cap", "must be >= 1");
  require(write_queue_bursts >= 0, "dram.write_queue_bursts", "must be >= 0");
  require(write_low_watermark >= 0 && write_low_watermark <= write_high_watermark && write_high_watermark <= 1,
          "dram.write_high_watermark", "need 0 <= write_low_watermark <= write_high_watermark <= 1");
  require(!shared_command_bus || (cmd_col > 0 && cmd_act > 0 && cmd_pre > 0), "dram.command_bus",
          "shared command buses need command times > 0");
  require(sids >= 1 && bank_groups % sids == 0, "dram.sids", "must be >= 1 and divide bank_groups");
  require(tCCDR >= 0, "dram.nCCDR", "must be >= 0");
  require(access_latency >= 0, "dram.access_latency_ns", "must be >= 0");
  require(fabric_bytes_per_ps >= 0, "dram.fabric_bandwidth_gb_per_s", "must be >= 0");
  if (address_map == AddressMapKind::Mop4ClXor) {
    auto pow2 = [](std::int64_t v) { return v > 0 && (v & (v - 1)) == 0; };
    require(pow2(pcs_per_channel) && pow2(bank_groups) && pow2(banks_per_group) && pow2(row_bytes / burst_bytes) &&
                row_bytes % burst_bytes == 0 && row_bytes / burst_bytes >= 4,
            "dram.address_map", "mop4clxor needs power-of-two pseudo-channels, bank groups, banks and bursts per row (>= 4)");
    require(interleave_bytes <= 4 * burst_bytes, "dram.interleave_bytes",
            "must be at most 4 bursts with the mop4clxor map (an access stays in one bank)");
  }
}

}  // namespace accelsim

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
  require(tREFI > tRFC, "dram.tREFI_ns", "must exceed tRFC");
  require(access_latency >= 0, "dram.access_latency_ns", "must be >= 0");
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

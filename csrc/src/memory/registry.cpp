#include "accelsim/memory/registry.hpp"

#include "accelsim/memory/flash.hpp"

namespace accelsim {

const std::vector<ComponentKind>& component_kinds() {
  static const std::vector<ComponentKind> kinds = {
      {"compute",
       {"units", "max_inflight_bytes_per_unit", "load_bytes_per_ps_per_unit"},
       {},
       [](const Config& c, MachineConfig* m) { m->compute = ComputeConfig::from(c); }},
      {"sram",
       {"l2_present", "l2_capacity_bytes", "l2_bytes_per_ps", "l2_latency_ns"},
       {},
       [](const Config& c, MachineConfig* m) { m->l2 = SramConfig::from(c); }},
      {"dram",
       {"stacks", "channels_per_stack", "pseudo_channels_per_channel", "bank_groups", "banks_per_group", "row_bytes",
        "burst_bytes", "interleave_bytes", "tBL_ns", "tRCD_ns", "tRP_ns", "tCL_ns", "tRAS_ns", "tRRD_S_ns",
        "tRRD_L_ns", "tFAW_ns", "tCCD_S_ns", "tCCD_L_ns", "tWTR_ns", "tRTW_ns", "tRFC_ns", "tREFI_ns", "tRFCpb_ns",
        "access_latency_ns"},
       {"address_map", "tCWL_ns", "tWR_ns", "tRTP_ns", "tRCDWR_ns", "refresh", "refresh_group", "scheduler", "row_hit_cap",
        "write_queue_bursts", "write_high_watermark", "write_low_watermark", "command_bus", "col_cmd_ns", "act_cmd_ns",
        "pre_cmd_ns", "sids", "tCCDR_ns", "fabric_gb_per_s"},
       [](const Config& c, MachineConfig* m) { m->dram = DramConfig::from(c); }},
      {"machine",
       {"launch_overhead_ns"},
       {},
       [](const Config& c, MachineConfig* m) { m->launch_overhead = c.require_ps("launch_overhead_ns"); }},
      {"flash",
       {"stacks", "channels_per_stack", "planes_per_channel", "page_bytes", "read_latency_us",
        "channel_bandwidth_gb_per_s", "stack_bandwidth_gb_per_s", "pages_in_flight_per_stack", "access_latency_ns"},
       {},
       nullptr},
  };
  return kinds;
}

std::vector<std::string> component_fields(const std::string& kind) {
  for (const auto& k : component_kinds())
    if (kind == k.kind) {
      std::vector<std::string> out(k.fields.begin(), k.fields.end());
      out.insert(out.end(), k.optional.begin(), k.optional.end());
      return out;
    }
  throw ConfigError("kind", "unknown component kind '" + kind + "'");
}

}  // namespace accelsim

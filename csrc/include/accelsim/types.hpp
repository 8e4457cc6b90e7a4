// accelsim core: plain C++17, no Python. Units: time in integer picoseconds (TimePs), sizes in bytes.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace accelsim {

using TimePs = std::int64_t;   // simulated time, integer picoseconds
using Bytes = std::int64_t;

// The ONLY ns -> ps conversion: round to nearest picosecond.
inline TimePs ns_to_ps(double ns) { return static_cast<TimePs>(ns * 1000.0 + 0.5); }

// A configuration value was invalid. `field` is the dotted path of the offending field.
struct ConfigError : std::runtime_error {
  std::string field;
  ConfigError(std::string f, const std::string& msg) : std::runtime_error(f + ": " + msg), field(std::move(f)) {}
};

enum class Fidelity { Roofline = 0, Fast = 1, Detailed = 2 };

struct DramConfig {
  int stacks = 1, channels_per_stack = 16, pcs_per_channel = 2, bank_groups = 4, banks_per_group = 4;
  Bytes row_bytes = 1024, burst_bytes = 32, interleave_bytes = 1024;
  // timings, ps
  TimePs tBL = 1250, tRCD = 19400, tRP = 16250, tCL = 12500, tRAS = 28100, tRRD_S = 2500, tRRD_L = 3100,
         tFAW = 15000, tCCD_S = 1250, tCCD_L = 2500, tWTR = 6250, tRTW = 12500, tRFC = 350000, tREFI = 3900000;
  TimePs tRFCpb = 0;  // > 0: per-bank refresh (each bank once per tREFI, staggered), else all-bank tRFC
  TimePs access_latency = 300000;  // round trip unit <-> controller, excluding device timing
  int pseudo_channels() const { return stacks * channels_per_stack * pcs_per_channel; }
  int banks() const { return bank_groups * banks_per_group; }
  double peak_bytes_per_ps() const { return static_cast<double>(pseudo_channels()) * burst_bytes / tBL; }
};

struct SramConfig {
  bool present = false;
  Bytes capacity_bytes = 0;
  double bytes_per_ps = 1.0;  // aggregate bandwidth
  TimePs latency = 0;
};

struct ComputeConfig {
  int units = 1;
  Bytes max_inflight_bytes_per_unit = 65536;
  double load_bytes_per_ps_per_unit = 1.0;  // how fast one unit can take data in
};

struct MachineConfig {
  ComputeConfig compute;
  SramConfig l2;
  DramConfig dram;
  TimePs launch_overhead = 0;
  void validate() const;
};

// A kernel, lowered to tiles of identical work ("CTAs"). The Python layer decides the tiling.
struct KernelDesc {
  std::string name;
  std::int64_t n_tiles = 1;
  Bytes tile_read_bytes = 0;       // unique bytes each tile streams from DRAM (contiguous per tile)
  Bytes tile_step_bytes = 0;       // bytes consumed per compute step (pipeline granularity); 0 = whole tile
  double tile_flops = 0;           // FLOPs per tile
  double flops_per_ps_per_unit = 1;// the unit's rate for this kernel's math
  Bytes tile_shared_bytes = 0;     // operand bytes read per tile from the on-chip level (broadcast data)
  Bytes tile_write_bytes = 0;      // bytes each tile writes back (to DRAM)
  TimePs tile_fixed_ps = 0;        // per-tile fixed cost (prologue/epilogue math, syncs)
  TimePs kernel_fixed_ps = 0;      // per-kernel fixed cost beyond launch (e.g. a grid-wide reduction)
  int tiles_per_unit = 1;          // tiles resident on one unit at once
  Bytes base_address = 0;          // where the streamed operand starts
  // Written bytes the on-chip level absorbs: the kernel may end with this many still on their way to DRAM
  // (-1: the L2's capacity; ignored without an L2, where the kernel ends when its last write is in DRAM)
  Bytes write_absorb_bytes = -1;
};

struct KernelResult {
  std::string name;
  TimePs time_ps = 0;          // body + launch
  TimePs body_ps = 0;          // from first issue to last completion
  TimePs launch_ps = 0;
  Bytes dram_read_bytes = 0, dram_write_bytes = 0, l2_read_bytes = 0;
  double flops = 0;
  std::int64_t dram_requests = 0, row_hits = 0, row_misses = 0, refreshes = 0;
  std::int64_t activates = 0;    // row activations (ACT commands): row misses + activates issued ahead
  TimePs dram_bus_busy_ps = 0;   // summed over pseudo-channels
  TimePs compute_busy_ps = 0;    // summed over units
  TimePs first_data_ps = 0;      // latency of the first returned request
  std::int64_t events = 0;
};

// Simulate one kernel on a fresh machine state. Deterministic; no globals.
KernelResult simulate_kernel(const MachineConfig& m, const KernelDesc& k, Fidelity f);

}  // namespace accelsim

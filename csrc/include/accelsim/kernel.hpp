// A kernel as the engine sees it -- tiles of identical work ("CTAs"); the Python layer decides the
// tiling -- and what simulating it gives.
#pragma once
#include <cstdint>
#include <string>

#include "accelsim/config.hpp"
#include "accelsim/units.hpp"

namespace accelsim {

enum class Fidelity { Roofline = 0, Fast = 1, Detailed = 2 };

// "fast" | "detailed" | "roofline"; ConfigError("fidelity") otherwise.
Fidelity fidelity_from(const std::string& s);

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

  // Read from a flat kernel description (write_absorb_bytes optional).
  static KernelDesc from(const Config& c);
  void validate() const;
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
  // Roofline mode only: the two bounds whose max (rounded up) is body_ps -- the kernel's DRAM bytes at the DRAM
  // peak (DramConfig::max_bytes_per_ps) and its FLOPs at the units' rate -- so a caller can tell which binds without a second roofline.
  double roofline_dram_ps = 0, roofline_compute_ps = 0;
};

}  // namespace accelsim

// A whole machine as the engine sees it: compute units, the on-chip level, DRAM, launch overhead.
#pragma once
#include "accelsim/compute/compute_units.hpp"
#include "accelsim/config.hpp"
#include "accelsim/memory/dram_config.hpp"
#include "accelsim/memory/sram.hpp"

namespace accelsim {

struct MachineConfig {
  ComputeConfig compute;
  SramConfig l2;
  DramConfig dram;
  TimePs launch_overhead = 0;
  // Read from the flat machine description, component by component (see memory/registry.hpp).
  static MachineConfig from(const Config& c);
  void validate() const;
};

}  // namespace accelsim

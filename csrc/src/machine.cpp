#include "accelsim/machine.hpp"

#include "accelsim/memory/registry.hpp"

namespace accelsim {

MachineConfig MachineConfig::from(const Config& c) {
  MachineConfig m;
  for (const auto& k : component_kinds())
    if (k.read != nullptr) k.read(c, &m);
  return m;
}

void MachineConfig::validate() const {
  compute.validate();
  dram.validate();
  require(launch_overhead >= 0, "kernel_launch_overhead_ns", "must be >= 0");
}

}  // namespace accelsim

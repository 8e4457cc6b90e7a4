// The core's entry points: simulate one kernel on a fresh machine state. Deterministic; no globals.
#pragma once
#include "accelsim/kernel.hpp"
#include "accelsim/machine.hpp"

namespace accelsim {

KernelResult simulate_kernel(const MachineConfig& m, const KernelDesc& k, Fidelity f);

// The roofline bound: max(bytes / DRAM peak (the pins, or the fabric where it is lower), flops / peak math),
// rounded up, plus launch.
KernelResult roofline(const MachineConfig& m, const KernelDesc& k);

}  // namespace accelsim

// The one table of the machine's components: each kind, the fields of the flat description it reads
// (kept equal to what its from() reads; a C++ test checks it), and how it is read into a MachineConfig.
// Adding a memory level: its header + source under memory/, one row here, its Python spec.
#pragma once
#include <string>
#include <vector>

#include "accelsim/config.hpp"
#include "accelsim/machine.hpp"

namespace accelsim {

struct ComponentKind {
  const char* kind;                  // "compute", "sram", "dram", "machine", "flash"
  std::vector<const char*> fields;   // the flat description's keys it requires
  std::vector<const char*> optional; // keys it reads when present (a default otherwise)
  // Reads the component into a machine (nullptr: not part of a MachineConfig, e.g. the flash tier,
  // which simulate_flash_read reads on its own).
  void (*read)(const Config& c, MachineConfig* m);
};

// Every kind, in the order a machine is read (which error a description with several faults gets).
const std::vector<ComponentKind>& component_kinds();
// The fields `kind` reads, required then optional; ConfigError("kind") for an unknown kind.
std::vector<std::string> component_fields(const std::string& kind);

}  // namespace accelsim

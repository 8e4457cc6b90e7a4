#include "accelsim/memory/dram.hpp"

#include <algorithm>

namespace accelsim {

DramLevel::DramLevel(const DramConfig& c, bool activate_ahead) : c_(c), map_(c) {
  const int per = std::max(1, c.pcs_per_channel);
  if (c.shared_command_bus)
    for (int i = 0; i < 2 * (c.pseudo_channels() / per); ++i) buses_.emplace_back(per);
  for (int i = 0; i < c.pseudo_channels(); ++i) {
    CommandBus* row = c.shared_command_bus ? &buses_[2 * static_cast<std::size_t>(i / per)] : nullptr;
    CommandBus* col = c.shared_command_bus ? &buses_[2 * static_cast<std::size_t>(i / per) + 1] : nullptr;
    pcs_.emplace_back(std::make_unique<PseudoChannel>(c, i, activate_ahead, row, col));
  }
}

LevelStats DramLevel::stats() const {
  LevelStats t;
  for (const auto& pc : pcs_) {
    const LevelStats& s = pc->stats();
    t.requests += s.requests;
    t.row_hits += s.row_hits;
    t.row_misses += s.row_misses;
    t.refreshes += s.refreshes;
    t.activates_ahead += s.activates_ahead;
    t.read_bytes += s.read_bytes;
    t.write_bytes += s.write_bytes;
    t.bus_busy += s.bus_busy;
  }
  return t;
}

}  // namespace accelsim

#include "accelsim/memory/dram.hpp"

namespace accelsim {

DramLevel::DramLevel(const DramConfig& c, bool activate_ahead) : c_(c), map_(c) {
  for (int i = 0; i < c.pseudo_channels(); ++i) pcs_.emplace_back(std::make_unique<PseudoChannel>(c, i, activate_ahead));
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

#include "accelsim/memory/sram.hpp"

namespace accelsim {

SramConfig SramConfig::from(const Config& c) {
  SramConfig s;
  s.present = c.require<bool>("l2_present");
  if (s.present) {
    s.capacity_bytes = c.require<Bytes>("l2_capacity_bytes");
    s.bytes_per_ps = c.require_finite("l2_bytes_per_ps");
    s.latency = c.require_ps("l2_latency_ns");
    if (!(s.bytes_per_ps > 0)) throw ConfigError("l2.bytes_per_cycle", "must be > 0");
  }
  return s;
}

}  // namespace accelsim

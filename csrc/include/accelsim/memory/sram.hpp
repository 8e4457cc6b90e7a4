// The on-chip SRAM level (the L2): capacity, aggregate bandwidth, access latency. The engine uses it
// analytically -- broadcast operands stream from it at each unit's share of its bandwidth after one
// access latency, and it absorbs up to its capacity of a kernel's writes -- so it does not serve
// requests through the MemoryLevel request path (making it a banked request-serving level is how
// per-bank L2 effects would come in).
#pragma once
#include "accelsim/config.hpp"
#include "accelsim/units.hpp"

namespace accelsim {

struct SramConfig {
  bool present = false;
  Bytes capacity_bytes = 0;
  double bytes_per_ps = 1.0;  // aggregate bandwidth
  TimePs latency = 0;
  // Read from the flat machine description (l2_present, then l2_* when present).
  static SramConfig from(const Config& c);
};

class SramLevel {
 public:
  explicit SramLevel(const SramConfig& c) : c_(c) {}
  static constexpr const char* kKind = "sram";
  bool present() const { return c_.present; }
  TimePs latency() const { return c_.latency; }
  double bytes_per_ps() const { return c_.bytes_per_ps; }
  Bytes capacity_bytes() const { return c_.capacity_bytes; }
  void count_read(Bytes n) { read_bytes_ += n; }
  Bytes read_bytes() const { return read_bytes_; }

 private:
  const SramConfig& c_;
  Bytes read_bytes_ = 0;
};

}  // namespace accelsim

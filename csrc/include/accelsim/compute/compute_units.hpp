// The compute units (SMs, cores): each runs up to `tiles_per_unit` tiles of a kernel at once, issues its
// loads oldest tile first while its in-flight budget allows (Little's law), takes data in at its load
// bandwidth, and computes step by step as data arrives. The engine moves requests and events; this
// class holds the units' state and decides what they do.
#pragma once
#include <cstdint>
#include <vector>

#include "accelsim/config.hpp"
#include "accelsim/exact_div.hpp"
#include "accelsim/kernel.hpp"
#include "accelsim/units.hpp"

namespace accelsim {

struct ComputeConfig {
  int units = 1;
  Bytes max_inflight_bytes_per_unit = 65536;
  double load_bytes_per_ps_per_unit = 1.0;  // how fast one unit can take data in
  static ComputeConfig from(const Config& c);
  void validate() const;
};

// A load a unit sends: `bytes` from `addr`, within one interleave granule; `id` is its in-flight slot.
struct Load {
  Bytes addr;
  Bytes bytes;
  std::int64_t id;
};

class ComputeUnits {
 public:
  ComputeUnits(const ComputeConfig& c, const KernelDesc& k, Bytes interleave_bytes);

  int units() const { return static_cast<int>(units_.size()); }
  int slots() const { return static_cast<int>(units_[0].slots.size()); }
  bool tiles_left() const { return next_tile_ < k_.n_tiles; }
  std::int64_t steps_per_tile() const { return steps_per_tile_; }
  double step_flops() const { return step_flops_; }
  void set_step_dur(TimePs d) { step_dur_ = d; }

  // Hand the next tile to unit u's slot s at t (tiles_left() must hold); its broadcast operands are
  // ready from `shared_ready`. A tile with nothing to stream is pure compute: returns true and sets
  // *done to when it finishes; otherwise returns false and the unit has loads to issue.
  bool start_tile(int u, int s, TimePs t, TimePs shared_ready, TimePs* done);
  // Marks unit u as having an issue pass pending; false if one already was.
  bool mark_issue_pending(int u) {
    if (units_[static_cast<std::size_t>(u)].issue_pending) return false;
    units_[static_cast<std::size_t>(u)].issue_pending = true;
    return true;
  }
  // Unit u's issue pass: appends to `out` the loads it may send now, oldest resident tile first.
  void issue(int u, std::vector<Load>* out);
  // The load in slot `id` was split into `n` pieces; it completes when all are back.
  void set_pieces(std::int64_t id, std::int64_t n) { inflight_[static_cast<std::size_t>(id)].bursts_left = n; }

  struct Received {
    bool load_done = false;   // the whole load is back (the unit took it in)
    bool tile_done = false;   // ... and it was its tile's last: the tile finishes at `tile_done_at`
    TimePs tile_done_at = 0;
    int unit = 0, slot = 0;
  };
  // One piece of load `id` is back at `now`.
  Received receive(std::int64_t id, TimePs now);

  std::int64_t tile_index(int u, int s) const { return units_[static_cast<std::size_t>(u)].slots[static_cast<std::size_t>(s)].index; }
  void release_tile(int u, int s) { units_[static_cast<std::size_t>(u)].slots[static_cast<std::size_t>(s)].index = -1; }
  TimePs compute_busy() const { return compute_busy_; }
  // Bytes of an access starting at `addr` that stay within its interleave granule (loads and stores
  // are granules: one pseudo-channel, bank and row each).
  Bytes chunk_at(Bytes addr, Bytes remaining) const {
    const Bytes off = interleave_.mod(addr);
    return remaining < interleave_.d - off ? remaining : interleave_.d - off;
  }

 private:
  struct Tile {
    std::int64_t index = -1;
    Bytes issued = 0, received = 0;
    std::int64_t steps_enqueued = 0, steps_total = 1;
    TimePs shared_ready = 0;
    TimePs compute_end = 0;
  };
  struct Unit {
    std::vector<Tile> slots;
    Bytes inflight = 0;
    TimePs rx_free = 0;
    TimePs compute_free = 0;
    bool issue_pending = false;
  };
  struct InFlight {
    int unit;
    int slot;
    Bytes bytes;
    std::int64_t tile_index;
    std::int64_t bursts_left = 1;  // pieces of this load not yet arrived
  };

  std::int64_t alloc_inflight(const InFlight& f);
  void enqueue_compute(int u, Tile& tl, TimePs ready, std::int64_t steps);

  const ComputeConfig& c_;
  const KernelDesc& k_;
  ExactDiv interleave_;
  std::vector<Unit> units_;
  std::vector<InFlight> inflight_;
  std::vector<std::int64_t> free_slots_;
  std::vector<int> order_;  // scratch for issue()
  TimePs step_dur_ = 0;
  TimePs compute_busy_ = 0;
  Bytes step_bytes_ = 1;
  std::int64_t steps_per_tile_ = 1, next_tile_ = 0;
  double step_flops_ = 0;
  Bytes rx_bytes_ = -1;  // the last received load's size and its intake time (receive)
  TimePs rx_ps_ = 0;
};

}  // namespace accelsim

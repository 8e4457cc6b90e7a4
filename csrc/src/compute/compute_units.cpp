#include "accelsim/compute/compute_units.hpp"

#include <algorithm>

namespace accelsim {

ComputeConfig ComputeConfig::from(const Config& c) {
  ComputeConfig r;
  r.units = c.require<int>("units");
  r.max_inflight_bytes_per_unit = c.require<Bytes>("max_inflight_bytes_per_unit");
  r.load_bytes_per_ps_per_unit = c.require_finite("load_bytes_per_ps_per_unit");
  return r;
}

void ComputeConfig::validate() const {
  require(units >= 1, "compute.units", "must be >= 1");
  require(max_inflight_bytes_per_unit >= 1, "compute.max_inflight_bytes_per_unit", "must be >= 1");
  require(load_bytes_per_ps_per_unit > 0, "compute.load_bytes_per_cycle_per_unit", "must be > 0");
}

ComputeUnits::ComputeUnits(const ComputeConfig& c, const KernelDesc& k, Bytes interleave_bytes)
    : c_(c), k_(k), interleave_(interleave_bytes) {
  units_.resize(static_cast<std::size_t>(c.units));
  for (auto& u : units_) u.slots.resize(static_cast<std::size_t>(std::max(1, k.tiles_per_unit)));
  step_bytes_ = k.tile_step_bytes > 0 ? std::min(k.tile_step_bytes, std::max<Bytes>(1, k.tile_read_bytes))
                                      : std::max<Bytes>(1, k.tile_read_bytes);
  steps_per_tile_ = k.tile_read_bytes > 0 ? (k.tile_read_bytes + step_bytes_ - 1) / step_bytes_ : 1;
  step_flops_ = k.tile_flops / static_cast<double>(steps_per_tile_);
  step_dur_ = div_ceil_ps(step_flops_, k.flops_per_ps_per_unit);
}

bool ComputeUnits::start_tile(int u, int s, TimePs t, TimePs shared_ready, TimePs* done) {
  Tile& tl = units_[static_cast<std::size_t>(u)].slots[static_cast<std::size_t>(s)];
  tl = Tile{};
  tl.index = next_tile_++;
  tl.steps_total = steps_per_tile_;
  tl.compute_end = t;
  tl.shared_ready = shared_ready;
  if (k_.tile_read_bytes == 0) {  // nothing to stream: the tile is pure compute on its operands
    enqueue_compute(u, tl, tl.shared_ready, 1);
    *done = tl.compute_end + k_.tile_fixed_ps;
    return true;
  }
  return false;
}

std::int64_t ComputeUnits::alloc_inflight(const InFlight& f) {
  if (!free_slots_.empty()) {
    const std::int64_t id = free_slots_.back();
    free_slots_.pop_back();
    inflight_[static_cast<std::size_t>(id)] = f;
    return id;
  }
  inflight_.push_back(f);
  return static_cast<std::int64_t>(inflight_.size()) - 1;
}

void ComputeUnits::issue(int u, std::vector<Load>* out) {
  Unit& un = units_[static_cast<std::size_t>(u)];
  un.issue_pending = false;
  const Bytes limit = c_.max_inflight_bytes_per_unit;
  // Oldest resident tile first: the next tile's loads start once the current tile's are all out.
  std::vector<int>& order = order_;
  order.clear();
  for (int s = 0; s < static_cast<int>(un.slots.size()); ++s)
    if (un.slots[s].index >= 0 && un.slots[s].issued < k_.tile_read_bytes) order.push_back(s);
  std::sort(order.begin(), order.end(), [&](int x, int y) { return un.slots[x].index < un.slots[y].index; });
  for (int s : order) {
    Tile& tl = un.slots[static_cast<std::size_t>(s)];
    while (tl.issued < k_.tile_read_bytes) {
      const Bytes addr = k_.base_address + tl.index * k_.tile_read_bytes + tl.issued;
      const Bytes n = chunk_at(addr, k_.tile_read_bytes - tl.issued);
      if (un.inflight > 0 && un.inflight + n > limit) return;
      un.inflight += n;
      tl.issued += n;
      out->push_back(Load{addr, n, alloc_inflight(InFlight{u, s, n, tl.index})});
    }
  }
}

void ComputeUnits::enqueue_compute(int u, Tile& tl, TimePs ready, std::int64_t steps) {
  Unit& un = units_[static_cast<std::size_t>(u)];
  for (std::int64_t i = 0; i < steps; ++i) {
    const TimePs start = std::max({un.compute_free, ready, tl.shared_ready});
    const TimePs dur = step_dur_;
    un.compute_free = start + dur;
    compute_busy_ += dur;
  }
  tl.compute_end = un.compute_free;
  tl.steps_enqueued += steps;
}

ComputeUnits::Received ComputeUnits::receive(std::int64_t id, TimePs now) {
  Received r;
  // A load is complete when its last piece is back (a warp's vector load retires as a whole): only
  // then does the unit take its data in and free its share of the in-flight budget, in either fidelity.
  if (--inflight_[static_cast<std::size_t>(id)].bursts_left > 0) return r;
  const InFlight f = inflight_[static_cast<std::size_t>(id)];
  free_slots_.push_back(id);
  Unit& un = units_[static_cast<std::size_t>(f.unit)];
  // the unit takes data in at its load bandwidth
  if (f.bytes != rx_bytes_) {  // loads are mostly one size: keep its intake time
    rx_bytes_ = f.bytes;
    rx_ps_ = div_ceil_ps(static_cast<double>(f.bytes), c_.load_bytes_per_ps_per_unit);
  }
  const TimePs t = std::max(now, un.rx_free) + rx_ps_;
  un.rx_free = t;
  un.inflight -= f.bytes;
  Tile& tl = un.slots[static_cast<std::size_t>(f.slot)];
  tl.received += f.bytes;
  const std::int64_t ready_steps = tl.received >= k_.tile_read_bytes ? tl.steps_total : tl.received / step_bytes_;
  if (ready_steps > tl.steps_enqueued) enqueue_compute(f.unit, tl, t, ready_steps - tl.steps_enqueued);
  r.load_done = true;
  r.unit = f.unit;
  r.slot = f.slot;
  if (tl.received >= k_.tile_read_bytes) {
    r.tile_done = true;
    r.tile_done_at = tl.compute_end + k_.tile_fixed_ps;
  }
  return r;
}

}  // namespace accelsim

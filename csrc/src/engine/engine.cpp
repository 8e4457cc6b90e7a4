#include "accelsim/engine/engine.hpp"

#include <algorithm>
#include <cmath>

#include "accelsim/simulate.hpp"

namespace accelsim {

Engine::Engine(const MachineConfig& m, const KernelDesc& k, Fidelity f)
    : m_(m),
      k_(k),
      fidelity_(f),
      dram_(m.dram, f == Fidelity::Detailed),
      l2_(m.l2),
      cu_(m.compute, k, m.dram.interleave_bytes),
      burst_div_(m.dram.burst_bytes) {
  const int pcs = dram_.ports();
  pc_wake_.assign(static_cast<std::size_t>(pcs), kNever);
  q_ = EventQueue(pcs, pcs);
  half_lat_ = m.dram.access_latency / 2;
  TimePs step_dur = div_ceil_ps(cu_.step_flops(), k.flops_per_ps_per_unit);
  if (k.tile_shared_bytes > 0) {
    // A step cannot finish before its slice of the broadcast operands arrives at this unit's share of
    // the on-chip bandwidth (or of DRAM bandwidth when there is no on-chip level).
    const double bw = (l2_.present() ? l2_.bytes_per_ps() : m.dram.peak_bytes_per_ps()) / m.compute.units;
    const double slice = static_cast<double>(k.tile_shared_bytes) / static_cast<double>(cu_.steps_per_tile());
    step_dur = std::max(step_dur, div_ceil_ps(slice, bw));
  }
  cu_.set_step_dur(step_dur);
}

KernelResult Engine::run() {
  KernelResult res;
  write_pending_ = k_.n_tiles * k_.tile_write_bytes;
  absorb_ = k_.write_absorb_bytes >= 0 ? k_.write_absorb_bytes : l2_.capacity_bytes();
  res.name = k_.name;
  // Hand out tiles: every unit fills its slots in turn (the hardware block scheduler's first wave).
  for (int s = 0; s < cu_.slots(); ++s)
    for (int u = 0; u < cu_.units(); ++u) start_tile(u, s, 0);
  while (!q_.empty()) {
    const Event e = q_.pop();
    now_ = e.t;
    switch (e.type) {
      case kUnitIssue: unit_issue(e.a); break;
      case kPcArrive: pc_arrive(e.a, e.b); break;
      case kPcWake: pc_wake(e.a); break;  // (a superseded wake-up never pops: see push)
      case kUnitReceive: unit_receive(e.b); break;
      case kTileDone: tile_done(e.a, static_cast<int>(e.b)); break;
      case kWriteDone:
        // Without an on-chip level the kernel ends when its writes reach DRAM; with one, the L2
        // accepts them (see tile_done) and writes them back while the kernel and its successors run,
        // but it holds at most write_absorb_bytes of them: the rest must reach DRAM before the end.
        if (!l2_.present()) {
          end_ = std::max(end_, now_);
        } else if (write_pending_ > absorb_) {
          write_pending_ -= e.b;
          if (write_pending_ <= absorb_) end_ = std::max(end_, now_);
        }
        break;
    }
  }
  // No figure above the pins: the L2 may hold up to its capacity of a kernel's writes when the kernel
  // ends, but the kernel cannot have moved its bytes over the DRAM pins faster than their peak rate, so
  // it ends no earlier than that (its successors would otherwise find the pins busy with its writes).
  const LevelStats s = dram_.stats();
  const double moved = static_cast<double>(s.read_bytes + s.write_bytes);
  end_ = std::max(end_, div_ceil_ps(moved, m_.dram.peak_bytes_per_ps()));
  // Nor faster than the path between the units and the controllers carries them (when it is narrower).
  if (m_.dram.fabric_bytes_per_ps > 0) end_ = std::max(end_, div_ceil_ps(moved, m_.dram.fabric_bytes_per_ps));
  end_ += k_.kernel_fixed_ps;
  res.body_ps = end_;
  res.launch_ps = m_.launch_overhead;
  res.time_ps = end_ + m_.launch_overhead;
  res.dram_read_bytes = s.read_bytes;
  res.dram_write_bytes = s.write_bytes;
  res.dram_requests = s.requests;
  res.row_hits = s.row_hits;
  res.row_misses = s.row_misses;
  res.refreshes = s.refreshes;
  res.activates = s.row_misses + s.activates_ahead;
  res.dram_bus_busy_ps = s.bus_busy;
  res.l2_read_bytes = l2_.read_bytes();
  res.flops = k_.tile_flops * static_cast<double>(k_.n_tiles);
  res.compute_busy_ps = cu_.compute_busy();
  res.first_data_ps = first_data_ < kNever ? first_data_ : 0;
  res.events = events_;
  return res;
}

void Engine::start_tile(int u, int s, TimePs t) {
  if (!cu_.tiles_left()) return;
  TimePs shared_ready = t;
  if (k_.tile_shared_bytes > 0) {  // broadcast operands (e.g. x) come from the on-chip level
    // They stream alongside the tile's steps (each step's compute also waits for its slice at the
    // unit's share of L2 bandwidth, see the constructor); the first slice costs one L2 latency.
    l2_.count_read(k_.tile_shared_bytes);
    shared_ready = t + (l2_.present() ? l2_.latency() : m_.dram.access_latency);
  }
  TimePs done = 0;
  if (cu_.start_tile(u, s, t, shared_ready, &done)) {
    push(done, kTileDone, u, s);
    return;
  }
  schedule_issue(u, t);
}

void Engine::schedule_issue(int u, TimePs t) {
  if (cu_.mark_issue_pending(u)) push(t, kUnitIssue, u, 0);
}

// A unit's loads and stores are interleave granules in both fidelities (the unit-side model is the
// same); `detailed` hands each to the controller as one request per burst (send_to_dram).
void Engine::unit_issue(int u) {
  loads_.clear();
  cu_.issue(u, &loads_);
  for (const Load& l : loads_) send_to_dram(l.addr, l.bytes, false, l.id, u);
}

// `n` bytes from `addr` within one interleave granule (chunk_at), so one pseudo-channel, bank and row.
void Engine::send_to_dram(Bytes addr, Bytes n, bool write, std::int64_t id, int u) {
  MemRequest where;
  const int pc = dram_.place(addr, &where);
  if (fidelity_ != Fidelity::Detailed) {
    send_request(pc, where, addr, n, write, id, u);
    return;
  }
  // detailed: one request per burst for the controller, all answering to the same load (which completes
  // with its last). They travel together: one arrival event per load, split at the controller.
  send_request(pc, where, addr, n, write, id, u);
}

void Engine::send_request(int pc, const MemRequest& where, Bytes addr, Bytes n, bool write, std::int64_t id, int u) {
  MemRequest r;
  r.id = id;
  r.age = next_age_++;
  r.unit = u;
  r.bank = where.bank;
  r.row = where.row;
  r.bursts = static_cast<int>(burst_div_.div(n + burst_div_.mod(addr) + burst_div_.d - 1));
  r.write = write;
  r.arrive = now_ + half_lat_;
  if (fidelity_ == Fidelity::Detailed) {
    next_age_ += r.bursts - 1;  // the ages of its bursts: r.age, r.age + 1, ...
    if (id >= 0 && !write) {
      if (static_cast<std::size_t>(id) >= load_left_.size()) load_left_.resize(static_cast<std::size_t>(id) + 1, 0);
      load_left_[static_cast<std::size_t>(id)] = r.bursts;
    }
  }
  std::int64_t idx;
  if (!free_reqs_.empty()) {
    idx = free_reqs_.back();
    free_reqs_.pop_back();
    pending_reqs_[static_cast<std::size_t>(idx)] = r;
  } else {
    pending_reqs_.push_back(r);
    idx = static_cast<std::int64_t>(pending_reqs_.size()) - 1;
  }
  push(r.arrive, kPcArrive, pc, idx);
}

void Engine::pc_arrive(int pc, std::int64_t idx) {
  bool new_candidate = false;
  const MemRequest r = pending_reqs_[static_cast<std::size_t>(idx)];
  free_reqs_.push_back(idx);
  if (fidelity_ == Fidelity::Detailed) {  // split into bursts (one granule: one bank and row)
    new_candidate = dram_.accept_split(pc, r);
  } else {
    new_candidate = dram_.accept(pc, r);
  }
  if (pc_wake_[static_cast<std::size_t>(pc)] >= kNever) {
    wake_pc(pc);
    return;
  }
  // A decision is already pending. A request queued behind its bank's candidate cannot change it; one
  // that became a candidate may make it earlier (the controller updates its choice in O(1)).
  if (!new_candidate) return;
  const TimePs t = dram_.next_event_ps(pc, now_);
  if (t < pc_wake_[static_cast<std::size_t>(pc)]) {
    pc_wake_[static_cast<std::size_t>(pc)] = t;
    push_wake(t, pc);
  }
}

void Engine::wake_pc_at(int pc, TimePs t) {
  if (t >= kNever) return;
  if (t == pc_wake_[static_cast<std::size_t>(pc)]) return;  // an identical wake-up is already queued
  pc_wake_[static_cast<std::size_t>(pc)] = t;
  push_wake(t, pc);
}

void Engine::pc_wake(int pc) {
  pc_wake_[static_cast<std::size_t>(pc)] = kNever;
  const TimePs t = dram_.next_event_ps(pc, now_);
  if (t > now_) {
    wake_pc_at(pc, t);  // next_event_ps(now_) again would give the same t
    return;
  }
  TimePs data_end = 0;
  MemRequest r;
  if (!dram_.serve(pc, now_, &r, &data_end)) {  // the row-command bus acted
    wake_pc(pc);
    return;
  }
  if (r.write) {
    if (l2_.present() && write_pending_ <= absorb_) {
      // Its completion would change nothing (write_pending_ only shrinks, see run): it is counted (and
      // numbered) as if it were queued, so the other events keep their order, and not queued.
      ++events_;
      ++seq_;
    } else {
      push(data_end, kWriteDone, pc, static_cast<std::int64_t>(r.bursts) * m_.dram.burst_bytes);
    }
  } else {
    const TimePs back = data_end + (m_.dram.access_latency - half_lat_);
    if (fidelity_ == Fidelity::Detailed && r.id >= 0 && --load_left_[static_cast<std::size_t>(r.id)] > 0) {
      first_data_ = std::min(first_data_, back);  // the load completes with its last burst
    } else {
      // one pseudo-channel's data returns in bus order: its lane of the event queue
      push_lane(back, kUnitReceive, r.unit, r.id, pc);
    }
  }
  wake_pc(pc);
}

void Engine::unit_receive(std::int64_t id) {
  first_data_ = std::min(first_data_, now_);
  const ComputeUnits::Received r = cu_.receive(id, now_);
  if (!r.load_done) return;
  if (r.tile_done) push(r.tile_done_at, kTileDone, r.unit, r.slot);
  schedule_issue(r.unit, now_);
}

void Engine::tile_done(int u, int s) {
  Bytes left = k_.tile_write_bytes;
  // Results are written back (posted writes: the unit does not wait for them, DRAM does the work).
  Bytes addr = write_base_ + cu_.tile_index(u, s) * k_.tile_write_bytes;
  while (left > 0) {
    const Bytes n = cu_.chunk_at(addr, left);
    send_to_dram(addr, n, true, -1, u);
    addr += n;
    left -= n;
  }
  // with an L2, the tile's stores are done when the L2 has taken them
  end_ = std::max(end_, now_ + (k_.tile_write_bytes > 0 && l2_.present() ? l2_.latency() : 0));
  cu_.release_tile(u, s);
  start_tile(u, s, now_);
}

KernelResult roofline(const MachineConfig& m, const KernelDesc& k) {
  KernelResult r;
  r.name = k.name;
  const double tiles = static_cast<double>(k.n_tiles);
  const double bytes = tiles * static_cast<double>(k.tile_read_bytes + k.tile_write_bytes);
  const double flops = tiles * k.tile_flops;
  const double t_mem = bytes / m.dram.max_bytes_per_ps();
  const double t_cmp = flops / (k.flops_per_ps_per_unit * m.compute.units);
  r.body_ps = static_cast<TimePs>(std::ceil(std::max(t_mem, t_cmp)));
  r.roofline_dram_ps = t_mem;
  r.roofline_compute_ps = t_cmp;
  r.launch_ps = m.launch_overhead;
  r.time_ps = r.body_ps + r.launch_ps;
  r.dram_read_bytes = static_cast<Bytes>(tiles * static_cast<double>(k.tile_read_bytes));
  r.dram_write_bytes = static_cast<Bytes>(tiles * static_cast<double>(k.tile_write_bytes));
  r.l2_read_bytes = static_cast<Bytes>(tiles * static_cast<double>(k.tile_shared_bytes));
  r.flops = flops;
  return r;
}

KernelResult simulate_kernel(const MachineConfig& m, const KernelDesc& k, Fidelity f) {
  m.validate();
  k.validate();
  if (f == Fidelity::Roofline) return roofline(m, k);
  Engine e(m, k, f);
  return e.run();
}

}  // namespace accelsim

// The discrete-event engine: compute units run the tiles of one kernel, issuing loads up to their
// in-flight limit (Little's law), computing as data arrives, writing results; DRAM pseudo-channels
// serve the requests. Integer picoseconds; events ordered by (time, sequence number) so ties are
// broken by creation order and every run is bit-identical.
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <queue>
#include <vector>

#include "accelsim/dram.hpp"
#include "accelsim/types.hpp"

namespace accelsim {

namespace {

constexpr TimePs kNever = std::numeric_limits<TimePs>::max() / 4;

enum EvType : std::uint8_t { kUnitIssue, kPcArrive, kPcWake, kUnitReceive, kTileDone, kWriteDone };

struct Event {
  TimePs t;
  std::uint64_t seq;
  std::int64_t b;  // request slot / tile slot / version
  int a;           // unit or pc
  EvType type;
  int lane = -1;   // EventQueue lane this event heads in the heap (-1: none)
  bool before(const Event& o) const { return t != o.t ? t < o.t : seq < o.seq; }
};

// Pending events, popped in (time, sequence) order. A 4-ary min-heap, plus FIFOs: most event kinds are
// created at times that never decrease (e.g. "now" or "now + constant"), and an event whose time is not
// below its FIFO's tail is kept there in O(1) instead (the FIFO stays sorted by (time, sequence) since
// sequence numbers only grow). Lanes do the same for event streams that are monotone per source (data
// returning from one pseudo-channel, whose bus serialises it): only each lane's head sits in the heap,
// so the heap holds about one event per lane instead of one per request in flight. Popping takes the
// least of the heap top and the FIFO heads, so the order is exactly that of a single priority queue.
class EventQueue {
 public:
  static constexpr int kFifos = 2;

  explicit EventQueue(int lanes = 0) : lanes_(static_cast<std::size_t>(std::max(0, lanes))) {}

  bool empty() const { return heap_.empty() && fifo_size_total_ == 0; }

  void push(const Event& e, int fifo) {
    if (fifo >= 0) {
      Fifo& f = fifos_[fifo];
      if (f.size == 0 || f.back().t <= e.t) {
        f.push_back(e);
        ++fifo_size_total_;
        return;
      }
    }
    heap_push(e);
  }

  // An event of a per-source stream (`lane`): O(1) while the lane's times do not decrease.
  void push_lane(Event e, int lane) {
    Lane& l = lanes_[static_cast<std::size_t>(lane)];
    if (!l.head_in_heap) {
      e.lane = lane;
      l.head_in_heap = true;
      l.last_t = e.t;
      heap_push(e);
    } else if (e.t >= l.last_t) {
      e.lane = -1;
      l.last_t = e.t;
      l.rest.push_back(e);
    } else {
      e.lane = -1;  // out of order for its lane: an ordinary heap event
      heap_push(e);
    }
  }

  Event pop() {
    int src = -1;  // -1 heap, else FIFO index
    const Event* best = heap_.empty() ? nullptr : &heap_[0];
    for (int i = 0; i < kFifos; ++i) {
      const Fifo& f = fifos_[i];
      if (f.size == 0) continue;
      const Event& h = f.front();
      if (best == nullptr || h.before(*best)) {
        best = &h;
        src = i;
      }
    }
    if (src >= 0) {
      const Event e = *best;
      fifos_[src].pop_front();
      --fifo_size_total_;
      return e;
    }
    const Event top = heap_[0];
    if (top.lane >= 0) {
      Lane& l = lanes_[static_cast<std::size_t>(top.lane)];
      if (l.rest.size > 0) {  // the lane's next event takes its place at the top
        Event next = l.rest.front();
        l.rest.pop_front();
        next.lane = top.lane;
        heap_replace_top(next);
        return top;
      }
      l.head_in_heap = false;
    }
    heap_pop();
    return top;
  }

 private:
  struct Fifo {
    std::vector<Event> buf;
    std::size_t head = 0, size = 0, mask = 0;
    const Event& front() const { return buf[head]; }
    const Event& back() const { return buf[(head + size - 1) & mask]; }
    void pop_front() {
      head = (head + 1) & mask;
      --size;
    }
    void push_back(const Event& e) {
      if (size == buf.size()) {
        const std::size_t cap = buf.empty() ? 64 : buf.size() * 2;
        std::vector<Event> nb(cap);
        for (std::size_t i = 0; i < size; ++i) nb[i] = buf[(head + i) & mask];
        buf.swap(nb);
        head = 0;
        mask = cap - 1;
      }
      buf[(head + size) & mask] = e;
      ++size;
    }
  };
  struct Lane {
    Fifo rest;  // events after the head, in (time, sequence) order
    TimePs last_t = 0;
    bool head_in_heap = false;
  };

  void heap_push(const Event& e) {
    std::size_t i = heap_.size();
    heap_.push_back(e);
    while (i > 0) {
      const std::size_t p = (i - 1) >> 2;
      if (!e.before(heap_[p])) break;
      heap_[i] = heap_[p];
      i = p;
    }
    heap_[i] = e;
  }

  // (time, sequence) as one number: the order of Event::before.
  static unsigned __int128 key(const Event& e) {
    return (static_cast<unsigned __int128>(static_cast<std::uint64_t>(e.t)) << 64) | e.seq;
  }

  // Put `e` at the root and restore the heap order downwards. The least of four children is found
  // without branches (which of them it is does not follow a pattern the CPU could predict).
  void sift_down_from_root(const Event& e) {
    const std::size_t n = heap_.size();
    const unsigned __int128 ke = key(e);
    const Event* h = heap_.data();
    std::size_t i = 0;
    for (;;) {
      const std::size_t c0 = 4 * i + 1;
      if (c0 >= n) break;
      std::size_t m;
      unsigned __int128 km;
      if (c0 + 3 < n) {
        const unsigned __int128 k0 = key(h[c0]), k1 = key(h[c0 + 1]), k2 = key(h[c0 + 2]), k3 = key(h[c0 + 3]);
        const bool b01 = k1 < k0, b23 = k3 < k2;
        const std::size_t m01 = b01 ? c0 + 1 : c0, m23 = b23 ? c0 + 3 : c0 + 2;
        const unsigned __int128 k01 = b01 ? k1 : k0, k23 = b23 ? k3 : k2;
        const bool b = k23 < k01;
        m = b ? m23 : m01;
        km = b ? k23 : k01;
      } else {
        m = c0;
        km = key(h[c0]);
        for (std::size_t c = c0 + 1; c < n; ++c) {
          const unsigned __int128 kc = key(h[c]);
          if (kc < km) {
            m = c;
            km = kc;
          }
        }
      }
      if (!(km < ke)) break;
      heap_[i] = heap_[m];
      i = m;
    }
    heap_[i] = e;
  }

  void heap_replace_top(const Event& e) { sift_down_from_root(e); }

  void heap_pop() {
    const Event last = heap_.back();
    heap_.pop_back();
    if (!heap_.empty()) sift_down_from_root(last);
  }

  std::vector<Event> heap_;
  Fifo fifos_[kFifos];
  std::vector<Lane> lanes_;
  std::size_t fifo_size_total_ = 0;
};

// Which FIFO of the EventQueue an event kind tries first (-1: heap only).
inline int fifo_of(EvType t) {
  switch (t) {
    case kUnitIssue: return 0;     // always created at "now"
    case kPcArrive: return 1;      // always created at "now + half the access latency"
    default: return -1;
  }
}

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
  std::int64_t bursts_left = 1;  // detailed: bursts of this load not yet arrived
};

TimePs div_ceil_ps(double num, double rate) {
  if (num <= 0) return 0;
  return static_cast<TimePs>(std::ceil(num / rate));
}

class Engine {
 public:
  Engine(const MachineConfig& m, const KernelDesc& k, Fidelity f)
      : m_(m),
        k_(k),
        fidelity_(f),
        addr_map_(m.dram),
        burst_div_(m.dram.burst_bytes),
        interleave_div_(m.dram.interleave_bytes) {
    const auto& d = m.dram;
    for (int i = 0; i < d.pseudo_channels(); ++i) pcs_.emplace_back(std::make_unique<PseudoChannel>(d, i, f == Fidelity::Detailed));
    pc_version_.assign(pcs_.size(), 0);
    pc_wake_.assign(pcs_.size(), kNever);
    q_ = EventQueue(static_cast<int>(pcs_.size()));
    units_.resize(m.compute.units);
    for (auto& u : units_) u.slots.resize(std::max(1, k.tiles_per_unit));
    step_bytes_ = k.tile_step_bytes > 0 ? std::min(k.tile_step_bytes, std::max<Bytes>(1, k.tile_read_bytes))
                                        : std::max<Bytes>(1, k.tile_read_bytes);
    steps_per_tile_ = k.tile_read_bytes > 0 ? (k.tile_read_bytes + step_bytes_ - 1) / step_bytes_ : 1;
    step_flops_ = k.tile_flops / static_cast<double>(steps_per_tile_);
    half_lat_ = d.access_latency / 2;
    step_dur_ = div_ceil_ps(step_flops_, k.flops_per_ps_per_unit);
    if (k.tile_shared_bytes > 0) {
      // A step cannot finish before its slice of the broadcast operands arrives at this unit's share of
      // the on-chip bandwidth (or of DRAM bandwidth when there is no on-chip level).
      const double bw = (m.l2.present ? m.l2.bytes_per_ps : m.dram.peak_bytes_per_ps()) / m.compute.units;
      const double slice = static_cast<double>(k.tile_shared_bytes) / static_cast<double>(steps_per_tile_);
      step_dur_ = std::max(step_dur_, div_ceil_ps(slice, bw));
    }
  }

  KernelResult run() {
    KernelResult res;
    write_pending_ = k_.n_tiles * k_.tile_write_bytes;
    absorb_ = k_.write_absorb_bytes >= 0 ? k_.write_absorb_bytes : m_.l2.capacity_bytes;
    res.name = k_.name;
    // Hand out tiles: every unit fills its slots in turn (the hardware block scheduler's first wave).
    for (int s = 0; s < static_cast<int>(units_[0].slots.size()); ++s)
      for (int u = 0; u < static_cast<int>(units_.size()); ++u) start_tile(u, s, 0);
    while (!q_.empty()) {
      const Event e = q_.pop();
      now_ = e.t;
      ++events_;
      switch (e.type) {
        case kUnitIssue: unit_issue(e.a); break;
        case kPcArrive: pc_arrive(e.a, e.b); break;
        case kPcWake: if (e.b == pc_version_[e.a]) pc_wake(e.a); break;
        case kUnitReceive: unit_receive(e.b); break;
        case kTileDone: tile_done(e.a, static_cast<int>(e.b)); break;
        case kWriteDone:
          // Without an on-chip level the kernel ends when its writes reach DRAM; with one, the L2
          // accepts them (see tile_done) and writes them back while the kernel and its successors run,
          // but it holds at most write_absorb_bytes of them: the rest must reach DRAM before the end.
          if (!m_.l2.present) {
            end_ = std::max(end_, now_);
          } else if (write_pending_ > absorb_) {
            write_pending_ -= e.b;
            if (write_pending_ <= absorb_) end_ = std::max(end_, now_);
          }
          break;
      }
    }
    end_ += k_.kernel_fixed_ps;
    res.body_ps = end_;
    res.launch_ps = m_.launch_overhead;
    res.time_ps = end_ + m_.launch_overhead;
    for (const auto& pc : pcs_) {
      const auto& s = pc->stats();
      res.dram_read_bytes += s.read_bytes;
      res.dram_write_bytes += s.write_bytes;
      res.dram_requests += s.requests;
      res.row_hits += s.row_hits;
      res.row_misses += s.row_misses;
      res.refreshes += s.refreshes;
      res.activates += s.row_misses + s.activates_ahead;
      res.dram_bus_busy_ps += s.bus_busy;
    }
    res.l2_read_bytes = l2_bytes_;
    res.flops = k_.tile_flops * static_cast<double>(k_.n_tiles);
    res.compute_busy_ps = compute_busy_;
    res.first_data_ps = first_data_ < kNever ? first_data_ : 0;
    res.events = events_;
    return res;
  }

 private:
  void push(TimePs t, EvType type, int a, std::int64_t b) { q_.push(Event{t, seq_++, b, a, type}, fifo_of(type)); }
  void push_lane(TimePs t, EvType type, int a, std::int64_t b, int lane) {
    q_.push_lane(Event{t, seq_++, b, a, type}, lane);
  }

  void start_tile(int u, int s, TimePs t) {
    if (next_tile_ >= k_.n_tiles) return;
    Tile& tl = units_[u].slots[s];
    tl = Tile{};
    tl.index = next_tile_++;
    tl.steps_total = steps_per_tile_;
    tl.compute_end = t;
    tl.shared_ready = t;
    if (k_.tile_shared_bytes > 0) {  // broadcast operands (e.g. x) come from the on-chip level
      // They stream alongside the tile's steps (each step's compute also waits for its slice at the
      // unit's share of L2 bandwidth, see step_dur_); the first slice costs one L2 latency.
      l2_bytes_ += k_.tile_shared_bytes;
      tl.shared_ready = t + (m_.l2.present ? m_.l2.latency : m_.dram.access_latency);
    }
    if (k_.tile_read_bytes == 0) {  // nothing to stream: the tile is pure compute on its operands
      enqueue_compute(u, tl, tl.shared_ready, 1);
      push(tl.compute_end + k_.tile_fixed_ps, kTileDone, u, s);
      return;
    }
    schedule_issue(u, t);
  }

  void schedule_issue(int u, TimePs t) {
    if (units_[u].issue_pending) return;
    units_[u].issue_pending = true;
    push(t, kUnitIssue, u, 0);
  }

  // A unit's loads and stores are interleave granules in both fidelities (the unit-side model is the
  // same); `detailed` hands each to the controller as one request per burst (send_to_dram).
  Bytes chunk_at(Bytes addr, Bytes remaining) const {
    const Bytes off = interleave_div_.mod(addr);
    return std::min(remaining, interleave_div_.d - off);
  }

  void unit_issue(int u) {
    Unit& un = units_[u];
    un.issue_pending = false;
    const Bytes limit = m_.compute.max_inflight_bytes_per_unit;
    // Oldest resident tile first: the next tile's loads start once the current tile's are all out.
    std::vector<int>& order = order_;
    order.clear();
    for (int s = 0; s < static_cast<int>(un.slots.size()); ++s)
      if (un.slots[s].index >= 0 && un.slots[s].issued < k_.tile_read_bytes) order.push_back(s);
    std::sort(order.begin(), order.end(), [&](int x, int y) { return un.slots[x].index < un.slots[y].index; });
    for (int s : order) {
      Tile& tl = un.slots[s];
      while (tl.issued < k_.tile_read_bytes) {
        const Bytes addr = k_.base_address + tl.index * k_.tile_read_bytes + tl.issued;
        const Bytes n = chunk_at(addr, k_.tile_read_bytes - tl.issued);
        if (un.inflight > 0 && un.inflight + n > limit) return;
        un.inflight += n;
        tl.issued += n;
        const std::int64_t id = alloc_inflight(InFlight{u, s, n, tl.index});
        send_to_dram(addr, n, false, id, u);
      }
    }
  }

  std::int64_t alloc_inflight(const InFlight& f) {
    if (!free_slots_.empty()) {
      const std::int64_t id = free_slots_.back();
      free_slots_.pop_back();
      inflight_[id] = f;
      return id;
    }
    inflight_.push_back(f);
    return static_cast<std::int64_t>(inflight_.size()) - 1;
  }

  // `n` bytes from `addr` within one interleave granule (chunk_at), so one pseudo-channel, bank and row.
  void send_to_dram(Bytes addr, Bytes n, bool write, std::int64_t id, int u) {
    const DramAddress a = addr_map_(addr);
    if (fidelity_ != Fidelity::Detailed) {
      send_request(a, addr, n, write, id, u);
      return;
    }
    // detailed: one request per burst, all answering to the same load (which completes with its last)
    std::int64_t bursts = 0;
    for (Bytes left = n; left > 0; ++bursts) {
      const Bytes b = std::min(left, burst_div_.d - burst_div_.mod(addr));
      send_request(a, addr, b, write, id, u);
      addr += b;
      left -= b;
    }
    if (id >= 0) inflight_[id].bursts_left = bursts;
  }

  void send_request(const DramAddress& a, Bytes addr, Bytes n, bool write, std::int64_t id, int u) {
    DramRequest r;
    r.id = id;
    r.age = next_age_++;
    r.unit = u;
    r.bank = a.bank;
    r.row = a.row;
    r.bursts = static_cast<int>(burst_div_.div(n + burst_div_.mod(addr) + burst_div_.d - 1));
    r.write = write;
    r.arrive = now_ + half_lat_;
    std::int64_t idx;
    if (!free_reqs_.empty()) {
      idx = free_reqs_.back();
      free_reqs_.pop_back();
      pending_reqs_[idx] = r;
    } else {
      pending_reqs_.push_back(r);
      idx = static_cast<std::int64_t>(pending_reqs_.size()) - 1;
    }
    push(r.arrive, kPcArrive, a.pc, idx);
  }

  void pc_arrive(int pc, std::int64_t idx) {
    const bool new_candidate = pcs_[pc]->enqueue(pending_reqs_[idx]);
    free_reqs_.push_back(idx);
    if (pc_wake_[pc] >= kNever) {
      wake_pc(pc);
      return;
    }
    // A decision is already pending. A request queued behind its bank's candidate cannot change it; one
    // that became a candidate may make it earlier (the controller updates its choice in O(1)).
    if (!new_candidate) return;
    const TimePs t = pcs_[pc]->next_issue_time(now_);
    if (t < pc_wake_[pc]) {
      pc_wake_[pc] = t;
      push(t, kPcWake, pc, ++pc_version_[pc]);
    }
  }

  void wake_pc(int pc) { wake_pc_at(pc, pcs_[pc]->next_issue_time(now_)); }

  void wake_pc_at(int pc, TimePs t) {
    if (t >= kNever) return;
    if (t == pc_wake_[pc]) return;  // an identical wake-up is already queued
    pc_wake_[pc] = t;
    push(t, kPcWake, pc, ++pc_version_[pc]);
  }

  void pc_wake(int pc) {
    pc_wake_[pc] = kNever;
    const TimePs t = pcs_[pc]->next_issue_time(now_);
    if (t > now_) {
      wake_pc_at(pc, t);  // next_issue_time(now_) again would give the same t
      return;
    }
    TimePs data_end = 0;
    const DramRequest r = pcs_[pc]->issue(now_, &data_end);
    if (r.write) {
      push(data_end, kWriteDone, pc, static_cast<std::int64_t>(r.bursts) * m_.dram.burst_bytes);
    } else {
      // one pseudo-channel's data returns in bus order: its lane of the event queue
      push_lane(data_end + (m_.dram.access_latency - half_lat_), kUnitReceive, r.unit, r.id, pc);
    }
    wake_pc(pc);
  }

  void enqueue_compute(int u, Tile& tl, TimePs ready, std::int64_t steps) {
    Unit& un = units_[u];
    for (std::int64_t i = 0; i < steps; ++i) {
      const TimePs start = std::max({un.compute_free, ready, tl.shared_ready});
      const TimePs dur = step_dur_;
      un.compute_free = start + dur;
      compute_busy_ += dur;
    }
    tl.compute_end = un.compute_free;
    tl.steps_enqueued += steps;
  }

  void unit_receive(std::int64_t id) {
    first_data_ = std::min(first_data_, now_);
    // A load is complete when its last burst is back (a warp's vector load retires as a whole): only
    // then does the unit take its data in and free its share of the in-flight budget, in either fidelity.
    if (--inflight_[id].bursts_left > 0) return;
    const InFlight f = inflight_[id];
    free_slots_.push_back(id);
    Unit& un = units_[f.unit];
    // the unit takes data in at its load bandwidth
    if (f.bytes != rx_bytes_) {  // requests are mostly one size: keep its intake time
      rx_bytes_ = f.bytes;
      rx_ps_ = div_ceil_ps(static_cast<double>(f.bytes), m_.compute.load_bytes_per_ps_per_unit);
    }
    const TimePs t = std::max(now_, un.rx_free) + rx_ps_;
    un.rx_free = t;
    un.inflight -= f.bytes;
    Tile& tl = un.slots[f.slot];
    tl.received += f.bytes;
    const std::int64_t ready_steps =
        tl.received >= k_.tile_read_bytes ? tl.steps_total : tl.received / step_bytes_;
    if (ready_steps > tl.steps_enqueued) enqueue_compute(f.unit, tl, t, ready_steps - tl.steps_enqueued);
    if (tl.received >= k_.tile_read_bytes) push(tl.compute_end + k_.tile_fixed_ps, kTileDone, f.unit, f.slot);
    schedule_issue(f.unit, now_);
  }

  void tile_done(int u, int s) {
    Tile& tl = units_[u].slots[s];
    Bytes left = k_.tile_write_bytes;
    // Results are written back (posted writes: the unit does not wait for them, DRAM does the work).
    Bytes addr = write_base_ + tl.index * k_.tile_write_bytes;
    while (left > 0) {
      const Bytes n = chunk_at(addr, left);
      send_to_dram(addr, n, true, -1, u);
      addr += n;
      left -= n;
    }
    // with an L2, the tile's stores are done when the L2 has taken them
    end_ = std::max(end_, now_ + (k_.tile_write_bytes > 0 && m_.l2.present ? m_.l2.latency : 0));
    tl.index = -1;
    start_tile(u, s, now_);
  }

  const MachineConfig& m_;
  const KernelDesc& k_;
  Fidelity fidelity_;
  AddressMap addr_map_;
  ExactDiv burst_div_, interleave_div_;
  std::vector<int> order_;  // scratch for unit_issue
  TimePs step_dur_ = 0;     // compute time of one step
  std::vector<std::unique_ptr<PseudoChannel>> pcs_;
  std::vector<std::int64_t> pc_version_;
  std::vector<TimePs> pc_wake_;
  std::vector<Unit> units_;
  std::vector<InFlight> inflight_;
  std::vector<std::int64_t> free_slots_;
  std::vector<DramRequest> pending_reqs_;  // requests on their way to a controller (pooled)
  std::vector<std::int64_t> free_reqs_;
  EventQueue q_;
  std::uint64_t seq_ = 0;
  std::int64_t next_age_ = 0;  // DRAM requests in the order the units issue them
  std::int64_t events_ = 0;
  TimePs now_ = 0, end_ = 0, half_lat_ = 0, first_data_ = kNever;
  TimePs compute_busy_ = 0;
  Bytes l2_bytes_ = 0, step_bytes_ = 1;
  Bytes write_pending_ = 0, absorb_ = 0;  // written bytes not yet in DRAM; how many of them the L2 holds
  Bytes rx_bytes_ = -1;  // the last received request's size and its intake time (unit_receive)
  TimePs rx_ps_ = 0;
  std::int64_t steps_per_tile_ = 1, next_tile_ = 0;
  double step_flops_ = 0;
  // results land far from the streamed operands (their own rows)
  Bytes write_base_ = Bytes(1) << 44;
};

KernelResult roofline(const MachineConfig& m, const KernelDesc& k) {
  KernelResult r;
  r.name = k.name;
  const double tiles = static_cast<double>(k.n_tiles);
  const double bytes = tiles * static_cast<double>(k.tile_read_bytes + k.tile_write_bytes);
  const double flops = tiles * k.tile_flops;
  const double t_mem = bytes / m.dram.peak_bytes_per_ps();
  const double t_cmp = flops / (k.flops_per_ps_per_unit * m.compute.units);
  r.body_ps = static_cast<TimePs>(std::ceil(std::max(t_mem, t_cmp)));
  r.launch_ps = m.launch_overhead;
  r.time_ps = r.body_ps + r.launch_ps;
  r.dram_read_bytes = static_cast<Bytes>(tiles * static_cast<double>(k.tile_read_bytes));
  r.dram_write_bytes = static_cast<Bytes>(tiles * static_cast<double>(k.tile_write_bytes));
  r.l2_read_bytes = static_cast<Bytes>(tiles * static_cast<double>(k.tile_shared_bytes));
  r.flops = flops;
  return r;
}

void check(bool ok, const char* field, const char* msg) {
  if (!ok) throw ConfigError(field, msg);
}

}  // namespace

void MachineConfig::validate() const {
  const auto& d = dram;
  check(compute.units >= 1, "compute.units", "must be >= 1");
  check(compute.max_inflight_bytes_per_unit >= 1, "compute.max_inflight_bytes_per_unit", "must be >= 1");
  check(compute.load_bytes_per_ps_per_unit > 0, "compute.load_bytes_per_cycle_per_unit", "must be > 0");
  check(d.stacks >= 1 && d.channels_per_stack >= 1 && d.pcs_per_channel >= 1, "dram.stacks", "organisation must be >= 1");
  check(d.bank_groups >= 1 && d.banks_per_group >= 1, "dram.bank_groups", "must be >= 1");
  check(d.burst_bytes >= 1, "dram.burst_length", "burst must move >= 1 byte");
  check(d.interleave_bytes >= d.burst_bytes && d.interleave_bytes % d.burst_bytes == 0, "dram.interleave_bytes",
        "must be a multiple of the burst size");
  check(d.row_bytes >= d.interleave_bytes, "dram.interleave_bytes", "must not exceed the row size");
  check(d.tBL > 0, "dram.data_rate_gbps", "burst time must be > 0");
  check(d.tREFI > d.tRFC, "dram.tREFI_ns", "must exceed tRFC");
  check(d.access_latency >= 0, "dram.access_latency_ns", "must be >= 0");
  check(launch_overhead >= 0, "kernel_launch_overhead_ns", "must be >= 0");
}

KernelResult simulate_kernel(const MachineConfig& m, const KernelDesc& k, Fidelity f) {
  m.validate();
  check(k.n_tiles >= 1, "kernel.n_tiles", "must be >= 1");
  check(k.tile_read_bytes >= 0 && k.tile_write_bytes >= 0 && k.tile_shared_bytes >= 0, "kernel.bytes", "must be >= 0");
  check(k.write_absorb_bytes >= -1, "kernel.write_absorb_bytes", "must be >= 0 (or -1: the L2's capacity)");
  check(k.tile_flops >= 0 && std::isfinite(k.tile_flops), "kernel.flops", "must be finite and >= 0");
  check(k.flops_per_ps_per_unit > 0, "kernel.flops_per_ps_per_unit", "the machine cannot run this kernel's math");
  check(k.tiles_per_unit >= 1, "kernel.tiles_per_unit", "must be >= 1");
  if (f == Fidelity::Roofline) return roofline(m, k);
  Engine e(m, k, f);
  return e.run();
}

}  // namespace accelsim

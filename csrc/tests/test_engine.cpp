// Unit tests of the event engine and the time base, linked to the core library.
#include <algorithm>
#include <cmath>
#include <random>
#include <tuple>
#include <vector>

#include "accelsim/engine/event_queue.hpp"
#include "accelsim/simulate.hpp"
#include "accelsim/units.hpp"
#include "harness.hpp"

using namespace accelsim;

namespace {
// Event kinds as the engine uses them: some always created at "now" or "now + constant", so pushed
// through one of the queue's FIFOs first; the rest through the heap.
int fifo_of(int kind) { return kind == 0 ? 0 : kind == 1 ? 1 : -1; }
// Events popped in strictly increasing (time, sequence) order.
void check_time_sequence_order(const std::vector<Event>& popped) {
  for (std::size_t i = 1; i < popped.size(); ++i) {
    const Event& a = popped[i - 1];
    const Event& b = popped[i];
    CHECK(a.t < b.t || (a.t == b.t && a.seq < b.seq));
  }
}
}  // namespace

TEST_CASE("event queue pops in (time, sequence) order; ties by creation order") {
  std::mt19937_64 rng(42);
  for (int trial = 0; trial < 50; ++trial) {
    EventQueue q;
    std::vector<Event> all;
    std::uint64_t seq = 0;
    TimePs now = 0;
    std::vector<Event> popped;
    // a discrete-event workload: pops interleaved with pushes at or after the current time, many ties,
    // some kinds pushed through the FIFO fast path, some through the heap
    for (int step = 0; step < 4000; ++step) {
      const bool push = q.empty() || rng() % 3 != 0;
      if (push) {
        const int kind = static_cast<int>(rng() % 6);
        TimePs t = now;
        switch (rng() % 4) {
          case 0: break;                                       // "now"
          case 1: t = now + 150; break;                        // now + constant
          case 2: t = now + static_cast<TimePs>(rng() % 8); break;  // near: many ties
          default: t = now + static_cast<TimePs>(rng() % 100000); break;
        }
        Event e{t, seq++, static_cast<std::int64_t>(step), kind, static_cast<std::uint8_t>(kind)};
        q.push(e, fifo_of(static_cast<std::uint8_t>(kind)));
        all.push_back(e);
      } else {
        const Event e = q.pop();
        CHECK_GE(e.t, now);  // time never goes backwards
        now = e.t;
        popped.push_back(e);
      }
    }
    while (!q.empty()) popped.push_back(q.pop());
    CHECK_EQ(popped.size(), all.size());
    check_time_sequence_order(popped);
  }
}

TEST_CASE("event queue with all events at one time returns them in creation order") {
  EventQueue q;
  for (std::uint64_t s = 0; s < 1000; ++s) {
    const int k = static_cast<int>(s % 6);
    q.push(Event{77, s, 0, 0, static_cast<std::uint8_t>(k)}, (s % 5 == 0) ? -1 : fifo_of(k));
  }
  std::uint64_t expect = 0;
  while (!q.empty()) CHECK_EQ(q.pop().seq, expect++);
  CHECK_EQ(expect, std::uint64_t(1000));
}

TEST_CASE("event queue lanes (per-source monotone streams) keep the global (time, sequence) order") {
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 30; ++trial) {
    const int lanes = 1 + static_cast<int>(rng() % 8);
    EventQueue q(lanes);
    std::vector<TimePs> lane_t(static_cast<std::size_t>(lanes), 0);
    std::uint64_t seq = 0;
    TimePs now = 0;
    std::size_t pushed = 0;
    std::vector<Event> popped;
    for (int step = 0; step < 4000; ++step) {
      if (q.empty() || rng() % 3 != 0) {
        const int kind = static_cast<int>(rng() % 6);
        TimePs t = now + static_cast<TimePs>(rng() % 5000);
        Event e{t, seq++, static_cast<std::int64_t>(step), kind, static_cast<std::uint8_t>(kind)};
        const int lane = static_cast<int>(rng() % static_cast<std::uint64_t>(lanes + 1)) - 1;  // -1: none
        if (lane >= 0) {
          // mostly monotone per lane (the fast path), sometimes not (falls back to the heap)
          if (rng() % 4 != 0) t = std::max(t, lane_t[static_cast<std::size_t>(lane)]);
          e.t = t;
          lane_t[static_cast<std::size_t>(lane)] = std::max(lane_t[static_cast<std::size_t>(lane)], t);
          q.push_lane(e, lane);
        } else {
          q.push(e, fifo_of(static_cast<std::uint8_t>(kind)));
        }
        ++pushed;
      } else {
        const Event e = q.pop();
        CHECK_GE(e.t, now);
        now = e.t;
        popped.push_back(e);
      }
    }
    while (!q.empty()) popped.push_back(q.pop());
    CHECK_EQ(popped.size(), pushed);
    check_time_sequence_order(popped);
  }
}

TEST_CASE("event queue timers: the latest event of each slot pops in (time, sequence) order, replaced ones never") {
  std::mt19937_64 rng(11);
  for (int trial = 0; trial < 30; ++trial) {
    const int slots = 1 + static_cast<int>(rng() % 20);
    EventQueue q(0, slots);
    std::vector<std::int64_t> live(static_cast<std::size_t>(slots), -1);  // the step that set each slot's event
    std::uint64_t seq = 0;
    TimePs now = 0;
    std::vector<Event> popped;
    std::size_t expected = 0;
    // pop one event; a timer's event is its slot's latest, so popping it clears the slot
    auto take = [&]() {
      const Event e = q.pop();
      if (live[static_cast<std::size_t>(e.a < slots ? e.a : 0)] == e.b) live[static_cast<std::size_t>(e.a)] = -1;
      popped.push_back(e);
      return e;
    };
    for (int step = 0; step < 4000; ++step) {
      if (q.empty() || rng() % 3 != 0) {
        const int kind = static_cast<int>(rng() % 6);
        const Event e{now + static_cast<TimePs>(rng() % 3000), seq++, static_cast<std::int64_t>(step), kind,
                      static_cast<std::uint8_t>(kind)};
        if (rng() % 2 == 0) {
          const int slot = static_cast<int>(rng() % static_cast<std::uint64_t>(slots));
          if (live[static_cast<std::size_t>(slot)] < 0) ++expected;
          live[static_cast<std::size_t>(slot)] = step;
          Event te = e;
          te.a = slot;
          q.set_timer(slot, te);
        } else {
          q.push(e, fifo_of(static_cast<std::uint8_t>(kind)));
          ++expected;
        }
      } else {
        const Event e = take();
        CHECK_GE(e.t, now);
        now = e.t;
      }
    }
    while (!q.empty()) take();
    CHECK_EQ(popped.size(), expected);
    for (int s = 0; s < slots; ++s) CHECK_EQ(live[static_cast<std::size_t>(s)], std::int64_t(-1));
    check_time_sequence_order(popped);
  }
}

TEST_CASE("ns to ps: round to nearest, exact for every whole picosecond") {
  CHECK_EQ(ns_to_ps(0.0), TimePs(0));
  CHECK_EQ(ns_to_ps(1.0), TimePs(1000));
  CHECK_EQ(ns_to_ps(19.4), TimePs(19400));
  CHECK_EQ(ns_to_ps(0.0004), TimePs(0));
  CHECK_EQ(ns_to_ps(0.0006), TimePs(1));
  CHECK_EQ(ns_to_ps(1e9), TimePs(1000000000000));
  CHECK_EQ(ns_to_ps(1e12), TimePs(1000000000000000));
  // tBL of HBM3 at 6.4 Gb/s, BL8 (burst_length / data_rate_gbps ns)
  CHECK_EQ(ns_to_ps(8 / 6.4), TimePs(1250));
  CHECK_EQ(ns_to_ps(4 / 3.2), TimePs(1250));
  // clocks: one cycle of 1.98 GHz, 1.41 GHz, 2.6 GHz
  CHECK_EQ(ns_to_ps(1 / 1.98), TimePs(505));
  CHECK_EQ(ns_to_ps(1 / 1.41), TimePs(709));
  CHECK_EQ(ns_to_ps(1 / 2.6), TimePs(385));
  for (TimePs p = 0; p < 3000000; p += 7) CHECK_EQ(ns_to_ps(static_cast<double>(p) / 1000.0), p);
  std::mt19937_64 rng(3);
  for (int i = 0; i < 100000; ++i) {
    const TimePs p = static_cast<TimePs>(rng() % 1000000000000000ULL);  // up to 1e12 ns
    CHECK_EQ(ns_to_ps(static_cast<double>(p) / 1000.0), p);
  }
}

TEST_CASE("durations from rates round up to whole picoseconds") {
  CHECK_EQ(div_ceil_ps(0, 3.0), TimePs(0));
  CHECK_EQ(div_ceil_ps(-5, 3.0), TimePs(0));
  CHECK_EQ(div_ceil_ps(9, 3.0), TimePs(3));
  CHECK_EQ(div_ceil_ps(10, 3.0), TimePs(4));
  CHECK_EQ(div_ceil_ps(1, 1e6), TimePs(1));  // a tiny but nonzero duration is not free
}

namespace {
MachineConfig small_machine() {
  MachineConfig m;
  m.compute.units = 4;
  m.compute.max_inflight_bytes_per_unit = 8192;
  m.compute.load_bytes_per_ps_per_unit = 0.5;
  m.dram.stacks = 1;
  m.dram.channels_per_stack = 2;
  m.dram.pcs_per_channel = 2;
  m.dram.access_latency = 100000;
  m.launch_overhead = 2000000;
  return m;
}
KernelDesc stream_kernel() {
  KernelDesc k;
  k.name = "stream";
  k.n_tiles = 16;
  k.tile_read_bytes = 64 * 1024;
  k.tile_step_bytes = 4096;
  k.tile_flops = 1e6;
  k.flops_per_ps_per_unit = 2.0;
  k.tile_write_bytes = 1024;
  k.tiles_per_unit = 2;
  return k;
}
}  // namespace

TEST_CASE("simulate_kernel is deterministic and conserves bytes") {
  const MachineConfig m = small_machine();
  const KernelDesc k = stream_kernel();
  for (Fidelity f : {Fidelity::Fast, Fidelity::Detailed}) {
    const KernelResult a = simulate_kernel(m, k, f);
    const KernelResult b = simulate_kernel(m, k, f);
    CHECK_EQ(a.time_ps, b.time_ps);
    CHECK_EQ(a.events, b.events);
    CHECK_EQ(a.row_hits, b.row_hits);
    CHECK_EQ(a.dram_read_bytes, k.n_tiles * k.tile_read_bytes);
    CHECK_EQ(a.dram_write_bytes, k.n_tiles * k.tile_write_bytes);
    CHECK_EQ(a.row_hits + a.row_misses, a.dram_requests);
    CHECK_EQ(a.time_ps, a.body_ps + m.launch_overhead);
    // never faster than the pins allow, nor than one access latency
    const double peak = m.dram.peak_bytes_per_ps();
    CHECK_GE(static_cast<double>(a.body_ps), static_cast<double>(a.dram_read_bytes + a.dram_write_bytes) / peak);
    CHECK_GE(a.first_data_ps, m.dram.access_latency + m.dram.tRCD + m.dram.tCL);
  }
}

TEST_CASE("a load holds its in-flight budget until its last burst is back, in either fidelity") {
  // One unit allowed one interleave granule in flight streams eight granules: each load waits for the
  // previous one to come back whole, so eight round trips in a row in both fidelities (detailed splits each
  // load into 32 B bursts for the controller, but the unit-side model is the same). Freeing the budget per
  // burst would overlap the granules (detailed took 1.39 us here that way, against 1.94 us).
  MachineConfig m = small_machine();
  m.compute.units = 1;
  m.compute.max_inflight_bytes_per_unit = m.dram.interleave_bytes;
  KernelDesc k = stream_kernel();
  k.n_tiles = 1;
  k.tiles_per_unit = 1;
  k.tile_read_bytes = 8 * m.dram.interleave_bytes;
  k.tile_write_bytes = 0;
  const TimePs round_trip = m.dram.access_latency + m.dram.tRCD + m.dram.tCL;
  const TimePs bursts = m.dram.interleave_bytes / m.dram.burst_bytes;
  for (Fidelity f : {Fidelity::Fast, Fidelity::Detailed}) {
    const KernelResult r = simulate_kernel(m, k, f);
    // a granule lives in one bank: fast streams it one burst per tCCD_S, detailed's per-burst requests
    // go one per tCCD_L (one bank group)
    const TimePs per_burst = f == Fidelity::Fast ? m.dram.tCCD_S : m.dram.tCCD_L;
    CHECK_GE(r.body_ps, 8 * (round_trip + (bursts - 1) * per_burst));
    CHECK_LE(r.body_ps, 8 * (round_trip + m.dram.tRP + bursts * per_burst) + m.dram.tRFC);
  }
}

TEST_CASE("no figure above the pins: a read+write stream whose writes the L2 holds at the end stays under peak") {
  // One channel, an L2 large enough to hold every write when the kernel ends: the kernel's bytes over the
  // DRAM pins still take at least bytes / pin peak (they used to report 100-102% of it).
  MachineConfig m = small_machine();
  m.dram.channels_per_stack = 1;
  m.l2.present = true;
  m.l2.capacity_bytes = Bytes(1) << 30;
  m.l2.bytes_per_ps = 10.0;
  m.l2.latency = 1000;
  KernelDesc k = stream_kernel();
  k.n_tiles = 64;
  k.tile_write_bytes = k.tile_read_bytes;  // a copy
  k.tile_flops = 0;
  for (Fidelity f : {Fidelity::Fast, Fidelity::Detailed}) {
    const KernelResult r = simulate_kernel(m, k, f);
    const double bw = static_cast<double>(r.dram_read_bytes + r.dram_write_bytes) / static_cast<double>(r.body_ps);
    CHECK_LE(bw, m.dram.peak_bytes_per_ps());
    CHECK_GT(bw, 0.5 * m.dram.peak_bytes_per_ps());
  }
}

TEST_CASE("roofline mode is the max of the memory and compute bounds, rounded up") {
  const MachineConfig m = small_machine();
  const KernelDesc k = stream_kernel();
  const KernelResult r = simulate_kernel(m, k, Fidelity::Roofline);
  const double bytes = 16.0 * (64 * 1024 + 1024);
  const double t = std::max(bytes / m.dram.peak_bytes_per_ps(), 16e6 / (2.0 * 4));
  CHECK_EQ(r.body_ps, static_cast<TimePs>(std::ceil(t)));
  CHECK_EQ(r.roofline_dram_ps, bytes / m.dram.peak_bytes_per_ps());
  CHECK_EQ(r.roofline_compute_ps, 16e6 / (2.0 * 4));
}

TEST_CASE("the roofline's memory bound takes the fabric where it is below the pins, and only then") {
  MachineConfig m = small_machine();
  const KernelDesc k = stream_kernel();
  const double bytes = 16.0 * (64 * 1024 + 1024);
  const double pins = m.dram.peak_bytes_per_ps();
  m.dram.fabric_bytes_per_ps = 0.5 * pins;
  CHECK_EQ(simulate_kernel(m, k, Fidelity::Roofline).roofline_dram_ps, bytes / (0.5 * pins));
  for (Fidelity f : {Fidelity::Fast, Fidelity::Detailed})  // the engine never beats its own roofline
    CHECK_GE(simulate_kernel(m, k, f).body_ps, simulate_kernel(m, k, Fidelity::Roofline).body_ps);
  m.dram.fabric_bytes_per_ps = 2.0 * pins;
  CHECK_EQ(simulate_kernel(m, k, Fidelity::Roofline).roofline_dram_ps, bytes / pins);
}

TEST_CASE("invalid machine or kernel raises ConfigError naming the field") {
  const KernelDesc k = stream_kernel();
  MachineConfig m = small_machine();
  m.compute.units = 0;
  try {
    simulate_kernel(m, k, Fidelity::Fast);
    CHECK(false);
  } catch (const ConfigError& e) {
    CHECK_EQ(e.field, std::string("compute.units"));
    CHECK_EQ(e.reason, std::string("must be >= 1"));
    CHECK_EQ(std::string(e.what()), "compute.units: " + e.reason);
  }
  m = small_machine();
  m.dram.tREFI = m.dram.tRFC;
  CHECK_THROWS_AS(simulate_kernel(m, k, Fidelity::Fast), ConfigError);
  m = small_machine();
  m.dram.interleave_bytes = 48;  // not a multiple of the 32-byte burst
  CHECK_THROWS_AS(simulate_kernel(m, k, Fidelity::Detailed), ConfigError);
  KernelDesc bad = k;
  bad.n_tiles = 0;
  CHECK_THROWS_AS(simulate_kernel(small_machine(), bad, Fidelity::Fast), ConfigError);
  bad = k;
  bad.tile_flops = std::nan("");
  CHECK_THROWS_AS(simulate_kernel(small_machine(), bad, Fidelity::Fast), ConfigError);
  bad = k;
  bad.flops_per_ps_per_unit = 0;
  CHECK_THROWS_AS(simulate_kernel(small_machine(), bad, Fidelity::Roofline), ConfigError);
}

TEST_CASE("long simulation: repeated runs of a long stream, every queue drained (leaks show under LSan/valgrind)") {
  MachineConfig m = small_machine();
  m.dram.tREFI = 400000;  // many refreshes
  m.dram.tRFC = 50000;
  KernelDesc k = stream_kernel();
  k.n_tiles = 256;
  k.tile_write_bytes = 4096;
  std::int64_t events = -1;
  for (int rep = 0; rep < 2; ++rep) {
    const KernelResult r = simulate_kernel(m, k, Fidelity::Detailed);
    CHECK_EQ(r.dram_read_bytes, k.n_tiles * k.tile_read_bytes);
    CHECK_EQ(r.dram_write_bytes, k.n_tiles * k.tile_write_bytes);
    CHECK_GT(r.refreshes, std::int64_t(10));
    if (events >= 0) CHECK_EQ(r.events, events);
    events = r.events;
  }
}

ACCELSIM_TEST_MAIN()

// A closed-loop trace frontend for the DRAM level, the way a DRAM simulator such as Ramulator is driven
// by a load/store trace: requests enter their channel's controller in trace order as soon as that
// channel has a free read (or write) queue entry, and the run ends when the last request has been
// served. Used to compare the controller with other DRAM simulators on the same traces.
#pragma once
#include <cstdint>

#include "accelsim/memory/dram_config.hpp"
#include "accelsim/units.hpp"

namespace accelsim {

struct DramTraceOptions {
  int read_queue_entries = 32;   // per channel: reads queued at the controller at most
  int write_queue_entries = 32;  // per channel: writes queued at the controller at most
  // A request whose row has been opened for it no longer takes a queue entry (it waits in the bank:
  // Ramulator's "active buffer"). Needs the write queue (dram.write_queue_bursts > 0) to apply to reads.
  bool opened_leave_queue = true;
};

struct DramTraceResult {
  std::int64_t requests = 0, reads = 0, writes = 0;
  TimePs time_ps = 0;              // until the last request's data has crossed the bus
  TimePs last_accept_ps = 0;       // when the last request entered its controller
  TimePs read_latency_sum_ps = 0;  // enqueue -> last data beat, summed over reads
  std::int64_t row_hits = 0, row_misses = 0, activates = 0, refreshes = 0;
  Bytes bytes = 0;
  std::int64_t events = 0;         // controller decisions taken (wake-ups)
};

// Run `n` requests (`addr[i]`, a write when `write[i]` != 0) through the DRAM of `c`.
DramTraceResult simulate_dram_trace(const DramConfig& c, const std::int64_t* addr, const std::uint8_t* write,
                                    std::int64_t n, const DramTraceOptions& opt);

}  // namespace accelsim

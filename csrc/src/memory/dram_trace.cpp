#include "accelsim/memory/dram_trace.hpp"

#include <algorithm>
#include <vector>

#include "accelsim/error.hpp"
#include "accelsim/memory/dram.hpp"

namespace accelsim {

DramTraceResult simulate_dram_trace(const DramConfig& c, const std::int64_t* addr, const std::uint8_t* write,
                                    std::int64_t n, const DramTraceOptions& opt) {
  c.validate();
  require(n >= 0, "requests", "must be >= 0");
  require(opt.read_queue_entries >= 1, "read_queue_entries", "must be >= 1");
  require(opt.write_queue_entries >= 1, "write_queue_entries", "must be >= 1");
  for (std::int64_t i = 0; i < n; ++i) require(addr[i] >= 0, "address", "must be >= 0");
  DramTraceResult res;
  DramLevel dram(c, true);
  const int ports = dram.ports();
  const int per_channel = c.pcs_per_channel;
  const int channels = ports / per_channel;
  std::vector<int> queued_reads(static_cast<std::size_t>(channels), 0), queued_writes(static_cast<std::size_t>(channels), 0);
  std::vector<TimePs> wake(static_cast<std::size_t>(ports), kNever);
  TimePs now = 0;
  std::int64_t next = 0, done = 0;
  // the ports whose wake-up a decision may have moved (bit per port): recomputed in port order
  std::vector<std::uint64_t> touched((static_cast<std::size_t>(ports) + 63) / 64, 0);
  std::vector<int> channel_of(static_cast<std::size_t>(ports));  // (no division per request)
  for (int p = 0; p < ports; ++p) channel_of[static_cast<std::size_t>(p)] = p / per_channel;
  const bool split = opt.opened_leave_queue && c.write_queue_bursts > 0;
  // the next request's place in the DRAM (looked up once, not at every admission attempt)
  MemRequest next_r;
  int next_port = -1;
  std::int64_t placed = -1;  // the request next_r / next_port are for
  // Admit requests in trace order while their channel has a free entry.
  auto admit = [&]() __attribute__((always_inline)) {
    while (next < n) {
      if (placed != next) {
        next_r = MemRequest();
        next_port = dram.place(addr[next], &next_r);
        placed = next;
      }
      const int port = next_port;
      const int ch = channel_of[static_cast<std::size_t>(port)];
      const bool w = write[next] != 0;
      int& q = w ? queued_writes[static_cast<std::size_t>(ch)] : queued_reads[static_cast<std::size_t>(ch)];
      const int entries = w ? opt.write_queue_entries : opt.read_queue_entries;
      // With split queues an entry is taken by a queued request whose row is not yet open for it; q counts
      // the channel's queued requests, so only a channel whose q is at the limit needs the exact count.
      if (q >= entries) {
        std::int64_t occupied = q;
        if (split) {
          occupied = 0;
          for (int i = 0; i < per_channel; ++i) occupied += dram.waiting(ch * per_channel + i, w);
        }
        if (occupied >= entries) return;  // in order: the trace waits
      }
      ++q;
      MemRequest r = next_r;
      r.id = now;  // (the handle the controller hands back: when it entered)
      r.age = next;
      r.bursts = 1;
      r.write = w;
      r.arrive = now;
      dram.accept(port, r);
      touched[static_cast<std::size_t>(port) >> 6] |= std::uint64_t(1) << (port & 63);
      res.last_accept_ps = now;
      ++next;
    }
  };
  admit();
  while (true) {
    for (std::size_t w = 0; w < touched.size(); ++w) {
      for (std::uint64_t bits = touched[w]; bits; bits &= bits - 1) {
        const std::size_t i = w * 64 + static_cast<std::size_t>(__builtin_ctzll(bits));
        wake[i] = dram.next_event_ps(static_cast<int>(i), now);
      }
      touched[w] = 0;
    }
    if (done >= n) break;
    int p = 0;
    for (int i = 1; i < ports; ++i)
      if (wake[static_cast<std::size_t>(i)] < wake[static_cast<std::size_t>(p)]) p = i;
    if (wake[static_cast<std::size_t>(p)] >= kNever) throw SimError("dram trace: requests left but no port can act");
    now = wake[static_cast<std::size_t>(p)];
    ++res.events;
    const TimePs t = dram.next_event_ps(p, now);
    if (t > now) {
      wake[static_cast<std::size_t>(p)] = t;
      continue;
    }
    TimePs data_end = 0;
    MemRequest r;
    const bool served = dram.serve(p, now, &r, &data_end);  // else the row-command bus acted (rows opened)
    if (served) {
      ++done;
      const int ch = channel_of[static_cast<std::size_t>(p)];
      if (r.write) {
        --queued_writes[static_cast<std::size_t>(ch)];
        ++res.writes;
      } else {
        --queued_reads[static_cast<std::size_t>(ch)];
        ++res.reads;
        res.read_latency_sum_ps += data_end - r.id;
      }
      res.time_ps = std::max(res.time_ps, data_end);
    }
    if (served || split) admit();  // (opened rows free entries)
    touched[static_cast<std::size_t>(p) >> 6] |= std::uint64_t(1) << (p & 63);
  }
  const LevelStats s = dram.stats();
  res.requests = done;
  res.row_hits = s.row_hits;
  res.row_misses = s.row_misses;
  res.activates = s.row_misses + s.activates_ahead;
  res.refreshes = s.refreshes;
  res.bytes = s.read_bytes + s.write_bytes;
  return res;
}

}  // namespace accelsim

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
  std::vector<TimePs> arrive_of;  // per request id: when it entered
  arrive_of.reserve(static_cast<std::size_t>(n));
  TimePs now = 0;
  std::int64_t next = 0, done = 0;
  std::vector<char> touched(static_cast<std::size_t>(ports), 0);
  const bool split = opt.opened_leave_queue && c.write_queue_bursts > 0;
  // the next request's place in the DRAM (looked up once, not at every admission attempt)
  MemRequest next_r;
  int next_port = -1;
  std::int64_t placed = -1;  // the request next_r / next_port are for
  auto admit = [&]() {
    while (next < n) {
      if (placed != next) {
        next_r = MemRequest();
        next_port = dram.place(addr[next], &next_r);
        placed = next;
      }
      MemRequest r = next_r;
      const int port = next_port;
      const int ch = port / per_channel;
      const bool w = write[next] != 0;
      int& q = w ? queued_writes[static_cast<std::size_t>(ch)] : queued_reads[static_cast<std::size_t>(ch)];
      std::int64_t occupied = q;
      if (split) {
        occupied = 0;
        for (int i = 0; i < per_channel; ++i) occupied += dram.waiting(ch * per_channel + i, w);
      }
      if (occupied >= (w ? opt.write_queue_entries : opt.read_queue_entries)) return;  // in order: the trace waits
      ++q;
      r.id = next;
      r.age = next;
      r.bursts = 1;
      r.write = w;
      r.arrive = now;
      arrive_of.push_back(now);
      dram.accept(port, r);
      touched[static_cast<std::size_t>(port)] = 1;
      res.last_accept_ps = now;
      ++next;
    }
  };
  admit();
  for (int p = 0; p < ports; ++p)
    if (touched[static_cast<std::size_t>(p)]) wake[static_cast<std::size_t>(p)] = dram.next_event_ps(p, now);
  while (done < n) {
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
    if (!dram.serve(p, now, &r, &data_end)) {  // the row-command bus acted (rows opened: entries freed)
      std::fill(touched.begin(), touched.end(), 0);
      if (split) admit();
      touched[static_cast<std::size_t>(p)] = 1;
      for (int i = 0; i < ports; ++i)
        if (touched[static_cast<std::size_t>(i)]) wake[static_cast<std::size_t>(i)] = dram.next_event_ps(i, now);
      continue;
    }
    ++done;
    const int ch = p / per_channel;
    if (r.write) {
      --queued_writes[static_cast<std::size_t>(ch)];
      ++res.writes;
    } else {
      --queued_reads[static_cast<std::size_t>(ch)];
      ++res.reads;
      res.read_latency_sum_ps += data_end - arrive_of[static_cast<std::size_t>(r.id)];
    }
    res.time_ps = std::max(res.time_ps, data_end);
    std::fill(touched.begin(), touched.end(), 0);
    admit();
    touched[static_cast<std::size_t>(p)] = 1;
    for (int i = 0; i < ports; ++i)
      if (touched[static_cast<std::size_t>(i)]) wake[static_cast<std::size_t>(i)] = dram.next_event_ps(i, now);
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

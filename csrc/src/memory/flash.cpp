// High Bandwidth Flash read model: one stack is simulated (the stacks are identical and the pages are
// spread round-robin, so stack 0, which gets the most pages, finishes last).
//
// Each page read is issued when the stack has fewer than `pages_in_flight_per_stack` reads
// outstanding; its command reaches the controller half an access latency later, waits for its plane,
// occupies the plane for tR (array -> page register) and until the page has left over the plane's
// channel; the channel and then the stack interface move the page (cut-through); the page reaches the
// host half an access latency after its last byte leaves the interface. Issue slots are taken in page
// order at the earliest completion time (a min-heap), so issue times never decrease and every resource
// is granted first-come first-served. Integer picoseconds throughout.
#include "accelsim/memory/flash.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <queue>
#include <vector>

namespace accelsim {

FlashConfig FlashConfig::from(const Config& d) {
  FlashConfig c;
  c.stacks = d.require<int>("stacks");
  c.channels_per_stack = d.require<int>("channels_per_stack");
  c.planes_per_channel = d.require<int>("planes_per_channel");
  c.page_bytes = d.require<Bytes>("page_bytes");
  c.tR = ns_to_ps(d.require_finite("read_latency_us") * 1000.0);
  c.channel_bytes_per_ps = d.require_finite("channel_bandwidth_gb_per_s") * 1e-3;
  c.stack_bytes_per_ps = d.require_finite("stack_bandwidth_gb_per_s") * 1e-3;
  c.pages_in_flight_per_stack = d.require<std::int64_t>("pages_in_flight_per_stack");
  c.access_latency = d.require_ps("access_latency_ns");
  return c;
}

void FlashConfig::validate() const {
  require(stacks >= 1, "hbf.stacks", "must be >= 1");
  require(channels_per_stack >= 1, "hbf.channels_per_stack", "must be >= 1");
  require(planes_per_channel >= 1, "hbf.planes_per_channel", "must be >= 1");
  require(page_bytes >= 1, "hbf.page_bytes", "must be >= 1");
  require(tR > 0, "hbf.read_latency_us", "must be > 0");
  require(channel_bytes_per_ps > 0 && std::isfinite(channel_bytes_per_ps), "hbf.channel_bandwidth_gb_per_s", "must be > 0");
  require(stack_bytes_per_ps > 0 && std::isfinite(stack_bytes_per_ps), "hbf.stack_bandwidth_gb_per_s", "must be > 0");
  require(pages_in_flight_per_stack >= 1, "hbf.pages_in_flight_per_stack", "must be >= 1");
  require(access_latency >= 0, "hbf.access_latency_ns", "must be >= 0");
}

FlashResult simulate_flash_read(const FlashConfig& c, Bytes bytes) {
  c.validate();
  require(bytes >= 0, "bytes", "must be >= 0");
  FlashResult r;
  if (bytes == 0) return r;
  const std::int64_t pages = (bytes + c.page_bytes - 1) / c.page_bytes;
  const std::int64_t per_stack = (pages + c.stacks - 1) / c.stacks;  // stack 0's share
  r.pages = pages;
  r.bytes = pages * c.page_bytes;
  const int channels = c.channels_per_stack;
  const std::int64_t planes = static_cast<std::int64_t>(channels) * c.planes_per_channel;
  std::vector<TimePs> plane_free(static_cast<std::size_t>(planes), 0), channel_free(channels, 0);
  TimePs link_free = 0;
  const TimePs half = c.access_latency / 2, back = c.access_latency - half;
  const TimePs t_ch = div_ceil_ps(static_cast<double>(c.page_bytes), c.channel_bytes_per_ps);
  const TimePs t_link = div_ceil_ps(static_cast<double>(c.page_bytes), c.stack_bytes_per_ps);
  std::priority_queue<TimePs, std::vector<TimePs>, std::greater<TimePs>> done;  // completions in flight
  TimePs end = 0;
  for (std::int64_t j = 0; j < per_stack; ++j) {
    TimePs issue = 0;
    if (static_cast<std::int64_t>(done.size()) >= c.pages_in_flight_per_stack) {
      issue = done.top();
      done.pop();
    }
    const int ch = static_cast<int>(j % channels);
    const std::int64_t plane = ch + channels * ((j / channels) % c.planes_per_channel);
    const TimePs arrive = issue + half;
    const TimePs read_start = std::max(arrive, plane_free[plane]);
    const TimePs read_done = read_start + c.tR;
    const TimePs ch_start = std::max(read_done, channel_free[ch]);
    const TimePs ch_end = ch_start + t_ch;
    channel_free[ch] = ch_end;
    plane_free[plane] = ch_end;  // the page register is free once the page has left
    const TimePs link_start = std::max(ch_start, link_free);
    link_free = link_start + t_link;
    const TimePs link_end = std::max(link_free, ch_end);
    const TimePs complete = link_end + back;
    r.plane_busy_ps += ch_end - read_start;
    r.channel_busy_ps += t_ch;
    if (j == 0) r.first_page_ps = complete;
    end = std::max(end, complete);
    done.push(complete);
    r.events += 1;
  }
  r.time_ps = end;
  return r;
}

}  // namespace accelsim

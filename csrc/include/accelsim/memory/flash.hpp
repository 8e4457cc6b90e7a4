// High Bandwidth Flash read model: pages streamed from NAND planes over channels and a
// stack interface, with a bounded number of page reads in flight. Plain C++17, no Python.
#pragma once
#include <cstdint>

#include "accelsim/config.hpp"
#include "accelsim/error.hpp"
#include "accelsim/units.hpp"

namespace accelsim {

struct FlashConfig {
  int stacks = 1, channels_per_stack = 16, planes_per_channel = 4;
  Bytes page_bytes = 16384;
  TimePs tR = 5000000;                 // array read time (page -> page register)
  double channel_bytes_per_ps = 0.1;   // page transfer over one channel
  double stack_bytes_per_ps = 1.6;     // the stack's interface to the host
  std::int64_t pages_in_flight_per_stack = 1024;
  TimePs access_latency = 0;           // host <-> flash controller round trip
  // Read from the flat description of an HBF tier (field names as in the registry).
  static FlashConfig from(const Config& c);
  void validate() const;
};

struct FlashResult {
  TimePs time_ps = 0;         // first request to last byte at the host
  TimePs first_page_ps = 0;   // latency of the first page
  std::int64_t pages = 0;     // pages read over all stacks
  Bytes bytes = 0;            // bytes read (whole pages)
  TimePs plane_busy_ps = 0;   // summed over the simulated stack's planes
  TimePs channel_busy_ps = 0; // summed over the simulated stack's channels
  std::int64_t events = 0;
};

// Stream `bytes` (spread page by page round-robin over stacks, channels, planes) with at most
// `pages_in_flight_per_stack` outstanding reads per stack. Deterministic.
FlashResult simulate_flash_read(const FlashConfig& c, Bytes bytes);

}  // namespace accelsim

// The interface every memory level offers the engine. A level is a set of independently scheduled
// ports (a DRAM pseudo-channel, an SRAM bank); requests are placed on a port by address, accepted when
// they arrive, and served one at a time when the port says it is ready:
//
//   int port = level.place(addr, &r);  fills r's position (bank, row); the caller fills the rest
//   level.accept(port, r);             true: r may have moved its port's next_event_ps earlier
//   t = level.next_event_ps(port, now) earliest time >= now the port acts (kNever when idle)
//   level.serve(port, t, &r, &done)    at t: true and the request served (`done` = when its data is
//                                      through), or false when the port only did internal work
//
// The engine keeps one pending wake-up per port. Implementations: DramLevel (memory/dram.hpp),
// SramLevel (memory/sram.hpp). The registry (memory/registry.hpp) lists every kind and its fields.
#pragma once
#include <cstdint>

#include "accelsim/units.hpp"

namespace accelsim {

struct MemRequest {
  std::int64_t id = 0;   // the requester's handle (e.g. its in-flight slot), returned with the data
  std::int64_t age = 0;  // issue order: "oldest first" tie-breaks keep runs deterministic
  int unit = 0;          // requesting compute unit
  int bank = 0;          // bank index within its port (place() fills it)
  std::int64_t row = 0;  // row within the bank (DRAM; place() fills it)
  int bursts = 1;        // bursts moved by this request
  bool write = false;
  TimePs arrive = 0;     // when it reaches the port
};

// Counters of one level, summed over its ports.
struct LevelStats {
  std::int64_t requests = 0, row_hits = 0, row_misses = 0, refreshes = 0, activates_ahead = 0;
  Bytes read_bytes = 0, write_bytes = 0;
  TimePs bus_busy = 0;  // summed over ports
};

class MemoryLevel {
 public:
  virtual ~MemoryLevel() = default;
  virtual const char* kind() const = 0;
  virtual int ports() const = 0;
  // The port serving the granule at `addr`; fills r's position within the port (bank, row).
  virtual int place(Bytes addr, MemRequest* r) const = 0;
  virtual bool accept(int port, const MemRequest& r) = 0;
  virtual TimePs next_event_ps(int port, TimePs now) = 0;
  // Act at `now` (== next_event_ps(port, now)): serve the port's chosen request (true; *r = it, *done =
  // when its data has crossed the port), or only do internal work such as opening rows ahead (false).
  virtual bool serve(int port, TimePs now, MemRequest* r, TimePs* done) = 0;
  virtual LevelStats stats() const = 0;
};

}  // namespace accelsim

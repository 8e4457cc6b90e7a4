// The discrete-event engine: the compute units run the tiles of one kernel (compute/compute_units.hpp),
// their loads and stores go to the DRAM level (memory/dram.hpp), broadcast operands come from the
// on-chip level (memory/sram.hpp). Integer picoseconds; events ordered by (time, sequence number)
// (engine/event_queue.hpp), so ties are broken by creation order and every run is bit-identical.
#pragma once
#include <cstdint>
#include <vector>

#include "accelsim/compute/compute_units.hpp"
#include "accelsim/engine/event_queue.hpp"
#include "accelsim/kernel.hpp"
#include "accelsim/machine.hpp"
#include "accelsim/memory/dram.hpp"
#include "accelsim/memory/sram.hpp"

namespace accelsim {

class Engine {
 public:
  // f must be Fast or Detailed. Simulates one kernel on a fresh machine state.
  Engine(const MachineConfig& m, const KernelDesc& k, Fidelity f);
  KernelResult run();

 private:
  enum EvType : std::uint8_t { kUnitIssue, kPcArrive, kPcWake, kUnitReceive, kTileDone, kWriteDone };
  // Which FIFO of the EventQueue an event kind tries first (-1: heap only).
  static int fifo_of(EvType t) {
    switch (t) {
      case kUnitIssue: return 0;  // always created at "now"
      case kPcArrive: return 1;   // always created at "now + half the access latency"
      default: return -1;
    }
  }
  // Every event pushed is popped before the run ends, so events_ counts them here. A pseudo-channel's
  // wake-up is a timer of the queue: a newer one replaces the pending one, which is never popped (so no
  // version check is needed); the count includes it, as when superseded wake-ups were popped and ignored.
  void push(TimePs t, EvType type, int a, std::int64_t b) {
    if (type == kPcWake) {
      push_wake(t, a);
      return;
    }
    ++events_;
    q_.push(Event{t, seq_++, b, a, type, 0}, fifo_of(type));
  }
  void push_wake(TimePs t, int pc) {
    ++events_;
    q_.set_timer(pc, Event{t, seq_++, 0, pc, kPcWake, 0});
  }
  void push_lane(TimePs t, EvType type, int a, std::int64_t b, int lane) {
    ++events_;
    q_.push_lane(Event{t, seq_++, b, a, type, 0}, lane);
  }

  void start_tile(int u, int s, TimePs t);
  void schedule_issue(int u, TimePs t);
  void unit_issue(int u);
  void send_to_dram(Bytes addr, Bytes n, bool write, std::int64_t id, int u);
  void send_request(int pc, const MemRequest& where, Bytes addr, Bytes n, bool write, std::int64_t id, int u);
  void pc_arrive(int pc, std::int64_t idx);
  void wake_pc(int pc) { wake_pc_at(pc, dram_.next_event_ps(pc, now_)); }
  void wake_pc_at(int pc, TimePs t);
  void pc_wake(int pc);
  void unit_receive(std::int64_t id);
  void tile_done(int u, int s);

  const MachineConfig& m_;
  const KernelDesc& k_;
  Fidelity fidelity_;
  DramLevel dram_;
  SramLevel l2_;
  ComputeUnits cu_;
  ExactDiv burst_div_;
  std::vector<Load> loads_;  // scratch for unit_issue
  std::vector<TimePs> pc_wake_;
  std::vector<MemRequest> pending_reqs_;  // requests on their way to a controller (pooled)
  std::vector<std::int64_t> free_reqs_;
  std::vector<std::int64_t> load_left_;  // detailed: bursts of each in-flight load not yet served
  EventQueue q_;
  std::uint64_t seq_ = 0;
  std::int64_t next_age_ = 0;  // DRAM requests in the order the units issue them
  std::int64_t events_ = 0;
  TimePs now_ = 0, end_ = 0, half_lat_ = 0, first_data_ = kNever;
  Bytes write_pending_ = 0, absorb_ = 0;  // written bytes not yet in DRAM; how many of them the L2 holds
  // results land far from the streamed operands (their own rows)
  Bytes write_base_ = Bytes(1) << 44;
};

}  // namespace accelsim

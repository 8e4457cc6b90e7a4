// The DRAM memory level: the address map over its pseudo-channels (one port each) and their
// controllers (memory/dram_channel.hpp).
#pragma once
#include <memory>
#include <vector>

#include "accelsim/memory/address_map.hpp"
#include "accelsim/memory/dram_channel.hpp"
#include "accelsim/memory/level.hpp"

namespace accelsim {

class DramLevel final : public MemoryLevel {
 public:
  // activate_ahead: see PseudoChannel (needed when every burst is its own request)
  DramLevel(const DramConfig& c, bool activate_ahead);
  const char* kind() const override { return "dram"; }
  int ports() const override { return static_cast<int>(pcs_.size()); }
  int place(Bytes addr, MemRequest* r) const override {
    const DramAddress a = map_(addr);
    r->bank = a.bank;
    r->row = a.row;
    return a.pc;
  }
  bool accept(int port, const MemRequest& r) override { return pcs_[static_cast<std::size_t>(port)]->enqueue(r); }
  // r as r.bursts requests of one burst each (ages r.age, r.age + 1, ...), queued as one entry: the
  // same decisions as accepting them one by one (see PseudoChannel::enqueue)
  bool accept_split(int port, const MemRequest& r) { return pcs_[static_cast<std::size_t>(port)]->enqueue(r, true); }
  TimePs next_event_ps(int port, TimePs now) override {
    return pcs_[static_cast<std::size_t>(port)]->next_issue_time(now);
  }
  bool serve(int port, TimePs now, MemRequest* r, TimePs* done) override {
    return pcs_[static_cast<std::size_t>(port)]->issue(now, r, done);
  }
  LevelStats stats() const override;
  // Queued requests of a port (reads, or writes) not yet given a row of their own (see PseudoChannel).
  std::int64_t waiting(int port, bool write) const {
    const PseudoChannel& pc = *pcs_[static_cast<std::size_t>(port)];
    const int q = write && c_.write_queue_bursts > 0 ? 1 : 0;
    return pc.queued(q) - pc.active(q);
  }
  const DramConfig& config() const { return c_; }

 private:
  const DramConfig& c_;
  AddressMap map_;
  std::vector<CommandBus> buses_;  // with shared command buses: per channel, its row and column bus
  std::vector<std::unique_ptr<PseudoChannel>> pcs_;
};

}  // namespace accelsim

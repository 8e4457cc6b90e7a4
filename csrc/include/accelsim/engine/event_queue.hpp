// The engine's pending events, popped in (time, sequence) order: ties at one time go in creation order,
// so every run is bit-identical. Header-only (the hot loop inlines it).
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "accelsim/units.hpp"

namespace accelsim {

// One pending event. `type`, `a` and `b` are the owner's (the engine's event kind, a unit or port, a
// request slot or version); the queue only orders by (t, seq).
struct Event {
  TimePs t;
  std::uint64_t seq;
  std::int64_t b;
  int a;
  // (32 bytes in all: the heap moves fewer bytes and four children share two cache lines)
  std::uint32_t type : 8;
  std::uint32_t lane1 : 24;  // 1 + the EventQueue lane this event heads in the heap (0: none)
  bool before(const Event& o) const { return t != o.t ? t < o.t : seq < o.seq; }
};

static_assert(sizeof(Event) == 32, "Event: 32 bytes");

// Pending events, popped in (time, sequence) order. A 4-ary min-heap, plus FIFOs: most event kinds are
// created at times that never decrease (e.g. "now" or "now + constant"), and an event whose time is not
// below its FIFO's tail is kept there in O(1) instead (the FIFO stays sorted by (time, sequence) since
// sequence numbers only grow). Lanes do the same for event streams that are monotone per source (data
// returning from one pseudo-channel, whose bus serialises it): only each lane's head sits in the heap,
// so the heap holds about one event per lane instead of one per request in flight. Timers hold the
// events of sources with one live event each (a pseudo-channel's next wake-up), in a tournament tree
// updated in place. Popping takes the least of the heap top, the FIFO heads and the earliest timer, so
// the order is exactly that of a single priority queue.
class EventQueue {
 public:
  static constexpr int kFifos = 2;
  static constexpr int kMaxLanes = (1 << 24) - 1;  // lanes an event can name (Event::lane1)

  // timers: slots each holding at most one pending event (see set_timer)
  explicit EventQueue(int lanes = 0, int timers = 0)
      : lanes_(static_cast<std::size_t>(std::min(std::max(0, lanes), kMaxLanes))) {
    if (timers > 0) {
      tn_ = static_cast<std::size_t>(std::max(2, timers));
      while ((std::size_t(1) << slot_bits_) < tn_) ++slot_bits_;
      node_.assign(2 * tn_, kNoTimer);
      tev_.resize(tn_);
    }
  }

  bool empty() const { return heap_.empty() && fifo_size_total_ == 0 && timers_ == 0; }

  // Slot `slot`'s pending event becomes e, replacing the one it held (which is never popped). For a
  // source with at most one live event whose superseded ones would be ignored when popped: they are
  // dropped instead, and the heap does not carry them. O(log slots), no event moved.
  void set_timer(int slot, const Event& e) {
    const std::size_t s = static_cast<std::size_t>(slot);
    if (fix_ != kNoFix && fix_ != s) timer_update(fix_);
    fix_ = kNoFix;
    if (node_[tn_ + s] == kNoTimer) ++timers_;
    // (time, sequence) and the slot below the sequence: the order of (time, sequence), sequences being
    // distinct (they fit: 2^(64 - slot bits) events would take years to simulate)
    node_[tn_ + s] = (static_cast<unsigned __int128>(static_cast<std::uint64_t>(e.t)) << 64) |
                     (e.seq << slot_bits_) | s;
    tev_[s] = e;
    timer_update(s);
  }

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
    if (lane >= kMaxLanes) {  // (beyond the lanes an event can name: an ordinary heap event)
      e.lane1 = 0;
      heap_push(e);
      return;
    }
    Lane& l = lanes_[static_cast<std::size_t>(lane)];
    if (!l.head_in_heap) {
      e.lane1 = static_cast<std::uint32_t>(lane) + 1;
      l.head_in_heap = true;
      l.last_t = e.t;
      heap_push(e);
    } else if (e.t >= l.last_t) {
      e.lane1 = 0;
      l.last_t = e.t;
      l.rest.push_back(e);
    } else {
      e.lane1 = 0;  // out of order for its lane: an ordinary heap event
      heap_push(e);
    }
  }

  Event pop() {
    int src = -1;  // -1 heap, else FIFO index (kFifos: the timers)
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
    if (fix_ != kNoFix) {
      timer_update(fix_);
      fix_ = kNoFix;
    }
    if (timers_ > 0 && (best == nullptr || key(tev_[root_slot()]) < key(*best))) {
      // (the tree is brought up to date at the next set_timer or pop: usually the popped slot's own
      // next event, one walk instead of two)
      const std::size_t s = root_slot();
      node_[tn_ + s] = kNoTimer;
      --timers_;
      fix_ = s;
      return tev_[s];
    }
    if (src >= 0) {
      const Event e = *best;
      fifos_[src].pop_front();
      --fifo_size_total_;
      return e;
    }
    const Event top = heap_[0];
    if (top.lane1 != 0) {
      Lane& l = lanes_[static_cast<std::size_t>(top.lane1 - 1)];
      if (l.rest.size > 0) {  // the lane's next event takes its place at the top
        Event next = l.rest.front();
        l.rest.pop_front();
        next.lane1 = top.lane1;
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

  // The timers: a tournament tree over the slots, node i the least key of its children 2i and 2i + 1
  // (a complete binary tree: every node below the root has parent i / 2 and sibling i ^ 1), slot s's
  // key at leaf tn_ + s; a key is (time, sequence, slot) as one number, a free slot's kNoTimer, above
  // every event's.
  static constexpr unsigned __int128 kNoTimer = ~static_cast<unsigned __int128>(0);
  static constexpr std::size_t kNoFix = ~static_cast<std::size_t>(0);
  std::size_t root_slot() const {
    return static_cast<std::size_t>(static_cast<std::uint64_t>(node_[1]) & ((std::uint64_t(1) << slot_bits_) - 1));
  }
  void timer_update(std::size_t s) {
    std::size_t i = tn_ + s;
    unsigned __int128 k = node_[i];
    const unsigned __int128* n = node_.data();
    unsigned __int128* w = node_.data();
    for (; i > 1; i >>= 1) {
      const unsigned __int128 o = n[i ^ 1];
      k = o < k ? o : k;
      w[i >> 1] = k;
    }
  }
  std::size_t tn_ = 0;        // timer slots (>= 2)
  int slot_bits_ = 1;         // bits of a slot in a key
  std::size_t timers_ = 0;    // pending
  std::size_t fix_ = kNoFix;  // a slot popped whose path in the tree is not updated yet
  std::vector<unsigned __int128> node_;  // [1, 2 tn_): the tree, leaves from tn_
  std::vector<Event> tev_;

  std::vector<Event> heap_;
  Fifo fifos_[kFifos];
  std::vector<Lane> lanes_;
  std::size_t fifo_size_total_ = 0;
};

}  // namespace accelsim

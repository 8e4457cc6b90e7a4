// Unit tests of the DRAM pseudo-channel model (csrc/include/accelsim/dram.hpp) against the timing
// table: what the Python tests cannot see. The channel is driven the way the engine drives it
// (next_issue_time until it stops moving, then issue), and the command times are read back from what
// the model exposes: the first command time (ACT for a miss on a closed bank, PRE for a miss on an
// open one, the column command for a row hit) and the time the last data beat leaves the bus (column
// time = data end - tCL - bursts * tBL).
#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <tuple>
#include <random>
#include <vector>

#include "accelsim/memory/address_map.hpp"
#include "accelsim/memory/dram_channel.hpp"
#include "harness.hpp"

using namespace accelsim;

namespace {

DramConfig table() {
  DramConfig c;
  c.stacks = 1;
  c.channels_per_stack = 1;
  c.pcs_per_channel = 1;
  c.bank_groups = 4;
  c.banks_per_group = 4;
  c.row_bytes = 1024;
  c.burst_bytes = 32;
  c.interleave_bytes = 256;
  // distinct values so that each constraint is recognisable in the expected numbers (ps)
  c.tBL = 1000;
  c.tCL = 10000;
  c.tRCD = 14000;
  c.tRP = 15000;
  c.tRAS = 33000;
  c.tRRD_S = 2000;
  c.tRRD_L = 4000;
  c.tFAW = 30000;
  c.tCCD_S = 1000;
  c.tCCD_L = 2000;
  c.tWTR = 7000;
  c.tRTW = 9000;
  c.tRFC = 200000;
  c.tREFI = TimePs(1) << 50;  // no refresh unless a test asks for it
  c.tRFCpb = 0;
  return c;
}

struct Issued {
  DramRequest r;
  TimePs first = 0;  // first command: ACT (closed-bank miss), PRE (open-bank miss), column (hit)
  TimePs col = 0;    // column command
  TimePs end = 0;    // last data beat leaves the bus
  bool hit = false;
};

DramRequest req(std::int64_t id, int bank, std::int64_t row, bool write = false, int bursts = 1, TimePs arrive = 0) {
  DramRequest r;
  r.id = id;
  r.age = id;  // issue order = id in these tests (FR-FCFS "oldest first")
  r.bank = bank;
  r.row = row;
  r.write = write;
  r.bursts = bursts;
  r.arrive = arrive;
  return r;
}

// The engine's loop: ask when the next command is due, move there, ask again until the answer stays.
Issued issue_next(PseudoChannel& pc, const DramConfig& c, TimePs& now) {
  TimePs t = pc.next_issue_time(now);
  CHECK_GE(t, now);
  while (t > now) {
    now = t;
    t = pc.next_issue_time(now);
  }
  Issued out;
  out.first = now;
  const auto hits = pc.stats().row_hits;
  CHECK(pc.issue(now, &out.r, &out.end));
  out.hit = pc.stats().row_hits > hits;
  out.col = out.end - c.tCL - out.r.bursts * c.tBL;
  return out;
}

}  // namespace

TEST_CASE("ACT to first column command is exactly tRCD on an idle bank") {
  const DramConfig c = table();
  PseudoChannel pc(c, 0);
  pc.enqueue(req(0, 0, 5));
  TimePs now = 0;
  const Issued a = issue_next(pc, c, now);
  CHECK_EQ(a.first, TimePs(0));        // the ACT goes out at once
  CHECK_EQ(a.col, c.tRCD);             // RD at ACT + tRCD
  CHECK_EQ(a.end, c.tRCD + c.tCL + c.tBL);
  CHECK(!a.hit);
  CHECK_EQ(pc.stats().row_misses, std::int64_t(1));
}

TEST_CASE("command bus: a command goes at the first time it overlaps none placed, runs interleave") {
  CommandBus bus(2);
  CHECK_EQ(bus.fit(100, 10), TimePs(100));
  bus.place(0, 0, 100, 10);
  CHECK_EQ(bus.fit(95, 10), TimePs(110));   // would overlap [100, 110)
  CHECK_EQ(bus.fit(90, 10), TimePs(90));    // ends as it starts
  CHECK_EQ(bus.fit(105, 5), TimePs(110));
  CHECK_EQ(bus.free_from(103), TimePs(110));
  bus.place(0, 0, 120, 10, 4, 20);             // [120, 130), [140, 150), [160, 170), [180, 190)
  CHECK_EQ(bus.fit(125, 10), TimePs(130));
  CHECK_EQ(bus.fit(130, 10, 3, 20), TimePs(130));  // 130, 150, 170: between them
  CHECK_EQ(bus.fit(131, 10, 3, 20), TimePs(150));  // 131 would overlap [140, 150)
  CHECK_EQ(bus.fit(115, 10, 3, 20), TimePs(130));  // 115 overlaps [120, 130)
  CHECK_EQ(bus.fit(175, 10, 1), TimePs(190));
  CHECK_EQ(bus.fit(170, 10, 2, 20), TimePs(170));
  CHECK_EQ(bus.fit(171, 10, 2, 20), TimePs(190));  // [171, 181) overlaps [180, 190); 190, 210 are after the run
  bus.watch(0, 305, 315);
  bus.watch(1, 0, 1000);
  bus.place(200, 1, 300, 10);               // forgets the runs ended by 200
  CHECK(bus.disturbed(0));                  // user 0 sees user 1's command where it watches
  CHECK(!bus.disturbed(1));                 // not its own
  bus.watch(0, 310, 320);
  bus.place(200, 1, 320, 10);
  CHECK(!bus.disturbed(0));
  CHECK_EQ(bus.fit(100, 10), TimePs(100));
}

TEST_CASE("two pseudo-channels sharing a row-command bus: their ACTs never overlap on it") {
  DramConfig c = table();
  c.pcs_per_channel = 2;
  c.shared_command_bus = true;
  c.cmd_col = 500;
  c.cmd_act = 1000;
  c.cmd_pre = 500;
  CommandBus row(2), col(2);
  PseudoChannel a(c, 0, true, &row, &col), b(c, 1, true, &row, &col);
  a.enqueue(req(0, 0, 5));
  b.enqueue(req(1, 0, 7));
  TimePs now = 0;
  const Issued x = issue_next(a, c, now);
  TimePs now_b = 0;
  const Issued y = issue_next(b, c, now_b);
  CHECK_EQ(x.first, TimePs(0));        // a's ACT at 0 holds the row bus for 1000 ps
  CHECK_EQ(y.first, c.cmd_act);        // b's ACT waits for the bus ...
  CHECK_EQ(y.col, c.cmd_act + c.tRCD);  // ... and its RD is tRCD after it
  CHECK_EQ(x.col, c.tRCD);
}

TEST_CASE("row hit in the same bank follows after tCCD_L, no ACT") {
  const DramConfig c = table();
  PseudoChannel pc(c, 0);
  pc.enqueue(req(0, 0, 5));
  TimePs now = 0;
  const Issued a = issue_next(pc, c, now);
  pc.enqueue(req(1, 0, 5));
  const Issued b = issue_next(pc, c, now);
  CHECK(b.hit);
  CHECK_EQ(b.first, b.col);
  CHECK_EQ(b.col - a.col, c.tCCD_L);
  CHECK_EQ(pc.stats().row_hits, std::int64_t(1));
}

TEST_CASE("row conflict: PRE not before ACT + tRAS, ACT after PRE + tRP, RD after ACT + tRCD") {
  const DramConfig c = table();
  PseudoChannel pc(c, 0);
  pc.enqueue(req(0, 0, 5));
  TimePs now = 0;
  issue_next(pc, c, now);
  pc.enqueue(req(1, 0, 7));
  const Issued b = issue_next(pc, c, now);
  CHECK(!b.hit);
  CHECK_EQ(b.first, c.tRAS);                   // PRE waits for tRAS after the ACT at 0
  CHECK_EQ(b.col, c.tRAS + c.tRP + c.tRCD);    // then tRP, then ACT, then tRCD
}

TEST_CASE("PRE also waits for the bank's last column command (read to precharge)") {
  DramConfig c = table();
  c.tRAS = c.tRCD;  // tRAS no longer binds
  PseudoChannel pc(c, 0);
  pc.enqueue(req(0, 0, 5, false, 4));  // 4 bursts: column commands up to tRCD + 4 tCCD_L
  TimePs now = 0;
  const Issued a = issue_next(pc, c, now);
  pc.enqueue(req(1, 0, 7));
  const Issued b = issue_next(pc, c, now);
  CHECK_EQ(b.first, a.col + 4 * c.tCCD_L);
  CHECK_EQ(b.col, b.first + c.tRP + c.tRCD);
}

TEST_CASE("tRRD_S between ACTs to different bank groups, tRRD_L within one") {
  const DramConfig c = table();
  {
    PseudoChannel pc(c, 0);
    pc.enqueue(req(0, 0, 1));
    pc.enqueue(req(1, 1, 1));  // bank 1: bank group 1
    TimePs now = 0;
    const Issued a = issue_next(pc, c, now);
    const Issued b = issue_next(pc, c, now);
    CHECK_EQ(a.r.id, std::int64_t(0));
    CHECK_EQ(b.first - a.first, c.tRRD_S);
    CHECK_EQ(b.col, b.first + c.tRCD);
  }
  {
    PseudoChannel pc(c, 0);
    pc.enqueue(req(0, 0, 1));
    pc.enqueue(req(1, 4, 1));  // bank 4: bank group 0 again
    TimePs now = 0;
    const Issued a = issue_next(pc, c, now);
    const Issued b = issue_next(pc, c, now);
    CHECK_EQ(b.first - a.first, c.tRRD_L);
    CHECK_EQ(b.col, b.first + c.tRCD);
  }
}

TEST_CASE("tFAW: the fifth ACT waits for the four-activate window") {
  const DramConfig c = table();
  PseudoChannel pc(c, 0);
  const int banks[5] = {0, 1, 2, 3, 5};
  for (int i = 0; i < 5; ++i) pc.enqueue(req(i, banks[i], 10 + i));
  TimePs now = 0;
  std::vector<TimePs> acts;
  for (int i = 0; i < 5; ++i) {
    const Issued x = issue_next(pc, c, now);
    CHECK(!x.hit);
    acts.push_back(x.first);  // every bank was closed: the first command is the ACT
  }
  for (int i = 1; i < 5; ++i) CHECK_GE(acts[i] - acts[i - 1], c.tRRD_S);
  CHECK_EQ(acts[3], 3 * c.tRRD_S);  // four ACTs at tRRD_S spacing...
  CHECK_EQ(acts[4], acts[0] + c.tFAW);  // ...and the fifth at the window's end
}

TEST_CASE("all-bank refresh closes rows and blocks ACTs for tRP + tRFC") {
  DramConfig c = table();
  c.tREFI = 2000000;  // the only pseudo-channel's first refresh is due at tREFI / 2
  const TimePs due = c.tREFI / 2;
  PseudoChannel pc(c, 0);
  pc.enqueue(req(0, 0, 5));
  TimePs now = 0;
  issue_next(pc, c, now);
  CHECK_EQ(pc.stats().refreshes, std::int64_t(0));
  now = due;
  pc.enqueue(req(1, 1, 3));
  pc.enqueue(req(2, 0, 5));  // was open before the refresh: now a miss
  const Issued a = issue_next(pc, c, now);
  CHECK_EQ(pc.stats().refreshes, std::int64_t(1));
  CHECK_EQ(a.first, due + c.tRP + c.tRFC);  // a row was open: precharge-all, then tRFC
  const Issued b = issue_next(pc, c, now);
  CHECK(!a.hit);
  CHECK(!b.hit);
  CHECK_EQ(pc.stats().row_hits, std::int64_t(0));
}

TEST_CASE("all-bank refresh with every row closed blocks for tRFC only") {
  DramConfig c = table();
  c.tREFI = 2000000;
  const TimePs due = c.tREFI / 2;
  PseudoChannel pc(c, 0);
  TimePs now = due + 10;
  pc.enqueue(req(0, 2, 3));
  const Issued a = issue_next(pc, c, now);
  CHECK_EQ(a.first, due + c.tRFC);
}

TEST_CASE("a refresh that falls due inside a request's PRE-ACT-RD sequence is postponed past its data") {
  // The model commits a request's commands together; a refresh due meanwhile starts once that
  // request's data is off the bus and the open rows may be precharged (JEDEC allows postponing REF).
  DramConfig c = table();
  c.tREFI = 2000000;
  const TimePs due = c.tREFI / 2;
  PseudoChannel pc(c, 0);
  pc.enqueue(req(0, 0, 5));
  TimePs now = 0;
  issue_next(pc, c, now);
  now = due - 1000;  // the conflict's PRE goes at due - 1000, its ACT after the refresh is due
  pc.enqueue(req(1, 0, 7));
  const Issued b = issue_next(pc, c, now);
  CHECK_EQ(b.first, due - 1000);
  CHECK_EQ(pc.stats().refreshes, std::int64_t(0));
  pc.enqueue(req(2, 2, 3));
  const Issued d = issue_next(pc, c, now);
  CHECK_EQ(pc.stats().refreshes, std::int64_t(1));
  const TimePs b_act = b.col - c.tRCD;
  CHECK_GE(d.first, b.end + c.tRP + c.tRFC);                // after the data, precharge-all, tRFC
  CHECK_EQ(d.first, std::max(b.end, b_act + c.tRAS) + c.tRP + c.tRFC);
}

TEST_CASE("per-bank refresh blocks only the bank being refreshed") {
  DramConfig c = table();
  c.tREFI = 1600000;
  c.tRFCpb = 100000;
  c.refresh = RefreshKind::PerBank;
  const TimePs step = c.tREFI / c.banks();  // bank 0 of pseudo-channel 0 is refreshed first, at `step`
  PseudoChannel pc(c, 0);
  TimePs now = step;
  pc.enqueue(req(0, 0, 1));
  pc.enqueue(req(1, 1, 1));
  const Issued a = issue_next(pc, c, now);
  const Issued b = issue_next(pc, c, now);
  CHECK_EQ(a.r.id, std::int64_t(1));          // bank 1 is free
  CHECK_EQ(a.first, step);
  CHECK_EQ(b.r.id, std::int64_t(0));
  CHECK_EQ(b.first, step + c.tRFCpb);          // bank 0 waits out its tRFCpb
  CHECK_GE(pc.stats().refreshes, std::int64_t(1));
}

TEST_CASE("a long idle stretch: refreshes caught up in O(1), same state as one by one") {
  for (const bool per_bank : {false, true}) {
    DramConfig c = table();
    c.tREFI = 3900000;
    c.tRFC = 350000;
    if (per_bank) c.tRFCpb = 160000;
    PseudoChannel walked(c, 0), jumped(c, 0);
    TimePs now_w = 0, now_j = 0;
    for (PseudoChannel* pc : {&walked, &jumped}) {  // leave a row open
      pc->enqueue(req(0, 3, 5));
      TimePs& now = pc == &walked ? now_w : now_j;
      issue_next(*pc, c, now);
    }
    const TimePs until = 1000 * c.tREFI + 12345;
    for (TimePs t = now_w; t < until; t += c.tREFI / 3) walked.next_issue_time(t);  // never far behind
    walked.next_issue_time(until);
    jumped.next_issue_time(until);
    CHECK_EQ(walked.stats().refreshes, jumped.stats().refreshes);
    CHECK_GE(jumped.stats().refreshes, std::int64_t(1000));
    for (int b : {0, 3, 7}) {  // the next ACT in any bank is due at the same time
      walked.enqueue(req(1 + b, b, 9));
      jumped.enqueue(req(1 + b, b, 9));
      now_w = now_j = until;
      const Issued w = issue_next(walked, c, now_w);
      const Issued j = issue_next(jumped, c, now_j);
      CHECK_EQ(w.first, j.first);
      CHECK_EQ(w.col, j.col);
    }
  }
}

TEST_CASE("days of idle simulated time do not hang the refresh loop") {
  DramConfig c = table();
  c.tREFI = 3900000;
  PseudoChannel pc(c, 0);
  const TimePs days = TimePs(1) << 59;  // ~6.7 days in ps: ~1.5e11 refresh intervals
  CHECK_EQ(pc.next_issue_time(days), std::numeric_limits<TimePs>::max() / 4);  // nothing queued: never
  CHECK_GE(pc.stats().refreshes, days / c.tREFI - 1);
}

TEST_CASE("read to write turnaround tRTW, write to read tWTR after the write data") {
  const DramConfig c = table();
  PseudoChannel pc(c, 0);
  pc.enqueue(req(0, 0, 5));
  TimePs now = 0;
  const Issued rd = issue_next(pc, c, now);
  pc.enqueue(req(1, 0, 5, true));
  const Issued wr = issue_next(pc, c, now);
  CHECK(wr.hit);
  CHECK_EQ(wr.col - rd.col, c.tRTW);
  pc.enqueue(req(2, 0, 5));
  const Issued rd2 = issue_next(pc, c, now);
  CHECK_EQ(rd2.col, wr.end + c.tWTR);
  CHECK_EQ(pc.stats().write_bytes, c.burst_bytes);
  CHECK_EQ(pc.stats().read_bytes, 2 * c.burst_bytes);
}

TEST_CASE("FR-FCFS: a younger row hit in the bank goes before the older miss") {
  const DramConfig c = table();
  PseudoChannel pc(c, 0);
  pc.enqueue(req(0, 0, 5));
  TimePs now = 0;
  issue_next(pc, c, now);
  pc.enqueue(req(1, 0, 9));
  pc.enqueue(req(2, 0, 5));
  const Issued a = issue_next(pc, c, now);
  const Issued b = issue_next(pc, c, now);
  CHECK_EQ(a.r.id, std::int64_t(2));
  CHECK(a.hit);
  CHECK_EQ(b.r.id, std::int64_t(1));
  CHECK(!b.hit);
}

TEST_CASE("FR-FCFS: a ready row hit beats an older miss in another bank") {
  const DramConfig c = table();
  PseudoChannel pc(c, 0);
  pc.enqueue(req(0, 0, 5));
  TimePs now = 0;
  issue_next(pc, c, now);
  pc.enqueue(req(1, 1, 3));  // older, closed bank
  pc.enqueue(req(2, 0, 5));  // younger, row hit
  const Issued a = issue_next(pc, c, now);
  CHECK_EQ(a.r.id, std::int64_t(2));
  CHECK(a.hit);
}

TEST_CASE("FR-FCFS: between equally ready requests the oldest goes first, whatever the bank") {
  const DramConfig c = table();
  {
    PseudoChannel pc(c, 0);
    pc.enqueue(req(7, 2, 1));
    pc.enqueue(req(3, 1, 1));  // enqueued later, but older (lower id)
    TimePs now = 1000000;
    const Issued a = issue_next(pc, c, now);
    CHECK_EQ(a.r.id, std::int64_t(3));
  }
  {
    PseudoChannel pc(c, 0);
    pc.enqueue(req(0, 1, 4));
    pc.enqueue(req(1, 2, 4));
    TimePs now = 0;
    issue_next(pc, c, now);
    issue_next(pc, c, now);
    now += 1000000;  // long idle: both open rows are equally ready
    pc.enqueue(req(20, 2, 4));
    pc.enqueue(req(11, 1, 4));
    const Issued a = issue_next(pc, c, now);
    const Issued b = issue_next(pc, c, now);
    CHECK(a.hit);
    CHECK(b.hit);
    CHECK_EQ(a.r.id, std::int64_t(11));
    CHECK_EQ(b.r.id, std::int64_t(20));
  }
}

TEST_CASE("FR-FCFS looks only a bounded depth into a bank's queue for a row hit") {
  const DramConfig c = table();
  PseudoChannel pc(c, 0);
  pc.enqueue(req(0, 0, 5));
  TimePs now = 0;
  issue_next(pc, c, now);
  for (int i = 1; i <= 64; ++i) pc.enqueue(req(i, 0, 9));
  pc.enqueue(req(100, 0, 5));  // a hit far behind 64 misses: not allowed to starve them
  const Issued a = issue_next(pc, c, now);
  CHECK_EQ(a.r.id, std::int64_t(1));
}

TEST_CASE("random request streams obey the timing table") {
  std::mt19937_64 rng(12345);
  for (int trial = 0; trial < 60; ++trial) {
    DramConfig c = table();
    auto pick = [&](TimePs lo, TimePs hi) { return std::uniform_int_distribution<TimePs>(lo, hi)(rng); };
    c.bank_groups = static_cast<int>(pick(1, 4));
    c.banks_per_group = static_cast<int>(pick(1, 4));
    c.tBL = pick(500, 2000);
    c.tCL = pick(1000, 20000);
    c.tRCD = pick(1000, 20000);
    c.tRP = pick(1000, 20000);
    c.tRAS = c.tRCD + pick(0, 30000);
    c.tRRD_S = pick(0, 5000);
    c.tRRD_L = c.tRRD_S + pick(0, 5000);
    c.tFAW = c.tRRD_S + pick(0, 40000);
    c.tCCD_S = pick(500, 3000);
    c.tCCD_L = c.tCCD_S + pick(0, 3000);
    c.tWTR = pick(0, 10000);
    c.tRTW = pick(0, 10000);
    const bool ahead = trial % 2 == 1;
    PseudoChannel pc(c, 0, ahead);
    // arrivals
    std::vector<DramRequest> arrivals;
    TimePs t = 0;
    const int n = 300;
    for (int i = 0; i < n; ++i) {
      t += pick(0, 3000);
      arrivals.push_back(req(i, static_cast<int>(pick(0, c.banks() - 1)), pick(0, 3), pick(0, 4) == 0,
                             static_cast<int>(pick(1, 4)), t));
    }
    std::vector<Issued> out;
    std::size_t next = 0;
    TimePs now = 0;
    while (out.size() < arrivals.size()) {
      const TimePs due = pc.empty() ? std::numeric_limits<TimePs>::max() : pc.next_issue_time(now);
      if (next < arrivals.size() && arrivals[next].arrive <= due) {
        now = std::max(now, arrivals[next].arrive);
        pc.enqueue(arrivals[next++]);
        continue;
      }
      CHECK_GE(due, now);
      now = due;
      if (pc.next_issue_time(now) > now) continue;
      Issued x;
      x.first = now;
      const auto hits = pc.stats().row_hits;
      if (!pc.issue(now, &x.r, &x.end)) continue;  // only rows opened ahead
      x.hit = pc.stats().row_hits > hits;
      x.col = x.end - c.tCL - x.r.bursts * c.tBL;
      out.push_back(x);
    }
    // invariants over the issued sequence
    std::map<int, std::int64_t> open_row;     // shadow of the open rows (no refresh in this test)
    std::map<int, TimePs> act_lb;             // lower bound of each bank's last ACT
    std::map<int, TimePs> bank_last_col;
    Bytes rd = 0, wr = 0;
    for (std::size_t i = 0; i < out.size(); ++i) {
      const Issued& x = out[i];
      const int b = x.r.bank;
      CHECK_GE(x.first, x.r.arrive);
      CHECK_GE(x.col, x.first);
      (x.r.write ? wr : rd) += x.r.bursts * c.burst_bytes;
      // a hit is exactly a request to the bank's open row (activate-ahead opens rows behind our back,
      // so there only the column/bus rules below are checked)
      const bool was_open = open_row.count(b) > 0;
      if (!ahead) CHECK_EQ(x.hit, was_open && open_row[b] == x.r.row);
      if (!ahead && !x.hit) {
        if (was_open) {
          CHECK_GE(x.first, act_lb[b] + c.tRAS);   // PRE after tRAS
          CHECK_GE(x.first, bank_last_col[b]);     // and after the bank's last column command
          act_lb[b] = x.first + c.tRP;             // ACT after tRP
        } else {
          act_lb[b] = x.first;                     // closed bank: the first command is the ACT
        }
        CHECK_GE(x.col, act_lb[b] + c.tRCD);
        open_row[b] = x.r.row;
      }
      bank_last_col[b] = x.col + (x.r.bursts - 1) * c.tCCD_L;
      if (i == 0) continue;
      const Issued& p = out[i - 1];
      CHECK_GE(x.col, p.col);                                   // in order on the command bus
      CHECK_GE(x.end - x.r.bursts * c.tBL, p.end);              // data bursts never overlap
      CHECK_GE(x.col - p.col, p.r.bursts * c.tCCD_S);           // tCCD_S
      if (b % c.bank_groups == p.r.bank % c.bank_groups) CHECK_GE(x.col - p.col, p.r.bursts * c.tCCD_L);
      if (x.r.write && !p.r.write) CHECK_GE(x.col, p.col + (p.r.bursts - 1) * c.tCCD_S + c.tRTW);
      if (!x.r.write && p.r.write) CHECK_GE(x.col, p.end + c.tWTR);
    }
    CHECK(pc.empty());
    CHECK_EQ(pc.stats().requests, static_cast<std::int64_t>(n));
    CHECK_EQ(pc.stats().read_bytes, rd);
    CHECK_EQ(pc.stats().write_bytes, wr);
  }
}

TEST_CASE("address map: every pseudo-channel once per group, banks and rows in range") {
  DramConfig c = table();
  c.stacks = 2;
  c.channels_per_stack = 3;  // 12 pseudo-channels: the non-power-of-two divider path
  c.pcs_per_channel = 2;
  c.bank_groups = 3;
  c.banks_per_group = 4;
  const AddressMap map(c);
  const int npc = c.pseudo_channels();
  std::map<std::tuple<int, int, std::int64_t>, int> seen;  // (pc, bank, row) -> granules landed there
  for (std::int64_t g = 0; g < 500; ++g) {
    std::vector<int> count(npc, 0);
    for (int i = 0; i < npc; ++i) {
      const Bytes addr = (g * npc + i) * c.interleave_bytes;
      const DramAddress a = map(addr);
      const DramAddress b = map_address(c, addr + c.interleave_bytes - 1);  // same granule
      CHECK_EQ(a.pc, b.pc);
      CHECK_EQ(a.bank, b.bank);
      CHECK_EQ(a.row, b.row);
      CHECK(a.pc >= 0 && a.pc < npc);
      CHECK(a.bank >= 0 && a.bank < c.banks());
      CHECK_GE(a.row, std::int64_t(0));
      ++count[a.pc];
      ++seen[{a.pc, a.bank, a.row}];
    }
    for (int k : count) CHECK_EQ(k, 1);
  }
  // a row holds row_bytes / interleave_bytes granules: never more land in one (pc, bank, row)
  for (const auto& kv : seen) CHECK_LE(kv.second, static_cast<int>(c.row_bytes / c.interleave_bytes));
}

TEST_CASE("ExactDiv matches / and % for random values and divisors") {
  std::mt19937_64 rng(7);
  const std::int64_t divisors[] = {1, 2, 3, 5, 7, 12, 24, 48, 96, 1000, 1024, 65535, 1000003, (std::int64_t(1) << 40) + 1};
  for (std::int64_t d : divisors) {
    const ExactDiv e(d);
    for (int i = 0; i < 2000; ++i) {
      std::int64_t v = static_cast<std::int64_t>(rng() >> (1 + (i % 62)));
      if (i % 7 == 0) v = -v;
      CHECK_EQ(e.div(v), v / d);
      CHECK_EQ(e.mod(v), v % d);
    }
    CHECK_EQ(e.div(std::numeric_limits<std::int64_t>::max()), std::numeric_limits<std::int64_t>::max() / d);
  }
}

ACCELSIM_TEST_MAIN()

// One DRAM pseudo-channel and its controller: per-bank state, per-bank-group and per-channel command
// constraints, data bus, all-bank or per-bank refresh, read/write turnaround, FR-FCFS ("first ready,
// then oldest") scheduling with activate-ahead on the row-command bus.
#pragma once
#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "accelsim/memory/dram_config.hpp"
#include "accelsim/memory/level.hpp"

namespace accelsim {

using DramRequest = MemRequest;
using DramStats = LevelStats;

// One command bus of a channel, shared by its pseudo-channels (JESD235 / JESD238: one row-command bus
// for ACT / PRE and one column-command bus for RD / WR per channel). A command holds the bus for its
// command time from its issue time; commands are placed in decision order, not always in time order (a
// miss's ACT and column command are placed ahead), so the bus keeps the commands not yet past.
class CommandBus {
 public:
  // The earliest t' >= t at which n commands at t', t' + period, ... each holding the bus for `dur`
  // overlap none placed (n > 1 only with the period of every placed run of commands).
  TimePs fit(TimePs t, TimePs dur, int n = 1, TimePs period = 1) const {
    if (n == 1 && multi_ == 0) {  // single commands only: the runs are disjoint, in time order
      if (t == fit_t_ && dur == fit_dur_) return fit_res_;  // (asked again, nothing placed since)
      fit_t_ = t;
      fit_dur_ = dur;
      // skip the runs that end by t; then each run that starts before the command would end moves it
      // just past that run (the next run starts no earlier than that), and the first that does not ends it
      const Run* r = runs_.data() + first_;
      const Run* const e = runs_.data() + runs_.size();
      for (; r != e && r->end <= t; ++r) {
      }
      for (; r != e && r->start < t + dur; ++r) t = r->end;
      fit_res_ = t;
      return t;
    }
    for (bool moved = true; moved;) {
      moved = false;
      for (auto it = runs_.begin() + static_cast<std::ptrdiff_t>(first_); it != runs_.end(); ++it) {
        const Run& r = *it;
        if (r.n == 1 && n == 1) {  // one command against one: they overlap when t - r.start is in (-dur, r.dur)
          const TimePs x = t - r.start;
          if (x > -dur && x < r.dur) {
            t = r.start + r.dur;
            moved = true;
          }
          continue;
        }
        // the candidate's j-th command a = t + j P against r's k-th b = r.start + k P: they overlap when
        // a - b = x + i P is in (-dur, r.dur), i = j - k in [-(r.n - 1), n - 1]
        const TimePs p = r.n > 1 ? r.period : period;
        const TimePs x = t - r.start;
        TimePs i = floor_div(-dur - x, p) + 1;  // the least i with x + i P > -dur
        i = std::max<TimePs>(i, -(r.n - 1));
        if (i > n - 1 || x + i * p >= r.dur) continue;
        t += r.dur - (x + i * p);  // just past that command of r: every time before it overlaps it too
        moved = true;
      }
    }
    return t;
  }
  // The earliest time >= t the bus is not held (a bound for any command at or after t).
  // (Asked several times per decision at the same t: the last answer is kept until a command is placed.)
  TimePs free_from(TimePs t) const {
    if (t != memo_t_) {
      memo_t_ = t;
      memo_free_ = fit(t, 1);
    }
    return memo_free_;
  }
  explicit CommandBus(int users = 1) : watch_(static_cast<std::size_t>(std::max(1, users))) {}
  // by: the placing user (pseudo-channel of the channel); disturbs the others watching where it goes
  void place(TimePs now, int by, TimePs t, TimePs dur, int n = 1, TimePs period = 1) {
    // forget the runs whose last command ended by `now` (no command is placed before `now` again)
    if (multi_ == 0) {  // disjoint runs in time order: those are a prefix (skipped; dropped in blocks)
      const Run* const b = runs_.data();
      const Run* r = b + first_;
      const Run* const e = b + runs_.size();
      for (; r != e && r->end <= now; ++r) {
      }
      first_ = static_cast<std::size_t>(r - b);
      if (r == e) {
        runs_.clear();
        first_ = 0;
      } else if (first_ >= kDropBlock) {
        runs_.erase(runs_.begin(), runs_.begin() + static_cast<std::ptrdiff_t>(first_));
        first_ = 0;
      }
    } else {
      std::size_t o = 0;
      for (std::size_t i = first_; i < runs_.size(); ++i) {
        if (runs_[i].end <= now) {
          if (runs_[i].n > 1) --multi_;
        } else {
          runs_[o++] = runs_[i];
        }
      }
      runs_.resize(o);
      first_ = 0;
    }
    memo_t_ = kNoMemo;
    fit_t_ = kNoMemo;
    const Run run{t, dur, n > 1 ? period : 1, t + static_cast<TimePs>(n - 1) * (n > 1 ? period : 0) + dur, n};
    if (n > 1) ++multi_;
    // kept in order of start (a placed command overlaps none: single commands stay disjoint and in order)
    runs_.push_back(run);
    Run* const b = runs_.data() + first_;
    Run* i = runs_.data() + runs_.size() - 1;
    for (; i != b && (i - 1)->start > t; --i) *i = *(i - 1);
    *i = run;
    const TimePs end = run.end;
    for (std::size_t u = 0; u < watch_.size(); ++u) {
      Watch& w = watch_[u];
      if (static_cast<int>(u) != by && t < w.hi && end > w.lo) w.disturbed = true;
    }
  }
  // `user` watches [lo, hi) (where its pending commands would go): disturbed() turns true when another
  // user places a command that overlaps it.
  void watch(int user, TimePs lo, TimePs hi) { watch_[static_cast<std::size_t>(user)] = Watch{lo, hi, false}; }
  bool disturbed(int user) const { return watch_[static_cast<std::size_t>(user)].disturbed; }

 private:
  static TimePs floor_div(TimePs a, TimePs b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0); }
  struct Run {
    TimePs start, dur, period, end;
    int n;
  };
  std::vector<Run> runs_;  // from runs_[first_] (those before it are past), in order of start
  std::size_t first_ = 0;
  static constexpr std::size_t kDropBlock = 32;
  int multi_ = 0;          // runs of more than one command among them
  static constexpr TimePs kNoMemo = std::numeric_limits<TimePs>::min();
  mutable TimePs memo_t_ = kNoMemo, memo_free_ = 0;  // free_from's last question and answer
  mutable TimePs fit_t_ = kNoMemo, fit_dur_ = 0, fit_res_ = 0;  // fit's (single command) likewise
  struct Watch {
    TimePs lo = 0, hi = 0;
    bool disturbed = false;
  };
  std::vector<Watch> watch_;  // per user, see watch()
};

class PseudoChannel {
 public:
  // activate_ahead: open the rows of queued requests on the row-command bus while other banks stream
  // (needed when every burst is its own request; coarse requests already overlap it on the data bus)
  // row_bus / col_bus: the channel's shared command buses (nullptr: this pseudo-channel's commands are
  // limited by its own timings only)
  PseudoChannel(const DramConfig& c, int index, bool activate_ahead = false, CommandBus* row_bus = nullptr,
                CommandBus* col_bus = nullptr);

  // Queue a request; true when it became its bank's FR-FCFS candidate (only then can it change the
  // controller's next decision). split: the request stands for r.bursts requests of one burst each, of
  // ages r.age, r.age + 1, ... (one load split into bursts), queued as one entry and served one burst at
  // a time: the same decisions as queueing the bursts one by one, for one queue entry.
  bool enqueue(const DramRequest& r, bool split = false) {
    const int m = split_ && r.write ? 1 : 0;  // which queue: reads (and, unsplit, writes) or writes
    row_wait_ = -kNever;  // a new candidate may start earlier
    const int b = r.bank;
    BankQueue& q = queues_[m][b];
    const std::uint32_t pos = q.count;  // the first new request's position in the bank's queue
    const std::uint32_t entry = q.size;
    q.push_back(QEntry{r.age, r.row, r.id, r.unit, split ? r.bursts : 0, r.bursts, r.write});
    pending_[m] += split ? r.bursts : 1;
    if (r.write) write_bursts_ += r.bursts;
    mode_dirty_ = true;
    if (m != mode_) {
      nonempty_[m][static_cast<std::size_t>(b) >> 6] |= std::uint64_t(1) << (b & 63);
      return pending_[mode_] == 0;  // the controller may turn to this queue now
    }
    Bank& bk = banks_[b];
    // A request queued behind its bank's candidate changes no choose() key: the pending choice stands.
    // (Of a split request only the first burst can: the others are no row hit where it is none.)
    if (bk.cand_pos < 0) {  // bank was empty: the new request is its head
      nonempty_[m][static_cast<std::size_t>(b) >> 6] |= std::uint64_t(1) << (b & 63);
      set_cand(bk, 0, 0, r.row == bk.open_row, r.age, r.write, !split && r.bursts > 1);
      update_key(b);
      offer_candidate(b, r.arrive);
      return true;
    }
    if (hit_first() && !bk.cand_hit && pos < kHitScan && r.row == bk.open_row && bk.bypasses < c_.row_hit_cap) {
      // the first row hit within the scan depth
      set_cand(bk, static_cast<int>(pos), entry, true, r.age, r.write, !split && r.bursts > 1);
      update_key(b);
      offer_candidate(b, r.arrive);
      return true;
    }
    return false;
  }
  bool empty() const { return pending_[0] + pending_[1] == 0; }

  // Earliest time >= now at which the controller acts: the best queued request's first command (PRE,
  // ACT or column) is due, or (with activate-ahead) the row-command bus can precharge / activate a bank
  // for a queued row miss. Also performs any refresh due at or before `now`.
  TimePs next_issue_time(TimePs now);

  // Act at `now` (== next_issue_time(now)). When the chosen request's first command is due, commit it
  // (its PRE/ACT/column commands are scheduled from here) and return true with it in *r and the time its
  // last data beat leaves the bus; otherwise only the row-command bus acted: false.
  bool issue(TimePs now, DramRequest* r, TimePs* data_end);

  const DramStats& stats() const { return stats_; }
  // Queued requests of a queue (0 reads, or all when not split; 1 writes) whose row has been opened for
  // them ahead (a controller such as Ramulator's moves these from its request queue to an "active" one).
  std::int64_t active(int queue) const { return active_[queue]; }
  std::int64_t queued(int queue) const { return pending_[queue]; }

 private:
  static constexpr std::uint32_t kHitScan = 8;  // how deep FR-FCFS looks into one bank's queue for a row hit

  // Bank state, plus a copy of what choose() needs of the bank's FR-FCFS candidate (its head, or the
  // first row hit within kHitScan entries), kept up to date whenever the queue or the open row changes,
  // so that choose() reads one compact array.
  // (One cache line: a decision touches the state of one of 160 pseudo-channels after the others'.)
  struct alignas(64) Bank {
    std::int64_t open_row = -1;
    TimePs act_ok = 0, col_ok = 0, pre_ok = 0;
    std::int64_t cand_id = 0;
    std::int64_t active_age = -1;  // the queued request whose row was opened ahead for it (-1: none)
    std::uint32_t cand_entry = 0;  // the queue entry holding it (its first request not yet served)
    int bypasses = 0;     // row hits served past this bank's oldest request (the row-hit cap)
    std::int16_t bg = 0;  // bank group
    // -1: bank queue empty; else the candidate's position in requests (bursts of split ones), < kHitScan
    std::int8_t cand_pos = -1;
    bool cand_hit = false, cand_write = false;
    std::uint8_t active_queue = 0;
    bool cand_multi = false;  // the candidate is one request of several bursts (not one burst)
  };
  static_assert(sizeof(Bank) == 64, "Bank: one cache line");
  void deactivate(Bank& bk) {
    if (bk.active_age < 0) return;
    --active_[bk.active_queue];
    bk.active_age = -1;
  }
  struct Choice {
    int bank = -1;
    std::size_t pos = 0;
    std::uint32_t entry = 0;
    TimePs col = 0, act = -1, pre = -1;
    TimePs first = -1;  // its first command's time: col for a hit, else pre (or act: no PRE)
    bool hit = false;
    std::int64_t key_h = 0;    // choose()'s key: 2 * col + miss ...
    std::uint64_t key_lo = 0;  // ... then the candidate's age
  };
  // A queued request, compact: its bank is its queue's. `split` > 0: that many one-burst requests not
  // yet served, the first of age `age` (see enqueue); 0: one request of `bursts` bursts.
  struct QEntry {
    std::int64_t age;
    std::int64_t row;
    std::int64_t id;
    int unit;
    int split;
    int bursts;
    bool write;
    std::uint32_t count() const { return split > 0 ? static_cast<std::uint32_t>(split) : 1; }
  };
  // FIFO with O(1) push/pop and cheap removal near the head (power-of-two ring); `count`: the requests
  // it holds (a split entry counts its bursts left).
  struct BankQueue {
    std::vector<QEntry> buf;
    std::uint32_t head = 0, size = 0, mask = 0, count = 0;
    const QEntry& at(std::uint32_t i) const { return buf[(head + i) & mask]; }
    QEntry& at(std::uint32_t i) { return buf[(head + i) & mask]; }
    void push_back(const QEntry& r) {
      if (size == buf.size()) grow();
      buf[(head + size) & mask] = r;
      ++size;
      count += r.count();
    }
    void erase(std::uint32_t pos) {  // keeps the order of the others
      count -= at(pos).count();
      for (std::uint32_t i = pos; i > 0; --i) at(i) = at(i - 1);
      head = (head + 1) & mask;
      --size;
    }
    void grow();
  };
  // next_act (activate-ahead): also the earliest first row command of any bank's row miss, from the same
  // scan of the banks (earliest_act's answer)
  void choose(TimePs now, TimePs* next_act, Choice* out) const;
  void type_keys(TimePs now, std::int64_t f2[6]) const;
  std::int64_t type_key(TimePs now, int type) const;
  void bank_choice(int bank, TimePs now, std::int64_t h, Choice* out) const;
  void offer_candidate(int bank, TimePs now);
  void recompute_cand(int bank);
  // true when it placed a PRE or an ACT
  bool activate_ahead(TimePs now, TimePs horizon);
  bool activate_ahead_shared(TimePs now);
  void record_activate(Bank& bk, std::int64_t row, TimePs act);
  void activate_ahead_for_candidate(int bank, TimePs act);
  void update_key(int bank);
  void update_bg_key(int bg);
  void update_bg_read_key(int bg);  // with SIDs: the read entries only (they alone see tCCDR)
  static void set_cand(Bank& bk, int pos, std::uint32_t entry, bool hit, std::int64_t age, bool write, bool multi) {
    bk.cand_pos = static_cast<std::int8_t>(pos);
    bk.cand_multi = multi;
    bk.cand_entry = entry;
    bk.cand_hit = hit;
    bk.cand_id = age;
    bk.cand_write = write;
  }
  static TimePs first_command(const Choice& ch) { return ch.first; }
  void do_refresh(TimePs now) {
    if (next_ref_ <= now) refresh_slow(now);
  }
  void refresh_slow(TimePs now);
  void skip_idle_refreshes(TimePs now, TimePs round, std::int64_t per_round);

  const DramConfig& c_;
  std::vector<Bank> banks_;
  std::vector<TimePs> bg_col_ok_, bg_act_ok_;
  std::vector<BankQueue> queues_[2];           // per bank: [0] reads (and writes when not split), [1] writes
  std::vector<std::uint64_t> nonempty_[2];    // bit per bank with a queued request, per queue
  int mode_ = 0;                              // the queue the controller serves: 0 reads, 1 writes
  bool split_ = false;                        // a write queue with watermarks (write_queue_bursts > 0)
  std::int64_t write_bursts_ = 0;             // bursts of writes queued
  void update_mode();
  bool mode_dirty_ = true;  // the queues' counts moved since update_mode last left the mode as it was
  bool hit_first() const { return c_.scheduler != SchedulerKind::Fcfs; }
  // ACT to column command for the queue being served (tRCDWR for the write queue)
  TimePs rcd() const { return mode_ == 1 && c_.has_write_timing ? c_.tRCDWR : c_.tRCD; }
  // The parts of the type terms F (type_keys): a read's or a write's column bound from the channel's
  // state (cf = col_free(now)), and a row miss's column bound through its ACT on a closed bank and on an
  // open one (PRE first; rf = row_free(now)).
  TimePs col_term(TimePs cf, bool write) const {
    return write ? std::max({col_ok_, bus_free_ - cwl(), wr_ok_, cf}) : std::max({col_ok_, bus_free_ - c_.tCL, rd_ok_, cf});
  }
  TimePs act_closed_term(TimePs rf) const { return std::max({rf, act_ok_, faw_[0] + c_.tFAW}) + rcd(); }
  TimePs act_open_term(TimePs rf, TimePs act_closed) const { return std::max(act_closed, rf + c_.tRP + rcd()); }
  // f2[2..5], the row misses' type terms, from those parts
  static void miss_type_keys(TimePs act_closed, TimePs act_open, TimePs col_rd, TimePs col_wr, std::int64_t f2[6]) {
    f2[2] = 2 * std::max(act_closed, col_rd) + 1;
    f2[3] = 2 * std::max(act_closed, col_wr) + 1;
    f2[4] = 2 * std::max(act_open, col_rd) + 1;
    f2[5] = 2 * std::max(act_open, col_wr) + 1;
  }
  TimePs cwl() const { return c_.has_write_timing ? c_.tCWL : c_.tCL; }
  // Per bank, what choose() and activate-ahead read of its candidate, in one record (update_key writes
  // it whole: one cache line, not one per field). hi, lo: the part of its choose() key that does not
  // depend on `now` or on channel-wide state (see update_key), kept up to date on every bank /
  // bank-group / queue change.
  struct alignas(32) BankKey {
    std::int64_t hi;   // 2 * (bank-local bound of the column time) + (candidate is a miss)
    std::uint64_t lo;  // candidate id, sign bit flipped (orders like the signed id)
    // the bank's own bound on its row-miss candidate's first row command (PRE on an open bank, else ACT;
    // kNever when the candidate is a hit or there is none; read only with activate-ahead)
    std::int64_t act;
    std::uint16_t cls;     // the candidate's class: 6 * bank group + its type; choose() computes the class terms once
    std::uint16_t bgk;     // its bg_key_ entry: 2 * bank group + miss, or with SIDs 4 * bank group + 2 * write + miss
    std::uint16_t act_bg;  // which bank-group ACT bound also applies: its bank group when closed, else bank_groups
    std::uint8_t type;     // 2 * kind (0 hit, 1 miss on a closed bank, 2 miss on an open one) + write
    std::uint8_t in_order; // the bank is in order_ (order_pos_ >= 0)
  };
  static_assert(sizeof(BankKey) == 32, "BankKey: 32 bytes");
  std::vector<BankKey> keys_;
  mutable std::vector<std::int64_t> class_key_;  // choose()'s scratch: per class, max(F[type], G)
  static constexpr int kLocalGroups = 16;  // up to this many bank groups choose()'s scratch is on the stack
  static constexpr int kLazyWalk = 8;      // choose() computes the class terms once its walk passes this many banks
  mutable bool long_walk_ = false;         // choose()'s last walk passed kLazyWalk banks
  // The banks with a candidate (in the queue being served), ordered by the candidate's id (keys_[b].lo),
  // and each bank's position there (-1: none); kept by update_key.
  std::vector<std::int32_t> order_;
  std::vector<std::int32_t> order_pos_;
  int order_n_ = 0;
  std::array<int, 6> type_n_{};  // the banks in order_ by their candidate's type (BankKey::type)
  void order_remove(int b);
  void order_place(int b);
  std::vector<std::int64_t> bg_key_;    // per bank group, its term of a (read / write) hit's and miss's key (update_bg_key)
  mutable std::vector<TimePs> act_gb_;  // choose()'s scratch: per bank group (+ none), the ACT bound
  std::array<TimePs, 4> faw_{};  // the four latest ACT times, ascending
  TimePs col_ok_ = 0, act_ok_ = 0, bus_free_ = 0;
  TimePs rd_ok_ = 0, wr_ok_ = 0;   // read-after-write / write-after-read turnaround
  TimePs next_ref_ = 0;
  std::int64_t pending_[2] = {0, 0};
  std::int64_t active_[2] = {0, 0};
  std::vector<std::pair<std::int64_t, int>> act_scratch_;  // activate_ahead: (age, bank) eligible to ACT
  bool activate_ahead_ = false;
  int ref_bank_ = 0;  // next bank to refresh (per-bank refresh)
  // The choice made by choose(choice_now_). While no key or channel state changes it is also choose(t)'s
  // answer for every t in [choice_now_, its first command time]: every candidate's column time only
  // grows with `now`, and the winner's does not change before its first command (all its terms are
  // max(now, ...) >= that time), so neither the winner nor any tie-break can change.
  // (With activate-ahead, also the earliest first command of any bank's row miss, next_act_: the same
  // argument holds for it, each bank's time being max(now, a bank-only bound).)
  // (With shared command buses, also while no other pseudo-channel placed a command on a bus where the
  // choice's own commands are: any other command only delays the other candidates, never the choice.)
  bool choice_usable(TimePs now) const {
    return choice_valid_ && now >= choice_now_ && now <= first_command(choice_) && now <= next_act_ &&
           (row_bus_ == nullptr ||
            (!row_bus_->disturbed(bus_slot_) && !col_bus_->disturbed(bus_slot_)));
  }
  // With shared command buses (row_bus_, col_bus_; nullptr: none): the earliest time >= now each is
  // free, and what the cached choice watches on them.
  void note_choice_on_buses();
  TimePs row_free(TimePs now) const { return row_bus_ != nullptr ? row_bus_->free_from(now) : now; }
  TimePs col_free(TimePs now) const { return col_bus_ != nullptr ? col_bus_->free_from(now) : now; }
  // When bank b's row-miss candidate could start its first command (PRE, or ACT on a closed bank).
  TimePs bank_first_act(int b, TimePs now) const;
  // f(b) for every bank with a queued request in the current queue, in bank order.
  template <class F>
  void for_each_queued_bank(F&& f) const {
    for_each_bank_in(nonempty_[mode_], f);
  }
  // f(b) for every bank set in `words` (a snapshot: f may change them), in bank order.
  template <class F>
  static void for_each_bank_in(const std::vector<std::uint64_t>& words, F&& f) {
    for (std::size_t w = 0; w < words.size(); ++w) {
      for (std::uint64_t bits = words[w]; bits; bits &= bits - 1)
        f(static_cast<int>(w * 64 + static_cast<std::size_t>(__builtin_ctzll(bits))));
    }
  }
  // With activate-ahead: the banks whose candidate (in the queue being served) is a row miss on an open
  // row (kind 2, update_key) and on a closed bank (kind 1), for activate_ahead's passes.
  std::vector<std::uint64_t> miss_open_, miss_closed_;
  // Bank b's candidate is of `kind` (update_key), its bank-local bound on a row miss's first row command
  // `act` and the bank-group ACT bound that also applies `act_bg` (read only for a row miss).
  void set_miss_act(int b, int kind, TimePs act, std::uint16_t act_bg) {
    BankKey& k = keys_[b];
    const std::size_t w = static_cast<std::size_t>(b) >> 6;
    const std::uint64_t bit = std::uint64_t(1) << (b & 63);
    const std::uint64_t open = kind == 2 ? miss_open_[w] | bit : miss_open_[w] & ~bit;
    const std::uint64_t closed = kind == 1 ? miss_closed_[w] | bit : miss_closed_[w] & ~bit;
    if (open != miss_open_[w] || closed != miss_closed_[w] || (kind != 0 && (act != k.act || act_bg != k.act_bg)))
      ++miss_ver_;  // (miss_act_bound's inputs moved)
    miss_open_[w] = open;
    miss_closed_[w] = closed;
    k.act = act;
    k.act_bg = act_bg;
  }
  // miss_act_bound: its inputs' version (moved by set_miss_act and every ACT), and the scan's answer
  // (without the row bus) for the version miss_bound_ver_
  std::uint64_t miss_ver_ = 0;
  mutable std::uint64_t miss_bound_ver_ = ~std::uint64_t(0);
  mutable TimePs miss_bound_ = kNever;
  TimePs miss_act_bound_scan() const;
  TimePs earliest_act(TimePs now) const;
  // min of bank_first_act over the row-miss candidates (kNever: none), from the kept per-bank bounds
  TimePs miss_act_bound(TimePs now) const;
  // (with shared command buses) after a decision that only placed a row command
  void keep_choice_after_rows(TimePs now);
  int ahead_bank_ = -1;  // the bank activate_ahead_shared's last pass precharged or activated (-1: none)
  // keep_choice_after_rows kept the choice: the next next_issue_time watches the buses for the choice
  // then standing (an arrival's offer_candidate may have replaced it) and bounds the row misses' first
  // commands (an arrival's row hit may have replaced a row miss), as a choose() there would
  bool rewatch_ = false;
  TimePs next_act_ = kNever;
  bool choice_valid_ = false;
  TimePs choice_now_ = 0;
  Choice choice_;
  DramStats stats_;
  // (Kept last: what only SIDs or shared command buses use stays off the others' cache lines.)
  std::vector<TimePs> bg_rd_ok_;  // per bank group: earliest read after the last read in another SID (tCCDR)
  std::vector<int> bg_sid_;       // per bank group: its SID (no division per read)
  int bg_stride_ = 2;             // bg_key_ entries per bank group
  CommandBus* row_bus_ = nullptr;
  CommandBus* col_bus_ = nullptr;
  int bus_slot_ = 0;
  // With shared command buses: no row-miss candidate's first row command can be placed before this
  // (activate_ahead found none it could place by then); forgotten whenever a candidate or the
  // controller's state changes. Without it the row-command stream would wake at a bound it cannot meet.
  TimePs row_wait_ = -kNever;
};

}  // namespace accelsim

#include "accelsim/memory/dram_channel.hpp"

#include <algorithm>
#include <limits>

namespace accelsim {

void PseudoChannel::BankQueue::grow() {
  const std::size_t cap = buf.empty() ? 8 : buf.size() * 2;
  std::vector<QEntry> nb(cap);
  for (std::uint32_t i = 0; i < size; ++i) nb[i] = at(i);
  buf.swap(nb);
  head = 0;
  mask = static_cast<std::uint32_t>(cap - 1);
}

PseudoChannel::PseudoChannel(const DramConfig& c, int index, bool activate_ahead, CommandBus* row_bus,
                             CommandBus* col_bus)
    : c_(c),
      banks_(c.banks()),
      bg_col_ok_(c.bank_groups, 0),
      bg_act_ok_(c.bank_groups, 0),
      keys_(c.banks(), BankKey{std::numeric_limits<std::int64_t>::max(), 0, kNever, 0, 0, 0, 0, 0}),
      class_key_(6 * static_cast<std::size_t>(c.bank_groups), 0),
      order_(c.banks(), 0),
      order_pos_(c.banks(), -1),
      bg_key_(4 * static_cast<std::size_t>(c.bank_groups), 0),
      act_gb_(static_cast<std::size_t>(c.bank_groups) + 1, 0),
      bg_rd_ok_(c.bank_groups, 0),
      bg_stride_(c.sids > 1 ? 4 : 2) {
  activate_ahead_ = activate_ahead;
  row_bus_ = row_bus;
  col_bus_ = col_bus;
  bus_slot_ = index % std::max(1, c.pcs_per_channel);
  miss_open_.assign((static_cast<std::size_t>(c.banks()) + 63) / 64, 0);
  miss_closed_.assign((static_cast<std::size_t>(c.banks()) + 63) / 64, 0);
  for (int m = 0; m < 2; ++m) {
    queues_[m].resize(static_cast<std::size_t>(c.banks()));
    nonempty_[m].assign((static_cast<std::size_t>(c.banks()) + 63) / 64, 0);
  }
  split_ = c.write_queue_bursts > 0;
  for (int b = 0; b < c.banks(); ++b) banks_[b].bg = static_cast<std::int16_t>(b % c.bank_groups);
  bg_sid_.resize(static_cast<std::size_t>(c.bank_groups));
  for (int g = 0; g < c.bank_groups; ++g) bg_sid_[g] = g % std::max(1, c.sids);
  for (int g = 0; g < c.bank_groups; ++g) update_bg_key(g);
  faw_.fill(-kNever);
  // All-bank refresh is staggered evenly over one tREFI so the pseudo-channels do not all block at once:
  // each pseudo-channel at its own phase, or (refresh_by_channel) the pseudo-channels of one channel
  // together, as Ramulator's controller does, the channels staggered.
  const int group = c.refresh_by_channel ? std::max(1, c.pcs_per_channel) : 1;
  const int channel = index / group;
  const int channels = std::max(1, c.pseudo_channels() / group);
  next_ref_ = (c.tREFI * static_cast<TimePs>(channel)) / channels + c.tREFI / 2;
  if (c.refresh == RefreshKind::PerBank)
    next_ref_ = (c.tREFI / std::max(1, c.banks())) * (1 + index % std::max(1, c.banks()));
  if (c.refresh == RefreshKind::Off) next_ref_ = kNever;
}

void PseudoChannel::order_remove(int b) {
  const int p = order_pos_[b];
  if (p < 0) return;
  for (int i = p; i + 1 < order_n_; ++i) {
    order_[i] = order_[i + 1];
    order_pos_[order_[i]] = i;
  }
  --order_n_;
  order_pos_[b] = -1;
  keys_[b].in_order = 0;
}

// Bank b (with a candidate, keys_[b].lo set) to its place in order_; it usually stays where it is (a split
// entry's next burst is one id younger, and no other candidate's id lies between).
void PseudoChannel::order_place(int b) {
  const std::uint64_t lo = keys_[b].lo;
  int p = order_pos_[b];
  if (p >= 0) {
    const bool left_ok = p == 0 || keys_[order_[p - 1]].lo < lo;
    const bool right_ok = p + 1 == order_n_ || lo < keys_[order_[p + 1]].lo;
    if (left_ok && right_ok) return;
    order_remove(b);
  }
  int i = order_n_;
  while (i > 0 && keys_[order_[i - 1]].lo > lo) {
    order_[i] = order_[i - 1];
    order_pos_[order_[i]] = i;
    --i;
  }
  order_[i] = b;
  order_pos_[b] = i;
  keys_[b].in_order = 1;
  ++order_n_;
}

void PseudoChannel::recompute_cand(int b) {
  const BankQueue& q = queues_[mode_][b];
  Bank& bk = banks_[b];
  if (q.size == 0) {
    bk.cand_pos = -1;
    bk.cand_hit = false;
    nonempty_[mode_][static_cast<std::size_t>(b) >> 6] &= ~(std::uint64_t(1) << (b & 63));
    keys_[b].hi = std::numeric_limits<std::int64_t>::max();
    if (keys_[b].in_order) --type_n_[keys_[b].type];
    order_remove(b);
    if (activate_ahead_) set_miss_act(b, 0, kNever, keys_[b].act_bg);
    return;
  }
  const std::int64_t open = bk.open_row;
  // FCFS takes the head; the row-hit cap lets at most row_hit_cap younger hits pass the head
  const std::uint32_t n = hit_first() && bk.bypasses < c_.row_hit_cap ? std::min(q.count, kHitScan) : 1;
  std::uint32_t pos = 0;  // in requests: a split entry's bursts share its row, the first one counts
  for (std::uint32_t i = 0; i < q.size && pos < n; ++i) {
    const QEntry& e = q.at(i);
    if (e.row == open) {  // first-ready: a later row hit in the same bank goes before the head's miss
      set_cand(bk, static_cast<int>(pos), i, true, e.age, e.write, e.split == 0 && e.bursts > 1);
      update_key(b);
      return;
    }
    pos += e.count();
  }
  const QEntry& h = q.at(0);
  set_cand(bk, 0, 0, false, h.age, h.write, h.split == 0 && h.bursts > 1);
  update_key(b);
}

// A bank's candidate's column time (bank_choice) is a max of terms; split it as
// col = max(F[type], L, G) where L depends only on the bank, G only on its bank group and whether the
// candidate is a hit, and F only on `now`, the channel-wide state and the candidate's type (max is exact
// on integers, so this is the same number):
//   hit:               L = bk.col_ok
//                      G = bg_col_ok
//                      F = max(now, col_ok, bus_free - tCL, rd/wr_ok)
//   miss, bank closed: L = bk.act_ok + tRCD
//                      G = max(bg_act_ok + tRCD, bg_col_ok)
//                      F = max(max(now, act_ok, faw + tFAW) + tRCD, col_ok, bus_free - tCL, rd/wr_ok)
//   miss, bank open:   L = max(bk.act_ok, bk.pre_ok + tRP) + tRCD
//                      G = as for a closed bank
//                      F = max(the closed-bank F, now + tRP + tRCD)
// Keeping G per bank group means a column command or ACT updates two numbers, not every bank of its group.
void PseudoChannel::update_key(int b) {
  const Bank& bk = banks_[b];
  BankKey& k = keys_[b];
  if (k.in_order) --type_n_[k.type];  // (counted again below once placed)
  if (bk.cand_pos < 0) {
    k.hi = std::numeric_limits<std::int64_t>::max();
    order_remove(b);
    if (activate_ahead_) set_miss_act(b, 0, kNever, k.act_bg);
    return;
  }
  const int bg = bk.bg;
  TimePs l;
  int kind;
  if (bk.cand_hit) {
    kind = 0;
    l = bk.col_ok;
  } else if (bk.open_row < 0) {
    kind = 1;
    l = bk.act_ok + rcd();
  } else {
    kind = 2;
    l = std::max(bk.act_ok, bk.pre_ok + c_.tRP) + rcd();
  }
  k.hi = 2 * l + (kind != 0 ? 1 : 0);
  k.cls = static_cast<std::uint16_t>(6 * bg + 2 * kind + (bk.cand_write ? 1 : 0));
  k.bgk = static_cast<std::uint16_t>(bg_stride_ * bg + (bg_stride_ == 4 && bk.cand_write ? 2 : 0) +
                                     (kind != 0 ? 1 : 0));
  const std::uint64_t lo = static_cast<std::uint64_t>(bk.cand_id) ^ (std::uint64_t(1) << 63);
  if (!k.in_order || k.lo != lo) {
    // one id younger (a split entry's next burst): no other candidate's id lies between, so the bank
    // keeps its place in order_
    const bool stays = k.in_order && lo == k.lo + 1;
    k.lo = lo;
    if (!stays) order_place(b);
  }
  k.type = static_cast<std::uint8_t>(2 * kind + (bk.cand_write ? 1 : 0));
  ++type_n_[k.type];
  // bank_first_act's bank-local half (read only with activate-ahead)
  if (activate_ahead_)
    set_miss_act(b, kind, kind == 0 ? kNever : (kind == 2 ? bk.pre_ok : bk.act_ok),
                 static_cast<std::uint16_t>(kind == 1 ? bg : c_.bank_groups));
}

// The bank-group terms G of update_key, as keys: hit (2 G) and miss (2 G + 1).
void PseudoChannel::update_bg_key(int bg) {
  const std::size_t i = static_cast<std::size_t>(bg_stride_) * static_cast<std::size_t>(bg);
  const TimePs miss = std::max(bg_act_ok_[bg] + rcd(), bg_col_ok_[bg]);
  if (bg_stride_ == 2) {  // one SID: reads and writes alike
    bg_key_[i] = 2 * bg_col_ok_[bg];
    bg_key_[i + 1] = 2 * miss + 1;
    return;
  }
  update_bg_read_key(bg);
  bg_key_[i + 2] = 2 * bg_col_ok_[bg];  // a write
  bg_key_[i + 3] = 2 * miss + 1;
}

void PseudoChannel::update_bg_read_key(int bg) {
  const std::size_t i = 4 * static_cast<std::size_t>(bg);
  const TimePs miss = std::max(bg_act_ok_[bg] + rcd(), bg_col_ok_[bg]);
  bg_key_[i] = 2 * std::max(bg_col_ok_[bg], bg_rd_ok_[bg]);  // a read: also tCCDR after another SID's read
  bg_key_[i + 1] = 2 * std::max(miss, bg_rd_ok_[bg]) + 1;
}

// The `now`- and channel-dependent half of every candidate's key, by candidate type (see update_key).
void PseudoChannel::type_keys(TimePs now, std::int64_t f2[6]) const {
  // (with shared command buses, a command waits at least until its bus is free)
  const TimePs cf = col_free(now), rf = row_free(now);
  const TimePs col_rd = col_term(cf, false), col_wr = col_term(cf, true);
  const TimePs act_closed = act_closed_term(rf);
  f2[0] = 2 * std::max(now, col_rd);
  f2[1] = 2 * std::max(now, col_wr);
  miss_type_keys(act_closed, act_open_term(rf, act_closed), col_rd, col_wr, f2);
}

// type_keys' entry of one type (the same terms, computed for that type only).
std::int64_t PseudoChannel::type_key(TimePs now, int type) const {
  const TimePs col = col_term(col_free(now), (type & 1) != 0);
  if (type < 2) return 2 * std::max(now, col);
  const TimePs rf = row_free(now);
  const TimePs act_closed = act_closed_term(rf);
  return 2 * std::max(type >= 4 ? act_open_term(rf, act_closed) : act_closed, col) + 1;
}

// Same decision as evaluating every bank's candidate with bank_choice() and keeping the earliest column
// command, then row hits, then the oldest request (banks in ascending order, strict comparisons): the
// key (2 * col + miss, id) compared as one 128-bit number, with col = max(F[type], L, G) (see update_key).
void PseudoChannel::choose(TimePs now, TimePs* next_act, Choice* out) const {
  using U128 = unsigned __int128;
  U128 best_key = ~U128(0);
  int best_bank = -1;
  if (!hit_first()) {  // FCFS: the oldest request, whatever its bank
    int best = -1;
    std::uint64_t best_lo = 0;
    for_each_queued_bank([&](int b) {
      if (best < 0 || keys_[b].lo < best_lo) {
        best = b;
        best_lo = keys_[b].lo;
      }
    });
    if (next_act != nullptr) *next_act = earliest_act(now);
    if (best < 0) {
      *out = Choice{};
      out->col = kNever;
      return;
    }
    std::int64_t f2[6];
    type_keys(now, f2);
    bank_choice(best, now, std::max({f2[keys_[best].type], keys_[best].hi, bg_key_[keys_[best].bgk]}), out);
    return;
  }
  // A candidate's key is max(F[type], G[its bank-group entry], L). The banks are walked in the order of
  // their candidates' ids: every key is at least the least type term F of the candidate types present
  // (type_n_), so the first bank whose key reaches it is the choice (the oldest of those that reach it;
  // the keys are distinct, ids being so), and the rest need not be looked at.
  const int groups = c_.bank_groups;
  const bool writes = write_bursts_ > 0;  // (else no candidate is a write)
  // The type terms F of type_keys: the hits' first (the floor), the misses' once a miss is looked at.
  std::int64_t f2[6];
  const TimePs cf = col_free(now);
  const TimePs col_rd = col_term(cf, false);
  const TimePs col_wr = writes ? col_term(cf, true) : 0;
  f2[0] = 2 * std::max(now, col_rd);
  f2[1] = 2 * std::max(now, col_wr);
  bool miss_terms = false;
  auto fill_miss_terms = [&] {
    const TimePs rf = row_free(now);
    const TimePs act_closed = act_closed_term(rf);
    miss_type_keys(act_closed, act_open_term(rf, act_closed), col_rd, col_wr, f2);
    miss_terms = true;
  };
  // The floor: the hits' type term, and once the misses' are known, the least type term of the candidate
  // types present (type_n_). When the best so far reaches it, no later bank (key at least the floor, id
  // younger) beats it.
  std::int64_t floor_h = writes ? std::min(f2[0], f2[1]) : f2[0];
  auto fill_miss_terms_and_floor = [&] {
    fill_miss_terms();
    floor_h = std::numeric_limits<std::int64_t>::max();
    for (int t = 0; t < 6; ++t)
      if (type_n_[t] > 0) floor_h = std::min(floor_h, f2[t]);
  };
  auto best_at_floor = [&] {
    return best_bank >= 0 && static_cast<std::int64_t>(static_cast<std::uint64_t>(best_key >> 64)) == floor_h;
  };
  const std::int64_t* bgk = bg_key_.data();
  const BankKey* keys = keys_.data();
  const std::int32_t* order = order_.data();
  int i = 0;
  // The first few banks (usually the walk ends there) each compute their key; a longer walk first
  // computes the terms a candidate shares with its class (bank group, kind, read / write) once per
  // class, max(F[type], G[bank-group entry]), and then per bank only max(class term, L). (After a long
  // walk, e.g. under random reads, the next one starts with the class terms.)
  const int lazy = long_walk_ ? 0 : std::min(order_n_, kLazyWalk);
  for (; i < lazy; ++i) {
    const BankKey& k = keys[order[i]];
    if (k.type >= 2 && !miss_terms) {
      fill_miss_terms_and_floor();
      if (best_at_floor()) break;
    }
    const std::int64_t h = std::max({f2[k.type], bgk[k.bgk], k.hi});
    const U128 key = (static_cast<U128>(static_cast<std::uint64_t>(h)) << 64) | k.lo;
    if (key < best_key) {
      best_key = key;
      best_bank = order[i];
    }
    if (h == floor_h) break;
  }
  bool stop = i < lazy;  // (the walk ended at the floor)
  if (!stop && i < order_n_ && !miss_terms) {
    fill_miss_terms_and_floor();
    stop = best_at_floor();
  }
  if (!stop && i < order_n_) {
    // (on the stack when the bank groups are few: its lines are in the L1 cache, the pseudo-channel's
    // scratch would not be after the other pseudo-channels' decisions)
    std::int64_t ck_local[6 * kLocalGroups];
    std::int64_t* ck = groups <= kLocalGroups ? ck_local : class_key_.data();
    const int wo = bg_stride_ == 4 ? 2 : 0;  // a write's bank-group entries (with SIDs: their own)
    for (int g = 0; g < groups; ++g) {
      const std::int64_t* k = bgk + static_cast<std::ptrdiff_t>(g) * bg_stride_;
      std::int64_t* o = ck + 6 * static_cast<std::ptrdiff_t>(g);
      o[0] = std::max(f2[0], k[0]);
      o[2] = std::max(f2[2], k[1]);
      o[4] = std::max(f2[4], k[1]);
      if (writes) {
        o[1] = std::max(f2[1], k[wo]);
        o[3] = std::max(f2[3], k[wo + 1]);
        o[5] = std::max(f2[5], k[wo + 1]);
      }
    }
    for (; i < order_n_; ++i) {
      const BankKey& k = keys[order[i]];
      const std::int64_t h = std::max(ck[k.cls], k.hi);
      const U128 key = (static_cast<U128>(static_cast<std::uint64_t>(h)) << 64) | k.lo;
      if (key < best_key) {
        best_key = key;
        best_bank = order[i];
      }
      if (h == floor_h) break;
    }
  }
  long_walk_ = i >= kLazyWalk;
  if (next_act != nullptr) *next_act = miss_act_bound(now);
  if (best_bank < 0) {
    *out = Choice{};
    out->col = kNever;
    return;
  }
  bank_choice(best_bank, now, static_cast<std::int64_t>(static_cast<std::uint64_t>(best_key >> 64)), out);
}

// bank_first_act of every row-miss candidate, min'd: max(now, min over those banks of max(bank bound,
// bank-group bound of a closed bank)); the channel's ACT bounds are folded into the bank-group ones.
TimePs PseudoChannel::miss_act_bound(TimePs now) const {
  // (kept while none of its inputs changed: asked several times between decisions)
  if (miss_bound_ver_ != miss_ver_) {
    miss_bound_ = miss_act_bound_scan();
    miss_bound_ver_ = miss_ver_;
  }
  return miss_bound_ >= kNever ? kNever : std::max(row_free(now), miss_bound_);
}

TimePs PseudoChannel::miss_act_bound_scan() const {
  std::uint64_t any = 0;
  for (std::size_t w = 0; w < miss_open_.size(); ++w) any |= miss_open_[w] | miss_closed_[w];
  if (any == 0) return kNever;
  TimePs act = kNever;
  const int groups = c_.bank_groups;
  const TimePs chan = std::max(act_ok_, faw_[0] + c_.tFAW);
  // (on the stack when the bank groups are few: its lines are in the L1 cache, the pseudo-channel's
  // scratch would not be after the other pseudo-channels' decisions)
  TimePs gb_local[kLocalGroups + 1];
  TimePs* gb = groups <= kLocalGroups ? gb_local : act_gb_.data();
  for (int g = 0; g < groups; ++g) gb[g] = std::max(bg_act_ok_[g], chan);
  gb[groups] = std::numeric_limits<TimePs>::min();
  const BankKey* keys = keys_.data();
  for (std::size_t w = 0; w < miss_open_.size(); ++w) {
    for (std::uint64_t bits = miss_open_[w] | miss_closed_[w]; bits; bits &= bits - 1) {
      const std::size_t b = w * 64 + static_cast<std::size_t>(__builtin_ctzll(bits));
      act = std::min(act, std::max(keys[b].act, gb[keys[b].act_bg]));
    }
  }
  return act;
}

// After a decision that only placed row commands (activate_ahead at `now`, the cached choice usable
// before it): the choice is what choose(now) would find when its own key is unchanged and no bank the
// row commands touched now beats it. Every other bank's key only grew (the row commands only raise the
// channel's and bank groups' ACT bounds and fill the row bus), and before them every key was above the
// choice's (see choice_usable). Otherwise the choice is dropped (choose() runs at the next decision).
void PseudoChannel::keep_choice_after_rows(TimePs now) {
  const int c = choice_.bank;
  if (c < 0) return;
  std::int64_t f2[6];
  type_keys(now, f2);
  auto key = [&](int b) { return std::max({f2[keys_[b].type], keys_[b].hi, bg_key_[keys_[b].bgk]}); };
  int best = c;
  std::int64_t best_h = key(c);
  if (best_h != choice_.key_h) return;
  if (const int b = ahead_bank_; b >= 0) {
    if (b == c) return;
    if (banks_[b].cand_pos >= 0) {
      const std::int64_t h = key(b);
      if (h < best_h || (h == best_h && keys_[b].lo < keys_[c].lo)) {
        best = b;
        best_h = h;
      }
    }
  }
  next_act_ = kNever;  // (recomputed by the next next_issue_time, after any arrival: see rewatch_)
  bank_choice(best, now, best_h, &choice_);
  choice_now_ = now;
  choice_valid_ = true;
  note_choice_on_buses();
  rewatch_ = true;  // an arrival may still replace the choice before the next decision
}

// A bank's candidate as the choice at `now`: when its PRE, ACT and column command can issue (the
// candidate's hit / write flags are cached in the bank, the queue is not touched), with its key `h`.
// (Written in place: a Choice returned by value and then copied is read back with wider loads than the
// stores that wrote it, which the CPU cannot forward.)
void PseudoChannel::bank_choice(int bank, TimePs now, std::int64_t h, Choice* out) const {
  const Bank& bk = banks_[bank];
  const int bg = bk.bg;
  Choice ch;
  ch.bank = bank;
  ch.pos = static_cast<std::size_t>(bk.cand_pos);
  ch.entry = bk.cand_entry;
  ch.key_h = h;
  ch.key_lo = keys_[bank].lo;
  TimePs col;
  if (bk.cand_hit) {
    // a hit's key is 2 * its column time: max(F, L, G) (update_key) is the maximum of its column
    // bounds, max(col_free(now), bank, bank group, channel, read / write turnaround, data bus), as
    // col_free(now) >= now
    ch.hit = true;
    ch.col = h >> 1;
    ch.first = ch.col;
    *out = ch;
    return;
  } else {
    const TimePs rf = row_free(now);
    TimePs act = std::max(rf, bk.act_ok);
    if (bk.open_row >= 0) {
      ch.pre = std::max(rf, bk.pre_ok);
      act = std::max(act, ch.pre + c_.tRP);
    }
    act = std::max({act, bg_act_ok_[bg], act_ok_, faw_[0] + c_.tFAW});
    ch.act = act;
    col = std::max({act + rcd(), bg_col_ok_[bg], col_ok_, col_free(now)});
  }
  col = std::max(col, bk.cand_write ? wr_ok_ : rd_ok_);
  if (bg_stride_ == 4 && !bk.cand_write) col = std::max(col, bg_rd_ok_[bg]);
  col = std::max(col, bus_free_ - (bk.cand_write ? cwl() : c_.tCL));
  ch.col = col;
  ch.first = ch.pre >= 0 ? ch.pre : ch.act;
  *out = ch;
}

// Bank `b` has a new candidate (arrived at `now`). Every other bank's key only grows with time and the
// pending winner's does not change before its first command, so the winner at `now` is the better of
// the pending one and `b`'s: an O(1) update instead of a full choose().
void PseudoChannel::offer_candidate(int b, TimePs now) {
  if (!choice_usable(now) || choice_.bank == b) {
    choice_valid_ = false;
    return;
  }
  const std::int64_t h = std::max({type_key(now, keys_[b].type), keys_[b].hi, bg_key_[keys_[b].bgk]});
  const bool better = hit_first() ? (h < choice_.key_h || (h == choice_.key_h && keys_[b].lo < choice_.key_lo))
                                  : keys_[b].lo < choice_.key_lo;
  if (better) {
    bank_choice(b, now, h, &choice_);
    choice_now_ = now;
  }
  if (activate_ahead_ && !banks_[b].cand_hit) next_act_ = std::min(next_act_, bank_first_act(b, now));
}

void PseudoChannel::refresh_slow(TimePs now) {
  row_wait_ = -kNever;
  if (c_.refresh == RefreshKind::PerBank) {
    // Per-bank refresh: bank k is refreshed every tREFI, the banks staggered by tREFI / banks; only
    // that bank is blocked (precharged, then busy for tRFCpb) while the others keep serving.
    const TimePs step = std::max<TimePs>(1, c_.tREFI / static_cast<TimePs>(banks_.size()));
    while (next_ref_ <= now) {
      const int b = ref_bank_;
      ref_bank_ = (ref_bank_ + 1) % static_cast<int>(banks_.size());
      Bank& bk = banks_[b];
      TimePs start = next_ref_;
      if (bk.open_row >= 0) start = std::max(start, bk.pre_ok) + c_.tRP;
      bk.open_row = -1;
      deactivate(bk);
      bk.act_ok = std::max(bk.act_ok, start + c_.tRFCpb);
      if (bk.cand_pos >= 0) recompute_cand(b);
      ++stats_.refreshes;
      next_ref_ += step;
      skip_idle_refreshes(now, step * static_cast<TimePs>(banks_.size()), static_cast<std::int64_t>(banks_.size()));
    }
    choice_valid_ = false;
    return;
  }
  while (next_ref_ <= now) {
    TimePs start = std::max(next_ref_, bus_free_);
    bool any_open = false;
    for (const Bank& bk : banks_) {
      if (bk.open_row >= 0) {
        any_open = true;
        start = std::max(start, bk.pre_ok);
      }
    }
    const TimePs done = start + (any_open ? c_.tRP : 0) + c_.tRFC;
    for (Bank& bk : banks_) {
      bk.open_row = -1;
      bk.act_ok = std::max(bk.act_ok, done);
      deactivate(bk);
    }
    ++stats_.refreshes;
    next_ref_ += c_.tREFI;
    skip_idle_refreshes(now, c_.tREFI, 1);
  }
  // every row is closed: each bank's candidate is its head, a miss
  for (std::size_t b = 0; b < banks_.size(); ++b)
    if (banks_[b].cand_pos >= 0) recompute_cand(static_cast<int>(b));
  choice_valid_ = false;
}

// Catching up on refreshes after a long idle stretch one by one costs (idle time / tREFI) iterations --
// hours for a simulated time of days. Once every row is closed, a refresh's only traces are the count
// and act_ok = max(act_ok, its end), and the ends only grow; so whole rounds (`round` ps, `per_round`
// refreshes) before the last full round can be counted without being applied: exactly the same state.
void PseudoChannel::skip_idle_refreshes(TimePs now, TimePs round, std::int64_t per_round) {
  if (next_ref_ > now - 2 * round) return;
  for (const Bank& bk : banks_)
    if (bk.open_row >= 0) return;
  const TimePs m = (now - next_ref_) / round - 1;  // leaves at least one full round to apply
  next_ref_ += m * round;
  stats_.refreshes += m * per_round;
}

// The write queue's watermarks: turn to writes when the write queue is fuller than the high watermark
// (or no read waits), back to reads when it is emptier than the low one and a read waits. Writes queued
// beyond its capacity wait upstream (in the L2): the queue counts as full.
void PseudoChannel::update_mode() {
  const double cap = static_cast<double>(c_.write_queue_bursts);
  const double wq = std::min(static_cast<double>(write_bursts_), cap);
  int want = mode_;
  if (mode_ == 0) {
    if (pending_[1] > 0 && (pending_[0] == 0 || wq > c_.write_high_watermark * cap)) want = 1;
  } else {
    if (pending_[0] > 0 && (pending_[1] == 0 || wq < c_.write_low_watermark * cap)) want = 0;
  }
  if (want == mode_) return;
  mode_ = want;
  row_wait_ = -kNever;
  for (int g = 0; g < c_.bank_groups; ++g) update_bg_key(g);
  for (int b = 0; b < c_.banks(); ++b) recompute_cand(b);
  choice_valid_ = false;
}

TimePs PseudoChannel::next_issue_time(TimePs now) {
  do_refresh(now);
  if (pending_[0] + pending_[1] == 0) return kNever;
  if (split_ && mode_dirty_) {  // (its answer stands while the queues' counts and the mode do)
    const int was = mode_;
    update_mode();
    mode_dirty_ = mode_ != was;
  }
  if (rewatch_) {  // (what choose() would watch at this point, as if it ran here)
    rewatch_ = false;
    if (choice_valid_) {
      note_choice_on_buses();
      next_act_ = miss_act_bound(now);  // (an arrival's row hit may have replaced a bank's row miss)
    }
  }
  if (!choice_usable(now)) {
    next_act_ = kNever;
    choose(now, activate_ahead_ ? &next_act_ : nullptr, &choice_);
    choice_now_ = now;
    choice_valid_ = true;
    if (row_bus_ != nullptr) note_choice_on_buses();
  }
  const Choice& ch = choice_;
  // The controller acts when the chosen request's first command (PRE, ACT or column) is due, or when
  // the row-command bus can open a row ahead.
  const TimePs first = std::min(first_command(ch), std::max(next_act_, row_wait_));
  // A command that could only start after a refresh is due waits for the refresh to be applied first.
  if (first >= next_ref_) return next_ref_;
  if (first <= now && ch.bank >= 0) {
    // issue() follows: start loading its bank and queue entry's lines (cache misses: the other
    // pseudo-channels' decisions came between)
    __builtin_prefetch(&banks_[static_cast<std::size_t>(ch.bank)]);
    __builtin_prefetch(&queues_[mode_][static_cast<std::size_t>(ch.bank)]);
  }
  return first;
}

// The cached choice stands while no other pseudo-channel places a command where its own commands would
// go on either bus (see choice_usable).
void PseudoChannel::note_choice_on_buses() {
  const Choice& ch = choice_;
  if (ch.bank < 0) {  // nothing queued
    row_bus_->watch(bus_slot_, 0, 0);
    col_bus_->watch(bus_slot_, 0, 0);
    return;
  }
  // (the queue entry is read only for a candidate of several bursts: it is on another cache line)
  const TimePs n = banks_[ch.bank].cand_multi ? queues_[mode_][ch.bank].at(ch.entry).bursts : 1;
  col_bus_->watch(bus_slot_, ch.col, ch.col + (n - 1) * c_.tCCD_S + c_.cmd_col);
  if (ch.hit) row_bus_->watch(bus_slot_, 0, 0);
  else row_bus_->watch(bus_slot_, ch.pre >= 0 ? ch.pre : ch.act, ch.act + c_.cmd_act);
}

bool PseudoChannel::issue(TimePs now, DramRequest* out, TimePs* data_end) {
  do_refresh(now);
  const bool act_known = choice_usable(now);  // then next_act_ bounds every row miss's first command
  const TimePs next_act = next_act_;
  if (!act_known) choose(now, nullptr, &choice_);
  const Choice& ch = choice_;  // (stale from here: only keep_choice_after_rows, past its last use, sets it)
  choice_valid_ = false;
  if (first_command(ch) > now) {  // only the row-command bus is due: open rows ahead
    activate_ahead(now, now);
    if (act_known && row_bus_ != nullptr && hit_first()) keep_choice_after_rows(now);
    return false;
  }
  row_wait_ = -kNever;
  auto& q = queues_[mode_][ch.bank];
  QEntry& e = q.at(ch.entry);
  DramRequest r;
  r.id = e.id;
  r.age = e.age;
  r.unit = e.unit;
  r.bank = ch.bank;
  r.row = e.row;
  r.write = e.write;
  const bool stays = e.split > 1;
  if (stays) {  // the first of its bursts; the rest stay queued where they are
    r.bursts = 1;
    ++e.age;
    --e.split;
    --q.count;
  } else {
    r.bursts = e.split > 0 ? 1 : e.bursts;
    q.erase(ch.entry);
  }
  --pending_[mode_];
  if (r.write) write_bursts_ -= r.bursts;
  mode_dirty_ = true;
  Bank& bk = banks_[ch.bank];
  if (bk.active_age == r.age) deactivate(bk);
  bk.bypasses = ch.pos == 0 ? 0 : bk.bypasses + 1;
  const int bg = bk.bg;
  const TimePs n = r.bursts;
  TimePs act = ch.act, col = ch.col;
  if (row_bus_ != nullptr) {  // the commands take the channel's buses at their first free times from here
    if (!ch.hit) {
      if (ch.pre >= 0) {
        const TimePs pre = row_bus_->fit(ch.pre, c_.cmd_pre);
        row_bus_->place(now, bus_slot_, pre, c_.cmd_pre);
        act = std::max(act, pre + c_.tRP);
      }
      act = row_bus_->fit(act, c_.cmd_act);
      row_bus_->place(now, bus_slot_, act, c_.cmd_act);
      col = std::max(col, act + rcd());
    }
    col = col_bus_->fit(col, c_.cmd_col, static_cast<int>(n), c_.tCCD_S);
    col_bus_->place(now, bus_slot_, col, c_.cmd_col, static_cast<int>(n), c_.tCCD_S);
  }
  if (ch.hit) {
    ++stats_.row_hits;
  } else {
    ++stats_.row_misses;
    record_activate(bk, r.row, act);
  }
  const TimePs end = col + (r.write ? cwl() : c_.tCL) + n * c_.tBL;
  bus_free_ = end;
  col_ok_ = col + n * c_.tCCD_S;
  // a request never spans rows (it is at most one interleave granule <= one row): tCCD_L per burst
  bg_col_ok_[bg] = col + n * c_.tCCD_L;
  bk.col_ok = bg_col_ok_[bg];
  // precharge after the last column command: read to precharge, or write data + write recovery
  TimePs pre_after = col + n * c_.tCCD_L;
  if (c_.has_write_timing)
    pre_after = col + (n - 1) * c_.tCCD_L + (r.write ? c_.tCWL + c_.tBL + c_.tWR : std::max(c_.tRTP, c_.tCCD_L));
  bk.pre_ok = std::max(bk.pre_ok, pre_after);
  if (r.write) {
    rd_ok_ = std::max(rd_ok_, end + c_.tWTR);
    stats_.write_bytes += n * c_.burst_bytes;
  } else {
    wr_ok_ = std::max(wr_ok_, col + (n - 1) * c_.tCCD_S + c_.tRTW);
    if (c_.sids > 1) {  // a read in another SID waits tCCDR after this one's last burst
      // (only those bank groups' read entries of bg_key_ move, and only when their bound grows)
      const int sid = bg_sid_[bg];
      const TimePs rd = col + (n - 1) * c_.tCCD_S + c_.tCCDR;
      for (int g = 0; g < c_.bank_groups; ++g) {
        if (bg_sid_[g] == sid || rd <= bg_rd_ok_[g]) continue;
        bg_rd_ok_[g] = rd;
        update_bg_read_key(g);
      }
    }
    stats_.read_bytes += n * c_.burst_bytes;
  }
  ++stats_.requests;
  stats_.bus_busy += n * c_.tBL;
  // the bank's candidate and the bank group's timing changed
  if (stays && (ch.pos == 0 || (hit_first() && bk.bypasses < c_.row_hit_cap))) {
    // The entry's next burst, now a row hit (its row is open), is the candidate again, where it was:
    // the entries ahead of it were no row hits and the open row is the same (recompute_cand's answer).
    set_cand(bk, static_cast<int>(ch.pos), ch.entry, true, e.age, e.write, false);
    update_key(ch.bank);
  } else {
    recompute_cand(ch.bank);
  }
  update_bg_key(bg);
  // Open rows ahead up to this column command. Nothing to do when no row miss could start by then: the
  // others' first commands were all later (next_act_), and this bank's new candidate is not due either.
  if (activate_ahead_ && (!act_known || next_act <= col ||
                          (bk.cand_pos >= 0 && !bk.cand_hit && bank_first_act(ch.bank, now) <= col)))
    activate_ahead(now, row_bus_ != nullptr ? now : col);
  *data_end = end;
  // (field by field: a struct copy reads r back with wider loads than the stores that wrote it)
  out->id = r.id;
  out->age = r.age;
  out->unit = r.unit;
  out->bank = r.bank;
  out->row = r.row;
  out->bursts = r.bursts;
  out->write = r.write;
  out->arrive = r.arrive;
  return true;
}

TimePs PseudoChannel::bank_first_act(int b, TimePs now) const {
  const Bank& bk = banks_[b];
  const TimePs rf = row_free(now);
  if (bk.open_row >= 0) return std::max(rf, bk.pre_ok);
  return std::max({rf, bk.act_ok, bg_act_ok_[bk.bg], act_ok_, faw_[0] + c_.tFAW});
}

TimePs PseudoChannel::earliest_act(TimePs now) const {
  TimePs best = kNever;
  for_each_queued_bank([&](int b) {
    if (banks_[b].cand_hit) return;
    best = std::min(best, bank_first_act(b, now));
  });
  return best;
}

// An ACT of `row` in bank `bk` at `act` (after its PRE, if any): the four-activate window, tRRD to the
// next ACT, tRAS before the bank may precharge, tRAS + tRP before its next ACT.
void PseudoChannel::record_activate(Bank& bk, std::int64_t row, TimePs act) {
  // ACTs are committed in decision order, not always in time order (a precharge-then-activate sequence
  // commits an ACT tRP ahead): keep the four latest ACT times sorted, so faw_[0] is the oldest of them.
  if (act > faw_[0]) {
    int i = 0;
    while (i < 3 && faw_[i + 1] < act) {
      faw_[i] = faw_[i + 1];
      ++i;
    }
    faw_[i] = act;
  }
  act_ok_ = std::max(act_ok_, act + c_.tRRD_S);
  bg_act_ok_[bk.bg] = std::max(bg_act_ok_[bk.bg], act + c_.tRRD_L);
  ++miss_ver_;
  bk.open_row = row;
  bk.pre_ok = act + c_.tRAS;
  bk.act_ok = act + c_.tRAS + c_.tRP;
}

// An ACT placed ahead at `act` for bank b's candidate (a row miss on a closed bank): the bank opens its row
// for that request, which owns the opened row until it is served.
void PseudoChannel::activate_ahead_for_candidate(int b, TimePs act) {
  Bank& bk = banks_[b];
  const QEntry& r = queues_[mode_][b].at(bk.cand_entry);
  record_activate(bk, r.row, act);
  bk.col_ok = std::max(bk.col_ok, act + rcd());
  deactivate(bk);
  bk.active_age = r.age;
  bk.active_queue = mode_;
  ++active_[mode_];
  ++stats_.activates_ahead;
  recompute_cand(b);
  update_bg_key(bk.bg);
}

// Bank-level parallelism: the row-command bus runs beside the column bus, so while column commands
// stream from one bank the controller precharges and activates the banks whose next request needs a
// new row (up to the time of the column command just issued), within tRRD/tFAW/tRAS/tRP.
bool PseudoChannel::activate_ahead(TimePs now, TimePs horizon) {
  if (row_bus_ != nullptr) return activate_ahead_shared(now);
  // (this pseudo-channel's own row-command bus: a command goes when its bank and channel bounds allow)
  bool placed = false;
  auto row_command = [&](TimePs t) {
    if (t > horizon) return false;
    placed = true;
    return true;
  };
  // Precharges first: a bank whose candidate misses on an open row closes it once it may (tRAS, the
  // last column command); a PRE holds no ACT slot, so it never delays another bank's ACT.
  for_each_bank_in(miss_open_, [&](int b) {
    Bank& bk = banks_[b];
    if (bk.cand_pos < 0 || bk.cand_hit || bk.open_row < 0) return;
    const TimePs pre = std::max(now, bk.pre_ok);
    if (!row_command(pre)) return;
    bk.open_row = -1;
    bk.act_ok = std::max(bk.act_ok, pre + c_.tRP);
    update_key(b);
  });
  // Then ACTs on the closed banks, oldest candidate first among those that can activate by the horizon
  // (first ready, first come), each one moving the channel's tRRD / tFAW bounds for the next. Those
  // bounds only grow, so a bank not eligible now never becomes eligible in this pass: collect the
  // eligible ones once, sort them by age, and re-check each in turn.
  act_scratch_.clear();
  for_each_bank_in(miss_closed_, [&](int b) {
    const Bank& bk = banks_[b];
    if (bk.cand_pos < 0 || bk.cand_hit || bk.open_row >= 0) return;
    const TimePs act = std::max({now, bk.act_ok, bg_act_ok_[bk.bg], act_ok_, faw_[0] + c_.tFAW});
    if (act <= horizon) act_scratch_.emplace_back(bk.cand_id, b);
  });
  if (act_scratch_.size() > 1) std::sort(act_scratch_.begin(), act_scratch_.end());
  for (const auto& [age, b] : act_scratch_) {
    const Bank& bk = banks_[b];
    const TimePs act = std::max({now, bk.act_ok, bg_act_ok_[bk.bg], act_ok_, faw_[0] + c_.tFAW});
    if (!row_command(act)) continue;
    activate_ahead_for_candidate(b, act);
  }
  return placed;
}

// activate_ahead with a shared row-command bus (the horizon is `now`): every row command it may place
// goes at `now`, so once one is placed the bus is held at `now` and every other fails; a pass places at
// most one command: the first eligible precharge in bank order, else the oldest eligible ACT. The
// bound on the next try (row_wait_) matters only when nothing is placed.
bool PseudoChannel::activate_ahead_shared(TimePs now) {
  TimePs wait = kNever;
  ahead_bank_ = -1;
  // Precharges: the first bank (in bank order) whose candidate misses on an open row it may close now.
  int pre_bank = -1;
  for (std::size_t w = 0; w < miss_open_.size(); ++w) {
    for (std::uint64_t bits = miss_open_[w]; bits; bits &= bits - 1) {
      const int b = static_cast<int>(w * 64 + static_cast<std::size_t>(__builtin_ctzll(bits)));
      const Bank& bk = banks_[b];
      if (bk.cand_pos < 0 || bk.cand_hit || bk.open_row < 0) continue;
      if (bk.pre_ok <= now) {
        if (pre_bank < 0) pre_bank = b;
      } else {
        wait = std::min(wait, bk.pre_ok);
      }
    }
  }
  if (pre_bank >= 0) {
    const TimePs pre = row_bus_->fit(now, c_.cmd_pre);
    if (pre <= now) {
      row_bus_->place(now, bus_slot_, pre, c_.cmd_pre);
      Bank& bk = banks_[pre_bank];
      bk.open_row = -1;
      bk.act_ok = std::max(bk.act_ok, pre + c_.tRP);
      update_key(pre_bank);
      ahead_bank_ = pre_bank;
      row_wait_ = -kNever;
      return true;
    }
    wait = std::min(wait, pre);
  }
  // ACTs: the oldest candidate among the closed banks that may activate now.
  const TimePs chan = std::max({now, act_ok_, faw_[0] + c_.tFAW});
  int act_bank = -1;
  std::int64_t act_age = 0;
  for (std::size_t w = 0; w < miss_closed_.size(); ++w) {
    for (std::uint64_t bits = miss_closed_[w]; bits; bits &= bits - 1) {
      const int b = static_cast<int>(w * 64 + static_cast<std::size_t>(__builtin_ctzll(bits)));
      const Bank& bk = banks_[b];
      if (bk.cand_pos < 0 || bk.cand_hit || bk.open_row >= 0) continue;
      const TimePs act = std::max({chan, bk.act_ok, bg_act_ok_[bk.bg]});
      if (act > now) {
        wait = std::min(wait, act);
      } else if (act_bank < 0 || bk.cand_id < act_age) {
        act_bank = b;
        act_age = bk.cand_id;
      }
    }
  }
  if (act_bank >= 0) {
    const TimePs act = row_bus_->fit(now, c_.cmd_act);
    if (act <= now) {
      row_bus_->place(now, bus_slot_, act, c_.cmd_act);
      activate_ahead_for_candidate(act_bank, act);
      ahead_bank_ = act_bank;
      row_wait_ = -kNever;
      return true;
    }
    wait = std::min(wait, act);
  }
  row_wait_ = wait;
  return false;
}

}  // namespace accelsim

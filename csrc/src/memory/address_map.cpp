#include "accelsim/memory/address_map.hpp"

#include <algorithm>

namespace accelsim {

DramAddress map_address(const DramConfig& c, Bytes addr) {
  // See AddressMap: hashed rotation of interleave granules over the pseudo-channels, then banks
  // (bank group fastest, permuted by the row), then rows.
  return AddressMap(c)(addr);
}

namespace {
int log2_exact(std::int64_t v) {
  int b = 0;
  while ((std::int64_t(1) << b) < v) ++b;
  return b;
}
}  // namespace

AddressMap::AddressMap(const DramConfig& c)
    : kind_(c.address_map),
      il_(c.interleave_bytes),
      npc_(c.pseudo_channels()),
      per_row_(std::max<std::int64_t>(1, c.row_bytes / c.interleave_bytes)),
      nb_(c.banks()),
      burst_(c.burst_bytes),
      channels_(std::max(1, c.stacks * c.channels_per_stack)) {
  if (kind_ == AddressMapKind::Mop4ClXor) {
    pc_bits_ = log2_exact(c.pcs_per_channel);
    bg_bits_ = log2_exact(c.bank_groups);
    bank_bits_ = log2_exact(c.banks_per_group);
    col_bits_ = log2_exact(c.row_bytes / c.burst_bytes);
    pcs_per_channel_ = c.pcs_per_channel;
    bank_groups_ = c.bank_groups;
  }
}

DramAddress AddressMap::mop4clxor(Bytes addr) const {
  const std::int64_t tx = burst_.div(addr);
  const std::int64_t ch = channels_.mod(tx);
  std::int64_t rest = channels_.div(tx);
  auto take = [&rest](int bits) {
    const std::int64_t v = rest & ((std::int64_t(1) << bits) - 1);
    rest >>= bits;
    return v;
  };
  std::int64_t col = take(2);
  std::int64_t pc = take(pc_bits_);
  std::int64_t bg = take(bg_bits_);
  std::int64_t bank = take(bank_bits_);
  col += take(col_bits_ - 2) << 2;
  std::int64_t row = rest;
  int shift = 0;
  auto xor_with_col = [&](std::int64_t& v, int bits) {
    if (bits <= 0) return;
    v ^= (col >> shift) & ((std::int64_t(1) << bits) - 1);
    shift += bits;
  };
  xor_with_col(pc, pc_bits_);
  xor_with_col(bg, bg_bits_);
  xor_with_col(bank, bank_bits_);
  xor_with_col(row, 62 - shift > 0 ? std::min(62 - shift, 62) : 0);
  DramAddress a{};
  a.pc = static_cast<int>(ch * pcs_per_channel_ + pc);
  a.bank = static_cast<int>(bg + bank_groups_ * bank);
  a.row = row;
  return a;
}

}  // namespace accelsim

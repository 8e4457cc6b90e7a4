// Where a physical address lands in the DRAM: pseudo-channel, bank, row.
#pragma once
#include <cstdint>

#include "accelsim/exact_div.hpp"
#include "accelsim/memory/dram_config.hpp"

namespace accelsim {

struct DramAddress {
  int pc;
  int bank;
  std::int64_t row;
};

// Channel hashing: each group of `pseudo_channels` consecutive interleave granules is a rotation of the
// channels by a hash of the group number, so that streams that start at power-of-two strides (tiles,
// heads, layers) do not march through the same channels in lockstep -- what the XOR address hashing of
// real memory controllers achieves. Bank bits are likewise permuted by the row (permutation-based
// interleaving, Zhang et al., MICRO 2000). Sequential streams still touch every channel and bank once
// per group. The divisions are precomputed (ExactDiv).
class AddressMap {
 public:
  explicit AddressMap(const DramConfig& c);
  DramAddress operator()(Bytes addr) const {
    if (kind_ == AddressMapKind::Mop4ClXor) return mop4clxor(addr);
    const std::int64_t chunk = il_.div(addr);
    DramAddress a{};
    const std::int64_t group = npc_.div(chunk);
    const std::int64_t rot = npc_.mod(static_cast<std::int64_t>(mix64(static_cast<std::uint64_t>(group)) >> 2));
    const std::int64_t pc = npc_.mod(chunk) + rot;
    a.pc = static_cast<int>(pc >= npc_.d ? pc - npc_.d : pc);
    const std::int64_t rest = per_row_.div(group);
    a.row = nb_.div(rest);
    const std::int64_t bank = nb_.mod(rest) + nb_.mod(a.row);
    a.bank = static_cast<int>(bank >= nb_.d ? bank - nb_.d : bank);
    return a;
  }

 private:
  DramAddress mop4clxor(Bytes addr) const;
  AddressMapKind kind_;
  ExactDiv il_, npc_, per_row_, nb_;
  // mop4clxor: bursts -> channel (lowest), then within the channel 2 column bits, PC, bank group, bank,
  // the rest of the column, row; PC, bank group and bank XORed with successive column bits
  ExactDiv burst_, channels_;
  int pc_bits_ = 0, bg_bits_ = 0, bank_bits_ = 0, col_bits_ = 0, pcs_per_channel_ = 1, bank_groups_ = 1;
};

// AddressMap(c)(addr), for one-off look-ups.
DramAddress map_address(const DramConfig& c, Bytes addr);

}  // namespace accelsim

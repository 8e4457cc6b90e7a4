#include "accelsim/memory/address_map.hpp"

#include <algorithm>

namespace accelsim {

DramAddress map_address(const DramConfig& c, Bytes addr) {
  // See AddressMap: hashed rotation of interleave granules over the pseudo-channels, then banks
  // (bank group fastest, permuted by the row), then rows.
  return AddressMap(c)(addr);
}

AddressMap::AddressMap(const DramConfig& c)
    : il_(c.interleave_bytes),
      npc_(c.pseudo_channels()),
      per_row_(std::max<std::int64_t>(1, c.row_bytes / c.interleave_bytes)),
      nb_(c.banks()) {}

}  // namespace accelsim

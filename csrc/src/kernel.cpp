#include "accelsim/kernel.hpp"

#include <cmath>

namespace accelsim {

Fidelity fidelity_from(const std::string& s) {
  if (s == "fast") return Fidelity::Fast;
  if (s == "detailed") return Fidelity::Detailed;
  if (s == "roofline") return Fidelity::Roofline;
  throw ConfigError("fidelity", "must be one of 'fast', 'detailed', 'roofline'");
}

KernelDesc KernelDesc::from(const Config& d) {
  KernelDesc k;
  k.name = d.require<std::string>("name");
  k.n_tiles = d.require<std::int64_t>("n_tiles");
  k.tile_read_bytes = d.require<Bytes>("tile_read_bytes");
  k.tile_step_bytes = d.require<Bytes>("tile_step_bytes");
  k.tile_flops = d.require_finite("tile_flops");
  k.flops_per_ps_per_unit = d.require_finite("flops_per_ps_per_unit");
  k.tile_shared_bytes = d.require<Bytes>("tile_shared_bytes");
  k.tile_write_bytes = d.require<Bytes>("tile_write_bytes");
  k.tile_fixed_ps = d.require_ps("tile_fixed_ns");
  k.kernel_fixed_ps = d.require_ps("kernel_fixed_ns");
  k.tiles_per_unit = d.require<int>("tiles_per_unit");
  k.base_address = d.require<Bytes>("base_address");
  if (d.has("write_absorb_bytes")) k.write_absorb_bytes = d.require<Bytes>("write_absorb_bytes");
  return k;
}

void KernelDesc::validate() const {
  require(n_tiles >= 1, "kernel.n_tiles", "must be >= 1");
  require(tile_read_bytes >= 0 && tile_write_bytes >= 0 && tile_shared_bytes >= 0, "kernel.bytes", "must be >= 0");
  require(write_absorb_bytes >= -1, "kernel.write_absorb_bytes", "must be >= 0 (or -1: the L2's capacity)");
  require(tile_flops >= 0 && std::isfinite(tile_flops), "kernel.flops", "must be finite and >= 0");
  require(flops_per_ps_per_unit > 0, "kernel.flops_per_ps_per_unit", "the machine cannot run this kernel's math");
  require(tiles_per_unit >= 1, "kernel.tiles_per_unit", "must be >= 1");
}

}  // namespace accelsim

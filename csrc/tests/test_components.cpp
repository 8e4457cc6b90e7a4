// Unit tests of the component layer: the flat-description reader (Config), the component registry
// (each kind's field list is exactly what it reads), the DRAM level behind the MemoryLevel interface,
// and the compute units' issue / receive bookkeeping.
#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "accelsim/compute/compute_units.hpp"
#include "accelsim/config.hpp"
#include "accelsim/memory/dram.hpp"
#include "accelsim/memory/flash.hpp"
#include "accelsim/memory/registry.hpp"
#include "accelsim/simulate.hpp"
#include "harness.hpp"

using namespace accelsim;

namespace {

MapConfig full_machine() {
  MapConfig c;
  c.set("units", std::int64_t(4)).set("max_inflight_bytes_per_unit", std::int64_t(8192));
  c.set("load_bytes_per_ps_per_unit", 0.5);
  c.set("l2_present", true).set("l2_capacity_bytes", std::int64_t(1 << 20)).set("l2_bytes_per_ps", 2.0);
  c.set("l2_latency_ns", 200.0);
  c.set("stacks", std::int64_t(1)).set("channels_per_stack", std::int64_t(2));
  c.set("pseudo_channels_per_channel", std::int64_t(2)).set("bank_groups", std::int64_t(4));
  c.set("banks_per_group", std::int64_t(4)).set("row_bytes", std::int64_t(1024));
  c.set("burst_bytes", std::int64_t(32)).set("interleave_bytes", std::int64_t(256));
  for (const char* t : {"tBL_ns", "tRCD_ns", "tRP_ns", "tCL_ns", "tRAS_ns", "tRRD_S_ns", "tRRD_L_ns", "tFAW_ns",
                        "tCCD_S_ns", "tCCD_L_ns", "tWTR_ns", "tRTW_ns", "tRFC_ns"})
    c.set(t, 2.0);
  c.set("tREFI_ns", 3900.0).set("tRFCpb_ns", 0.0).set("access_latency_ns", 100.0).set("launch_overhead_ns", 2000.0);
  return c;
}

// Every optional field too, at a valid non-default value.
MapConfig full_machine_all() {
  MapConfig c = full_machine();
  c.set("address_map", std::string("mop4clxor")).set("interleave_bytes", std::int64_t(128));
  c.set("tCWL_ns", 1.0).set("tWR_ns", 3.0).set("tRTP_ns", 1.0).set("tRCDWR_ns", 1.5);
  c.set("refresh_group", std::string("channel"));
  c.set("refresh", std::string("per_bank")).set("tRFCpb_ns", 1.0).set("scheduler", std::string("frfcfs_cap"));
  c.set("row_hit_cap", std::int64_t(2)).set("write_queue_bursts", std::int64_t(32));
  c.set("write_high_watermark", 0.75).set("write_low_watermark", 0.25);
  c.set("command_bus", std::string("channel")).set("col_cmd_ns", 0.5).set("act_cmd_ns", 1.0).set("pre_cmd_ns", 0.5);
  c.set("sids", std::int64_t(2)).set("tCCDR_ns", 1.5).set("fabric_gb_per_s", 4000.0);
  return c;
}

MapConfig full_flash() {
  MapConfig c;
  c.set("stacks", std::int64_t(2)).set("channels_per_stack", std::int64_t(4)).set("planes_per_channel", std::int64_t(2));
  c.set("page_bytes", std::int64_t(4096)).set("read_latency_us", 3.0).set("channel_bandwidth_gb_per_s", 1.0);
  c.set("stack_bandwidth_gb_per_s", 4.0).set("pages_in_flight_per_stack", std::int64_t(16));
  c.set("access_latency_ns", 500.0);
  return c;
}

// A copy of `src` without `key`.
class Without final : public ConfigSource {
 public:
  Without(const ConfigSource& s, std::string key) : s_(s), key_(std::move(key)) {}
  bool has(const char* k) const override { return key_ != k && s_.has(k); }
  bool get(const char* k, bool* o) const override { return key_ != k && s_.get(k, o); }
  bool get(const char* k, int* o) const override { return key_ != k && s_.get(k, o); }
  bool get(const char* k, std::int64_t* o) const override { return key_ != k && s_.get(k, o); }
  bool get(const char* k, double* o) const override { return key_ != k && s_.get(k, o); }
  bool get(const char* k, std::string* o) const override { return key_ != k && s_.get(k, o); }

 private:
  const ConfigSource& s_;
  std::string key_;
};

// Records which keys were read.
class Recording final : public ConfigSource {
 public:
  explicit Recording(const ConfigSource& s) : s_(s) {}
  bool has(const char* k) const override { return s_.has(k); }
  bool get(const char* k, bool* o) const override { return note(k) && s_.get(k, o); }
  bool get(const char* k, int* o) const override { return note(k) && s_.get(k, o); }
  bool get(const char* k, std::int64_t* o) const override { return note(k) && s_.get(k, o); }
  bool get(const char* k, double* o) const override { return note(k) && s_.get(k, o); }
  bool get(const char* k, std::string* o) const override { return note(k) && s_.get(k, o); }
  mutable std::set<std::string> read;

 private:
  bool note(const char* k) const {
    read.insert(k);
    return true;
  }
  const ConfigSource& s_;
};

}  // namespace

TEST_CASE("Config: missing, mistyped and out-of-range fields are ConfigErrors naming the field") {
  MapConfig c;
  c.set("n", std::int64_t(3)).set("x", 2.5).set("s", std::string("a")).set("big", std::int64_t(1) << 40);
  c.set("inf", 1e308 * 10).set("neg", -1.0);
  const Config cfg(c);
  CHECK_EQ(cfg.require<int>("n"), 3);
  CHECK_EQ(cfg.require<double>("n"), 3.0);  // an integer reads as a number
  CHECK_EQ(cfg.require<std::string>("s"), std::string("a"));
  auto field_of = [&](auto fn) -> std::string {
    try {
      fn();
    } catch (const ConfigError& e) {
      return e.field;
    }
    return "";
  };
  CHECK_EQ(field_of([&] { cfg.require<int>("absent"); }), std::string("absent"));
  CHECK_EQ(field_of([&] { cfg.require<int>("x"); }), std::string("x"));    // a float is not an integer
  CHECK_EQ(field_of([&] { cfg.require<int>("big"); }), std::string("big"));  // does not fit an int
  CHECK_EQ(field_of([&] { cfg.require_finite("inf"); }), std::string("inf"));
  CHECK_EQ(field_of([&] { cfg.require_ps("neg"); }), std::string("neg"));
  CHECK_EQ(cfg.require_ps("x"), TimePs(2500));
}

TEST_CASE("registry: each component reads exactly its listed fields, and misses each one by name") {
  const MapConfig mc = full_machine_all(), fc = full_flash();
  std::set<std::string> machine_fields;
  for (const auto& k : component_kinds()) {
    const MapConfig& src = k.read ? mc : fc;
    Recording rec(src);
    if (k.read) {
      MachineConfig m;
      k.read(Config(rec), &m);
    } else {
      FlashConfig::from(Config(rec));
    }
    std::set<std::string> listed(k.fields.begin(), k.fields.end());
    listed.insert(k.optional.begin(), k.optional.end());
    CHECK(rec.read == listed);
    CHECK_EQ(listed.size(), k.fields.size() + k.optional.size());  // no field listed twice
    for (const char* f : k.optional) {
      CHECK(machine_fields.insert(f).second);
      const Without w(src, f);  // an optional field may be left out
      MachineConfig m;
      if (k.read) k.read(Config(w), &m);
    }
    for (const char* f : k.fields) {
      if (k.read) {
        CHECK(machine_fields.insert(f).second);  // no two machine components share a field
      }
      const Without w(src, f);
      try {
        if (k.read) {
          MachineConfig m;
          k.read(Config(w), &m);
        } else {
          FlashConfig::from(Config(w));
        }
        CHECK(false);
      } catch (const ConfigError& e) {
        CHECK_EQ(e.field, std::string(f));
      }
    }
    std::vector<std::string> all(k.fields.begin(), k.fields.end());
    all.insert(all.end(), k.optional.begin(), k.optional.end());
    CHECK(component_fields(k.kind) == all);
  }
  CHECK_THROWS_AS(component_fields("tape"), ConfigError);
  // the whole machine reads through the table
  const MachineConfig m = MachineConfig::from(Config(mc));
  CHECK_EQ(m.compute.units, 4);
  CHECK_EQ(m.dram.pseudo_channels(), 4);
  CHECK_EQ(m.l2.latency, TimePs(200000));
  CHECK_EQ(m.launch_overhead, TimePs(2000000));
  m.validate();
}

TEST_CASE("without an L2 its fields are not read") {
  MapConfig c = full_machine();
  c.set("l2_present", false);
  const Without w(c, "l2_latency_ns");
  const MachineConfig m = MachineConfig::from(Config(w));
  CHECK(!m.l2.present);
}

TEST_CASE("DRAM level through the MemoryLevel interface: place, accept, serve, stats") {
  DramConfig c;
  c.stacks = 1;
  c.channels_per_stack = 1;
  c.pcs_per_channel = 2;
  c.interleave_bytes = 256;
  c.tREFI = TimePs(1) << 50;
  DramLevel dram(c, false);
  MemoryLevel& level = dram;
  CHECK_EQ(std::string(level.kind()), std::string("dram"));
  CHECK_EQ(level.ports(), 2);
  std::int64_t served = 0;
  std::vector<int> seen(2, 0);
  for (int g = 0; g < 16; ++g) {
    MemRequest r;
    const int port = level.place(Bytes(g) * c.interleave_bytes, &r);
    CHECK(port >= 0 && port < 2);
    seen[static_cast<std::size_t>(port)] += 1;
    const DramAddress a = map_address(c, Bytes(g) * c.interleave_bytes);
    CHECK_EQ(a.pc, port);
    CHECK_EQ(a.bank, r.bank);
    CHECK_EQ(a.row, r.row);
    r.id = g;
    r.age = g;
    r.bursts = 8;
    level.accept(port, r);
  }
  CHECK_EQ(seen[0], 8);
  CHECK_EQ(seen[1], 8);
  for (int p = 0; p < 2; ++p) {
    TimePs now = 0, last_done = 0;
    for (;;) {
      TimePs t = level.next_event_ps(p, now);
      if (t >= kNever) break;
      while (t > now) {
        now = t;
        t = level.next_event_ps(p, now);
      }
      TimePs done = 0;
      MemRequest r;
      if (!level.serve(p, now, &r, &done)) continue;
      CHECK_GE(done, last_done);  // one port's data bus is serial
      last_done = done;
      ++served;
    }
  }
  CHECK_EQ(served, std::int64_t(16));
  const LevelStats s = level.stats();
  CHECK_EQ(s.requests, std::int64_t(16));
  CHECK_EQ(s.read_bytes, Bytes(16 * 8 * 32));
  CHECK_EQ(s.bus_busy, TimePs(16 * 8) * c.tBL);
}

TEST_CASE("compute units: loads stay within the in-flight budget and granules; a tile ends with its last load") {
  ComputeConfig cc;
  cc.units = 2;
  cc.max_inflight_bytes_per_unit = 1024;
  cc.load_bytes_per_ps_per_unit = 1.0;
  KernelDesc k;
  k.n_tiles = 3;
  k.tile_read_bytes = 3000;
  k.tile_step_bytes = 1000;
  k.tile_flops = 3000;
  k.flops_per_ps_per_unit = 1.0;
  k.base_address = 100;  // not granule-aligned
  ComputeUnits cu(cc, k, 256);
  TimePs done = 0;
  CHECK(!cu.start_tile(0, 0, 0, 0, &done));
  CHECK(cu.mark_issue_pending(0));
  CHECK(!cu.mark_issue_pending(0));
  std::vector<Load> loads;
  cu.issue(0, &loads);
  Bytes total = 0;
  for (const Load& l : loads) {
    CHECK_LE(l.addr / 256, (l.addr + l.bytes - 1) / 256);
    CHECK_EQ(l.addr / 256, (l.addr + l.bytes - 1) / 256);  // one granule each
    total += l.bytes;
  }
  CHECK_LE(total, Bytes(1024));
  CHECK_GT(total, Bytes(1024 - 256));
  // everything back: the unit issues the rest, and the tile completes after its last load
  Bytes got = 0;
  TimePs now = 1000;
  ComputeUnits::Received last;
  while (got < k.tile_read_bytes) {
    std::vector<Load> batch;
    std::swap(batch, loads);
    CHECK(!batch.empty());
    for (const Load& l : batch) {
      last = cu.receive(l.id, now);
      CHECK(last.load_done);
      got += l.bytes;
      now += 10;
    }
    cu.issue(0, &loads);
  }
  CHECK(last.tile_done);
  CHECK_EQ(got, k.tile_read_bytes);
  CHECK_GE(last.tile_done_at, now);  // three steps of 1000 ps after the data started arriving
  CHECK_EQ(cu.compute_busy(), TimePs(3000));
}

TEST_CASE("flash tier: pages conserved, reading more never takes less time") {
  const FlashConfig c = FlashConfig::from(Config(full_flash()));
  TimePs prev = 0;
  for (Bytes b : {Bytes(1), Bytes(4096), Bytes(4097), Bytes(1 << 20), Bytes(8 << 20)}) {
    const FlashResult r = simulate_flash_read(c, b);
    CHECK_EQ(r.pages, (b + 4095) / 4096);
    CHECK_GE(r.time_ps, prev);
    CHECK_GE(r.time_ps, c.tR + c.access_latency);
    prev = r.time_ps;
  }
}

ACCELSIM_TEST_MAIN()

// The only file that knows about Python: dict -> config structs, GIL release, result -> dict,
// C++ ConfigError -> a Python ValueError subclass.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <string>
#include <vector>

#include "accelsim/types.hpp"
#include "accelsim/flash.hpp"

namespace py = pybind11;
using namespace accelsim;

namespace {

template <typename T>
T get(const py::dict& d, const char* key) {
  if (!d.contains(key)) throw ConfigError(key, "missing from the machine description");
  try {
    return d[key].cast<T>();
  } catch (const py::cast_error&) {
    throw ConfigError(key, "has the wrong type");
  }
}

double get_finite(const py::dict& d, const char* key) {
  const double v = get<double>(d, key);
  if (!std::isfinite(v)) throw ConfigError(key, "must be finite");
  return v;
}

TimePs get_ps(const py::dict& d, const char* key) {
  const double ns = get_finite(d, key);
  if (ns < 0 || ns > 1e12) throw ConfigError(key, "must be between 0 and 1e12 ns");
  return ns_to_ps(ns);
}

MachineConfig machine_from(const py::dict& d) {
  MachineConfig m;
  m.compute.units = get<int>(d, "units");
  m.compute.max_inflight_bytes_per_unit = get<Bytes>(d, "max_inflight_bytes_per_unit");
  m.compute.load_bytes_per_ps_per_unit = get_finite(d, "load_bytes_per_ps_per_unit");
  m.l2.present = get<bool>(d, "l2_present");
  if (m.l2.present) {
    m.l2.capacity_bytes = get<Bytes>(d, "l2_capacity_bytes");
    m.l2.bytes_per_ps = get_finite(d, "l2_bytes_per_ps");
    m.l2.latency = get_ps(d, "l2_latency_ns");
    if (!(m.l2.bytes_per_ps > 0)) throw ConfigError("l2.bytes_per_cycle", "must be > 0");
  }
  auto& r = m.dram;
  r.stacks = get<int>(d, "stacks");
  r.channels_per_stack = get<int>(d, "channels_per_stack");
  r.pcs_per_channel = get<int>(d, "pseudo_channels_per_channel");
  r.bank_groups = get<int>(d, "bank_groups");
  r.banks_per_group = get<int>(d, "banks_per_group");
  r.row_bytes = get<Bytes>(d, "row_bytes");
  r.burst_bytes = get<Bytes>(d, "burst_bytes");
  r.interleave_bytes = get<Bytes>(d, "interleave_bytes");
  r.tBL = get_ps(d, "tBL_ns");
  r.tRCD = get_ps(d, "tRCD_ns");
  r.tRP = get_ps(d, "tRP_ns");
  r.tCL = get_ps(d, "tCL_ns");
  r.tRAS = get_ps(d, "tRAS_ns");
  r.tRRD_S = get_ps(d, "tRRD_S_ns");
  r.tRRD_L = get_ps(d, "tRRD_L_ns");
  r.tFAW = get_ps(d, "tFAW_ns");
  r.tCCD_S = get_ps(d, "tCCD_S_ns");
  r.tCCD_L = get_ps(d, "tCCD_L_ns");
  r.tWTR = get_ps(d, "tWTR_ns");
  r.tRTW = get_ps(d, "tRTW_ns");
  r.tRFC = get_ps(d, "tRFC_ns");
  r.tREFI = get_ps(d, "tREFI_ns");
  r.tRFCpb = get_ps(d, "tRFCpb_ns");
  r.access_latency = get_ps(d, "access_latency_ns");
  m.launch_overhead = get_ps(d, "launch_overhead_ns");
  return m;
}

KernelDesc kernel_from(const py::dict& d) {
  KernelDesc k;
  k.name = get<std::string>(d, "name");
  k.n_tiles = get<std::int64_t>(d, "n_tiles");
  k.tile_read_bytes = get<Bytes>(d, "tile_read_bytes");
  k.tile_step_bytes = get<Bytes>(d, "tile_step_bytes");
  k.tile_flops = get_finite(d, "tile_flops");
  k.flops_per_ps_per_unit = get_finite(d, "flops_per_ps_per_unit");
  k.tile_shared_bytes = get<Bytes>(d, "tile_shared_bytes");
  k.tile_write_bytes = get<Bytes>(d, "tile_write_bytes");
  k.tile_fixed_ps = get_ps(d, "tile_fixed_ns");
  k.kernel_fixed_ps = get_ps(d, "kernel_fixed_ns");
  k.tiles_per_unit = get<int>(d, "tiles_per_unit");
  k.base_address = get<Bytes>(d, "base_address");
  if (d.contains("write_absorb_bytes")) k.write_absorb_bytes = get<Bytes>(d, "write_absorb_bytes");
  return k;
}

Fidelity fidelity_from(const std::string& s) {
  if (s == "fast") return Fidelity::Fast;
  if (s == "detailed") return Fidelity::Detailed;
  if (s == "roofline") return Fidelity::Roofline;
  throw ConfigError("fidelity", "must be one of 'fast', 'detailed', 'roofline'");
}

py::dict to_dict(const KernelResult& r) {
  py::dict o;
  o["name"] = r.name;
  o["time_ps"] = r.time_ps;
  o["body_ps"] = r.body_ps;
  o["launch_ps"] = r.launch_ps;
  o["dram_read_bytes"] = r.dram_read_bytes;
  o["dram_write_bytes"] = r.dram_write_bytes;
  o["l2_read_bytes"] = r.l2_read_bytes;
  o["flops"] = r.flops;
  o["dram_requests"] = r.dram_requests;
  o["row_hits"] = r.row_hits;
  o["row_misses"] = r.row_misses;
  o["refreshes"] = r.refreshes;
  o["activates"] = r.activates;
  o["dram_bus_busy_ps"] = r.dram_bus_busy_ps;
  o["compute_busy_ps"] = r.compute_busy_ps;
  o["first_data_ps"] = r.first_data_ps;
  o["events"] = r.events;
  return o;
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "accelsim's compiled engine (private; use the accelsim package)";
  // Kept alive by the module for the interpreter's lifetime.
  static PyObject* core_config_error = PyErr_NewException("accelsim._core.CoreConfigError", PyExc_ValueError, nullptr);
  m.attr("CoreConfigError") = py::handle(core_config_error);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const ConfigError& e) {
      py::object err = py::handle(core_config_error)(py::str(e.what()));
      err.attr("field") = e.field;
      PyErr_SetObject(core_config_error, err.ptr());
    }
  });
  m.def(
      "simulate_kernels",
      [](const py::dict& machine, const py::list& kernels, const std::string& fidelity) {
        const MachineConfig mc = machine_from(machine);
        mc.validate();
        std::vector<KernelDesc> ks;
        ks.reserve(kernels.size());
        for (auto k : kernels) ks.push_back(kernel_from(k.cast<py::dict>()));
        const Fidelity f = fidelity_from(fidelity);
        std::vector<KernelResult> out;
        out.reserve(ks.size());
        {
          // Pure C++ from here on: no Python objects touched, so other threads may run.
          py::gil_scoped_release release;
          for (const auto& k : ks) out.push_back(simulate_kernel(mc, k, f));
        }
        py::list res;
        for (const auto& r : out) res.append(to_dict(r));
        return res;
      },
      py::arg("machine"), py::arg("kernels"), py::arg("fidelity") = "fast",
      "Simulate each kernel on a fresh machine state; returns one dict per kernel.");
  // High Bandwidth Flash (issue 4): stream bytes from the flash tier (csrc/src/flash.cpp).
  m.def(
      "simulate_flash_read",
      [](const py::dict& d, std::int64_t bytes) {
        FlashConfig c;
        c.stacks = get<int>(d, "stacks");
        c.channels_per_stack = get<int>(d, "channels_per_stack");
        c.planes_per_channel = get<int>(d, "planes_per_channel");
        c.page_bytes = get<Bytes>(d, "page_bytes");
        c.tR = ns_to_ps(get_finite(d, "read_latency_us") * 1000.0);
        c.channel_bytes_per_ps = get_finite(d, "channel_bandwidth_gb_per_s") * 1e-3;
        c.stack_bytes_per_ps = get_finite(d, "stack_bandwidth_gb_per_s") * 1e-3;
        c.pages_in_flight_per_stack = get<std::int64_t>(d, "pages_in_flight_per_stack");
        c.access_latency = get_ps(d, "access_latency_ns");
        FlashResult r;
        {
          py::gil_scoped_release release;
          r = simulate_flash_read(c, bytes);
        }
        py::dict o;
        o["time_ps"] = r.time_ps;
        o["first_page_ps"] = r.first_page_ps;
        o["pages"] = r.pages;
        o["bytes"] = r.bytes;
        o["plane_busy_ps"] = r.plane_busy_ps;
        o["channel_busy_ps"] = r.channel_busy_ps;
        o["events"] = r.events;
        return o;
      },
      py::arg("hbf"), py::arg("bytes"),
      "Stream `bytes` from a High Bandwidth Flash tier (dict of HbfSpec fields); returns times in ps.");
}

// The only file that knows about Python: a dict as the core's ConfigSource, GIL release, result -> dict,
// C++ ConfigError -> a Python ValueError subclass. Which fields exist is the core's business
// (memory/registry.hpp and each component's from()).
#include <pybind11/pybind11.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <string>
#include <vector>

#include "accelsim/config.hpp"
#include "accelsim/memory/dram_trace.hpp"
#include "accelsim/memory/flash.hpp"
#include "accelsim/memory/registry.hpp"
#include "accelsim/simulate.hpp"

namespace py = pybind11;
using namespace accelsim;

namespace {

// A Python dict read field by field with pybind11's own conversions (the GIL is held while reading).
class DictSource final : public ConfigSource {
 public:
  explicit DictSource(const py::dict& d) : d_(d) {}
  bool has(const char* key) const override { return d_.contains(key); }
  bool get(const char* key, bool* out) const override { return cast(key, out); }
  bool get(const char* key, int* out) const override { return cast(key, out); }
  bool get(const char* key, std::int64_t* out) const override { return cast(key, out); }
  bool get(const char* key, double* out) const override { return cast(key, out); }
  bool get(const char* key, std::string* out) const override { return cast(key, out); }

 private:
  template <typename T>
  bool cast(const char* key, T* out) const {
    try {
      *out = d_[key].cast<T>();
      return true;
    } catch (const py::cast_error&) {
      return false;
    }
  }
  const py::dict& d_;
};

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
  o["roofline_dram_ps"] = r.roofline_dram_ps;
  o["roofline_compute_ps"] = r.roofline_compute_ps;
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
      err.attr("reason") = e.reason;
      PyErr_SetObject(core_config_error, err.ptr());
    }
  });
  m.def(
      "simulate_kernels",
      [](const py::dict& machine, const py::list& kernels, const std::string& fidelity) {
        const MachineConfig mc = MachineConfig::from(Config(DictSource(machine)));
        mc.validate();
        std::vector<KernelDesc> ks;
        ks.reserve(kernels.size());
        for (auto k : kernels) {
          const py::dict kd = k.cast<py::dict>();
          ks.push_back(KernelDesc::from(Config(DictSource(kd))));
        }
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
  // High Bandwidth Flash: stream bytes from the flash tier (csrc/src/memory/flash.cpp).
  m.def(
      "simulate_flash_read",
      [](const py::dict& d, std::int64_t bytes) {
        const FlashConfig c = FlashConfig::from(Config(DictSource(d)));
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
  // A load/store trace through the DRAM alone (closed loop, as DRAM simulators are driven): the
  // comparison with other DRAM simulators (benchmarks/ramulator_compare.py).
  m.def(
      "simulate_dram_trace",
      [](const py::dict& machine, py::array_t<std::int64_t, py::array::c_style | py::array::forcecast> addr,
         py::array_t<std::uint8_t, py::array::c_style | py::array::forcecast> write, int read_queue_entries,
         int write_queue_entries) {
        const DramConfig c = DramConfig::from(Config(DictSource(machine)));
        if (addr.ndim() != 1 || write.ndim() != 1 || addr.shape(0) != write.shape(0))
          throw ConfigError("write", "addresses and write flags must be 1-d arrays of one length");
        DramTraceOptions opt;
        opt.read_queue_entries = read_queue_entries;
        opt.write_queue_entries = write_queue_entries;
        DramTraceResult r;
        {
          py::gil_scoped_release release;
          r = simulate_dram_trace(c, addr.data(), write.data(), addr.shape(0), opt);
        }
        py::dict o;
        o["requests"] = r.requests;
        o["reads"] = r.reads;
        o["writes"] = r.writes;
        o["time_ps"] = r.time_ps;
        o["last_accept_ps"] = r.last_accept_ps;
        o["read_latency_sum_ps"] = r.read_latency_sum_ps;
        o["row_hits"] = r.row_hits;
        o["row_misses"] = r.row_misses;
        o["activates"] = r.activates;
        o["refreshes"] = r.refreshes;
        o["bytes"] = r.bytes;
        o["events"] = r.events;
        return o;
      },
      py::arg("machine"), py::arg("addresses"), py::arg("writes"), py::arg("read_queue_entries") = 32,
      py::arg("write_queue_entries") = 32,
      "Run a load/store trace (byte addresses, write flags) through the machine's DRAM alone; times in ps.");
  m.def("component_kinds", [] {
    std::vector<std::string> out;
    for (const auto& k : component_kinds()) out.emplace_back(k.kind);
    return out;
  }, "The machine components the core knows, in the order it reads them.");
  m.def("component_fields", &component_fields, py::arg("kind"),
        "The fields of the flat description that component `kind` reads.");
}

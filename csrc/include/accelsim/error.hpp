// Errors of the core. A ConfigError names the offending field (its dotted path), so the bindings can
// hand it on to the Python package, which raises accelsim.ConfigError with the same `field`.
#pragma once
#include <stdexcept>
#include <string>

namespace accelsim {

struct ConfigError : std::runtime_error {
  std::string field;   // the offending field
  std::string reason;  // what is wrong with it (what() is "field: reason")
  ConfigError(std::string f, const std::string& msg)
      : std::runtime_error(f + ": " + msg), field(std::move(f)), reason(msg) {}
};

// A failure inside the simulation that is not the caller's input (an internal limit was hit).
struct SimError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Throw ConfigError(field, msg) unless `ok`.
inline void require(bool ok, const char* field, const char* msg) {
  if (!ok) throw ConfigError(field, msg);
}

}  // namespace accelsim

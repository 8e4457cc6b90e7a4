// Reading a flat description (machine, kernel, flash tier) field by field. The core does not know where
// the values come from: a ConfigSource answers typed look-ups (the Python bindings wrap a dict, the C++
// tests a std::map). Each component reads its own fields through Config, which turns a missing field,
// a value of the wrong type or an out-of-range time into a ConfigError naming the field.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <variant>

#include "accelsim/error.hpp"
#include "accelsim/units.hpp"

namespace accelsim {

// Typed look-ups; a getter returns false when the value cannot be read as that type.
class ConfigSource {
 public:
  virtual ~ConfigSource() = default;
  virtual bool has(const char* key) const = 0;
  virtual bool get(const char* key, bool* out) const = 0;
  virtual bool get(const char* key, int* out) const = 0;
  virtual bool get(const char* key, std::int64_t* out) const = 0;
  virtual bool get(const char* key, double* out) const = 0;
  virtual bool get(const char* key, std::string* out) const = 0;
};

// An in-memory source (C++ tests, tools). Integers read as double; a double is never read as an integer.
class MapConfig final : public ConfigSource {
 public:
  using Value = std::variant<bool, std::int64_t, double, std::string>;
  MapConfig() = default;
  MapConfig& set(const std::string& k, Value v) {
    values_[k] = std::move(v);
    return *this;
  }
  bool has(const char* key) const override { return values_.count(key) != 0; }
  bool get(const char* key, bool* out) const override;
  bool get(const char* key, int* out) const override;
  bool get(const char* key, std::int64_t* out) const override;
  bool get(const char* key, double* out) const override;
  bool get(const char* key, std::string* out) const override;

 private:
  std::map<std::string, Value> values_;
};

class Config {
 public:
  explicit Config(const ConfigSource& src) : src_(src) {}
  bool has(const char* key) const { return src_.has(key); }

  template <typename T>
  T require(const char* key) const {
    if (!src_.has(key)) throw ConfigError(key, "missing from the machine description");
    T v{};
    if (!src_.get(key, &v)) throw ConfigError(key, "has the wrong type");
    return v;
  }
  // A number that must be finite.
  double require_finite(const char* key) const;
  // A duration given in ns (0 .. 1e12 ns), as integer ps.
  TimePs require_ps(const char* key) const;

 private:
  const ConfigSource& src_;
};

}  // namespace accelsim

#include "accelsim/config.hpp"

#include <cmath>
#include <limits>

namespace accelsim {

bool MapConfig::get(const char* key, bool* out) const {
  const auto it = values_.find(key);
  if (it == values_.end()) return false;
  if (const auto* b = std::get_if<bool>(&it->second)) {
    *out = *b;
    return true;
  }
  if (const auto* i = std::get_if<std::int64_t>(&it->second)) {
    *out = *i != 0;
    return true;
  }
  return false;
}

bool MapConfig::get(const char* key, std::int64_t* out) const {
  const auto it = values_.find(key);
  if (it == values_.end()) return false;
  if (const auto* i = std::get_if<std::int64_t>(&it->second)) {
    *out = *i;
    return true;
  }
  if (const auto* b = std::get_if<bool>(&it->second)) {
    *out = *b ? 1 : 0;
    return true;
  }
  return false;
}

bool MapConfig::get(const char* key, int* out) const {
  std::int64_t v = 0;
  if (!get(key, &v) || v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max()) return false;
  *out = static_cast<int>(v);
  return true;
}

bool MapConfig::get(const char* key, double* out) const {
  const auto it = values_.find(key);
  if (it == values_.end()) return false;
  if (const auto* d = std::get_if<double>(&it->second)) {
    *out = *d;
    return true;
  }
  std::int64_t v = 0;
  if (!get(key, &v)) return false;
  *out = static_cast<double>(v);
  return true;
}

bool MapConfig::get(const char* key, std::string* out) const {
  const auto it = values_.find(key);
  if (it == values_.end()) return false;
  if (const auto* s = std::get_if<std::string>(&it->second)) {
    *out = *s;
    return true;
  }
  return false;
}

double Config::require_finite(const char* key) const {
  const double v = require<double>(key);
  if (!std::isfinite(v)) throw ConfigError(key, "must be finite");
  return v;
}

TimePs Config::require_ps(const char* key) const {
  const double ns = require_finite(key);
  if (ns < 0 || ns > 1e12) throw ConfigError(key, "must be between 0 and 1e12 ns");
  return ns_to_ps(ns);
}

}  // namespace accelsim

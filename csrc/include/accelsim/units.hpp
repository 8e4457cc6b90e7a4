// Units of the core: time is integer picoseconds (TimePs), sizes are bytes. This header holds the ONLY
// unit conversions of the C++ core (ns -> ps, a size at a rate -> a duration).
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>

namespace accelsim {

using TimePs = std::int64_t;  // simulated time, integer picoseconds
using Bytes = std::int64_t;

// "Never": far enough in the future that adding a few durations to it cannot overflow.
constexpr TimePs kNever = std::numeric_limits<TimePs>::max() / 4;

// The ONLY ns -> ps conversion: round to nearest picosecond.
inline TimePs ns_to_ps(double ns) { return static_cast<TimePs>(ns * 1000.0 + 0.5); }

// How long `num` units take at `rate` units per ps, rounded up to a whole picosecond (0 for num <= 0):
// a tiny but nonzero amount of work is never free.
inline TimePs div_ceil_ps(double num, double rate) {
  if (num <= 0) return 0;
  return static_cast<TimePs>(std::ceil(num / rate));
}

}  // namespace accelsim

// Integer helpers of the hot loops: exact division by a run-time constant, and a 64-bit mixer.
#pragma once
#include <cstdint>

namespace accelsim {

// Exact division of a value by a positive constant: a shift for powers of two, else a multiply-high by
// floor((2^64-1)/d) followed by an exact correction; negative values use plain division. Same results
// as `/` and `%`.
struct ExactDiv {
  std::int64_t d = 1;
  int shift = -1;        // >= 0 when d is a power of two
  std::uint64_t m = 0;   // floor((2^64 - 1) / d) otherwise
  ExactDiv() = default;
  explicit ExactDiv(std::int64_t dv) : d(dv) {
    if (d > 0 && (d & (d - 1)) == 0) {
      shift = 0;
      while ((std::int64_t(1) << shift) != d) ++shift;
    } else if (d > 0) {
      m = ~std::uint64_t(0) / static_cast<std::uint64_t>(d);
    }
  }
  std::int64_t div(std::int64_t v) const {
    if (v < 0 || d <= 0) return v / d;
    if (shift >= 0) return v >> shift;
    const std::uint64_t u = static_cast<std::uint64_t>(v), ud = static_cast<std::uint64_t>(d);
    std::uint64_t q = static_cast<std::uint64_t>((static_cast<unsigned __int128>(u) * m) >> 64);
    std::uint64_t r = u - q * ud;  // q never overshoots, and undershoots by at most a few
    while (r >= ud) {
      ++q;
      r -= ud;
    }
    return static_cast<std::int64_t>(q);
  }
  std::int64_t mod(std::int64_t v) const {
    if (v < 0 || d <= 0) return v % d;
    if (shift >= 0) return v & (d - 1);
    return v - div(v) * d;
  }
};

// SplitMix64 finalizer.
inline std::uint64_t mix64(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

}  // namespace accelsim

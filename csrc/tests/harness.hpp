// A minimal self-contained unit-test harness for the C++ core (no third-party code).
//   TEST_CASE("name") { CHECK(cond); CHECK_EQ(a, b); CHECK_GE(a, b); CHECK_THROWS_AS(expr, Type); }
//   ACCELSIM_TEST_MAIN()   // once per executable
// A failing CHECK prints file:line, the expression and (for comparisons) both values, and the test
// carries on; the executable exits non-zero if any check failed. `exe name-substring` runs a subset.
#pragma once
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace accelsim_test {

struct Case {
  const char* name;
  std::function<void()> fn;
};
inline std::vector<Case>& registry() {
  static std::vector<Case> r;
  return r;
}
inline int& failures() {
  static int n = 0;
  return n;
}
inline long& checks() {
  static long n = 0;
  return n;
}
inline const char*& current() {
  static const char* c = "";
  return c;
}
struct Register {
  Register(const char* n, std::function<void()> f) { registry().push_back({n, std::move(f)}); }
};
template <typename T>
std::string show(const T& v) {
  std::ostringstream o;
  if constexpr (std::is_same_v<T, bool>) o << (v ? "true" : "false");
  else o << v;
  return o.str();
}
inline void fail(const char* file, int line, const std::string& what) {
  ++failures();
  std::fprintf(stderr, "%s:%d: FAILED in [%s]: %s\n", file, line, current(), what.c_str());
}
template <typename A, typename B>
void compare(bool ok, const char* file, int line, const char* expr, const A& a, const B& b) {
  ++checks();
  if (!ok) fail(file, line, std::string(expr) + "  with values " + show(a) + " and " + show(b));
}
inline int run_all(int argc, char** argv) {
  int ran = 0;
  for (const auto& c : registry()) {
    if (argc > 1 && std::strstr(c.name, argv[1]) == nullptr) continue;
    current() = c.name;
    const int before = failures();
    try {
      c.fn();
    } catch (const std::exception& e) {
      fail(__FILE__, __LINE__, std::string("unexpected exception: ") + e.what());
    } catch (...) {
      fail(__FILE__, __LINE__, "unexpected non-std exception");
    }
    ++ran;
    std::printf("%s %s\n", failures() == before ? "ok  " : "FAIL", c.name);
  }
  std::printf("%d test cases, %ld checks, %d failures\n", ran, checks(), failures());
  return failures() == 0 && ran > 0 ? 0 : 1;
}

}  // namespace accelsim_test

#define ACCELSIM_CAT2(a, b) a##b
#define ACCELSIM_CAT(a, b) ACCELSIM_CAT2(a, b)
#define TEST_CASE(name)                                                                         \
  static void ACCELSIM_CAT(test_fn_, __LINE__)();                                               \
  static const accelsim_test::Register ACCELSIM_CAT(test_reg_, __LINE__)(name, ACCELSIM_CAT(test_fn_, __LINE__)); \
  static void ACCELSIM_CAT(test_fn_, __LINE__)()

#define CHECK(cond)                                                           \
  do {                                                                        \
    ++accelsim_test::checks();                                                \
    if (!(cond)) accelsim_test::fail(__FILE__, __LINE__, "CHECK(" #cond ")"); \
  } while (0)
#define ACCELSIM_CMP(a, op, b)                                                                       \
  do {                                                                                               \
    const auto& va_ = (a);                                                                           \
    const auto& vb_ = (b);                                                                           \
    accelsim_test::compare(va_ op vb_, __FILE__, __LINE__, #a " " #op " " #b, va_, vb_);              \
  } while (0)
#define CHECK_EQ(a, b) ACCELSIM_CMP(a, ==, b)
#define CHECK_NE(a, b) ACCELSIM_CMP(a, !=, b)
#define CHECK_LT(a, b) ACCELSIM_CMP(a, <, b)
#define CHECK_LE(a, b) ACCELSIM_CMP(a, <=, b)
#define CHECK_GT(a, b) ACCELSIM_CMP(a, >, b)
#define CHECK_GE(a, b) ACCELSIM_CMP(a, >=, b)
#define CHECK_THROWS_AS(expr, Type)                                                                  \
  do {                                                                                               \
    ++accelsim_test::checks();                                                                       \
    bool thrown_ = false;                                                                            \
    try {                                                                                            \
      (void)(expr);                                                                                  \
    } catch (const Type&) {                                                                          \
      thrown_ = true;                                                                                \
    } catch (...) {                                                                                  \
    }                                                                                                \
    if (!thrown_) accelsim_test::fail(__FILE__, __LINE__, "CHECK_THROWS_AS(" #expr ", " #Type ")"); \
  } while (0)

#define ACCELSIM_TEST_MAIN() \
  int main(int argc, char** argv) { return accelsim_test::run_all(argc, argv); }

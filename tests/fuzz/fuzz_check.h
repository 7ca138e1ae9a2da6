#pragma once
// What the fuzz targets share: an invariant check that traps (libFuzzer
// records a trap as a crash and saves the input), and a view-containment
// test for the zero-copy parsers.
#include <cstdint>
#include <cstdio>
#include <string_view>

#include "gw/core/log.h"

namespace gw::fuzz {

// Traps when `ok` is false, after naming the broken invariant on stderr so
// that a crash report says which one it was.
#define GW_FUZZ_CHECK(ok)                                                               \
  do {                                                                                  \
    if (!(ok)) {                                                                        \
      std::fprintf(stderr, "invariant broken at %s:%d: %s\n", __FILE__, __LINE__, #ok); \
      __builtin_trap();                                                                 \
    }                                                                                   \
  } while (0)

// True when `part` lies inside `whole`. An empty view may point anywhere
// (a default-constructed view points nowhere).
inline bool Inside(std::string_view part, std::string_view whole) {
  if (part.empty()) return true;
  auto p = reinterpret_cast<uintptr_t>(part.data());
  auto w = reinterpret_cast<uintptr_t>(whole.data());
  return p >= w && p - w <= whole.size() && part.size() <= whole.size() - (p - w);
}

// A log ring at debug level, so that every log line's formatting runs on
// fuzzed text too. Install() once per process, Reset() per input.
class FuzzLog {
 public:
  FuzzLog() { ring_.set_level(log::Level::kDebug); }
  void Install() { log::Install(&ring_); }
  void Reset() { ring_.clear(); }
  log::LogRing& ring() { return ring_; }

 private:
  static uint32_t Now(void*) { return 0; }
  log::LogRing ring_{&Now, nullptr};
};

}  // namespace gw::fuzz

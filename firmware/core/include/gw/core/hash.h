#pragma once
// FNV-1a (32 and 64 bit): the one non-cryptographic hash of the firmware,
// for matching keys, To tags, loop detection and branch parts. Not for
// anything an attacker must not forge (that is the DRBG's and HMAC's job).
#include <cstdint>
#include <string_view>

namespace gw {

inline constexpr uint32_t kFnv32Offset = 2166136261u;
inline constexpr uint64_t kFnv64Offset = 14695981039346656037ull;

// FNV-1a of s, continuing from h.
constexpr uint32_t Fnv1a32(std::string_view s, uint32_t h = kFnv32Offset) {
  for (char c : s) {
    h ^= static_cast<uint8_t>(c);
    h *= 16777619u;
  }
  return h;
}
constexpr uint64_t Fnv1a64(std::string_view s, uint64_t h = kFnv64Offset) {
  for (char c : s) {
    h ^= static_cast<uint8_t>(c);
    h *= 1099511628211ull;
  }
  return h;
}

// One field of a sequence: s and then a separator, so that the fields
// ("ab", "c") and ("a", "bc") hash apart.
constexpr uint32_t Fnv1a32Field(uint32_t h, std::string_view s) {
  return Fnv1a32("\xFF", Fnv1a32(s, h));
}
constexpr uint64_t Fnv1a64Field(uint64_t h, std::string_view s) {
  return Fnv1a64("\xFF", Fnv1a64(s, h));
}

}  // namespace gw

#pragma once
// Decimal numbers from untrusted text (the wire, config, MML): one parser
// with overflow checks, so that no module grows its own digit loop.
#include <cstdint>
#include <string_view>
#include <type_traits>

namespace gw {

// Parses 1*DIGIT (no sign, no whitespace; leading zeros allowed, as RFC
// 3261 grammar allows them: "Max-Forwards: 0068") into out when its value
// is at most max. False, with out untouched, on an empty string, any other
// character, or a value over max. The value is checked digit by digit, so
// no length limit is needed and no intermediate value can overflow.
[[nodiscard]] bool ParseDecimal(std::string_view digits, uint64_t max, uint64_t& out);

// The same for a narrower unsigned type; max defaults to the type's largest.
template <typename T>
requires(std::is_unsigned_v<T> && !std::is_same_v<T, bool> && !std::is_same_v<T, uint64_t>)
    [[nodiscard]] bool ParseDecimal(std::string_view digits, std::type_identity_t<T> max, T& out) {
  uint64_t value = 0;
  if (!ParseDecimal(digits, max, value)) return false;
  out = static_cast<T>(value);
  return true;
}

template <typename T>
requires(std::is_unsigned_v<T> && !std::is_same_v<T, bool>)
    [[nodiscard]] bool ParseDecimal(std::string_view digits, T& out) {
  return ParseDecimal(digits, static_cast<std::type_identity_t<T>>(~T{0}), out);
}

}  // namespace gw

#pragma once
// Small text helpers shared by config and mml (no allocation, no locale).
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace gw::config {

constexpr char ToUpper(char c) {
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

constexpr bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ToUpper(a[i]) != ToUpper(b[i])) return false;
  }
  return true;
}

// Parses an optionally signed decimal integer within +-(2^63-1)
// (gw::ParseDecimal for the digits).
bool ParseInt(std::string_view text, int64_t& out);
// Parses a dotted quad "a.b.c.d" (each 0..255, no leading '+'/' ').
bool ParseIp4(std::string_view text, uint32_t& out);
// TRUE/FALSE/YES/NO/ON/OFF/1/0, any case.
bool ParseBool(std::string_view text, bool& out);

}  // namespace gw::config

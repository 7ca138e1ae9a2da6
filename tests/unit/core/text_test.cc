#include "gw/core/text.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string_view>

namespace gw {
namespace {

TEST(ParseDecimal, AcceptsDigitsUpToTheMaximum) {
  uint64_t v = 7;
  EXPECT_TRUE(ParseDecimal("0", 10, v));
  EXPECT_EQ(v, 0u);
  EXPECT_TRUE(ParseDecimal("10", 10, v));
  EXPECT_EQ(v, 10u);
  EXPECT_FALSE(ParseDecimal("11", 10, v));
  EXPECT_EQ(v, 10u);  // untouched on failure
  EXPECT_TRUE(ParseDecimal("18446744073709551615", UINT64_MAX, v));
  EXPECT_EQ(v, UINT64_MAX);
}

TEST(ParseDecimal, LeadingZerosDoNotCountAgainstTheValue) {
  // RFC 4475 wsinv: "Max-Forwards: 0068", "CSeq: 0009".
  uint8_t mf = 0;
  EXPECT_TRUE(ParseDecimal<uint8_t>("0068", 255, mf));
  EXPECT_EQ(mf, 68u);
  uint32_t n = 0;
  EXPECT_TRUE(ParseDecimal("000000000000000000000000000009", n));
  EXPECT_EQ(n, 9u);
}

TEST(ParseDecimal, RefusesOverflowAtEveryWidth) {
  uint64_t v64 = 0;
  EXPECT_FALSE(ParseDecimal("18446744073709551616", UINT64_MAX, v64));  // 2^64
  EXPECT_FALSE(ParseDecimal("36893488147419103232", UINT64_MAX, v64));  // RFC 4475 scalar02
  EXPECT_FALSE(ParseDecimal("99999999999999999999999", UINT64_MAX, v64));
  uint32_t v32 = 0;
  EXPECT_TRUE(ParseDecimal("4294967295", v32));
  EXPECT_EQ(v32, 4294967295u);
  EXPECT_FALSE(ParseDecimal("4294967296", v32));
  uint16_t v16 = 0;
  EXPECT_TRUE(ParseDecimal("65535", v16));
  EXPECT_FALSE(ParseDecimal("65536", v16));
  EXPECT_FALSE(ParseDecimal<uint16_t>("256", 255, v16));
  EXPECT_FALSE(ParseDecimal("5", 0, v64));  // a digit above a maximum below 9
  EXPECT_TRUE(ParseDecimal("0", 0, v64));
}

TEST(ParseDecimal, RefusesAnythingButDigits) {
  uint32_t v = 0;
  for (std::string_view bad : {"", " 1", "1 ", "+1", "-1", "1.5", "0x10", "five"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(ParseDecimal(bad, v));
  }
  using namespace std::string_view_literals;
  EXPECT_FALSE(ParseDecimal("1\0"sv, v));
  EXPECT_FALSE(ParseDecimal("\xB9"sv, v));  // superscript one in Latin-1
}

}  // namespace
}  // namespace gw

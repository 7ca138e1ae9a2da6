#include "gw/core/log.h"

#include <gtest/gtest.h>

#include <string>

namespace gw::log {
namespace {

uint32_t FakeNow(void* ctx) {
  return *static_cast<uint32_t*>(ctx);
}

TEST(Log, LevelFiltersAndRingKeepsNewest) {
  uint32_t now = 42;
  LogRing ring(&FakeNow, &now);
  Install(&ring);
  GW_LOG_DEBUG("t", "hidden %d", 1);
  EXPECT_EQ(ring.size(), 0u);
  for (int i = 0; i < GW_CAP_LOG_LINES + 5; ++i) GW_LOG_INFO("sip", "line %d", i);
  EXPECT_EQ(ring.size(), static_cast<size_t>(GW_CAP_LOG_LINES));
  EXPECT_EQ(ring.overwritten(), 5u);
  EXPECT_EQ(std::string(ring[0].text), "line 5");
  EXPECT_EQ(ring[0].ms, 42u);
  EXPECT_STREQ(ring[0].tag, "sip");
  ring.set_level(Level::kDebug);
  GW_LOG_DEBUG("t", "shown");
  EXPECT_STREQ(ring[ring.size() - 1].text, "shown");
  Install(nullptr);
}

TEST(Log, LongLinesAreCutToTheLineSize) {
  LogRing ring(nullptr, nullptr);
  Install(&ring);
  std::string big(500, 'x');
  GW_LOG_ERROR("t", "%s", big.c_str());
  EXPECT_EQ(std::string(ring[0].text).size(), static_cast<size_t>(GW_CAP_LOG_LINE_CHARS));
  Install(nullptr);
}

TEST(Log, ParseLevelIsCaseInsensitive) {
  Level l = Level::kError;
  EXPECT_TRUE(ParseLevel("debug", l));
  EXPECT_EQ(l, Level::kDebug);
  EXPECT_FALSE(ParseLevel("verbose", l));
}

}  // namespace
}  // namespace gw::log

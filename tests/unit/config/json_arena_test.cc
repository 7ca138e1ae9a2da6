#include "gw/config/json_arena.h"

#include <gtest/gtest.h>

#include <string>

#include "cJSON.h"

namespace gw::config {
namespace {

TEST(JsonArena, ParsesInsideAScopeAndResetsAfter) {
  static JsonArena arena;
  {
    JsonArenaScope scope(arena);
    ASSERT_TRUE(scope.active());
    cJSON* doc = cJSON_Parse("{\"a\":[1,2,3],\"b\":\"x\"}");
    ASSERT_NE(doc, nullptr);
    EXPECT_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "a")), 3);
    EXPECT_GT(arena.used(), 0u);
    cJSON_Delete(doc);  // free is a no-op
  }
  EXPECT_EQ(arena.used(), 0u);
  EXPECT_GT(arena.high_water(), 0u);
}

TEST(JsonArena, ExhaustionIsACleanFailureAndCounted) {
  static JsonArena arena;
  std::string big = "[";
  for (int i = 0; i < 4000; ++i) big += i ? ",0" : "0";
  big += "]";
  JsonArenaScope scope(arena);
  EXPECT_EQ(cJSON_Parse(big.c_str()), nullptr);
  EXPECT_TRUE(arena.exhausted());
  EXPECT_GE(arena.exhaustions(), 1u);
}

TEST(JsonArena, NoAllocationOutsideAScope) {
  static JsonArena arena;
  { JsonArenaScope scope(arena); }
  EXPECT_EQ(cJSON_Parse("{\"a\":1}"), nullptr);  // never the heap
}

TEST(JsonArena, NestedScopeIsRefused) {
  static JsonArena a;
  static JsonArena b;
  JsonArenaScope outer(a);
  JsonArenaScope inner(b);
  EXPECT_TRUE(outer.active());
  EXPECT_FALSE(inner.active());
}

TEST(JsonArena, NestingDepthCheck) {
  EXPECT_TRUE(JsonNestingWithin("{\"a\":[{}]}", 3));
  EXPECT_FALSE(JsonNestingWithin("[[[[[1]]]]]", 4));
  EXPECT_TRUE(JsonNestingWithin("{\"[[[[[\":1}", 1));
}

}  // namespace
}  // namespace gw::config

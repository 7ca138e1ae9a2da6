#include <gtest/gtest.h>

#include <string>

#include "gw/core/fixed_string.h"
#include "gw/core/pool.h"
#include "gw/core/ring.h"
#include "gw/core/status.h"
#include "gw/core/vector.h"

namespace gw {
namespace {

TEST(Vector, RefusesPastCapacityAndKeepsContents) {
  Vector<int, 3> v;
  EXPECT_TRUE(v.push_back(1).ok());
  EXPECT_TRUE(v.push_back(2).ok());
  EXPECT_TRUE(v.push_back(3).ok());
  EXPECT_EQ(v.push_back(4), Status::ResourceExhausted());
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[2], 3);
  EXPECT_TRUE(v.erase(0).ok());
  EXPECT_EQ(v[0], 2);
  EXPECT_EQ(v.erase(5), Status::OutOfRange());
}

TEST(Vector, BaseReferenceHidesCapacity) {
  Vector<std::string, 2> v;
  VectorBase<std::string>& base = v;
  ASSERT_TRUE(base.emplace_back("abc").ok());
  EXPECT_EQ(base.capacity(), 2u);
  EXPECT_EQ(v[0], "abc");
  base.clear();
  EXPECT_TRUE(v.empty());
}

struct Tracked {
  static int live;
  int value;
  explicit Tracked(int x) : value(x) { ++live; }
  ~Tracked() { --live; }
};
int Tracked::live = 0;

TEST(Pool, AcquireReleaseHighWaterAndRefusal) {
  Pool<Tracked, 2> pool("test");
  Tracked* a = pool.Acquire(1);
  Tracked* b = pool.Acquire(2);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(Tracked::live, 2);
  EXPECT_EQ(pool.Acquire(3), nullptr);
  EXPECT_EQ(pool.stats().refused, 1u);
  EXPECT_TRUE(pool.Release(a));
  EXPECT_FALSE(pool.Release(a)) << "double release must be refused";
  Tracked outside(9);
  EXPECT_FALSE(pool.Release(&outside));
  Tracked* c = pool.Acquire(4);
  ASSERT_EQ(c, a) << "freed slot is reused";
  EXPECT_EQ(pool.stats().high_water, 2u);
  EXPECT_TRUE(pool.Release(b));
  EXPECT_TRUE(pool.Release(c));
  EXPECT_EQ(pool.used(), 0u);
  EXPECT_EQ(Tracked::live, 1);  // only `outside`
}

TEST(Ring, PushRefusesWhenFullOverwriteDropsOldest) {
  Ring<int, 3> r;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(r.Push(i).ok());
  EXPECT_EQ(r.Push(9), Status::ResourceExhausted());
  EXPECT_TRUE(r.PushOverwrite(3));
  EXPECT_EQ(r[0], 1);
  EXPECT_EQ(r[2], 3);
  EXPECT_TRUE(r.Pop().ok());
  EXPECT_EQ(r.front(), 2);
  r.clear();
  EXPECT_EQ(r.Pop(), Status::NotFound());
}

TEST(String, AppendRefusedWholeWhenTooLong) {
  String<5> s;
  EXPECT_TRUE(s.assign("abc").ok());
  EXPECT_EQ(s.append("def"), Status::ResourceExhausted());
  EXPECT_EQ(s.view(), "abc");
  EXPECT_FALSE(s.AppendTruncated("defg"));
  EXPECT_EQ(s.view(), "abcde");
  s.clear();
  EXPECT_TRUE(s.Format("%d-%s", 12, "x").ok());
  EXPECT_EQ(s.view(), "12-x");
  EXPECT_EQ(s.Format("%s", "toolong"), Status::ResourceExhausted());
  EXPECT_EQ(s.view(), "12-x");
}

Status FailsWith(Status s) {
  return s;
}
Status UsesTry(Status inner, bool& reached) {
  GW_TRY(FailsWith(inner));
  reached = true;
  return Status::Ok();
}
Result<int> Half(int x) {
  if (x % 2 != 0) return Status::InvalidArgument();
  return x / 2;
}
Status UsesTryAssign(int x, int& out) {
  GW_TRY_ASSIGN(int h, Half(x));
  out = h;
  return Status::Ok();
}

TEST(Status, TryReturnsEarlyOnError) {
  bool reached = false;
  EXPECT_EQ(UsesTry(Status::NotFound(), reached), Status::NotFound());
  EXPECT_FALSE(reached);
  EXPECT_TRUE(UsesTry(Status::Ok(), reached).ok());
  EXPECT_TRUE(reached);
  int out = 0;
  EXPECT_EQ(UsesTryAssign(3, out), Status::InvalidArgument());
  EXPECT_TRUE(UsesTryAssign(8, out).ok());
  EXPECT_EQ(out, 4);
  EXPECT_STREQ(Status::DataLoss().str(), "DATA_LOSS");
}

}  // namespace
}  // namespace gw

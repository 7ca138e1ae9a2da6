// Drbg over hal::Entropy, stateless HMAC nonces with a hand-advanced clock,
// and the nonce-count replay table including its eviction rule.
#include "gw/auth/nonce.h"

#include <gtest/gtest.h>

#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "gw/auth/drbg.h"
#include "gw/auth/nonce_count.h"
#include "gw/testing/fake_hal.h"

namespace gw::auth {
namespace {

using gw::testing::FakeClock;
using gw::testing::FakeEntropy;

class BrokenEntropy : public hal::Entropy {
 public:
  bool broken = true;
  int calls = 0;

 private:
  Status DoFill(std::span<std::byte> out) override {
    ++calls;
    if (broken) return Status::Unavailable();
    std::memset(out.data(), 0x5a, out.size());
    return Status::Ok();
  }
};

std::vector<std::byte> Draw(Drbg& d, size_t n) {
  std::vector<std::byte> out(n);
  EXPECT_TRUE(d.Generate(out).ok());
  return out;
}

TEST(Drbg, GenerateBeforeInitIsRefused) {
  FakeEntropy entropy;
  Drbg drbg(entropy);
  std::byte b[4];
  EXPECT_EQ(drbg.Generate(b), Status::FailedPrecondition());
  EXPECT_FALSE(drbg.ready());
}

TEST(Drbg, SameSeedSameStreamOtherPersonalizationOtherStream) {
  FakeEntropy e1, e2, e3;
  Drbg a(e1), b(e2), c(e3);
  ASSERT_TRUE(a.Init().ok());
  ASSERT_TRUE(b.Init().ok());
  const std::byte mac[] = {std::byte{2}, std::byte{0}, std::byte{0x42}};
  ASSERT_TRUE(c.Init(mac).ok());
  auto x = Draw(a, 64);
  EXPECT_EQ(x, Draw(b, 64));
  EXPECT_NE(x, Draw(c, 64));
  EXPECT_NE(x, Draw(a, 64));  // the stream moves on
}

TEST(Drbg, LongRequestsAreSplit) {
  FakeEntropy entropy;
  Drbg drbg(entropy);
  ASSERT_TRUE(drbg.Init().ok());
  auto big = Draw(drbg, 3000);  // over MBEDTLS_CTR_DRBG_MAX_REQUEST
  // Not all zero at the end: the tail was really generated.
  size_t zeros = 0;
  for (size_t i = 2900; i < 3000; ++i) zeros += big[i] == std::byte{0};
  EXPECT_LT(zeros, 10u);
}

TEST(Drbg, FailingEntropyIsUnavailable) {
  BrokenEntropy entropy;
  Drbg drbg(entropy);
  EXPECT_EQ(drbg.Init(), Status::Unavailable());
  EXPECT_GT(entropy.calls, 0);
  EXPECT_FALSE(drbg.ready());
  entropy.broken = false;
  EXPECT_TRUE(drbg.Init().ok());
  EXPECT_TRUE(drbg.ready());
  std::vector<std::byte> too_long(300);
  EXPECT_EQ(drbg.Init(too_long), Status::InvalidArgument());
}

class NonceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(drbg_.Init().ok());
    ASSERT_TRUE(nonces_.Init(drbg_).ok());
  }
  std::string Issue(std::string_view realm = "gw.example") {
    auto n = nonces_.Issue(realm);
    EXPECT_TRUE(n.ok());
    return std::string(n->view());
  }
  FakeEntropy entropy_;
  FakeClock clock_;
  Drbg drbg_{entropy_};
  NonceManager nonces_{clock_};
};

TEST_F(NonceTest, FreshNonceChecksOk) {
  std::string n = Issue();
  EXPECT_EQ(n.size(), kNonceChars);
  EXPECT_EQ(n.find_first_of("\"\\, "), std::string::npos);
  NonceCheck c = nonces_.Check(n, "gw.example");
  EXPECT_EQ(c.state, NonceState::kFresh);
  EXPECT_EQ(c.id.issued_ms, 1000u);
  EXPECT_EQ(nonces_.lifetime_s(), kDefaultNonceLifetimeS);
}

TEST_F(NonceTest, NoncesAreUniqueAndOrdered) {
  std::set<std::string> seen;
  NonceId prev;
  for (int i = 0; i < 100; ++i) {
    std::string n = Issue();
    EXPECT_TRUE(seen.insert(n).second);
    NonceCheck c = nonces_.Check(n, "gw.example");
    ASSERT_EQ(c.state, NonceState::kFresh);
    if (i > 0) {
      EXPECT_TRUE(prev < c.id);
    }
    prev = c.id;
    if (i % 10 == 0) clock_.now += 7;
  }
}

TEST_F(NonceTest, TamperedNonceIsInvalid) {
  std::string n = Issue();
  for (size_t i = 0; i < n.size(); ++i) {
    std::string t = n;
    t[i] = t[i] == 'A' ? 'B' : 'A';
    EXPECT_EQ(nonces_.Check(t, "gw.example").state, NonceState::kInvalid) << i;
  }
  EXPECT_EQ(nonces_.Check(n.substr(1), "gw.example").state, NonceState::kInvalid);
  EXPECT_EQ(nonces_.Check(n + "A", "gw.example").state, NonceState::kInvalid);
  EXPECT_EQ(nonces_.Check("", "gw.example").state, NonceState::kInvalid);
  std::string bad_char = n;
  bad_char[5] = '=';
  EXPECT_EQ(nonces_.Check(bad_char, "gw.example").state, NonceState::kInvalid);
}

TEST_F(NonceTest, WrongRealmIsInvalid) {
  std::string n = Issue("gw.example");
  EXPECT_EQ(nonces_.Check(n, "gw.example2").state, NonceState::kInvalid);
  EXPECT_EQ(nonces_.Check(n, "GW.EXAMPLE").state, NonceState::kInvalid);
  EXPECT_EQ(nonces_.Check(n, "").state, NonceState::kInvalid);
}

TEST_F(NonceTest, ExpiredNonceIsStale) {
  std::string n = Issue();
  clock_.now += kDefaultNonceLifetimeS * 1000;
  EXPECT_EQ(nonces_.Check(n, "gw.example").state, NonceState::kFresh);  // at the limit
  clock_.now += 1;
  NonceCheck c = nonces_.Check(n, "gw.example");
  EXPECT_EQ(c.state, NonceState::kStale);
  EXPECT_EQ(c.id.issued_ms, 1000u);
  clock_.now += 10u * 24 * 3600 * 1000;
  EXPECT_EQ(nonces_.Check(n, "gw.example").state, NonceState::kStale);
}

TEST_F(NonceTest, OtherKeyMeansInvalid) {
  // Another boot (another key) must not accept this boot's nonces.
  FakeEntropy other_entropy;
  other_entropy.next = 99;
  Drbg other_drbg(other_entropy);
  ASSERT_TRUE(other_drbg.Init().ok());
  NonceManager other(clock_);
  ASSERT_TRUE(other.Init(other_drbg).ok());
  std::string n = Issue();
  EXPECT_EQ(other.Check(n, "gw.example").state, NonceState::kInvalid);
}

TEST(Nonce, IssueBeforeInitIsRefused) {
  FakeClock clock;
  NonceManager nonces(clock);
  EXPECT_EQ(nonces.Issue("r").status(), Status::FailedPrecondition());
  EXPECT_EQ(nonces.Check("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "r").state,
            NonceState::kInvalid);
}

TEST(Nonce, ConfigurableLifetimeAndClockWrap) {
  FakeEntropy entropy;
  FakeClock clock;
  Drbg drbg(entropy);
  ASSERT_TRUE(drbg.Init().ok());
  NonceManager nonces(clock, /*lifetime_s=*/30);
  ASSERT_TRUE(nonces.Init(drbg).ok());
  clock.now = 0xffffffffu - 5000;  // 5 s before the 32-bit clock wraps
  auto n = nonces.Issue("r");
  ASSERT_TRUE(n.ok());
  clock.now = 10000;  // 15 s later, across the wrap
  NonceCheck c = nonces.Check(n->view(), "r");
  EXPECT_EQ(c.state, NonceState::kFresh);
  EXPECT_EQ(nonces.NowMs64(), (uint64_t{1} << 32) + 10000);
  clock.now = 30000;  // 35 s after issue
  EXPECT_EQ(nonces.Check(n->view(), "r").state, NonceState::kStale);
}

// --- nonce-count table ---

NonceId Id(uint64_t ms, uint32_t serial) {
  return NonceId{ms, serial};
}

TEST(NonceCount, SameNcTwiceIsReplay) {
  NonceCountTable t;
  EXPECT_EQ(t.Use(Id(1, 0), 1), NonceCountResult::kOk);
  EXPECT_EQ(t.Use(Id(1, 0), 1), NonceCountResult::kReplay);
  EXPECT_EQ(t.size(), 1u);
}

TEST(NonceCount, IncreasingNcIsAcceptedLowerIsReplay) {
  NonceCountTable t;
  EXPECT_EQ(t.Use(Id(1, 0), 1), NonceCountResult::kOk);
  EXPECT_EQ(t.Use(Id(1, 0), 2), NonceCountResult::kOk);
  EXPECT_EQ(t.Use(Id(1, 0), 5), NonceCountResult::kOk);  // gaps are fine
  EXPECT_EQ(t.Use(Id(1, 0), 4), NonceCountResult::kReplay);
  EXPECT_EQ(t.Use(Id(1, 0), 5), NonceCountResult::kReplay);
  EXPECT_EQ(t.Use(Id(1, 0), 0xffffffffu), NonceCountResult::kOk);
  EXPECT_EQ(t.Use(Id(1, 0), 0xffffffffu), NonceCountResult::kReplay);
  // Nonces are tracked separately.
  EXPECT_EQ(t.Use(Id(1, 1), 1), NonceCountResult::kOk);
  EXPECT_EQ(t.size(), 2u);
}

TEST(NonceCount, UnknownNonceMustStartAtOne) {
  NonceCountTable t;
  EXPECT_EQ(t.Use(Id(1, 0), 2), NonceCountResult::kUnknown);
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(t.Use(Id(1, 0), 1), NonceCountResult::kOk);
}

TEST(NonceCount, FullTableEvictsOldestIssuedAndRefusesItsReuse) {
  NonceCountTable t;
  const size_t cap = NonceCountTable::capacity();
  // Inserted out of issue order: the eviction goes by issue, not by use.
  for (size_t i = 0; i < cap; ++i) {
    uint32_t serial = static_cast<uint32_t>(i == 0 ? 1 : (i == 1 ? 0 : i));
    ASSERT_EQ(t.Use(Id(100, serial), 1), NonceCountResult::kOk) << i;
  }
  EXPECT_EQ(t.size(), cap);
  EXPECT_EQ(t.evictions(), 0u);

  // One more: serial 0 (the oldest issued) goes.
  EXPECT_EQ(t.Use(Id(200, 0), 1), NonceCountResult::kOk);
  EXPECT_EQ(t.size(), cap);
  EXPECT_EQ(t.evictions(), 1u);

  // The evicted nonce: a continuation looks unknown, and a replay of its
  // first request (nc=1) is not taken for a first use either.
  EXPECT_EQ(t.Use(Id(100, 0), 2), NonceCountResult::kUnknown);
  EXPECT_EQ(t.Use(Id(100, 0), 1), NonceCountResult::kUnknown);
  // Still-tracked nonces keep their counts.
  EXPECT_EQ(t.Use(Id(100, 1), 1), NonceCountResult::kReplay);
  EXPECT_EQ(t.Use(Id(100, 1), 2), NonceCountResult::kOk);
  EXPECT_EQ(t.Use(Id(200, 0), 1), NonceCountResult::kReplay);
  // A nonce issued after the watermark still starts normally (and evicts).
  EXPECT_EQ(t.Use(Id(300, 0), 1), NonceCountResult::kOk);
  EXPECT_EQ(t.evictions(), 2u);
  EXPECT_EQ(t.Use(Id(100, 1), 3), NonceCountResult::kUnknown);  // that was serial 1
  // Older than the watermark but never seen: refused too (it may have been).
  EXPECT_EQ(t.Use(Id(50, 7), 1), NonceCountResult::kUnknown);
  EXPECT_EQ(t.evictions(), 2u);

  t.Clear();
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(t.Use(Id(50, 7), 1), NonceCountResult::kOk);
}

}  // namespace
}  // namespace gw::auth

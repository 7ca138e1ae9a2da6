#include "gw/users/subscriber.h"

#include <gtest/gtest.h>

namespace gw::users {
namespace {

TEST(Ha1, MatchesRfcExamples) {
  Subscriber s;
  // RFC 2617 section 3.5 (MD5) and RFC 7616 section 3.9.1 (SHA-256).
  ComputeHa1("Mufasa", "testrealm@host.com", "Circle Of Life", s);
  EXPECT_STREQ(s.ha1_md5, "939e7578ed9e3c518a452acee763bce9");
  ComputeHa1("Mufasa", "http-auth@example.org", "Circle of Life", s);
  EXPECT_STREQ(s.ha1_sha256, "7987c64c30e25f1b74be53f966b49b90f2808aa92faf9a00262392d7b4794232");
}

TEST(Rules, Username) {
  Violation why;
  EXPECT_TRUE(CheckUsername("alice.B_1-2", &why).ok());
  EXPECT_TRUE(CheckUsername(std::string(32, 'a'), &why).ok());
  EXPECT_EQ(CheckUsername("", &why), Status::OutOfRange());
  EXPECT_EQ(CheckUsername(std::string(33, 'a'), &why), Status::OutOfRange());
  EXPECT_EQ(CheckUsername("a b", &why), Status::InvalidArgument());
  EXPECT_EQ(why.field, Field::kUsername);
  EXPECT_EQ(why.rule.view(), "letters, digits, '.', '_', '-'; 1..32 characters");
  EXPECT_EQ(CheckUsername("a@b", nullptr), Status::InvalidArgument());
}

TEST(Rules, DisplayNameIsUtf8WithoutControls) {
  Violation why;
  EXPECT_TRUE(CheckDisplayName("", &why).ok());
  EXPECT_TRUE(CheckDisplayName("Jürgen Müller \"JM\"", &why).ok());
  EXPECT_TRUE(CheckDisplayName("東京 😀", &why).ok());
  EXPECT_TRUE(CheckDisplayName(std::string(48, 'x'), &why).ok());
  EXPECT_EQ(CheckDisplayName(std::string(49, 'x'), &why), Status::OutOfRange());
  EXPECT_EQ(CheckDisplayName("tab\there", &why), Status::InvalidArgument());
  EXPECT_EQ(why.rule.view(), "UTF-8 text without control characters");
  EXPECT_EQ(CheckDisplayName("del\x7f", &why), Status::InvalidArgument());
  EXPECT_EQ(CheckDisplayName("bad \xC3", &why), Status::InvalidArgument());      // cut
  EXPECT_EQ(CheckDisplayName("\xC0\xAF", &why), Status::InvalidArgument());      // overlong
  EXPECT_EQ(CheckDisplayName("\xED\xA0\x80", &why), Status::InvalidArgument());  // surrogate
  EXPECT_EQ(CheckDisplayName("\xC2\x85", &why), Status::InvalidArgument());      // C1 NEL
}

TEST(Rules, PasswordAndHa1) {
  EXPECT_TRUE(CheckPassword("p@ss word!", nullptr).ok());
  EXPECT_EQ(CheckPassword("", nullptr), Status::OutOfRange());
  EXPECT_EQ(CheckPassword(std::string(65, 'p'), nullptr), Status::OutOfRange());
  EXPECT_EQ(CheckPassword("new\nline", nullptr), Status::InvalidArgument());
  Violation why;
  EXPECT_TRUE(CheckHa1(Field::kHa1Md5, std::string(32, 'A'), &why).ok());
  EXPECT_EQ(CheckHa1(Field::kHa1Md5, std::string(31, 'a'), &why), Status::InvalidArgument());
  EXPECT_EQ(why.rule.view(), "exactly 32 hex digits");
  EXPECT_EQ(CheckHa1(Field::kHa1Sha256, std::string(64, 'g'), &why), Status::InvalidArgument());
  EXPECT_EQ(why.field, Field::kHa1Sha256);
}

TEST(Names, StatusClassAndCallLimits) {
  UserStatus st{};
  Class cl{};
  EXPECT_TRUE(ParseStatus("suspended", st));
  EXPECT_EQ(st, UserStatus::kSuspended);
  EXPECT_FALSE(ParseStatus("LOCKED", st));
  EXPECT_TRUE(ParseClass("Vip", cl));
  EXPECT_STREQ(ClassName(cl), "VIP");
  EXPECT_STREQ(StatusName(UserStatus::kInactive), "INACTIVE");
  // BASIC holds two calls: call waiting and attended transfer.
  const CallLimits limits;
  EXPECT_EQ(limits.For(Class::kBasic), 2u);
  EXPECT_EQ(limits.For(Class::kPremium), 4u);
  EXPECT_EQ(limits.For(Class::kVip), 8u);
  EXPECT_EQ(limits.For(Class::kEnterprise), 16u);
}

}  // namespace
}  // namespace gw::users

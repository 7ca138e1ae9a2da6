// IPv4 text forms: addresses, networks and network lists.
#include "gw/net/address.h"

#include <gtest/gtest.h>

namespace gw::net {
namespace {

TEST(Ip4Net, BareAddressIsASlash32) {
  Ip4Net n;
  ASSERT_TRUE(ParseIp4Net("198.51.100.7", n));
  EXPECT_EQ(n.addr, MakeIp4(198, 51, 100, 7));
  EXPECT_EQ(n.mask, 0xFFFFFFFFu);
  EXPECT_TRUE(n.Contains(MakeIp4(198, 51, 100, 7)));
  EXPECT_FALSE(n.Contains(MakeIp4(198, 51, 100, 8)));
}

TEST(Ip4Net, PrefixesFromZeroToThirtyTwo) {
  Ip4Net n;
  ASSERT_TRUE(ParseIp4Net("0.0.0.0/0", n));
  EXPECT_EQ(n.mask, 0u);
  EXPECT_TRUE(n.Contains(MakeIp4(203, 0, 113, 1)));
  ASSERT_TRUE(ParseIp4Net("10.0.0.0/8", n));
  EXPECT_TRUE(n.Contains(MakeIp4(10, 200, 1, 1)));
  EXPECT_FALSE(n.Contains(MakeIp4(11, 0, 0, 1)));
  ASSERT_TRUE(ParseIp4Net("198.51.100.4/30", n));
  EXPECT_TRUE(n.Contains(MakeIp4(198, 51, 100, 7)));
  EXPECT_FALSE(n.Contains(MakeIp4(198, 51, 100, 8)));
}

TEST(Ip4Net, MalformedNetworksAreRefused) {
  Ip4Net n;
  for (std::string_view bad : {"", "/8", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/123", "10.0.0.0/x",
                               "10.0.0.1/8", "10.0.0/8", "10.0.0.0 /8", "300.0.0.0/8"}) {
    EXPECT_FALSE(ParseIp4Net(bad, n)) << bad;
  }
}

TEST(Ip4NetList, EmptyTextIsTheEmptyList) {
  Ip4NetList list;
  list.count = 3;
  ASSERT_TRUE(ParseIp4NetList("", list));
  EXPECT_EQ(list.count, 0u);
  EXPECT_FALSE(list.Contains(MakeIp4(10, 0, 0, 1)));
}

TEST(Ip4NetList, SeveralNetworksWithSpaces) {
  Ip4NetList list;
  ASSERT_TRUE(ParseIp4NetList("10.0.0.0/8, 198.51.100.9,192.168.1.0/24", list));
  ASSERT_EQ(list.count, 3u);
  EXPECT_TRUE(list.Contains(MakeIp4(10, 1, 2, 3)));
  EXPECT_TRUE(list.Contains(MakeIp4(198, 51, 100, 9)));
  EXPECT_TRUE(list.Contains(MakeIp4(192, 168, 1, 77)));
  EXPECT_FALSE(list.Contains(MakeIp4(198, 51, 100, 10)));
}

TEST(Ip4NetList, BadElementOrTooManyLeavesTheListAsItWas) {
  Ip4NetList list;
  ASSERT_TRUE(ParseIp4NetList("10.0.0.0/8", list));
  EXPECT_FALSE(ParseIp4NetList("10.0.0.0/8,", list));
  EXPECT_FALSE(ParseIp4NetList(",10.0.0.0/8", list));
  EXPECT_FALSE(ParseIp4NetList("10.0.0.0/8,,1.2.3.4", list));
  EXPECT_FALSE(
      ParseIp4NetList("1.1.1.1,1.1.1.2,1.1.1.3,1.1.1.4,1.1.1.5,1.1.1.6,1.1.1.7,1.1.1.8,"
                      "1.1.1.9",
                      list));
  ASSERT_EQ(list.count, 1u);
  EXPECT_TRUE(list.Contains(MakeIp4(10, 9, 9, 9)));
}

}  // namespace
TEST(Ip4NetList, AppendsTheCanonicalForm) {
  Ip4NetList list;
  ASSERT_TRUE(ParseIp4NetList("0.0.0.0/0, 198.51.100.9/32,010.1.0.0/16", list));
  String<64> text;
  ASSERT_TRUE(AppendIp4NetList(text, list).ok());
  EXPECT_EQ(text.view(), "0.0.0.0/0,198.51.100.9,10.1.0.0/16");
  String<8> small;
  EXPECT_EQ(AppendIp4NetList(small, list), Status::ResourceExhausted());
}

}  // namespace gw::net

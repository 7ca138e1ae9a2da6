// LocalIdentity: the one answer to "is this address, host, port or URI ours".
#include "gw/sip/local_identity.h"

#include <gtest/gtest.h>

#include "gw/net/address.h"

namespace gw::sip {
namespace {

LocalIdentity Behind() {
  LocalIdentity id;
  id.address = net::MakeIp4(10, 0, 0, 2);
  id.advertised_address = net::MakeIp4(203, 0, 113, 1);
  id.port = 5060;
  id.advertised_port = 15060;
  (void)id.domain.assign("imsgw.local");
  return id;
}

TEST(LocalIdentity, OwnAndAdvertisedAddressesAndPorts) {
  const LocalIdentity id = Behind();
  EXPECT_TRUE(id.IsOwnAddress(net::MakeIp4(10, 0, 0, 2)));
  EXPECT_TRUE(id.IsOwnAddress(net::MakeIp4(203, 0, 113, 1)));
  EXPECT_FALSE(id.IsOwnAddress(net::MakeIp4(203, 0, 113, 2)));
  EXPECT_TRUE(id.IsOwnPort(0)) << "no port is the default port";
  EXPECT_TRUE(id.IsOwnPort(15060));
  EXPECT_FALSE(id.IsOwnPort(5070));
  EXPECT_EQ(id.public_address(), net::MakeIp4(203, 0, 113, 1));
  EXPECT_EQ(id.public_port(), 15060);
  String<32> out;
  ASSERT_TRUE(id.AppendHostPort(out).ok());
  EXPECT_EQ(out.view(), "203.0.113.1:15060");
}

TEST(LocalIdentity, HostsAndUris) {
  const LocalIdentity id = Behind();
  EXPECT_TRUE(id.IsOwnHost("IMSGW.local"));
  EXPECT_TRUE(id.IsOwnHost("10.0.0.2"));
  EXPECT_FALSE(id.IsOwnHost("example.com"));
  EXPECT_FALSE(id.IsOwnHost(""));
  EXPECT_TRUE(id.OwnsUri("sip:1001@imsgw.local"));
  EXPECT_TRUE(id.OwnsUri("sip:203.0.113.1:15060;lr"));
  EXPECT_TRUE(id.OwnsUri("sip:10.0.0.2:5060"));
  EXPECT_FALSE(id.OwnsUri("sip:10.0.0.2:5070"));
  EXPECT_FALSE(id.OwnsUri("sip:1001@example.com"));
  EXPECT_FALSE(id.OwnsUri("tel:+15551234"));
  EXPECT_FALSE(id.OwnsUri("garbage"));
}

}  // namespace
}  // namespace gw::sip

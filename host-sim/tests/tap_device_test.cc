#include "gw/host/tap_device.h"

#include <gtest/gtest.h>

namespace gw::host {
namespace {

TEST(TapDevice, MacIsLocalUnicastAndStable) {
  hal::MacAddress a = TapDevice::MacFromName("imsgw0");
  hal::MacAddress b = TapDevice::MacFromName("imsgw1");
  EXPECT_EQ(a[0], 0x02);
  EXPECT_EQ(a, TapDevice::MacFromName("imsgw0"));
  EXPECT_NE(a, b);
}

TEST(TapDevice, GivenMacWins) {
  TapDevice tap("x", hal::MacAddress{2, 1, 2, 3, 4, 5});
  EXPECT_EQ(tap.Mac(), (hal::MacAddress{2, 1, 2, 3, 4, 5}));
}

TEST(TapDevice, MissingInterfaceIsNotFoundWithHint) {
  TapDevice tap("gwnosuchtap0", hal::MacAddress{});
  EXPECT_EQ(tap.Start(), Status::NotFound());
  EXPECT_NE(std::string(tap.error()).find("net-setup.sh up"), std::string::npos);
  EXPECT_EQ(tap.fd(), -1);
}

}  // namespace
}  // namespace gw::host

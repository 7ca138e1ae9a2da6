#include "gw/host/options.h"

#include <gtest/gtest.h>

#include <array>
#include <vector>

namespace gw::host {
namespace {

ParseOutcome Parse(std::vector<const char*> args, Options& o) {
  return ParseArgs(static_cast<int>(args.size()), args.data(), o);
}

TEST(HostOptions, Defaults) {
  Options o;
  ASSERT_TRUE(Parse({}, o).ok);
  EXPECT_EQ(o.tap, "imsgw0");
  EXPECT_EQ(o.ip, (std::array<uint8_t, 4>{198, 51, 100, 2}));
  EXPECT_EQ(o.netmask, (std::array<uint8_t, 4>{255, 255, 255, 0}));
  EXPECT_EQ(o.gateway, (std::array<uint8_t, 4>{198, 51, 100, 1}));
  EXPECT_FALSE(o.exit_on_eof);
  EXPECT_EQ(OverridesText(o), "");
}

TEST(HostOptions, ValuesSeparateOrInline) {
  Options o;
  ASSERT_TRUE(Parse({"--tap", "tap7", "--ip=10.1.2.3", "--netmask", "255.255.0.0", "--gw=10.1.0.1",
                     "--state", "/tmp/s", "--exit-on-eof", "--mac", "02:00:00:aa:bb:cc"},
                    o)
                  .ok);
  EXPECT_EQ(o.tap, "tap7");
  EXPECT_EQ(o.ip, (std::array<uint8_t, 4>{10, 1, 2, 3}));
  EXPECT_EQ(o.netmask, (std::array<uint8_t, 4>{255, 255, 0, 0}));
  EXPECT_EQ(o.gateway, (std::array<uint8_t, 4>{10, 1, 0, 1}));
  EXPECT_EQ(o.state_dir, "/tmp/s");
  EXPECT_TRUE(o.exit_on_eof);
  EXPECT_EQ(o.mac, (std::array<uint8_t, 6>{2, 0, 0, 0xaa, 0xbb, 0xcc}));
}

TEST(HostOptions, BadOptionsSayWhat) {
  struct Case {
    std::vector<const char*> args;
    const char* needle;
  };
  const Case cases[] = {
      {{"--bogus"}, "unknown option '--bogus'"},
      {{"--ip", "1.2.3"}, "bad --ip '1.2.3'"},
      {{"--ip"}, "--ip needs a value"},
      {{"--netmask", "255.0.255.0"}, "bad --netmask"},
      {{"--tap", "a-very-long-interface-name"}, "bad interface name"},
      {{"--mac", "03:00:00:00:00:01"}, "bad --mac"},
      {{"--set", "NOEQUALS"}, "--set wants KEY=VALUE"},
      {{"--set", "A=b c"}, "whitespace"},
      {{"--exit-on-eof=1"}, "takes no value"},
  };
  for (const Case& c : cases) {
    Options o;
    ParseOutcome r = Parse(c.args, o);
    EXPECT_FALSE(r.ok) << c.needle;
    EXPECT_NE(r.error.find(c.needle), std::string::npos) << r.error;
  }
}

TEST(HostOptions, SetOverridesKeepOrderAndLastWins) {
  Options o;
  ASSERT_TRUE(
      Parse({"--set", "SIP.DOMAIN=a", "--set", "SIP.PORT=5062", "--set=SIP.DOMAIN=b"}, o).ok);
  EXPECT_EQ(OverridesText(o), "SIP.DOMAIN=b SIP.PORT=5062");
}

TEST(HostOptions, JsonConfigGoesBeforeSet) {
  Options o;
  ASSERT_TRUE(Parse({"--set", "SIP.PORT=5070"}, o).ok);
  ParseOutcome r = LoadConfigJson(
      R"({"SIP.DOMAIN": "example.org", "SIP.PORT": 5060, "LOG.TRACE": true,
          "X.RATIO": 0.5})",
      o);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(OverridesText(o), "SIP.DOMAIN=example.org SIP.PORT=5070 LOG.TRACE=true X.RATIO=0.5");
}

TEST(HostOptions, JsonConfigErrors) {
  const char* bad[] = {"[1,2]", "{\"A\": {\"B\": 1}}", "{\"A\": null}",
                       "{\"A\": ", "{\"A\": \"x y\"}"};
  for (const char* json : bad) {
    Options o;
    EXPECT_FALSE(LoadConfigJson(json, o).ok) << json;
  }
}

}  // namespace
}  // namespace gw::host

#include "gw/config/config_store.h"

#include <gtest/gtest.h>

#include <string>

#include "config_fakes.h"

namespace gw::config {
namespace {

class ConfigStoreTest : public ::testing::Test {
 protected:
  FakeFlash flash_{1024, 4};  // two 2 KiB slots
  FakeEntropy entropy_;
  static JsonArena arena_;
};
JsonArena ConfigStoreTest::arena_;

TEST_F(ConfigStoreTest, DefaultsOnBlankStorage) {
  ConfigStore store(flash_, entropy_, arena_);
  EXPECT_TRUE(store.Load().ok());
  EXPECT_EQ(store.GetString(Key::kSipDomain), "imsgw.local");
  EXPECT_EQ(store.GetInt(Key::kSipPort), 5060);
  EXPECT_EQ(store.GetInt(Key::kSipAdvertisePort), 0);
  EXPECT_EQ(store.GetString(Key::kSipAdvertiseAddr), "");
  EXPECT_EQ(store.GetInt(Key::kMediaPortMin), 10000);
  EXPECT_EQ(store.GetInt(Key::kMediaPortMax), 10063);
  EXPECT_EQ(store.GetString(Key::kLogLevel), "INFO");
  EXPECT_EQ(store.GetInt(Key::kLogLevel), 2);
  EXPECT_TRUE(store.GetBool(Key::kAuthProxyAuth));
  EXPECT_EQ(store.GetInt(Key::kNatKeepalive), 30);
  EXPECT_EQ(store.GetInt(Key::kTelnetPort), 23);
  EXPECT_EQ(store.GetInt(Key::kTftpPort), 69);
  EXPECT_EQ(store.GetString(Key::kMmlUser), "admin");
  EXPECT_FALSE(store.GetBool(Key::kMmlConsoleLogin));
  EXPECT_EQ(store.DisplayText(Key::kMmlPassword), "********");
  EXPECT_TRUE(store.VerifyPassword("admin"));
  EXPECT_FALSE(store.VerifyPassword("admin2"));
  EXPECT_EQ(store.GetString(Key::kMmlPassword).substr(0, 7), "sha256$");
}

TEST_F(ConfigStoreTest, DefaultPasswordWorksBeforeLoad) {
  ConfigStore store(flash_, entropy_, arena_);
  EXPECT_TRUE(store.VerifyPassword("admin"));
  EXPECT_FALSE(store.VerifyPassword("x"));
}

TEST_F(ConfigStoreTest, SetValidatesAndNamesTheRule) {
  ConfigStore store(flash_, entropy_, arena_);
  ASSERT_TRUE(store.Load().ok());
  Violation why;
  EXPECT_EQ(store.Set("SIP.PORT", "70000", &why).status(), Status::OutOfRange());
  EXPECT_EQ(why.rule, Rule::kOutOfRange);
  EXPECT_EQ(why.detail.view(), "SIP.PORT out of range: 70000 (allowed 1..65535)");
  EXPECT_EQ(store.Set("SIP.PORT", "12a", &why).status(), Status::InvalidArgument());
  EXPECT_EQ(why.rule, Rule::kNotInteger);
  EXPECT_EQ(store.Set("LOG.LEVEL", "LOUD", &why).status(), Status::InvalidArgument());
  EXPECT_EQ(why.detail.view(), "LOG.LEVEL must be one of: ERROR, WARN, INFO, DEBUG");
  EXPECT_EQ(store.Set("SYSLOG.HOST", "10.0.0.256", &why).status(), Status::InvalidArgument());
  EXPECT_EQ(why.rule, Rule::kBadIp4);
  EXPECT_EQ(store.Set("SYSLOG.HOST", "10.0.0", &why).status(), Status::InvalidArgument());
  EXPECT_EQ(store.Set("SIP.DOMAIN", std::string(64, 'a'), &why).status(), Status::OutOfRange());
  EXPECT_EQ(why.rule, Rule::kTooLong);
  EXPECT_EQ(why.detail.view(), "SIP.DOMAIN too long: 64 characters (max 63)");
  EXPECT_EQ(store.Set("SIP.DOMAIN", "", &why).status(), Status::OutOfRange());
  EXPECT_EQ(why.rule, Rule::kTooShort);
  EXPECT_EQ(store.Set("AUTH.PROXY_AUTH", "maybe", &why).status(), Status::InvalidArgument());
  EXPECT_EQ(why.rule, Rule::kBadBool);
  EXPECT_EQ(store.Set("NO.SUCH", "1", &why).status(), Status::NotFound());
  EXPECT_EQ(why.rule, Rule::kUnknownKey);
  EXPECT_EQ(store.Set("MEDIA.PORT_MIN", "20000", &why).status(), Status::OutOfRange());
  EXPECT_EQ(why.rule, Rule::kInconsistent);
  // Nothing was applied.
  EXPECT_EQ(store.GetInt(Key::kSipPort), 5060);
  EXPECT_EQ(store.sequence(), 0u);
}

TEST_F(ConfigStoreTest, SetAcceptsAndCanonicalises) {
  ConfigStore store(flash_, entropy_, arena_);
  ASSERT_TRUE(store.Load().ok());
  auto r = store.Set("sip.port", "5080");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->restart_required);
  EXPECT_FALSE(store.Set("LOG.LEVEL", "debug")->restart_required);
  EXPECT_EQ(store.GetString(Key::kLogLevel), "DEBUG");
  EXPECT_EQ(store.GetInt(Key::kLogLevel), 3);
  ASSERT_TRUE(store.Set("AUTH.PROXY_AUTH", "no").ok());
  EXPECT_FALSE(store.GetBool(Key::kAuthProxyAuth));
  ASSERT_TRUE(store.Set("SYSLOG.HOST", "192.168.1.10").ok());
  EXPECT_EQ(store.GetIp4(Key::kSyslogHost), 0xC0A8010Au);
  ASSERT_TRUE(store.Set("SYSLOG.HOST", "").ok());
  EXPECT_EQ(store.GetIp4(Key::kSyslogHost), 0u);
}

TEST_F(ConfigStoreTest, NetListIsValidatedCanonicalisedAndPersisted) {
  {
    ConfigStore store(flash_, entropy_, arena_);
    ASSERT_TRUE(store.Load().ok());
    EXPECT_EQ(store.GetString(Key::kMmlAllow), "");
    EXPECT_EQ(store.GetNetList(Key::kMmlAllow).count, 0u);  // empty: any
    Violation why;
    EXPECT_EQ(store.Set("MML.ALLOW", "10.0.0.1/8", &why).status(), Status::InvalidArgument());
    EXPECT_EQ(why.rule, Rule::kBadNetList);
    EXPECT_EQ(why.detail.view(),
              "MML.ALLOW must be up to 8 networks a.b.c.d[/len] separated by commas (or empty)");
    EXPECT_EQ(store.Set("MML.ALLOW", "10.0.0.0/8,", &why).status(), Status::InvalidArgument());
    EXPECT_EQ(store
                  .Set("MML.ALLOW",
                       "1.0.0.0/8,2.0.0.0/8,3.0.0.0/8,4.0.0.0/8,5.0.0.0/8,"
                       "6.0.0.0/8,7.0.0.0/8,8.0.0.0/8,9.0.0.0/8",
                       &why)
                  .status(),
              Status::InvalidArgument());
    EXPECT_EQ(store.Set("MML.ALLOW", std::string(105, '1'), &why).status(), Status::OutOfRange());
    EXPECT_EQ(why.rule, Rule::kTooLong);
    ASSERT_TRUE(store.Set("mml.allow", "010.0.0.0/8, 198.51.100.7/32,192.168.1.0/24").ok());
    EXPECT_EQ(store.GetString(Key::kMmlAllow), "10.0.0.0/8,198.51.100.7,192.168.1.0/24");
    net::Ip4NetList list = store.GetNetList(Key::kMmlAllow);
    ASSERT_EQ(list.count, 3u);
    EXPECT_TRUE(list.Contains(net::MakeIp4(10, 9, 8, 7)));
    EXPECT_TRUE(list.Contains(net::MakeIp4(198, 51, 100, 7)));
    EXPECT_FALSE(list.Contains(net::MakeIp4(198, 51, 100, 8)));
  }
  ConfigStore again(flash_, entropy_, arena_);
  ASSERT_TRUE(again.Load().ok());
  EXPECT_EQ(again.GetString(Key::kMmlAllow), "10.0.0.0/8,198.51.100.7,192.168.1.0/24");
  EXPECT_EQ(again.GetNetList(Key::kMmlAllow).count, 3u);
}

TEST_F(ConfigStoreTest, RateLimitKeysHaveTheirDefaults) {
  ConfigStore store(flash_, entropy_, arena_);
  ASSERT_TRUE(store.Load().ok());
  EXPECT_EQ(store.GetInt(Key::kSipRateLimit), 100);
  EXPECT_EQ(store.GetInt(Key::kSipRateBurst), 1000);
  EXPECT_EQ(store.GetString(Key::kSipRateAction), "REPLY");
  ASSERT_TRUE(store.Set("SIP.RATE_ACTION", "drop").ok());
  EXPECT_EQ(store.GetInt(Key::kSipRateAction), 1);
  ASSERT_TRUE(store.Set("SIP.RATE_LIMIT", "0").ok());
  EXPECT_EQ(store.Set("SIP.RATE_BURST", "0").status(), Status::OutOfRange());
}

TEST_F(ConfigStoreTest, PersistsAcrossInstances) {
  {
    ConfigStore store(flash_, entropy_, arena_);
    ASSERT_TRUE(store.Load().ok());
    ASSERT_TRUE(store.Set("SIP.DOMAIN", "ims.example.org").ok());
    ASSERT_TRUE(store.Set("MEDIA.PORT_MAX", "20063").ok());
    ASSERT_TRUE(store.Set("MEDIA.PORT_MIN", "20000").ok());
    ASSERT_TRUE(store.Set("MML.CONSOLE_LOGIN", "TRUE").ok());
    ASSERT_TRUE(store.Set("MML.PASSWORD", "s3cret!").ok());
    EXPECT_EQ(store.sequence(), 5u);
  }
  ConfigStore again(flash_, entropy_, arena_);
  ASSERT_TRUE(again.Load().ok());
  EXPECT_EQ(again.sequence(), 5u);
  EXPECT_EQ(again.GetString(Key::kSipDomain), "ims.example.org");
  EXPECT_EQ(again.GetInt(Key::kMediaPortMin), 20000);
  EXPECT_EQ(again.GetInt(Key::kMediaPortMax), 20063);
  EXPECT_TRUE(again.GetBool(Key::kMmlConsoleLogin));
  EXPECT_TRUE(again.VerifyPassword("s3cret!"));
  EXPECT_FALSE(again.VerifyPassword("admin"));
  EXPECT_FALSE(again.IsDefault(Key::kSipDomain));
  EXPECT_TRUE(again.IsDefault(Key::kSipPort));
}

TEST_F(ConfigStoreTest, ExportHoldsOnlyNonDefaultsAndNoPlainPassword) {
  ConfigStore store(flash_, entropy_, arena_);
  ASSERT_TRUE(store.Load().ok());
  ASSERT_TRUE(store.Set("NAT.KEEPALIVE", "60").ok());
  ASSERT_TRUE(store.Set("MML.PASSWORD", "hunter2").ok());
  auto doc = store.ExportJson();
  ASSERT_TRUE(doc.ok());
  std::string text(*doc);
  EXPECT_NE(text.find("\"NAT.KEEPALIVE\":\t60"), std::string::npos) << text;
  EXPECT_NE(text.find("sha256$"), std::string::npos);
  EXPECT_EQ(text.find("hunter2"), std::string::npos);
  EXPECT_EQ(text.find("SIP.PORT"), std::string::npos);
}

TEST_F(ConfigStoreTest, TornWriteFallsBackToThePreviousSlot) {
  {
    ConfigStore store(flash_, entropy_, arena_);
    ASSERT_TRUE(store.Load().ok());
    ASSERT_TRUE(store.Set("SIP.DOMAIN", "first.example").ok());   // slot 0, seq 1
    ASSERT_TRUE(store.Set("SIP.DOMAIN", "second.example").ok());  // slot 1, seq 2
  }
  // Corrupt the newest slot's payload (bits can be cleared like a torn program).
  flash_.bytes()[2048 + ConfigStore::kHeaderSize + 3] = std::byte{0x00};
  ConfigStore again(flash_, entropy_, arena_);
  EXPECT_TRUE(again.Load().ok());
  EXPECT_EQ(again.GetString(Key::kSipDomain), "first.example");
  EXPECT_EQ(again.sequence(), 1u);
  // The next save goes to the broken slot, never over the good one.
  ASSERT_TRUE(again.Set("SIP.DOMAIN", "third.example").ok());
  ConfigStore third(flash_, entropy_, arena_);
  ASSERT_TRUE(third.Load().ok());
  EXPECT_EQ(third.GetString(Key::kSipDomain), "third.example");
  EXPECT_EQ(third.sequence(), 2u);
}

TEST_F(ConfigStoreTest, PowerCutDuringSaveKeepsThePreviousConfig) {
  ConfigStore store(flash_, entropy_, arena_);
  ASSERT_TRUE(store.Load().ok());
  ASSERT_TRUE(store.Set("SIP.DOMAIN", "kept.example").ok());
  flash_.FailProgramAfter(1);  // the payload lands, the header does not
  EXPECT_FALSE(store.Set("SIP.DOMAIN", "lost.example").ok());
  ConfigStore again(flash_, entropy_, arena_);
  ASSERT_TRUE(again.Load().ok());
  EXPECT_EQ(again.GetString(Key::kSipDomain), "kept.example");
}

TEST_F(ConfigStoreTest, CorruptStorageGivesDefaults) {
  for (size_t i = 0; i < flash_.bytes().size(); ++i)
    flash_.bytes()[i] = static_cast<std::byte>(i * 37 + 11);
  ConfigStore store(flash_, entropy_, arena_);
  EXPECT_EQ(store.Load(), Status::DataLoss());
  EXPECT_EQ(store.GetInt(Key::kSipPort), 5060);
  EXPECT_TRUE(store.VerifyPassword("admin"));
  EXPECT_EQ(store.load_failures(), 1u);
  // And it can save over the garbage.
  ASSERT_TRUE(store.Set("SIP.PORT", "5070").ok());
  ConfigStore again(flash_, entropy_, arena_);
  ASSERT_TRUE(again.Load().ok());
  EXPECT_EQ(again.GetInt(Key::kSipPort), 5070);
}

// Writes a slot by hand with a valid header around `doc`.
void WriteSlot(FakeFlash& flash, size_t base, uint32_t seq, const std::string& doc) {
  auto& b = flash.bytes();
  auto put = [&](size_t off, uint32_t v) {
    for (int i = 0; i < 4; ++i) b[base + off + i] = static_cast<std::byte>(v >> (8 * i));
  };
  put(0, ConfigStore::kMagic);
  put(4, seq);
  put(8, static_cast<uint32_t>(doc.size()));
  put(12, Crc32(doc.data(), doc.size()));
  for (size_t i = 0; i < doc.size(); ++i)
    b[base + ConfigStore::kHeaderSize + i] = static_cast<std::byte>(doc[i]);
}

TEST_F(ConfigStoreTest, BadValuesInAValidDocumentAreSkipped) {
  WriteSlot(flash_, 0, 3,
            R"({"SIP.PORT":99999,"SIP.DOMAIN":"ok.example","BOGUS":1,)"
            R"("LOG.LEVEL":"LOUD","MML.PASSWORD":"plain","NAT.KEEPALIVE":[1]})");
  ConfigStore store(flash_, entropy_, arena_);
  ASSERT_TRUE(store.Load().ok());
  EXPECT_EQ(store.GetString(Key::kSipDomain), "ok.example");
  EXPECT_EQ(store.GetInt(Key::kSipPort), 5060);
  EXPECT_EQ(store.GetString(Key::kLogLevel), "INFO");
  EXPECT_EQ(store.GetInt(Key::kNatKeepalive), 30);
  EXPECT_FALSE(store.VerifyPassword("plain"));
}

// Found by config_load_fuzz: a slot with sequence 0xFFFFFFFF made Save
// write sequence 0 to the other slot, and every later Load went back to the
// old slot, so no SET survived a restart.
TEST_F(ConfigStoreTest, SaveAfterTheSequenceWrapsIsWhatLoads) {
  WriteSlot(flash_, 0, 0xFFFFFFFFu, R"({"SIP.DOMAIN":"old.example"})");
  ConfigStore store(flash_, entropy_, arena_);
  ASSERT_TRUE(store.Load().ok());
  EXPECT_EQ(store.sequence(), 0xFFFFFFFFu);
  ASSERT_TRUE(store.Set("SIP.DOMAIN", "new.example").ok());
  EXPECT_EQ(store.sequence(), 0u);
  ConfigStore again(flash_, entropy_, arena_);
  ASSERT_TRUE(again.Load().ok());
  EXPECT_EQ(again.GetString(Key::kSipDomain), "new.example");
  EXPECT_EQ(again.sequence(), 0u);
}

TEST_F(ConfigStoreTest, NonJsonAndDeepDocumentsGiveDefaults) {
  WriteSlot(flash_, 0, 1, "not json at all");
  ConfigStore store(flash_, entropy_, arena_);
  EXPECT_EQ(store.Load(), Status::DataLoss());
  WriteSlot(flash_, 1024 * 2, 2, std::string(50, '[') + std::string(50, ']'));
  EXPECT_EQ(store.Load(), Status::DataLoss());
  EXPECT_EQ(store.GetString(Key::kSipDomain), "imsgw.local");
}

TEST_F(ConfigStoreTest, ArenaExhaustionIsRefusedCleanly) {
  FakeFlash big(4096, 4);
  std::string doc = R"({"SIP.DOMAIN":"x.example","PAD":[)";
  while (doc.size() < 4000) doc += "0,";
  doc += "0]}";
  WriteSlot(big, 0, 1, doc);
  ConfigStore store(big, entropy_, arena_);
  uint32_t before = arena_.exhaustions();
  EXPECT_EQ(store.Load(), Status::ResourceExhausted());
  EXPECT_GT(arena_.exhaustions(), before);
  EXPECT_EQ(store.GetString(Key::kSipDomain), "imsgw.local");
}

TEST_F(ConfigStoreTest, DocumentLargerThanTheSlotIsRefused) {
  FakeFlash tiny(64, 2);  // 64-byte slots
  ConfigStore store(tiny, entropy_, arena_);
  ASSERT_TRUE(store.Load().ok());
  ASSERT_TRUE(store.Set("SIP.DOMAIN", "a.example").ok());
  EXPECT_EQ(store.Set("AUTH.REALM", std::string(60, 'r')).status(), Status::ResourceExhausted());
  EXPECT_EQ(store.GetString(Key::kAuthRealm), "imsgw.local");  // rolled back
  ConfigStore again(tiny, entropy_, arena_);
  ASSERT_TRUE(again.Load().ok());
  EXPECT_EQ(again.GetString(Key::kSipDomain), "a.example");
  EXPECT_EQ(again.GetString(Key::kAuthRealm), "imsgw.local");
}

TEST_F(ConfigStoreTest, OverridesApplyButAreNotPersisted) {
  ConfigStore store(flash_, entropy_, arena_);
  ASSERT_TRUE(store.Load().ok());
  ASSERT_TRUE(store.Set("SIP.DOMAIN", "stored.example").ok());
  ASSERT_TRUE(store.ApplyOverrides("SIP.PORT=5099  SIP.DOMAIN=over.example").ok());
  EXPECT_EQ(store.GetInt(Key::kSipPort), 5099);
  EXPECT_EQ(store.GetString(Key::kSipDomain), "over.example");
  EXPECT_TRUE(store.IsOverridden(Key::kSipPort));
  ASSERT_TRUE(store.Set("NAT.KEEPALIVE", "10").ok());  // saves while overridden
  ConfigStore again(flash_, entropy_, arena_);
  ASSERT_TRUE(again.Load().ok());
  EXPECT_EQ(again.GetInt(Key::kSipPort), 5060);
  EXPECT_EQ(again.GetString(Key::kSipDomain), "stored.example");
  EXPECT_EQ(again.GetInt(Key::kNatKeepalive), 10);
  Violation why;
  EXPECT_EQ(store.ApplyOverrides("SIP.PORT", &why), Status::InvalidArgument());
  EXPECT_EQ(store.ApplyOverrides("NOPE=1", &why), Status::NotFound());
  EXPECT_EQ(store.ApplyOverrides("SIP.PORT=0", &why), Status::OutOfRange());
}

TEST_F(ConfigStoreTest, ResetToDefaultsAndChangeHook) {
  ConfigStore store(flash_, entropy_, arena_);
  ASSERT_TRUE(store.Load().ok());
  struct Seen {
    int calls = 0;
    Key last = Key::kCount;
  } seen;
  store.SetChangeHook(
      [](void* ctx, Key key) {
        auto* s = static_cast<Seen*>(ctx);
        ++s->calls;
        s->last = key;
      },
      &seen);
  ASSERT_TRUE(store.Set("LOG.LEVEL", "WARN").ok());
  EXPECT_EQ(seen.calls, 1);
  EXPECT_EQ(seen.last, Key::kLogLevel);
  store.ResetToDefaults();
  ASSERT_TRUE(store.Save().ok());
  EXPECT_EQ(seen.calls, 1 + static_cast<int>(kKeyCount));
  ConfigStore again(flash_, entropy_, arena_);
  ASSERT_TRUE(again.Load().ok());
  EXPECT_EQ(again.GetString(Key::kLogLevel), "INFO");
}

TEST_F(ConfigStoreTest, PasswordHashesAreSaltedAndVerified) {
  ConfigStore store(flash_, entropy_, arena_);
  ASSERT_TRUE(store.Load().ok());
  ASSERT_TRUE(store.Set("MML.PASSWORD", "same").ok());
  std::string first(store.GetString(Key::kMmlPassword));
  ASSERT_TRUE(store.Set("MML.PASSWORD", "same").ok());
  std::string second(store.GetString(Key::kMmlPassword));
  EXPECT_NE(first, second);
  EXPECT_EQ(first.size(), 104u);
  EXPECT_TRUE(store.VerifyPassword("same"));
  EXPECT_FALSE(store.VerifyPassword("Same"));
  EXPECT_FALSE(store.VerifyPassword(""));
  EXPECT_EQ(store.DisplayText(Key::kMmlPassword), "********");
}

TEST(Crc32, KnownVector) {
  EXPECT_EQ(Crc32("123456789", 9), 0xCBF43926u);
}

}  // namespace
}  // namespace gw::config

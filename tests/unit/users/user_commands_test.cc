#include "gw/users/user_commands.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "gw/mml/output.h"
#include "gw/testing/fake_hal.h"

namespace gw::users {
namespace {

class StringOutput : public mml::Output {
 public:
  std::string text;

 private:
  void DoWrite(std::string_view s) override { text.append(s); }
};

config::JsonArena& Arena() {
  static config::JsonArena arena;
  return arena;
}

class UserCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(config_.Load().ok());
    ASSERT_TRUE(store_->Load(config_.GetString(config::Key::kAuthRealm)).ok());
    ASSERT_TRUE(RegisterUserCommands(table_, deps_).ok());
  }
  std::string Run(std::string_view line) {
    out_.text.clear();
    table_.Execute(line, out_);
    return out_.text;
  }
  std::string RetLine(std::string_view line) {
    std::string text = Run(line);
    size_t a = text.find("RETCODE");
    return text.substr(a, text.find('\n', a) - a);
  }

  testing::RamStorage config_storage_{1024, 4};
  testing::FakeEntropy entropy_;
  config::ConfigStore config_{config_storage_, entropy_, Arena()};
  testing::RamStorage user_storage_{4096, 16};
  std::unique_ptr<UserStore> store_ = std::make_unique<UserStore>(user_storage_, Arena());
  CallLimits limits_;
  UserCommandDeps deps_{*store_, config_, limits_};
  mml::CommandTable table_;
  StringOutput out_;
};

TEST_F(UserCommandsTest, RegistersSixCommandsOnce) {
  EXPECT_EQ(table_.size(), 6u);
  EXPECT_EQ(RegisterUserCommands(table_, deps_), Status::AlreadyExists());
}

TEST_F(UserCommandsTest, DspUserListsWithoutHa1) {
  EXPECT_EQ(Run("DSP USER"),
            "%%DSP USER%%\n"
            "RETCODE = 0  Operation succeeded\n"
            "\n"
            "USERNAME         DISPLAY NAME             STATUS    CLASS\n"
            "1001             User 1001                ACTIVE    BASIC\n"
            "1002             User 1002                ACTIVE    BASIC\n"
            "1003             User 1003                ACTIVE    BASIC\n"
            "\n"
            "(Number of results = 3)\n"
            "\n"
            "---    END\n");
  std::string one = Run("DSP USER:USERNAME=\"1002\";");
  EXPECT_NE(one.find("1002             User 1002                ACTIVE    BASIC\n"),
            std::string::npos)
      << one;
  EXPECT_NE(one.find("(Number of results = 1)"), std::string::npos);
  EXPECT_EQ(RetLine("DSP USER USERNAME=9999"),
            "RETCODE = 8  User 9999 not found (DSP USER lists the users)");
}

TEST_F(UserCommandsTest, AddUserExactErrors) {
  EXPECT_EQ(RetLine("ADD USER USERNAME=\"bad user\" PASSWORD=x"),
            "RETCODE = 6  Invalid value for USERNAME: \"bad user\" (allowed: letters, "
            "digits, '.', '_', '-'; 1..32 characters)");
  EXPECT_EQ(RetLine("ADD USER USERNAME=2001"),
            "RETCODE = 4  Missing parameter PASSWORD (ADD USER requires: USERNAME, PASSWORD)");
  EXPECT_EQ(RetLine("ADD USER USERNAME=2001 PASSWORD=pw STATUS=LOCKED"),
            "RETCODE = 6  Invalid value for STATUS: \"LOCKED\" (allowed: ACTIVE, INACTIVE, "
            "SUSPENDED)");
  EXPECT_EQ(RetLine("ADD USER USERNAME=2001 PASSWORD=pw CLASS=GOLD"),
            "RETCODE = 6  Invalid value for CLASS: \"GOLD\" (allowed: BASIC, PREMIUM, VIP, "
            "ENTERPRISE)");
  EXPECT_EQ(RetLine("ADD USER USERNAME=" + std::string(33, 'a') + " PASSWORD=pw"),
            "RETCODE = 5  USERNAME length 33 out of range (allowed 1..32 characters)");
  EXPECT_EQ(RetLine("ADD USER USERNAME=1001 PASSWORD=pw"),
            "RETCODE = 9  User 1001 already exists (MOD USER changes it)");
  EXPECT_EQ(store_->size(), 3u);
}

TEST_F(UserCommandsTest, AddModRmvWithTheConfiguredRealm) {
  ASSERT_TRUE(config_.Set("AUTH.REALM", "example.com").ok());
  EXPECT_EQ(Run("ADD USER:USERNAME=\"2001\",PASSWORD=\"pw\",DISPLAYNAME=\"Anna B\",CLASS=vip;"),
            "%%ADD USER:USERNAME=\"2001\",PASSWORD=\"pw\",DISPLAYNAME=\"Anna B\",CLASS=vip;%%\n"
            "RETCODE = 0  Operation succeeded\n"
            "  USERNAME             = 2001\n"
            "  DISPLAYNAME          = Anna B\n"
            "  STATUS               = ACTIVE\n"
            "  CLASS                = VIP\n"
            "  CALL LIMIT           = 8\n"
            "\n"
            "---    END\n");
  // python3: hashlib.md5(b"2001:example.com:pw").hexdigest()
  EXPECT_EQ(store_->Find("2001")->Ha1Md5(), "b8b0230c70725a088ccb7c3bdea498e3");
  EXPECT_EQ(store_->RealmMismatches("example.com"), 3u);  // the defaults

  EXPECT_EQ(RetLine("MOD USER USERNAME=2001"),
            "RETCODE = 4  Nothing to change: give PASSWORD, DISPLAYNAME, STATUS or CLASS");
  EXPECT_EQ(RetLine("MOD USER USERNAME=2009 STATUS=SUSPENDED"),
            "RETCODE = 8  User 2009 not found (DSP USER lists the users)");
  EXPECT_EQ(RetLine("MOD USER USERNAME=2001 STATUS=SUSPENDED"), "RETCODE = 0  Operation succeeded");
  EXPECT_EQ(store_->Find("2001")->status, UserStatus::kSuspended);
  EXPECT_EQ(RetLine("MOD USER USERNAME=1001 PASSWORD=1001"), "RETCODE = 0  Operation succeeded");
  EXPECT_EQ(store_->RealmMismatches("example.com"), 2u);

  EXPECT_EQ(RetLine("RMV USER USERNAME=2001"),
            "RETCODE = 7  RMV USER is destructive: repeat the command with CONFIRM=YES");
  EXPECT_NE(store_->Find("2001"), nullptr);
  EXPECT_EQ(RetLine("RMV USER USERNAME=2001 CONFIRM=YES"), "RETCODE = 0  Operation succeeded");
  EXPECT_EQ(store_->Find("2001"), nullptr);
  EXPECT_EQ(RetLine("RMV USER USERNAME=2001 CONFIRM=YES"),
            "RETCODE = 8  User 2001 not found (DSP USER lists the users)");
}

TEST_F(UserCommandsTest, PasswordsAreNeverEchoedInErrors) {
  std::string text = Run("ADD USER USERNAME=2001 PASSWORD=\"tab\there\"");
  EXPECT_NE(text.find("RETCODE = 6  Invalid value for PASSWORD: \"***\" (allowed: 1..64 "
                      "printable ASCII characters)"),
            std::string::npos)
      << text;
}

TEST_F(UserCommandsTest, ExpAndImpUser) {
  std::string exp = Run("EXP USER");
  EXPECT_NE(exp.find("\n[\n{\"username\":\"1001\",\"display_name\":\"User 1001\",\"ha1_md5\":"
                     "\"90bf9ff902d663524a5f9a7470fdbbe2\""),
            std::string::npos)
      << exp;
  EXPECT_NE(exp.find("\"class\":\"BASIC\"}\n]\n"), std::string::npos);
  EXPECT_EQ(Run("DSP USER").find("90bf9ff9"), std::string::npos);

  EXPECT_EQ(Run(R"(IMP USER DATA="[{\"username\":\"3001\",\"password\":\"pw\"}]")"),
            "%%IMP USER DATA=\"[{\\\"username\\\":\\\"3001\\\",\\\"password\\\":\\\"pw\\\"}]\"%%\n"
            "RETCODE = 0  Operation succeeded\n"
            "  ADDED                = 1\n"
            "  MODIFIED             = 0\n"
            "\n"
            "---    END\n");
  EXPECT_NE(store_->Find("3001"), nullptr);
  EXPECT_EQ(
      RetLine(
          R"(IMP USER DATA="[{\"username\":\"3002\",\"password\":\"pw\"},{\"username\":\"3003\",\"status\":\"GONE\",\"password\":\"pw\"}]")"),
      "RETCODE = 6  Invalid value for DATA: entry 1, field \"status\": invalid value "
      "(allowed: ACTIVE, INACTIVE, SUSPENDED); nothing imported");
  EXPECT_EQ(store_->Find("3002"), nullptr);
}

}  // namespace
}  // namespace gw::users

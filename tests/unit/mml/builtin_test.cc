#include <gtest/gtest.h>

#include <string>

#include "config_fakes.h"
#include "gw/mml/builtin_commands.h"
#include "mml_fakes.h"

namespace gw::mml {
namespace {

uint32_t Now(void* ctx) {
  return *static_cast<uint32_t*>(ctx);
}

class BuiltinTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.Load().ok());
    ASSERT_TRUE(RegisterBuiltinCommands(table_, deps_).ok());
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
  config::FakeFlash flash_{1024, 4};
  config::FakeEntropy entropy_;
  static config::JsonArena arena_;
  config::ConfigStore store_{flash_, entropy_, arena_};
  uint32_t now_ = 1500;
  log::LogRing log_{&Now, &now_};
  FakeSystemView system_;
  BuiltinDeps deps_{store_, log_, system_};
  CommandTable table_;
  StringOutput out_;
};
config::JsonArena BuiltinTest::arena_;

TEST_F(BuiltinTest, RegisteringTwiceIsRefused) {
  EXPECT_EQ(RegisterBuiltinCommands(table_, deps_), Status::AlreadyExists());
}

TEST_F(BuiltinTest, LstCmdListsEveryCommand) {
  std::string text = Run("LST CMD");
  EXPECT_NE(text.find("COMMAND          DESCRIPTION\n"), std::string::npos) << text;
  EXPECT_NE(text.find("DSP CFG          Display configuration keys\n"), std::string::npos);
  EXPECT_NE(text.find("RST CFG          Restore factory defaults\n"), std::string::npos);
  EXPECT_NE(text.find("(Number of results = 11)"), std::string::npos);
}

TEST_F(BuiltinTest, HelpShowsParametersInBothForms) {
  std::string a = Run("HELP DSP LOG");
  std::string b = Run("HELP VERB=dsp OBJECT=log");
  EXPECT_EQ(a.substr(a.find("RETCODE")), b.substr(b.find("RETCODE")));
  EXPECT_NE(a.find("LINES      INT     NO       1..128                   20       "
                   "how many of the newest lines"),
            std::string::npos)
      << a;
  EXPECT_NE(a.find("LEVEL      ENUM    NO       ERROR, WARN, INFO, DEBUG DEBUG"),
            std::string::npos);
  std::string rst = Run("HELP RST CFG");
  EXPECT_NE(rst.find("CONFIRM    YES/NO  YES      YES, NO"), std::string::npos) << rst;
  EXPECT_NE(Run("HELP SET").find("SET LOG"), std::string::npos);
  EXPECT_EQ(RetLine("HELP FOO BAR"),
            "RETCODE = 1  Unknown command FOO BAR (LST CMD lists the commands)");
  EXPECT_EQ(RetLine("HELP"), "RETCODE = 0  Operation succeeded");
}

TEST_F(BuiltinTest, DspCfgOneKeyExactReport) {
  EXPECT_EQ(Run("DSP CFG:KEY=\"sip.port\";"),
            "%%DSP CFG:KEY=\"sip.port\";%%\n"
            "RETCODE = 0  Operation succeeded\n"
            "  KEY                  = SIP.PORT\n"
            "  VALUE                = 5060\n"
            "  DEFAULT              = 5060\n"
            "  TYPE                 = INT\n"
            "  RANGE                = 1..65535\n"
            "  RESTART              = YES\n"
            "  SOURCE               = DEFAULT\n"
            "  DESCRIPTION          = UDP port of the SIP listener\n"
            "\n"
            "---    END\n");
}

TEST_F(BuiltinTest, DspCfgListsAllKeysAndMasksThePassword) {
  std::string text = Run("DSP CFG");
  EXPECT_NE(text.find("KEY                VALUE            DEFAULT      RESTART\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("MML.PASSWORD       ********         ********     NO\n"), std::string::npos);
  EXPECT_NE(text.find("SYSLOG.HOST        \"\"               \"\"           NO\n"),
            std::string::npos);
  EXPECT_NE(text.find("(Number of results = " + std::to_string(config::kKeyCount) + ")"),
            std::string::npos);
  EXPECT_EQ(text.find("sha256"), std::string::npos);
  EXPECT_EQ(RetLine("DSP CFG KEY=NOPE"), "RETCODE = 8  Unknown key NOPE (DSP CFG lists the keys)");
}

TEST_F(BuiltinTest, SetCfgValidatesAndPersists) {
  EXPECT_EQ(RetLine("SET CFG KEY=SIP.PORT VALUE=70000"),
            "RETCODE = 5  Invalid value for VALUE: SIP.PORT out of range: 70000 "
            "(allowed 1..65535)");
  EXPECT_EQ(RetLine("SET CFG KEY=LOG.LEVEL VALUE=LOUD"),
            "RETCODE = 6  Invalid value for VALUE: LOG.LEVEL must be one of: ERROR, WARN, "
            "INFO, DEBUG");
  EXPECT_EQ(RetLine("SET CFG KEY=NO.KEY VALUE=1"),
            "RETCODE = 8  Unknown key NO.KEY (DSP CFG lists the keys)");
  EXPECT_EQ(RetLine("SET CFG KEY=SIP.PORT"),
            "RETCODE = 4  Missing parameter VALUE (SET CFG requires: KEY, VALUE)");
  EXPECT_EQ(Run("SET CFG:KEY=SIP.PORT,VALUE=5080;"),
            "%%SET CFG:KEY=SIP.PORT,VALUE=5080;%%\n"
            "RETCODE = 0  Operation succeeded; restart required to take effect\n"
            "  KEY                  = SIP.PORT\n"
            "  VALUE                = 5080\n"
            "  RESTART              = YES\n"
            "\n"
            "---    END\n");
  EXPECT_EQ(RetLine("SET CFG KEY=SIP.DOMAIN VALUE=\"ims.example.org\""),
            "RETCODE = 0  Operation succeeded");
  // Re-read from storage with a new store.
  config::ConfigStore again(flash_, entropy_, arena_);
  ASSERT_TRUE(again.Load().ok());
  EXPECT_EQ(again.GetInt(config::Key::kSipPort), 5080);
  EXPECT_EQ(again.GetString(config::Key::kSipDomain), "ims.example.org");
  // EXP CFG shows the stored document.
  std::string exp = Run("EXP CFG");
  EXPECT_NE(exp.find("RETCODE = 0  Operation succeeded\n\n{\n"
                     "\t\"SIP.DOMAIN\":\t\"ims.example.org\",\n"
                     "\t\"SIP.PORT\":\t5080\n}\n"),
            std::string::npos)
      << exp;
}

TEST_F(BuiltinTest, SetCfgPasswordIsHashedAndMasked) {
  EXPECT_EQ(RetLine("SET CFG KEY=MML.PASSWORD VALUE=\"n3w pass\""),
            "RETCODE = 0  Operation succeeded");
  EXPECT_EQ(Run("DSP CFG KEY=MML.PASSWORD").find("n3w"), std::string::npos);
  EXPECT_TRUE(store_.VerifyPassword("n3w pass"));
}

TEST_F(BuiltinTest, RstCfgNeedsConfirmAndRestoresDefaults) {
  ASSERT_TRUE(store_.Set("NAT.KEEPALIVE", "99").ok());
  EXPECT_EQ(RetLine("RST CFG"),
            "RETCODE = 7  RST CFG is destructive: repeat the command with CONFIRM=YES");
  EXPECT_EQ(store_.GetInt(config::Key::kNatKeepalive), 99);
  EXPECT_EQ(RetLine("RST CFG CONFIRM=YES"),
            "RETCODE = 0  Factory defaults restored; restart to apply every key");
  config::ConfigStore again(flash_, entropy_, arena_);
  ASSERT_TRUE(again.Load().ok());
  EXPECT_EQ(again.GetInt(config::Key::kNatKeepalive), 30);
}

TEST_F(BuiltinTest, DspLogShowsNewestLastAndFilters) {
  log::Install(&log_);
  log_.set_level(log::Level::kDebug);
  GW_LOG_INFO("sip", "first");
  now_ = 2001;
  GW_LOG_DEBUG("sip", "noise");
  now_ = 3002;
  GW_LOG_WARN("net", "second");
  log::Install(nullptr);
  EXPECT_EQ(Run("DSP LOG LINES=2 LEVEL=INFO"),
            "%%DSP LOG LINES=2 LEVEL=INFO%%\n"
            "RETCODE = 0  Operation succeeded\n"
            "\n"
            "TIME        LEVEL TAG     TEXT\n"
            "1.500       INFO  sip     first\n"
            "3.002       WARN  net     second\n"
            "\n"
            "(Number of results = 2)\n"
            "\n"
            "---    END\n");
  std::string last = Run("DSP LOG LINES=1");
  EXPECT_NE(last.find("3.002       WARN  net     second"), std::string::npos);
  EXPECT_NE(last.find("(Number of results = 1)"), std::string::npos);
  EXPECT_EQ(RetLine("DSP LOG LINES=0"), "RETCODE = 5  LINES out of range: 0 (allowed 1..128)");
  EXPECT_EQ(RetLine("DSP LOG LEVEL=LOUD"),
            "RETCODE = 6  Invalid value for LEVEL: \"LOUD\" (allowed: ERROR, WARN, INFO, DEBUG)");
}

TEST_F(BuiltinTest, SetLogChangesTheRingAndPersists) {
  EXPECT_EQ(RetLine("SET LOG LEVEL=warn"), "RETCODE = 0  Operation succeeded");
  EXPECT_EQ(log_.level(), log::Level::kWarn);
  config::ConfigStore again(flash_, entropy_, arena_);
  ASSERT_TRUE(again.Load().ok());
  EXPECT_EQ(again.GetString(config::Key::kLogLevel), "WARN");
  EXPECT_EQ(RetLine("SET LOG"), "RETCODE = 4  Missing parameter LEVEL (SET LOG requires: LEVEL)");
}

TEST_F(BuiltinTest, DspSysinfoExactReport) {
  EXPECT_EQ(Run("DSP SYSINFO"),
            "%%DSP SYSINFO%%\n"
            "RETCODE = 0  Operation succeeded\n"
            "  VERSION              = 0.1.0\n"
            "  BOARD                = host-sim\n"
            "  PROFILE              = small\n"
            "  UPTIME               = 1d 02h 03m 04s\n"
            "  WALL CLOCK           = 2024-05-01 12:00:00 UTC\n"
            "\n"
            "CAPACITY             VALUE\n"
            "users                256\n"
            "calls                64\n"
            "\n"
            "(Number of results = 2)\n"
            "\n"
            "POOL             USED   CAPACITY HIGH-WATER REFUSED\n"
            "transactions     3      128      17         2\n"
            "\n"
            "(Number of results = 1)\n"
            "\n"
            "---    END\n");
  system_.synced = false;
  EXPECT_NE(Run("DSP SYSINFO").find("  WALL CLOCK           = unsynchronised\n"),
            std::string::npos);
  EXPECT_EQ(RetLine("DSP SYSINFO X=1"),
            "RETCODE = 3  Unknown parameter X: DSP SYSINFO takes no parameters");
}

TEST_F(BuiltinTest, DspPerfShowsLoadPoolsAndCounters) {
  std::string text = Run("DSP PERF");
  EXPECT_NE(text.find("  CPU LOAD             = 12.3 %\n"), std::string::npos) << text;
  // The same pool table as DSP SYSINFO: used, capacity, high-water, refused.
  EXPECT_NE(text.find("POOL             USED   CAPACITY HIGH-WATER REFUSED\n"
                      "transactions     3      128      17         2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("GROUP        NAME             VALUE\n"
                      "sip.rx       INVITE           12\n"
                      "lwip.udp     recv             99\n"),
            std::string::npos);
}

}  // namespace
}  // namespace gw::mml

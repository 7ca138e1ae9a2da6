#include "gw/mml/session.h"

#include <gtest/gtest.h>

#include <string>

#include "config_fakes.h"
#include "gw/mml/builtin_commands.h"
#include "gw/testing/fake_hal.h"
#include "mml_fakes.h"

namespace gw::mml {
namespace {

struct EchoSeen {
  std::string last;
};
void EchoHandler(void* ctx, Call& call) {
  static_cast<EchoSeen*>(ctx)->last = call.args.Text("TEXT");
  call.report.Ok();
}
constexpr ParamSpec kEchoParams[] = {{.name = "TEXT", .type = ParamType::kString}};

class SessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.Load().ok());
    ASSERT_TRUE(RegisterShellCommands(table_).ok());
    ASSERT_TRUE(table_
                    .Register({.verb = "ECHO",
                               .object = "",
                               .params = kEchoParams,
                               .handler = &EchoHandler,
                               .context = &seen_})
                    .ok());
  }
  config::FakeFlash flash_{1024, 4};
  config::FakeEntropy entropy_;
  static config::JsonArena arena_;
  config::ConfigStore store_{flash_, entropy_, arena_};
  CommandTable table_;
  EchoSeen seen_;
  StringOutput out_;
};
config::JsonArena SessionTest::arena_;

TEST_F(SessionTest, InteractiveEchoAndPrompt) {
  Session s(table_, store_, out_, {.interactive = true});
  s.Start();
  EXPECT_EQ(out_.Take(), "imsgw> ");
  s.Feed("ECHO hi\r\n");
  EXPECT_EQ(out_.Take(),
            "ECHO hi\n%%ECHO hi%%\nRETCODE = 0  Operation succeeded\n"
            "\n---    END\nimsgw> ");
  EXPECT_EQ(seen_.last, "hi");
}

TEST_F(SessionTest, CrLfAndCrlfEachEndOneLine) {
  Session s(table_, store_, out_, {.interactive = false});
  s.Start();
  s.Feed("ECHO a\rECHO b\nECHO c\r\nECHO d\n");
  std::string text = out_.Take();
  size_t reports = 0;
  for (size_t p = 0; (p = text.find("---    END", p)) != std::string::npos; ++p) ++reports;
  EXPECT_EQ(reports, 4u);
  EXPECT_EQ(seen_.last, "d");
  EXPECT_EQ(text.find("imsgw>"), std::string::npos);  // no prompt when piped
}

TEST_F(SessionTest, BackspaceArrowsInsertKillAndCancel) {
  Session s(table_, store_, out_, {.interactive = true});
  s.Start();
  s.Feed(
      "ECHO abX\x7f"
      "c\n");
  EXPECT_EQ(seen_.last, "abc");
  s.Feed("ECHO ac\x1b[Db\n");  // left arrow, insert
  EXPECT_EQ(seen_.last, "abc");
  s.Feed("ECHO abcd\x1b[D\x1b[D\x1b[3~\n");  // Delete key removes 'c'
  EXPECT_EQ(seen_.last, "abd");
  s.Feed("ECHO xx\x1b[D\x1b[C\x08y\n");  // right arrow back to the end
  EXPECT_EQ(seen_.last, "xy");
  s.Feed(
      "ECHO gone\x15"
      "ECHO kept\n");
  EXPECT_EQ(seen_.last, "kept");
  out_.Take();
  s.Feed("ECHO cancelled\x03");
  EXPECT_EQ(out_.Take().substr(14), "^C\nimsgw> ");
  s.Feed("\n");  // the cancelled line is gone: a blank line runs nothing
  EXPECT_EQ(seen_.last, "kept");
  EXPECT_EQ(out_.Take(), "\nimsgw> ");
}

TEST_F(SessionTest, HistoryRecallsTheLastLines) {
  Session s(table_, store_, out_, {.interactive = true});
  s.Start();
  for (int i = 0; i < 10; ++i) s.Feed("ECHO " + std::to_string(i) + "\n");
  s.Feed("\x1b[A\n");
  EXPECT_EQ(seen_.last, "9");
  s.Feed("\x1b[A\x1b[A\x1b[A\n");  // 9 (again, not stored twice), 8, 7
  EXPECT_EQ(seen_.last, "7");
  for (int i = 0; i < 20; ++i) s.Feed("\x1bOA");  // stops at the oldest of 8
  s.Feed("\n");  // history: 3 4 5 6 7 8 9 7 (the recalled 7 is newest)
  EXPECT_EQ(seen_.last, "3");
  s.Feed("\x1b[A\x1b[A\x1b[B\n");
  EXPECT_EQ(seen_.last, "3");
  s.Feed(
      "\x1b[A\x1b[B\x1b[B"
      "ECHO new\n");  // down past the newest: empty line
  EXPECT_EQ(seen_.last, "new");
}

TEST_F(SessionTest, OverlongInteractiveLineIsRefusedWithABell) {
  Session s(table_, store_, out_, {.interactive = true});
  s.Start();
  s.Feed("ECHO " + std::string(300, 'z'));
  EXPECT_NE(out_.Take().find('\a'), std::string::npos);
  s.Feed("\n");
  EXPECT_EQ(seen_.last.size(), kMaxLine - 5);
}

TEST_F(SessionTest, PipedGarbageGivesErrorReportsNeverACrash) {
  Session s(table_, store_, out_, {.interactive = false});
  s.Start();
  s.Feed(std::string(400, 'q') + "\n");
  EXPECT_NE(out_.Take().find("RETCODE = 2  Syntax error: line too long (max 256 characters)"),
            std::string::npos);
  std::string garbage;
  for (int i = 0; i < 5000; ++i) garbage += static_cast<char>((i * 7919) & 0xFF);
  s.Feed(garbage);
  s.Feed("\nECHO ok\n");
  EXPECT_EQ(seen_.last, "ok");
  EXPECT_FALSE(s.WantsClose());
}

TEST_F(SessionTest, LoginSucceedsWithoutEchoingThePassword) {
  Session s(table_, store_, out_, {.interactive = true, .login = LoginPolicy::kAlways});
  s.Start();
  EXPECT_EQ(out_.Take(), "Username: ");
  EXPECT_FALSE(s.logged_in());
  s.Feed("ECHO x\n");  // taken as the user name, not run
  EXPECT_EQ(seen_.last, "");
  s.Feed("admin\n");
  EXPECT_EQ(out_.Take(), "ECHO x\nPassword: \nLogin incorrect.\nUsername: ");
  s.Feed("admin\r\n");
  EXPECT_EQ(out_.Take(), "admin\nPassword: ");
  s.Feed("admin\r\n");
  EXPECT_EQ(out_.Take(), "\nLogin succeeded.\nimsgw> ");
  EXPECT_TRUE(s.logged_in());
  s.Feed("\x1b[A\n");  // the password is not in the history
  EXPECT_EQ(seen_.last, "");
}

TEST_F(SessionTest, ThreeFailuresAskToClose) {
  Session s(table_, store_, out_, {.interactive = false, .login = LoginPolicy::kAlways});
  s.Start();
  s.Feed("admin\nwrong\nadmin\nwrong\nroot\nadmin\n");
  EXPECT_TRUE(s.WantsClose());
  EXPECT_NE(out_.Take().find("Too many failures, closing."), std::string::npos);
  s.Feed("admin\nadmin\n");  // ignored once closing
  EXPECT_FALSE(s.logged_in());
  EXPECT_EQ(out_.Take(), "");
  s.Start();  // the console may start over
  EXPECT_FALSE(s.WantsClose());
  s.Feed("admin\nadmin\n");
  EXPECT_TRUE(s.logged_in());
}

TEST_F(SessionTest, LogoutClosesTelnetAndReturnsConsoleToLogin) {
  Session telnet(table_, store_, out_,
                 {.interactive = true, .login = LoginPolicy::kAlways, .close_on_logout = true});
  telnet.Start();
  telnet.Feed("admin\nadmin\nLOGOUT\n");
  EXPECT_TRUE(telnet.WantsClose());
  EXPECT_NE(out_.Take().find("RETCODE = 0  Logged out"), std::string::npos);

  Session console(table_, store_, out_, {.interactive = true, .login = LoginPolicy::kFromConfig});
  console.Start();
  EXPECT_EQ(out_.Take(), "imsgw> ");  // MML.CONSOLE_LOGIN defaults to FALSE
  console.Feed("LOGOUT\n");
  EXPECT_FALSE(console.WantsClose());
  EXPECT_TRUE(console.logged_in());
  ASSERT_TRUE(store_.Set("MML.CONSOLE_LOGIN", "TRUE").ok());
  ASSERT_TRUE(store_.Set("MML.PASSWORD", "pw2").ok());
  out_.Take();
  console.Feed("LOGOUT\n");
  EXPECT_FALSE(console.logged_in());
  EXPECT_NE(out_.Take().find("Username: "), std::string::npos);
  console.Feed("admin\npw2\n");
  EXPECT_TRUE(console.logged_in());
}

// Failed logins through a LoginGuard, on a clock and timer wheel advanced
// by hand.
class GuardedSessionTest : public SessionTest {
 protected:
  SessionOptions Telnet(uint32_t source) {
    SessionOptions o{.interactive = false, .login = LoginPolicy::kAlways};
    o.close_on_logout = true;
    o.guard = &guard_;
    o.timers = &timers_;
    o.source = source;
    o.close_hook = [](void* ctx) { ++*static_cast<int*>(ctx); };
    o.close_ctx = &closes_;
    return o;
  }
  void Advance(uint32_t ms) {
    clock_.now += ms;
    timers_.Advance(clock_.now);
  }
  gw::testing::FakeClock clock_;
  TimerWheel timers_{clock_.now};
  LoginGuard guard_{clock_};
  int closes_ = 0;
};

constexpr uint32_t kPeer = 0xC6336401;  // 198.51.100.1

TEST_F(GuardedSessionTest, FailedLoginIsAnsweredAfterADelayWithoutBlocking) {
  Session s(table_, store_, out_, Telnet(kPeer));
  s.Start();
  out_.Take();
  s.Feed("admin\nwrong\n");
  EXPECT_EQ(out_.Take(), "Password: ");  // Feed returned; no answer yet
  s.Feed("admin\nadmin\n");              // typed during the delay: discarded
  Advance(999);
  EXPECT_EQ(out_.Take(), "");
  Advance(1);
  EXPECT_EQ(out_.Take(), "Login incorrect.\nUsername: ");
  EXPECT_FALSE(s.logged_in());
  s.Feed("admin\nwrong\n");
  Advance(1999);
  EXPECT_EQ(out_.Take(), "Password: ");
  Advance(1);
  EXPECT_EQ(out_.Take(), "Login incorrect.\nUsername: ");
  s.Feed("admin\nadmin\n");  // a success is answered at once and ends the streak
  EXPECT_TRUE(s.logged_in());
  EXPECT_EQ(guard_.Failed(kPeer), 1000u);
}

TEST_F(GuardedSessionTest, FiveFailuresInARowLockTheSourceOutForAMinute) {
  // Twenty wrong passwords over reconnections: 3 in the first session,
  // 2 in the next, then the source is locked out.
  {
    Session s(table_, store_, out_, Telnet(kPeer));
    s.Start();
    for (uint32_t delay : {1000u, 2000u, 4000u}) {
      s.Feed("admin\nwrong\n");
      EXPECT_FALSE(s.WantsClose());
      Advance(delay);
    }
    EXPECT_TRUE(s.WantsClose());
    EXPECT_EQ(closes_, 1);  // the transport is told from the timer
    EXPECT_NE(out_.Take().find("Too many failures, closing."), std::string::npos);
  }
  Session s(table_, store_, out_, Telnet(kPeer));
  s.Start();
  s.Feed("admin\nwrong\n");
  Advance(8000);
  s.Feed("admin\nwrong\n");
  Advance(16000);
  EXPECT_TRUE(s.WantsClose());
  EXPECT_EQ(closes_, 2);
  EXPECT_NE(out_.Take().find("Login incorrect. Too many failures: locked out for 60 s."),
            std::string::npos);
  EXPECT_EQ(guard_.stats().lockouts, 1u);

  // Locked out (16 s of the minute gone): even the right password is
  // refused, at once, unchecked.
  Session again(table_, store_, out_, Telnet(kPeer));
  again.Start();
  out_.Take();
  for (int i = 0; i < 15; ++i) again.Feed("admin\nadmin\n");
  EXPECT_FALSE(again.logged_in());
  EXPECT_NE(out_.Take().find("Login refused: too many failed logins; try again in 44 s."),
            std::string::npos);
  EXPECT_EQ(guard_.stats().refused, 15u);
  EXPECT_EQ(guard_.stats().failures, 5u);

  // Another source is not affected; after the minute this one may log in.
  Session other(table_, store_, out_, Telnet(kPeer + 1));
  other.Start();
  other.Feed("admin\nadmin\n");
  EXPECT_TRUE(other.logged_in());
  Advance(LoginGuard::kLockoutMs);
  again.Feed("admin\nadmin\n");
  EXPECT_TRUE(again.logged_in());
}

TEST_F(GuardedSessionTest, ClosingDuringTheDelayCancelsTheAnswer) {
  {
    Session s(table_, store_, out_, Telnet(kPeer));
    s.Start();
    s.Feed("admin\nwrong\n");
    EXPECT_EQ(timers_.active_count(), 1u);
  }
  EXPECT_EQ(timers_.active_count(), 0u);
  out_.Take();
  Advance(2000);
  EXPECT_EQ(out_.Take(), "");
}

TEST_F(GuardedSessionTest, ConsoleFailuresShareOneSourceAcrossRestarts) {
  ASSERT_TRUE(store_.Set("MML.CONSOLE_LOGIN", "TRUE").ok());
  SessionOptions o{.interactive = false, .login = LoginPolicy::kFromConfig};
  o.guard = &guard_;
  o.timers = &timers_;
  Session console(table_, store_, out_, o);
  console.Start();
  uint32_t delay = LoginGuard::kFirstDelayMs;
  for (int i = 0; i < 5; ++i) {
    if (console.WantsClose()) console.Start();  // as the console poller does
    console.Feed("admin\nwrong\n");
    Advance(delay);
    delay *= 2;
  }
  EXPECT_GT(guard_.LockedMs(LoginGuard::kConsole), 0u);
  console.Start();
  console.Feed("admin\nadmin\n");
  EXPECT_FALSE(console.logged_in());
}

TEST(CommandTableOutsideSession, LogoutNeedsASession) {
  CommandTable table;
  ASSERT_TRUE(RegisterShellCommands(table).ok());
  StringOutput out;
  table.Execute("LOGOUT", out);
  EXPECT_NE(out.text.find("RETCODE = 11  No session to log out of"), std::string::npos);
}

}  // namespace
}  // namespace gw::mml

#include "gw/mml/command.h"

#include <gtest/gtest.h>

#include <string>

#include "mml_fakes.h"

namespace gw::mml {
namespace {

constexpr std::string_view kClasses[] = {"BASIC", "PREMIUM", "VIP", "ENTERPRISE"};
constexpr ParamSpec kUserParams[] = {
    {.name = "USERNAME", .type = ParamType::kString, .required = true, .min = 1, .max = 8},
    {.name = "CLASS", .type = ParamType::kEnum, .values = kClasses},
    {.name = "LIMIT", .type = ParamType::kInt, .min = 1, .max = 100},
    {.name = "ACTIVE", .type = ParamType::kBool},
    {.name = "HOST", .type = ParamType::kIp4},
    {.name = "DATE", .type = ParamType::kDate},
};

struct Seen {
  int calls = 0;
  std::string username, klass;
  int64_t limit = 0;
  bool active = false;
  uint32_t host = 0;
  Date date;
};

void UserHandler(void* ctx, Call& call) {
  auto* seen = static_cast<Seen*>(ctx);
  ++seen->calls;
  seen->username = call.args.Text("USERNAME");
  seen->klass = call.args.Text("CLASS", "BASIC");
  seen->limit = call.args.Int("LIMIT", -1);
  seen->active = call.args.Bool("ACTIVE");
  seen->host = call.args.Ip4("HOST");
  seen->date = call.args.DateValue("DATE");
  call.report.Ok();
}

class CommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(table_
                    .Register({.verb = "ADD",
                               .object = "USER",
                               .params = kUserParams,
                               .help = "Add a user",
                               .handler = &UserHandler,
                               .context = &seen_})
                    .ok());
    ASSERT_TRUE(table_
                    .Register({.verb = "CLR",
                               .object = "USER",
                               .help = "Remove all",
                               .destructive = true,
                               .handler = &UserHandler,
                               .context = &seen_})
                    .ok());
  }
  std::string Run(std::string_view line) {
    out_.text.clear();
    table_.Execute(line, out_);
    return out_.text;
  }
  // The RETCODE line of a report.
  std::string RetLine(std::string_view line) {
    std::string text = Run(line);
    size_t a = text.find("RETCODE");
    return text.substr(a, text.find('\n', a) - a);
  }
  CommandTable table_;
  Seen seen_;
  StringOutput out_;
};

TEST_F(CommandTest, RegisterRefusesDuplicatesAndOverflow) {
  EXPECT_EQ(table_.Register({.verb = "add", .object = "user", .handler = &UserHandler}),
            Status::AlreadyExists());
  EXPECT_EQ(table_.Register({.verb = "X", .object = "Y"}), Status::InvalidArgument());
  constexpr ParamSpec kConfirm[] = {{.name = "CONFIRM"}};
  EXPECT_EQ(table_.Register({.verb = "X",
                             .object = "Y",
                             .params = kConfirm,
                             .destructive = true,
                             .handler = &UserHandler}),
            Status::InvalidArgument());
  static std::string names[CommandTable::kCapacity];
  Status last;
  for (size_t i = 0; i < CommandTable::kCapacity; ++i) {
    names[i] = "OBJ" + std::to_string(i);
    last = table_.Register({.verb = "DSP", .object = names[i], .handler = &UserHandler});
    if (!last.ok()) break;
  }
  EXPECT_EQ(last, Status::ResourceExhausted());
  EXPECT_EQ(table_.size(), CommandTable::kCapacity);
}

TEST_F(CommandTest, HandlersGetTypedValidatedArgs) {
  EXPECT_EQ(RetLine("add user:username=\"1001\",class=vip,limit=5,active=yes,"
                    "host=10.1.2.3,date=2024-02-29;"),
            "RETCODE = 0  Operation succeeded");
  EXPECT_EQ(seen_.calls, 1);
  EXPECT_EQ(seen_.username, "1001");
  EXPECT_EQ(seen_.klass, "VIP");
  EXPECT_EQ(seen_.limit, 5);
  EXPECT_TRUE(seen_.active);
  EXPECT_EQ(seen_.host, 0x0A010203u);
  EXPECT_EQ(seen_.date.year, 2024);
  EXPECT_EQ(seen_.date.day, 29);
  // Positional values fill the parameters in order.
  EXPECT_EQ(RetLine("ADD USER 1002 PREMIUM"), "RETCODE = 0  Operation succeeded");
  EXPECT_EQ(seen_.username, "1002");
  EXPECT_EQ(seen_.klass, "PREMIUM");
  EXPECT_EQ(seen_.limit, -1);
}

TEST_F(CommandTest, EachValidationErrorNamesTheParameter) {
  EXPECT_EQ(RetLine("DSP FOO"),
            "RETCODE = 1  Unknown command DSP FOO (LST CMD lists the commands)");
  EXPECT_EQ(RetLine("ADD USER USERNAME=1 COLOR=red"),
            "RETCODE = 3  Unknown parameter COLOR (allowed: USERNAME, CLASS, LIMIT, "
            "ACTIVE, HOST, DATE)");
  EXPECT_EQ(RetLine("ADD USER CLASS=VIP"),
            "RETCODE = 4  Missing parameter USERNAME (ADD USER requires: USERNAME)");
  EXPECT_EQ(RetLine("ADD USER USERNAME=1 LIMIT=0"),
            "RETCODE = 5  LIMIT out of range: 0 (allowed 1..100)");
  EXPECT_EQ(RetLine("ADD USER USERNAME=1 LIMIT=ten"),
            "RETCODE = 6  Invalid value for LIMIT: \"ten\" is not an integer (allowed 1..100)");
  EXPECT_EQ(RetLine("ADD USER USERNAME=123456789"),
            "RETCODE = 5  USERNAME length 9 out of range (allowed 1..8 characters)");
  EXPECT_EQ(RetLine("ADD USER USERNAME=1 CLASS=GOLD"),
            "RETCODE = 6  Invalid value for CLASS: \"GOLD\" (allowed: BASIC, PREMIUM, VIP, "
            "ENTERPRISE)");
  EXPECT_EQ(RetLine("ADD USER USERNAME=1 ACTIVE=perhaps"),
            "RETCODE = 6  Invalid value for ACTIVE: \"perhaps\" (allowed: YES, NO)");
  EXPECT_EQ(RetLine("ADD USER USERNAME=1 HOST=1.2.3"),
            "RETCODE = 6  Invalid value for HOST: \"1.2.3\" (allowed: IPv4 address a.b.c.d)");
  EXPECT_EQ(RetLine("ADD USER USERNAME=1 DATE=2023-02-29"),
            "RETCODE = 6  Invalid value for DATE: \"2023-02-29\" (allowed: date YYYY-MM-DD)");
  EXPECT_EQ(RetLine("ADD USER 1 USERNAME=2"), "RETCODE = 2  Parameter USERNAME given twice");
  EXPECT_EQ(RetLine("CLR USER X=1"), "RETCODE = 3  Unknown parameter X (allowed: CONFIRM)");
  EXPECT_EQ(seen_.calls, 0);
}

TEST_F(CommandTest, DestructiveNeedsConfirm) {
  EXPECT_EQ(RetLine("CLR USER"),
            "RETCODE = 7  CLR USER is destructive: repeat the command with CONFIRM=YES");
  EXPECT_EQ(RetLine("CLR USER CONFIRM=NO"),
            "RETCODE = 7  CLR USER is destructive: cancelled, repeat with CONFIRM=YES");
  EXPECT_EQ(RetLine("CLR USER CONFIRM=MAYBE"),
            "RETCODE = 6  Invalid value for CONFIRM: \"MAYBE\" (allowed: YES, NO)");
  EXPECT_EQ(seen_.calls, 0);
  EXPECT_EQ(RetLine("clr user:confirm=yes;"), "RETCODE = 0  Operation succeeded");
  EXPECT_EQ(seen_.calls, 1);
}

TEST_F(CommandTest, MalformedLinesGiveASyntaxReport) {
  EXPECT_EQ(Run("ADD USER:USERNAME=\"1001"),
            "%%ADD USER:USERNAME=\"1001%%\n"
            "RETCODE = 2  Syntax error: unterminated quoted value at column 19\n"
            "\n---    END\n");
  std::string control = Run("ADD USER\x07\x1b[A");
  EXPECT_NE(control.find("%%ADD USER??[A%%"), std::string::npos) << control;
  EXPECT_NE(control.find("RETCODE = 2  Syntax error: control character 0x07 at column 9"),
            std::string::npos);
  std::string many = "ADD USER";
  for (int i = 0; i < 20; ++i) many += " P" + std::to_string(i) + "=1";
  EXPECT_EQ(RetLine(many), "RETCODE = 2  Syntax error: too many parameters (max 16) at column 96");
  EXPECT_EQ(RetLine(std::string(300, 'A')),
            "RETCODE = 2  Syntax error: line too long (300 characters, max 256)");
  EXPECT_FALSE(table_.Execute("   ", out_));
  EXPECT_EQ(seen_.calls, 0);
}

TEST(Report, ExactFormat) {
  StringOutput out;
  {
    Report r(out, "DSP THING:ID=1;");
    r.Ok();
    r.Field("NAME", "value");
    static constexpr Column kCols[] = {{"ID", 4}, {"NAME", 6}, {"STATE", 0}};
    r.BeginTable(kCols);
    r.Row({"1", "alpha", "UP"});
    r.Row({"22", "longername", "DOWN"});
    r.EndTable();
    r.End();
    r.Line("dropped after the end");
  }
  EXPECT_EQ(out.text,
            "%%DSP THING:ID=1;%%\n"
            "RETCODE = 0  Operation succeeded\n"
            "  NAME                 = value\n"
            "\n"
            "ID   NAME   STATE\n"
            "1    alpha  UP\n"
            "22   longername DOWN\n"
            "\n"
            "(Number of results = 2)\n"
            "\n"
            "---    END\n");
  EXPECT_EQ(RetCodeFor(Status::OutOfRange()), RetCode::kOutOfRange);
  EXPECT_STREQ(RetCodeText(RetCode::kConfirmRequired), "Confirmation required");
}

}  // namespace
}  // namespace gw::mml

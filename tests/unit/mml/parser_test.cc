#include "gw/mml/parser.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace gw::mml {
namespace {

struct Parsed {
  Status status;
  std::string verb, object, error;
  std::vector<std::pair<std::string, std::string>> params;
};

Parsed P(std::string_view line) {
  ParsedCommand cmd;
  ParseError err;
  Parsed p;
  p.status = Parser::Parse(line, cmd, err);
  p.verb = cmd.verb;
  p.object = cmd.object;
  p.error = err.message.view();
  for (size_t i = 0; i < cmd.param_count; ++i)
    p.params.emplace_back(cmd.params[i].name, cmd.params[i].value);
  return p;
}

using Pairs = std::vector<std::pair<std::string, std::string>>;

TEST(Parser, BothSyntaxesGiveTheSameCommand) {
  for (std::string_view line : {"DSP USER USERNAME=1001", "DSP USER:USERNAME=\"1001\";",
                                "  DSP   USER : USERNAME=1001 ;  ", "DSP USER:USERNAME=1001"}) {
    Parsed p = P(line);
    ASSERT_TRUE(p.status.ok()) << line << ": " << p.error;
    EXPECT_EQ(p.verb, "DSP");
    EXPECT_EQ(p.object, "USER");
    EXPECT_EQ(p.params, (Pairs{{"USERNAME", "1001"}})) << line;
  }
}

TEST(Parser, CommasSpacesQuotesAndCase) {
  Parsed p = P(R"(add user:username=1001,displayname="Ann \"A\" Lee", class=VIP  status=ACTIVE;)");
  ASSERT_TRUE(p.status.ok()) << p.error;
  EXPECT_EQ(p.verb, "add");
  EXPECT_EQ(p.object, "user");
  EXPECT_EQ(p.params, (Pairs{{"username", "1001"},
                             {"displayname", "Ann \"A\" Lee"},
                             {"class", "VIP"},
                             {"status", "ACTIVE"}}));
  Parsed q = P(R"(SET CFG KEY=SYSLOG.HOST VALUE="" )");
  ASSERT_TRUE(q.status.ok());
  EXPECT_EQ(q.params, (Pairs{{"KEY", "SYSLOG.HOST"}, {"VALUE", ""}}));
  Parsed r = P(R"(SET CFG KEY=X VALUE="a\\b")");
  EXPECT_EQ(r.params[1].second, "a\\b");
}

TEST(Parser, VerbOnlyAndPositionalValues) {
  Parsed p = P("LOGOUT");
  ASSERT_TRUE(p.status.ok());
  EXPECT_EQ(p.verb, "LOGOUT");
  EXPECT_EQ(p.object, "");
  Parsed h = P("HELP VERB=DSP OBJECT=CFG");
  EXPECT_EQ(h.object, "");
  EXPECT_EQ(h.params, (Pairs{{"VERB", "DSP"}, {"OBJECT", "CFG"}}));
  Parsed pos = P("HELP DSP CFG");
  EXPECT_EQ(pos.object, "DSP");
  EXPECT_EQ(pos.params, (Pairs{{"", "CFG"}}));
  EXPECT_TRUE(P("").status.ok());
  EXPECT_EQ(P("   ;").verb, "");
}

TEST(Parser, MalformedLinesNameThePosition) {
  Parsed p = P("DSP USER:USERNAME=\"1001");
  EXPECT_EQ(p.status, Status::InvalidArgument());
  EXPECT_EQ(p.error, "unterminated quoted value at column 19");
  EXPECT_EQ(P("DSP USER:A=1; junk").error, "unexpected text after ';' at column 15");
  EXPECT_EQ(P("DSP USER:A=\"x\\n\"").error,
            "bad escape in quoted value (only \\\" and \\\\) at column 14");
  EXPECT_EQ(P("DSP USER:A=\"x\"y").error,
            "expected ',' or a space after the quoted value at column 15");
  EXPECT_EQ(P("DSP USER:A=b\"c").error, "unexpected quote inside a value at column 13");
  EXPECT_EQ(P("1DSP").error, "expected a command verb (letters) at column 1");
  EXPECT_EQ(P("DSP-USER").error, "unexpected character '-' at column 4");
  EXPECT_EQ(P("DSP USER\x01").error, "control character 0x01 at column 9");
  EXPECT_EQ(P("DSP USER A=1 A=2").error, "parameter A given twice at column 14");
  EXPECT_EQ(P("DSP USER =5").status, Status::InvalidArgument());
}

TEST(Parser, BoundsAreEnforced) {
  std::string long_line = "DSP USER:USERNAME=" + std::string(300, 'x');
  Parsed p = P(long_line);
  EXPECT_EQ(p.status, Status::OutOfRange());
  EXPECT_EQ(p.error, "line too long (318 characters, max 256)");
  std::string many = "DSP USER";
  for (int i = 0; i < 20; ++i) many += " P" + std::to_string(i) + "=1";
  Parsed m = P(many);
  EXPECT_EQ(m.status, Status::ResourceExhausted());
  EXPECT_EQ(m.error, "too many parameters (max 16) at column 96");
  std::string exactly16 = "DSP USER";
  for (int i = 0; i < 16; ++i) exactly16 += " P" + std::to_string(i) + "=1";
  EXPECT_TRUE(P(exactly16).status.ok());
  // A full-length line of quoted values fills the value buffer exactly.
  std::string full = "A B:V=\"" + std::string(248, 'q') + "\"";
  ASSERT_EQ(full.size(), 256u);
  Parsed f = P(full);
  ASSERT_TRUE(f.status.ok());
  EXPECT_EQ(f.params[0].second.size(), 248u);
}

TEST(Parser, RandomGarbageNeverCrashes) {
  std::mt19937 rng(12345);
  for (int round = 0; round < 20000; ++round) {
    size_t len = rng() % 300;
    std::string line;
    for (size_t i = 0; i < len; ++i) {
      // Bias towards the characters the grammar cares about.
      static const char kInteresting[] = "AZaz09 ,;:=\"\\._-\t";
      line += (rng() % 3 == 0) ? static_cast<char>(rng() & 0xFF)
                               : kInteresting[rng() % (sizeof(kInteresting) - 1)];
    }
    ParsedCommand cmd;
    ParseError err;
    Status s = Parser::Parse(line, cmd, err);
    if (!s.ok()) {
      EXPECT_FALSE(err.message.empty());
      EXPECT_GE(err.column, 1u);
    } else {
      EXPECT_LE(cmd.param_count, kMaxParams);
    }
  }
}

}  // namespace
}  // namespace gw::mml

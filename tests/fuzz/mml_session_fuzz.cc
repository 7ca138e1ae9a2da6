// libFuzzer target: MML text through the parser, the command table with the
// builtin commands, and a whole Session.
//
// Input: byte 0 picks the session options (bit 0 interactive, bits 1-2 the
// login policy, bit 3 close on LOGOUT); the rest is what the operator types.
//
// Invariants:
//  - Parser: views lie inside the line (names) or inside the command (the
//    unescaped values); columns point at what they describe; a canonical
//    re-rendering of a parsed line parses to the same command.
//  - CommandTable::Execute: nothing for a blank line, otherwise exactly one
//    report: the echo line, a RETCODE line, the terminator at the end.
//  - Session: writes no control bytes but LF, HT, BEL and BS (input is never
//    echoed raw to the operator's terminal); runs no command before a
//    required login; writes nothing once it wants to close.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "gw/config/config_store.h"
#include "gw/config/json_arena.h"
#include "gw/config/text.h"
#include "gw/mml/builtin_commands.h"
#include "gw/mml/command.h"
#include "gw/mml/output.h"
#include "gw/mml/parser.h"
#include "gw/mml/report.h"
#include "gw/mml/session.h"
#include "gw/mml/system_view.h"
#include "gw/testing/fake_hal.h"

namespace gw::fuzz {
namespace {

using mml::kMaxLine;
using mml::kMaxParams;

class StringOutput : public mml::Output {
 public:
  std::string text;

 private:
  void DoWrite(std::string_view s) override { text.append(s); }
};

class FixedSystemView : public mml::SystemView {
 private:
  std::string_view DoVersion() override { return "0.1.0"; }
  std::string_view DoBoard() override { return "fuzz"; }
  std::string_view DoProfile() override { return "small"; }
  uint32_t DoUptimeMs() override { return 93784000; }
  bool DoWallClockSynced() override { return true; }
  int64_t DoWallClockUnix() override { return 1714564800; }
  uint32_t DoCpuLoadPermille() override { return 123; }
  bool DoCapacity(uint32_t i, mml::CapacityRow& out) override {
    if (i >= 1) return false;
    out = {"users", 256};
    return true;
  }
  bool DoPool(uint32_t i, PoolStats& out) override {
    if (i >= 1) return false;
    out = PoolStats{"transactions", 128, 3, 17, 2};
    return true;
  }
  bool DoCounter(uint32_t i, mml::CounterRow& out) override {
    if (i >= 1) return false;
    out = {"sip.rx", "INVITE", 12};
    return true;
  }
};

// One gateway's worth of what the MML commands reach: a config store over
// blank RAM flash, the log ring, the builtin commands.
struct World {
  explicit World(FuzzLog& log) : deps{store, log.ring(), system} {
    GW_FUZZ_CHECK(store.Load().ok());
    GW_FUZZ_CHECK(mml::RegisterBuiltinCommands(table, deps).ok());
  }
  static config::JsonArena arena;
  testing::RamStorage storage{1024, 4};
  testing::FakeEntropy entropy;
  config::ConfigStore store{storage, entropy, arena};
  FixedSystemView system;
  mml::BuiltinDeps deps;
  mml::CommandTable table;
};
config::JsonArena World::arena;

bool InsideObject(std::string_view part, const void* object, size_t size) {
  return Inside(part, {static_cast<const char*>(object), size});
}

// The same command written in the canonical form VERB OBJECT:NAME="value",...
std::string Canonical(const mml::ParsedCommand& cmd) {
  std::string s(cmd.verb);
  if (!cmd.object.empty()) s.append(" ").append(cmd.object);
  for (size_t i = 0; i < cmd.param_count; ++i) {
    const mml::ParsedParam& p = cmd.params[i];
    s.append(i == 0 ? ":" : ",");
    if (!p.name.empty()) s.append(p.name).append("=");
    s.push_back('"');
    for (char c : p.value) {
      if (c == '"' || c == '\\') s.push_back('\\');
      s.push_back(c);
    }
    s.push_back('"');
  }
  s.append(";");
  return s;
}

void CheckParse(std::string_view line) {
  mml::ParsedCommand cmd;
  mml::ParseError error;
  Status st = mml::Parser::Parse(line, cmd, error);
  GW_FUZZ_CHECK(st.ok() || st == Status::InvalidArgument() || st == Status::OutOfRange() ||
                st == Status::ResourceExhausted());
  GW_FUZZ_CHECK((st == Status::OutOfRange()) == (line.size() > kMaxLine));
  if (!st.ok()) {
    GW_FUZZ_CHECK(error.column >= 1 && !error.message.empty());
    GW_FUZZ_CHECK(error.column <= (line.size() > kMaxLine ? kMaxLine : line.size()) + 1);
    return;
  }
  GW_FUZZ_CHECK(cmd.param_count <= kMaxParams);
  if (cmd.verb.empty()) {
    GW_FUZZ_CHECK(cmd.object.empty() && cmd.param_count == 0);
    return;
  }
  GW_FUZZ_CHECK(Inside(cmd.verb, line) && Inside(cmd.object, line));
  if (!cmd.object.empty()) {
    GW_FUZZ_CHECK(cmd.object_column >= 1 &&
                  line.substr(cmd.object_column - 1, cmd.object.size()) == cmd.object);
  }
  size_t value_bytes = 0;
  for (size_t i = 0; i < cmd.param_count; ++i) {
    const mml::ParsedParam& p = cmd.params[i];
    GW_FUZZ_CHECK(p.column >= 1 && p.column <= line.size());
    GW_FUZZ_CHECK(Inside(p.name, line));
    if (!p.name.empty()) GW_FUZZ_CHECK(line.substr(p.column - 1, p.name.size()) == p.name);
    GW_FUZZ_CHECK(InsideObject(p.value, &cmd, sizeof(cmd)));
    for (char c : p.value) {
      auto u = static_cast<unsigned char>(c);
      GW_FUZZ_CHECK(u >= 0x20 || u == '\t');
    }
    value_bytes += p.value.size();
  }
  GW_FUZZ_CHECK(value_bytes <= line.size());

  std::string canonical = Canonical(cmd);
  if (canonical.size() > kMaxLine) return;
  mml::ParsedCommand again;
  mml::ParseError again_error;
  GW_FUZZ_CHECK(mml::Parser::Parse(canonical, again, again_error).ok());
  GW_FUZZ_CHECK(again.verb == cmd.verb && again.object == cmd.object &&
                again.param_count == cmd.param_count);
  for (size_t i = 0; i < cmd.param_count; ++i) {
    GW_FUZZ_CHECK(again.params[i].name == cmd.params[i].name &&
                  again.params[i].value == cmd.params[i].value);
  }
}

void CheckExecute(const mml::CommandTable& table, std::string_view line) {
  StringOutput out;
  bool reported = table.Execute(line, out);
  std::string_view text = out.text;
  if (!reported) {
    GW_FUZZ_CHECK(text.empty());
    return;
  }
  // "%%<echo>%%\nRETCODE = n  ...\n ... \n---    END\n"
  size_t eol = text.find('\n');
  GW_FUZZ_CHECK(eol != std::string_view::npos && eol >= 4);
  GW_FUZZ_CHECK(text.substr(0, 2) == "%%" && text.substr(eol - 2, 2) == "%%");
  GW_FUZZ_CHECK(text.substr(eol + 1, 10) == "RETCODE = ");
  std::string end = "\n" + std::string(mml::Report::kTerminator) + "\n";
  GW_FUZZ_CHECK(text.size() >= end.size() && text.substr(text.size() - end.size()) == end);
  // Exactly one report: one RETCODE line, one terminator.
  GW_FUZZ_CHECK(text.find("\nRETCODE = ", eol + 1) == std::string_view::npos);
  GW_FUZZ_CHECK(text.find(end) == text.size() - end.size());
}

void CheckSessionOutput(std::string_view text) {
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    bool ok = u >= 0x20 || c == '\n' || c == '\t' || c == '\a' || c == '\b';
    if (!ok) {
      std::fprintf(stderr, "byte 0x%02X in the session output:\n%.*s\n", u,
                   static_cast<int>(text.size()), text.data());
    }
    GW_FUZZ_CHECK(ok);
    GW_FUZZ_CHECK(u != 0x7F);
  }
}

void RunSession(FuzzLog& log, uint8_t flags, std::string_view typed) {
  World world(log);
  StringOutput out;
  mml::SessionOptions options;
  options.interactive = (flags & 1) != 0;
  switch ((flags >> 1) & 3) {
    case 0:
      options.login = mml::LoginPolicy::kNever;
      break;
    case 1:
      options.login = mml::LoginPolicy::kAlways;
      break;
    default:
      options.login = mml::LoginPolicy::kFromConfig;
      break;
  }
  options.close_on_logout = (flags & 8) != 0;
  options.banner = "imsgw fuzz";
  mml::Session session(world.table, world.store, out, options);
  session.Start();
  session.Feed(typed);
  CheckSessionOutput(out.text);

  if (!options.interactive && options.login == mml::LoginPolicy::kAlways &&
      out.text.find("Login succeeded.") == std::string::npos) {
    GW_FUZZ_CHECK(out.text.find("%%") == std::string::npos);
  }
  if (session.WantsClose()) {
    size_t before = out.text.size();
    session.Feed("LST CMD\nadmin\nadmin\n");
    GW_FUZZ_CHECK(out.text.size() == before);
  }
}

}  // namespace
}  // namespace gw::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static gw::fuzz::FuzzLog log;
  log.Install();
  log.Reset();
  if (size == 0) return 0;
  uint8_t flags = data[0];
  std::string_view typed(reinterpret_cast<const char*>(data + 1), size - 1);

  {
    gw::fuzz::World world(log);
    std::string_view rest = typed;
    while (!rest.empty()) {
      size_t end = rest.find_first_of("\r\n");
      std::string_view line = rest.substr(0, end);
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
      gw::fuzz::CheckParse(line);
      gw::fuzz::CheckExecute(world.table, line);
    }
  }
  log.Reset();
  gw::fuzz::RunSession(log, flags, typed);
  return 0;
}

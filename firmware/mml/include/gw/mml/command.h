#pragma once
// The command schema and table. Modules describe each command once
// (CommandSpec with ParamSpecs); the table parses, validates and reports
// uniformly, so a handler only sees typed, validated arguments.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "gw/core/status.h"
#include "gw/core/vector.h"
#include "gw/mml/output.h"
#include "gw/mml/parser.h"
#include "gw/mml/report.h"

namespace gw::mml {

class Session;
class CommandTable;

enum class ParamType : uint8_t { kInt, kString, kEnum, kBool, kIp4, kDate };
const char* ParamTypeName(ParamType type);

struct ParamSpec {
  std::string_view name;  // upper case, e.g. "USERNAME"
  ParamType type = ParamType::kString;
  bool required = false;
  int64_t min = 0;  // INT: smallest value; STRING: shortest length
  int64_t max = 0;  // INT: largest value; STRING: longest length (0 = any)
  std::span<const std::string_view> values = {};  // ENUM, upper case
  std::string_view default_value = {};            // what HELP shows when absent
  std::string_view help = {};
};

struct Date {
  uint16_t year = 0;
  uint8_t month = 0;
  uint8_t day = 0;
};

// One validated argument. `number` is the INT value, the ENUM index, or
// BOOL 0/1; `text` is the value as typed (ENUM: the canonical spelling).
struct ArgValue {
  bool present = false;
  std::string_view text;
  int64_t number = 0;
  uint32_t ip4 = 0;
  Date date;
};

class Args {
 public:
  // Lookups by parameter name (as in the spec); absent or unknown names
  // give the fallback.
  bool Has(std::string_view name) const;
  std::string_view Text(std::string_view name, std::string_view fallback = {}) const;
  int64_t Int(std::string_view name, int64_t fallback = 0) const;
  bool Bool(std::string_view name, bool fallback = false) const;
  size_t Enum(std::string_view name, size_t fallback = 0) const;
  uint32_t Ip4(std::string_view name, uint32_t fallback = 0) const;
  Date DateValue(std::string_view name) const;
  const ArgValue* Find(std::string_view name) const;

 private:
  friend class CommandTable;
  std::span<const ParamSpec> params_;
  ArgValue values_[kMaxParams];
};

// What a handler gets. It writes the reply through `report` (Ok/Fail first,
// then the body); the table writes the terminator afterwards.
struct Call {
  const struct CommandSpec& spec;
  const Args& args;
  Report& report;
  const CommandTable& table;
  Session* session;  // nullptr when run outside a session
};

using Handler = void (*)(void* ctx, Call& call);

struct CommandSpec {
  std::string_view verb;    // upper case, e.g. "DSP"
  std::string_view object;  // upper case, may be empty ("HELP", "LOGOUT")
  std::span<const ParamSpec> params = {};
  std::string_view help = {};
  bool destructive = false;  // needs CONFIRM=YES (implicit parameter)
  Handler handler = nullptr;
  void* context = nullptr;
};

class CommandTable {
 public:
  static constexpr size_t kCapacity = 64;

  CommandTable() = default;
  CommandTable(const CommandTable&) = delete;
  CommandTable& operator=(const CommandTable&) = delete;

  // Adds a command; spans and views must point at static data.
  // InvalidArgument: no verb/handler, more than kMaxParams parameters, or a
  // parameter named CONFIRM on a destructive command; AlreadyExists: the
  // same VERB OBJECT is registered; ResourceExhausted: the table is full.
  Status Register(const CommandSpec& spec);

  // Case-insensitive; nullptr if unknown.
  const CommandSpec* Find(std::string_view verb, std::string_view object) const;
  size_t size() const { return commands_.size(); }
  const CommandSpec& operator[](size_t i) const { return commands_[i]; }

  // Parses, validates and runs one line, writing exactly one report to
  // `out`. Returns false (and writes nothing) for a blank line.
  bool Execute(std::string_view line, Output& out, Session* session = nullptr) const;

 private:
  bool Bind(const CommandSpec& spec, const ParsedCommand& cmd, size_t first_positional, Args& args,
            Report& report) const;
  Vector<CommandSpec, kCapacity> commands_;
};

}  // namespace gw::mml

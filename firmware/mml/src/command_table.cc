#include <cstdio>

#include "gw/config/text.h"
#include "gw/core/fixed_string.h"
#include "gw/mml/command.h"

namespace gw::mml {
namespace {

using config::EqualsIgnoreCase;

constexpr std::string_view kConfirm = "CONFIRM";
constexpr size_t kShownValue = 40;  // longest value quoted back in an error

int Len(std::string_view s, size_t cap = kShownValue) {
  return static_cast<int>(s.size() < cap ? s.size() : cap);
}

// "A, B, C" of the command's parameter names (plus CONFIRM if destructive).
void JoinParamNames(const CommandSpec& spec, StringBase& out) {
  for (size_t i = 0; i < spec.params.size(); ++i) {
    if (i > 0) out.AppendTruncated(", ");
    out.AppendTruncated(spec.params[i].name);
  }
  if (spec.destructive) {
    if (!spec.params.empty()) out.AppendTruncated(", ");
    out.AppendTruncated(kConfirm);
  }
}

void JoinValues(std::span<const std::string_view> values, StringBase& out) {
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out.AppendTruncated(", ");
    out.AppendTruncated(values[i]);
  }
}

bool IsLeap(unsigned y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

bool ParseDate(std::string_view text, Date& out) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  unsigned v[3] = {};
  const size_t starts[3] = {0, 5, 8};
  const size_t lens[3] = {4, 2, 2};
  for (int f = 0; f < 3; ++f) {
    for (size_t i = 0; i < lens[f]; ++i) {
      char c = text[starts[f] + i];
      if (c < '0' || c > '9') return false;
      v[f] = v[f] * 10 + static_cast<unsigned>(c - '0');
    }
  }
  static constexpr uint8_t kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (v[0] < 1970 || v[0] > 2199 || v[1] < 1 || v[1] > 12 || v[2] < 1) return false;
  unsigned days = kDays[v[1] - 1] + ((v[1] == 2 && IsLeap(v[0])) ? 1 : 0);
  if (v[2] > days) return false;
  out = Date{static_cast<uint16_t>(v[0]), static_cast<uint8_t>(v[1]), static_cast<uint8_t>(v[2])};
  return true;
}

// Converts one value; on failure writes the report and returns false.
bool Convert(const ParamSpec& p, std::string_view text, ArgValue& out, Report& report) {
  out.present = true;
  out.text = text;
  const int nl = Len(p.name, 32);
  const char* name = p.name.data();
  switch (p.type) {
    case ParamType::kInt: {
      int64_t n = 0;
      if (!config::ParseInt(text, n)) {
        report.FailF(RetCode::kInvalidValue,
                     "Invalid value for %.*s: \"%.*s\" is not an integer (allowed %lld..%lld)", nl,
                     name, Len(text), text.data(), static_cast<long long>(p.min),
                     static_cast<long long>(p.max));
        return false;
      }
      if (n < p.min || n > p.max) {
        report.FailF(RetCode::kOutOfRange, "%.*s out of range: %lld (allowed %lld..%lld)", nl, name,
                     static_cast<long long>(n), static_cast<long long>(p.min),
                     static_cast<long long>(p.max));
        return false;
      }
      out.number = n;
      return true;
    }
    case ParamType::kString: {
      auto len = static_cast<int64_t>(text.size());
      if (len < p.min || (p.max > 0 && len > p.max)) {
        report.FailF(RetCode::kOutOfRange,
                     "%.*s length %lld out of range (allowed %lld..%lld characters)", nl, name,
                     static_cast<long long>(len), static_cast<long long>(p.min),
                     static_cast<long long>(p.max > 0 ? p.max : int64_t{kMaxLine}));
        return false;
      }
      return true;
    }
    case ParamType::kEnum: {
      for (size_t i = 0; i < p.values.size(); ++i) {
        if (EqualsIgnoreCase(text, p.values[i])) {
          out.number = static_cast<int64_t>(i);
          out.text = p.values[i];
          return true;
        }
      }
      String<120> allowed;
      JoinValues(p.values, allowed);
      report.FailF(RetCode::kInvalidValue, "Invalid value for %.*s: \"%.*s\" (allowed: %s)", nl,
                   name, Len(text), text.data(), allowed.c_str());
      return false;
    }
    case ParamType::kBool: {
      bool b = false;
      if (!config::ParseBool(text, b)) {
        report.FailF(RetCode::kInvalidValue, "Invalid value for %.*s: \"%.*s\" (allowed: YES, NO)",
                     nl, name, Len(text), text.data());
        return false;
      }
      out.number = b ? 1 : 0;
      out.text = b ? "YES" : "NO";
      return true;
    }
    case ParamType::kIp4: {
      if (!config::ParseIp4(text, out.ip4)) {
        report.FailF(RetCode::kInvalidValue,
                     "Invalid value for %.*s: \"%.*s\" (allowed: IPv4 address a.b.c.d)", nl, name,
                     Len(text), text.data());
        return false;
      }
      return true;
    }
    case ParamType::kDate: {
      if (!ParseDate(text, out.date)) {
        report.FailF(RetCode::kInvalidValue,
                     "Invalid value for %.*s: \"%.*s\" (allowed: date YYYY-MM-DD)", nl, name,
                     Len(text), text.data());
        return false;
      }
      return true;
    }
  }
  return false;
}

// The header echo: the line trimmed, non-printable bytes shown as '?', cut
// at kMaxLine.
class Echo {
 public:
  explicit Echo(std::string_view line) {
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    for (char c : line) {
      auto u = static_cast<unsigned char>(c);
      if (size_ == kMaxLine) {
        buf_[size_ - 3] = buf_[size_ - 2] = buf_[size_ - 1] = '.';
        break;
      }
      buf_[size_++] = (u < 0x20 || u >= 0x7F) ? '?' : c;
    }
  }
  std::string_view view() const { return {buf_, size_}; }

 private:
  char buf_[kMaxLine];
  size_t size_ = 0;
};

}  // namespace

const char* ParamTypeName(ParamType type) {
  switch (type) {
    case ParamType::kInt:
      return "INT";
    case ParamType::kString:
      return "STRING";
    case ParamType::kEnum:
      return "ENUM";
    case ParamType::kBool:
      return "YES/NO";
    case ParamType::kIp4:
      return "IP4";
    case ParamType::kDate:
      return "DATE";
  }
  return "?";
}

const ArgValue* Args::Find(std::string_view name) const {
  for (size_t i = 0; i < params_.size(); ++i) {
    if (EqualsIgnoreCase(params_[i].name, name)) return &values_[i];
  }
  return nullptr;
}

bool Args::Has(std::string_view name) const {
  const ArgValue* v = Find(name);
  return v != nullptr && v->present;
}

std::string_view Args::Text(std::string_view name, std::string_view fallback) const {
  const ArgValue* v = Find(name);
  return v != nullptr && v->present ? v->text : fallback;
}

int64_t Args::Int(std::string_view name, int64_t fallback) const {
  const ArgValue* v = Find(name);
  return v != nullptr && v->present ? v->number : fallback;
}

bool Args::Bool(std::string_view name, bool fallback) const {
  const ArgValue* v = Find(name);
  return v != nullptr && v->present ? v->number != 0 : fallback;
}

size_t Args::Enum(std::string_view name, size_t fallback) const {
  const ArgValue* v = Find(name);
  return v != nullptr && v->present ? static_cast<size_t>(v->number) : fallback;
}

uint32_t Args::Ip4(std::string_view name, uint32_t fallback) const {
  const ArgValue* v = Find(name);
  return v != nullptr && v->present ? v->ip4 : fallback;
}

Date Args::DateValue(std::string_view name) const {
  const ArgValue* v = Find(name);
  return v != nullptr && v->present ? v->date : Date{};
}

Status CommandTable::Register(const CommandSpec& spec) {
  if (spec.verb.empty() || spec.handler == nullptr || spec.params.size() > kMaxParams) {
    return Status::InvalidArgument();
  }
  if (spec.destructive) {
    for (const ParamSpec& p : spec.params) {
      if (EqualsIgnoreCase(p.name, kConfirm)) return Status::InvalidArgument();
    }
  }
  if (Find(spec.verb, spec.object) != nullptr) return Status::AlreadyExists();
  return commands_.push_back(spec);
}

const CommandSpec* CommandTable::Find(std::string_view verb, std::string_view object) const {
  for (const CommandSpec& c : commands_) {
    if (EqualsIgnoreCase(c.verb, verb) && EqualsIgnoreCase(c.object, object)) return &c;
  }
  return nullptr;
}

bool CommandTable::Bind(const CommandSpec& spec, const ParsedCommand& cmd, size_t first_positional,
                        Args& args, Report& report) const {
  args.params_ = spec.params;
  for (ArgValue& v : args.values_) v = ArgValue{};
  bool confirmed = false;
  bool confirm_given = false;
  // Values in order: the shifted object (if any), then the parsed ones.
  size_t total = cmd.param_count + first_positional;
  size_t next_positional = 0;
  for (size_t k = 0; k < total; ++k) {
    std::string_view name;
    std::string_view value;
    if (k < first_positional) {
      value = cmd.object;
    } else {
      name = cmd.params[k - first_positional].name;
      value = cmd.params[k - first_positional].value;
    }
    size_t index = spec.params.size();
    if (name.empty()) {
      // Positional: the next parameter not yet given.
      while (next_positional < spec.params.size() && args.values_[next_positional].present) {
        ++next_positional;
      }
      if (next_positional >= spec.params.size()) {
        String<120> allowed;
        JoinParamNames(spec, allowed);
        report.FailF(RetCode::kUnknownParameter,
                     "Unexpected value \"%.*s\" for %.*s %.*s (parameters: %s)", Len(value),
                     value.data(), Len(spec.verb), spec.verb.data(), Len(spec.object),
                     spec.object.data(), allowed.empty() ? "none" : allowed.c_str());
        return false;
      }
      index = next_positional++;
    } else if (spec.destructive && EqualsIgnoreCase(name, kConfirm)) {
      bool yes = false;
      if (!config::ParseBool(value, yes)) {
        report.FailF(RetCode::kInvalidValue,
                     "Invalid value for CONFIRM: \"%.*s\" (allowed: YES, NO)", Len(value),
                     value.data());
        return false;
      }
      confirm_given = true;
      confirmed = yes;
      continue;
    } else {
      for (size_t i = 0; i < spec.params.size(); ++i) {
        if (EqualsIgnoreCase(spec.params[i].name, name)) index = i;
      }
      if (index == spec.params.size()) {
        String<120> allowed;
        JoinParamNames(spec, allowed);
        if (allowed.empty()) {
          report.FailF(RetCode::kUnknownParameter,
                       "Unknown parameter %.*s: %.*s %.*s takes no parameters", Len(name),
                       name.data(), Len(spec.verb), spec.verb.data(), Len(spec.object),
                       spec.object.data());
        } else {
          report.FailF(RetCode::kUnknownParameter, "Unknown parameter %.*s (allowed: %s)",
                       Len(name), name.data(), allowed.c_str());
        }
        return false;
      }
      if (args.values_[index].present) {
        report.FailF(RetCode::kSyntaxError, "Parameter %.*s given twice",
                     Len(spec.params[index].name), spec.params[index].name.data());
        return false;
      }
    }
    if (!Convert(spec.params[index], value, args.values_[index], report)) return false;
  }
  for (size_t i = 0; i < spec.params.size(); ++i) {
    if (spec.params[i].required && !args.values_[i].present) {
      String<120> required;
      for (const ParamSpec& p : spec.params) {
        if (!p.required) continue;
        if (!required.empty()) required.AppendTruncated(", ");
        required.AppendTruncated(p.name);
      }
      report.FailF(RetCode::kMissingParameter, "Missing parameter %.*s (%.*s %.*s requires: %s)",
                   Len(spec.params[i].name), spec.params[i].name.data(), Len(spec.verb),
                   spec.verb.data(), Len(spec.object), spec.object.data(), required.c_str());
      return false;
    }
  }
  if (spec.destructive && !confirmed) {
    report.FailF(RetCode::kConfirmRequired, "%.*s %.*s is destructive: %s with CONFIRM=YES",
                 Len(spec.verb), spec.verb.data(), Len(spec.object), spec.object.data(),
                 confirm_given ? "cancelled, repeat" : "repeat the command");
    return false;
  }
  return true;
}

bool CommandTable::Execute(std::string_view line, Output& out, Session* session) const {
  ParsedCommand cmd;
  ParseError error;
  Status parsed = Parser::Parse(line, cmd, error);
  if (parsed.ok() && cmd.verb.empty()) return false;
  Echo echo(line);
  Report report(out, echo.view());
  if (!parsed.ok()) {
    report.FailF(RetCode::kSyntaxError, "Syntax error: %s", error.message.c_str());
    report.End();
    return true;
  }
  const CommandSpec* spec = Find(cmd.verb, cmd.object);
  size_t first_positional = 0;
  if (spec == nullptr && !cmd.object.empty()) {
    spec = Find(cmd.verb, {});
    first_positional = 1;  // "HELP DSP CFG": DSP is a value, not an object
  }
  if (spec == nullptr) {
    report.FailF(RetCode::kUnknownCommand,
                 "Unknown command %.*s%s%.*s (LST CMD lists the commands)", Len(cmd.verb, 16),
                 cmd.verb.data(), cmd.object.empty() ? "" : " ", Len(cmd.object, 16),
                 cmd.object.data());
    report.End();
    return true;
  }
  Args args;
  if (Bind(*spec, cmd, first_positional, args, report)) {
    Call call{*spec, args, report, *this, session};
    spec->handler(spec->context, call);
  }
  report.End();
  return true;
}

}  // namespace gw::mml

#pragma once
// The MML lexer/parser. Accepts both syntaxes:
//   DSP USER USERNAME=1001
//   DSP USER:USERNAME="1001";
// Parameters are NAME=VALUE separated by spaces and/or commas; a bare word
// after the object is a positional value. Values may be quoted ("..." with
// \" and \\ as the only escapes). A trailing ';' is optional. Everything is
// bounded: kMaxLine characters, kMaxParams parameters. Names are returned
// as written; the table compares them case-insensitively.
#include <cstddef>
#include <string_view>

#include "gw/core/fixed_string.h"
#include "gw/core/status.h"

namespace gw::mml {

inline constexpr size_t kMaxLine = 256;
inline constexpr size_t kMaxParams = 16;

struct ParsedParam {
  std::string_view name;   // empty for a positional value
  std::string_view value;  // unquoted/unescaped
  size_t column = 0;       // 1-based, where the parameter starts
};

// A parsed line. Views point into the input line and into this object's own
// value buffer, so it is neither copyable nor movable.
class ParsedCommand {
 public:
  ParsedCommand() = default;
  ParsedCommand(const ParsedCommand&) = delete;
  ParsedCommand& operator=(const ParsedCommand&) = delete;

  std::string_view verb;
  std::string_view object;  // may be empty (HELP, LOGOUT)
  size_t object_column = 0;
  ParsedParam params[kMaxParams];
  size_t param_count = 0;

 private:
  friend class Parser;
  char values_[kMaxLine];
  size_t values_used_ = 0;
};

struct ParseError {
  size_t column = 0;  // 1-based
  String<120> message;
};

class Parser {
 public:
  // Ok: `out` holds the command (verb empty for a blank line or a lone ';').
  // InvalidArgument: a syntax error, described in `error` with its column.
  // OutOfRange: the line exceeds kMaxLine; ResourceExhausted: more than
  // kMaxParams parameters.
  static Status Parse(std::string_view line, ParsedCommand& out, ParseError& error);
};

}  // namespace gw::mml

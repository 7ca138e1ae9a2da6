#include "gw/mml/parser.h"

#include "gw/config/text.h"

namespace gw::mml {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t';
}
bool IsAlpha(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}
bool IsIdent(char c) {
  return IsAlpha(c) || IsDigit(c) || c == '_';
}
bool IsNameChar(char c) {
  return IsIdent(c) || c == '.';
}
bool EndsBareValue(char c) {
  return IsSpace(c) || c == ',' || c == ';';
}

// Formats "<what> at column N" into the error, returns InvalidArgument.
Status Fail(ParseError& error, size_t pos, Status status, const char* fmt, ...)
    __attribute__((format(printf, 4, 5)));
Status Fail(ParseError& error, size_t pos, Status status, const char* fmt, ...) {
  error.column = pos + 1;
  error.message.clear();
  va_list args;
  va_start(args, fmt);
  error.message.FormatV(fmt, args).IgnoreError();
  va_end(args);
  error.message.Format(" at column %zu", pos + 1).IgnoreError();
  return status;
}

}  // namespace

Status Parser::Parse(std::string_view line, ParsedCommand& out, ParseError& error) {
  out.verb = {};
  out.object = {};
  out.object_column = 0;
  out.param_count = 0;
  out.values_used_ = 0;
  error.column = 0;
  error.message.clear();

  if (line.size() > kMaxLine) {
    error.column = kMaxLine + 1;
    error.message.Format("line too long (%zu characters, max %zu)", line.size(), kMaxLine)
        .IgnoreError();
    return Status::OutOfRange();
  }
  // Control bytes are refused wherever they are, before anything else.
  for (size_t i = 0; i < line.size(); ++i) {
    auto c = static_cast<unsigned char>(line[i]);
    if ((c < 0x20 && c != '\t') || c == 0x7F) {
      return Fail(error, i, Status::InvalidArgument(), "control character 0x%02X", c);
    }
  }

  const size_t n = line.size();
  size_t pos = 0;
  auto skip_spaces = [&] {
    while (pos < n && IsSpace(line[pos])) ++pos;
  };
  auto read_ident = [&]() -> std::string_view {
    size_t start = pos;
    if (pos < n && IsAlpha(line[pos])) {
      while (pos < n && IsIdent(line[pos])) ++pos;
    }
    return line.substr(start, pos - start);
  };
  auto finish_at_semicolon = [&]() -> Status {
    ++pos;  // the ';'
    skip_spaces();
    if (pos < n) {
      return Fail(error, pos, Status::InvalidArgument(), "unexpected text after ';'");
    }
    return Status::Ok();
  };
  auto unexpected = [&](size_t at) -> Status {
    auto c = static_cast<unsigned char>(line[at]);
    if (c >= 0x80) {
      return Fail(error, at, Status::InvalidArgument(), "unexpected byte 0x%02X", c);
    }
    return Fail(error, at, Status::InvalidArgument(), "unexpected character '%c'",
                static_cast<char>(c));
  };

  skip_spaces();
  if (pos == n) return Status::Ok();
  if (line[pos] == ';') return finish_at_semicolon();
  out.verb = read_ident();
  if (out.verb.empty()) {
    if (IsDigit(line[pos]) || line[pos] == '"' || line[pos] == '=' || line[pos] == ':' ||
        line[pos] == ',') {
      return Fail(error, pos, Status::InvalidArgument(), "expected a command verb (letters)");
    }
    return unexpected(pos);
  }
  if (pos < n && !IsSpace(line[pos]) && line[pos] != ':' && line[pos] != ';' && line[pos] != ',') {
    return unexpected(pos);
  }
  skip_spaces();
  // The object: an identifier that is not the name of a NAME=VALUE pair.
  if (pos < n && IsAlpha(line[pos])) {
    size_t start = pos;
    std::string_view ident = read_ident();
    if (pos < n && (line[pos] == '=' || line[pos] == '.')) {
      pos = start;  // a parameter (or a dotted positional value)
    } else {
      if (pos < n && !IsSpace(line[pos]) && line[pos] != ':' && line[pos] != ';' &&
          line[pos] != ',') {
        return unexpected(pos);
      }
      out.object = ident;
      out.object_column = start + 1;
    }
  }
  skip_spaces();
  if (pos < n && line[pos] == ':') ++pos;

  while (true) {
    while (pos < n && (IsSpace(line[pos]) || line[pos] == ',')) ++pos;
    if (pos == n) break;
    if (line[pos] == ';') return finish_at_semicolon();
    if (out.param_count == kMaxParams) {
      return Fail(error, pos, Status::ResourceExhausted(), "too many parameters (max %zu)",
                  kMaxParams);
    }
    ParsedParam& param = out.params[out.param_count];
    param.column = pos + 1;
    param.name = {};
    size_t start = pos;
    while (pos < n && IsNameChar(line[pos])) ++pos;
    if (pos > start && pos < n && line[pos] == '=') {
      param.name = line.substr(start, pos - start);
      ++pos;
    } else {
      pos = start;  // a positional value
    }
    // The value: quoted or bare, copied into the command's own buffer.
    char* dst = out.values_ + out.values_used_;
    size_t len = 0;
    if (pos < n && line[pos] == '"') {
      size_t quote = pos++;
      while (true) {
        if (pos == n) {
          return Fail(error, quote, Status::InvalidArgument(), "unterminated quoted value");
        }
        char c = line[pos];
        if (c == '"') {
          ++pos;
          break;
        }
        if (c == '\\') {
          if (pos + 1 < n && (line[pos + 1] == '"' || line[pos + 1] == '\\')) {
            c = line[pos + 1];
            pos += 2;
          } else {
            return Fail(error, pos, Status::InvalidArgument(),
                        "bad escape in quoted value (only \\\" and \\\\)");
          }
        } else {
          ++pos;
        }
        dst[len++] = c;  // bounded: never more bytes than the line holds
      }
      if (pos < n && !EndsBareValue(line[pos])) {
        return Fail(error, pos, Status::InvalidArgument(),
                    "expected ',' or a space after the quoted value");
      }
    } else {
      while (pos < n && !EndsBareValue(line[pos])) {
        char c = line[pos];
        if (c == '"') {
          return Fail(error, pos, Status::InvalidArgument(), "unexpected quote inside a value");
        }
        if (static_cast<unsigned char>(c) >= 0x80 || (param.name.empty() && c == '=')) {
          return unexpected(pos);
        }
        dst[len++] = c;
        ++pos;
      }
      if (param.name.empty() && len == 0) return unexpected(pos);
    }
    param.value = std::string_view(dst, len);
    out.values_used_ += len;
    if (!param.name.empty()) {
      for (size_t i = 0; i < out.param_count; ++i) {
        if (config::EqualsIgnoreCase(out.params[i].name, param.name)) {
          return Fail(error, start, Status::InvalidArgument(), "parameter %.*s given twice",
                      static_cast<int>(param.name.size() > 32 ? 32 : param.name.size()),
                      param.name.data());
        }
      }
    }
    ++out.param_count;
  }
  return Status::Ok();
}

}  // namespace gw::mml

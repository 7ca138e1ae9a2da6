#include "gw/mml/report.h"

#include <cstdio>

namespace gw::mml {
namespace {
constexpr char kSpaces[] = "                                                  ";

void Pad(Output& out, size_t n) {
  while (n > 0) {
    size_t chunk = n < sizeof(kSpaces) - 1 ? n : sizeof(kSpaces) - 1;
    out.Write(std::string_view(kSpaces, chunk));
    n -= chunk;
  }
}
}  // namespace

const char* RetCodeText(RetCode code) {
  switch (code) {
    case RetCode::kOk:
      return "Operation succeeded";
    case RetCode::kUnknownCommand:
      return "Unknown command";
    case RetCode::kSyntaxError:
      return "Syntax error";
    case RetCode::kUnknownParameter:
      return "Unknown parameter";
    case RetCode::kMissingParameter:
      return "Missing parameter";
    case RetCode::kOutOfRange:
      return "Value out of range";
    case RetCode::kInvalidValue:
      return "Invalid value";
    case RetCode::kConfirmRequired:
      return "Confirmation required";
    case RetCode::kNotFound:
      return "Not found";
    case RetCode::kAlreadyExists:
      return "Already exists";
    case RetCode::kResourceExhausted:
      return "Resource exhausted";
    case RetCode::kFailedPrecondition:
      return "Not possible now";
    case RetCode::kStorageError:
      return "Storage error";
    case RetCode::kPermissionDenied:
      return "Permission denied";
    case RetCode::kInternal:
      return "Internal error";
  }
  return "?";
}

RetCode RetCodeFor(Status status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return RetCode::kOk;
    case StatusCode::kInvalidArgument:
      return RetCode::kInvalidValue;
    case StatusCode::kNotFound:
      return RetCode::kNotFound;
    case StatusCode::kAlreadyExists:
      return RetCode::kAlreadyExists;
    case StatusCode::kPermissionDenied:
      return RetCode::kPermissionDenied;
    case StatusCode::kResourceExhausted:
      return RetCode::kResourceExhausted;
    case StatusCode::kFailedPrecondition:
      return RetCode::kFailedPrecondition;
    case StatusCode::kOutOfRange:
      return RetCode::kOutOfRange;
    case StatusCode::kDataLoss:
    case StatusCode::kUnavailable:
      return RetCode::kStorageError;
    case StatusCode::kUnimplemented:
    case StatusCode::kInternal:
      return RetCode::kInternal;
  }
  return RetCode::kInternal;
}

Report::Report(Output& out, std::string_view command) : out_(out) {
  out_.Write("%%");
  out_.Write(command);
  out_.Write("%%");
  out_.EndLine();
}

void Report::Ok(std::string_view text) {
  if (has_result_ || ended_) return;
  has_result_ = true;
  code_ = RetCode::kOk;
  out_.Write("RETCODE = 0  ");
  out_.WriteLine(text);
}

void Report::Fail(RetCode code, std::string_view text) {
  if (has_result_ || ended_) return;
  has_result_ = true;
  code_ = code;
  out_.Printf("RETCODE = %u  ", static_cast<unsigned>(code));
  out_.WriteLine(text);
}

void Report::FailF(RetCode code, const char* fmt, ...) {
  char text[200];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(text, sizeof(text), fmt, args);
  va_end(args);
  Fail(code, text);
}

void Report::EnsureResult() {
  // A body without a RETCODE line is the handler's bug; keep the format.
  if (!has_result_) Ok();
}

void Report::Title(std::string_view title) {
  if (ended_) return;
  EnsureResult();
  out_.EndLine();
  out_.WriteLine(title);
  size_t n = title.size();
  while (n > 0) {
    static constexpr char kDashes[] = "--------------------------------";
    size_t chunk = n < sizeof(kDashes) - 1 ? n : sizeof(kDashes) - 1;
    out_.Write(std::string_view(kDashes, chunk));
    n -= chunk;
  }
  out_.EndLine();
}

void Report::Field(std::string_view name, std::string_view value) {
  if (ended_) return;
  EnsureResult();
  out_.Write("  ");
  out_.Write(name);
  if (name.size() < kFieldWidth) Pad(out_, kFieldWidth - name.size());
  out_.Write(" = ");
  out_.WriteLine(value);
}

void Report::FieldF(std::string_view name, const char* fmt, ...) {
  char value[200];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(value, sizeof(value), fmt, args);
  va_end(args);
  Field(name, value);
}

void Report::Line(std::string_view text) {
  if (ended_) return;
  EnsureResult();
  out_.WriteLine(text);
}

void Report::BeginTable(std::span<const Column> columns) {
  if (ended_) return;
  EnsureResult();
  column_count_ = columns.size() < kMaxColumns ? columns.size() : kMaxColumns;
  for (size_t i = 0; i < column_count_; ++i) columns_[i] = columns[i];
  rows_ = 0;
  out_.EndLine();
  std::string_view titles[kMaxColumns];
  for (size_t i = 0; i < column_count_; ++i) titles[i] = columns_[i].title;
  WriteCells(std::span(titles, column_count_));
}

void Report::WriteCells(std::span<const std::string_view> cells) {
  size_t count = cells.size() < column_count_ ? cells.size() : column_count_;
  // The last cell is not padded: no trailing blanks on a line.
  for (size_t i = 0; i < count; ++i) {
    out_.Write(cells[i]);
    if (i + 1 == count) break;
    size_t width = columns_[i].width;
    Pad(out_, cells[i].size() < width ? width - cells[i].size() + 1 : 1);
  }
  out_.EndLine();
}

void Report::Row(std::initializer_list<std::string_view> cells) {
  Row(std::span<const std::string_view>(cells.begin(), cells.size()));
}

void Report::Row(std::span<const std::string_view> cells) {
  if (ended_ || column_count_ == 0) return;
  WriteCells(cells);
  ++rows_;
}

void Report::EndTable() {
  if (ended_ || column_count_ == 0) return;
  out_.EndLine();
  out_.Printf("(Number of results = %u)", static_cast<unsigned>(rows_));
  out_.EndLine();
  column_count_ = 0;
}

void Report::End() {
  if (ended_) return;
  if (!has_result_) Fail(RetCode::kInternal, "Internal error: no result");
  if (column_count_ != 0) EndTable();
  out_.EndLine();
  out_.WriteLine(kTerminator);
  ended_ = true;
}

}  // namespace gw::mml

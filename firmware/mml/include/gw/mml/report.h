#pragma once
// Report: the fixed MML reply format, streamed to an Output as it is built.
//
//   %%DSP CFG:KEY=SIP.PORT;%%          header: the command as typed
//   RETCODE = 0  Operation succeeded   0 = success, else a RetCode below
//                                      blank line
//   KEY               VALUE            a table: header row + rows, fixed
//   SIP.PORT          5060               column widths ...
//                                      blank line
//   (Number of results = 1)            ... and its count
//                                      or NAME = value lines
//   ---    END                         terminator
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string_view>

#include "gw/core/status.h"
#include "gw/mml/output.h"

namespace gw::mml {

// Fixed, documented result codes (docs: one per failure kind).
enum class RetCode : uint16_t {
  kOk = 0,
  kUnknownCommand = 1,       // no such VERB OBJECT (see LST CMD)
  kSyntaxError = 2,          // the line does not parse (column given)
  kUnknownParameter = 3,     // NAME not a parameter of the command
  kMissingParameter = 4,     // a required parameter is absent
  kOutOfRange = 5,           // number/length outside the allowed range
  kInvalidValue = 6,         // wrong type or not one of the allowed values
  kConfirmRequired = 7,      // destructive command without CONFIRM=YES
  kNotFound = 8,             // the addressed item does not exist
  kAlreadyExists = 9,        // the item exists already
  kResourceExhausted = 10,   // a table or buffer is full
  kFailedPrecondition = 11,  // not possible in the current state
  kStorageError = 12,        // persisting failed; nothing changed
  kPermissionDenied = 13,    // not allowed for this session
  kInternal = 14,            // a bug: the handler gave no result
};

const char* RetCodeText(RetCode code);
// The RetCode for a Status returned by a module (Ok -> kOk).
RetCode RetCodeFor(Status status);

struct Column {
  std::string_view title;
  uint8_t width;  // cells are padded to it; a longer cell is kept whole
};

class Report {
 public:
  static constexpr std::string_view kTerminator = "---    END";
  static constexpr size_t kMaxColumns = 8;

  // Writes the header line at once. `command` is echoed as given.
  Report(Output& out, std::string_view command);
  Report(const Report&) = delete;
  Report& operator=(const Report&) = delete;

  // The RETCODE line; once per report, before any body. A second call is
  // ignored (the first word stands).
  void Ok(std::string_view text = "Operation succeeded");
  void Fail(RetCode code, std::string_view text);
  void FailF(RetCode code, const char* fmt, ...) __attribute__((format(printf, 3, 4)));
  bool has_result() const { return has_result_; }
  RetCode code() const { return code_; }

  // A title line followed by an underline of '-'.
  void Title(std::string_view title);
  // "  NAME  = value": names padded to the widest expected (kFieldWidth).
  void Field(std::string_view name, std::string_view value);
  void FieldF(std::string_view name, const char* fmt, ...) __attribute__((format(printf, 3, 4)));
  // A plain body line.
  void Line(std::string_view text);

  // A table: columns (at most kMaxColumns), rows, then EndTable() writes the
  // count line. Cells beyond the column count are dropped.
  void BeginTable(std::span<const Column> columns);
  void Row(std::initializer_list<std::string_view> cells);
  void Row(std::span<const std::string_view> cells);
  void EndTable();

  // The terminator. Called by the dispatcher; later writes are dropped.
  void End();
  Output& output() { return out_; }

 private:
  static constexpr size_t kFieldWidth = 20;
  void WriteCells(std::span<const std::string_view> cells);
  void EnsureResult();

  Output& out_;
  Column columns_[kMaxColumns] = {};
  size_t column_count_ = 0;
  uint32_t rows_ = 0;
  RetCode code_ = RetCode::kOk;
  bool has_result_ = false;
  bool ended_ = false;
};

}  // namespace gw::mml

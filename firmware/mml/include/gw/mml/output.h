#pragma once
// Output: where MML text goes (the console, a telnet connection, a test
// string). Reports stream through it line by line; nothing is buffered here.
#include <cstdarg>
#include <string_view>

namespace gw::mml {

class Output {
 public:
  // `eol` ends every line: "\n" for telnet (the server adds CR) and tests,
  // "\r\n" for a raw UART console.
  explicit Output(std::string_view eol = "\n") : eol_(eol) {}
  virtual ~Output() = default;

  void Write(std::string_view text) { DoWrite(text); }
  void EndLine() { DoWrite(eol_); }
  void WriteLine(std::string_view text) {
    DoWrite(text);
    DoWrite(eol_);
  }
  // printf-style; output longer than 255 characters is cut.
  void Printf(const char* fmt, ...) __attribute__((format(printf, 2, 3)));
  std::string_view eol() const { return eol_; }

 private:
  virtual void DoWrite(std::string_view text) = 0;
  std::string_view eol_;
};

}  // namespace gw::mml

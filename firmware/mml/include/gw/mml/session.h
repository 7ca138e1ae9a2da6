#pragma once
// Session: one operator conversation (the serial console, or one telnet
// connection). Feed it the bytes that arrive; it edits lines, handles the
// login, runs complete lines through the CommandTable and writes everything
// (echo, prompts, reports) to its Output. Fixed buffers only.
//
// Interactive sessions echo and edit: backspace/DEL, Ctrl-U (kill line),
// Ctrl-C (cancel line), left/right arrows with insertion, Delete key,
// up/down through the last kHistory lines. CR, LF and CRLF all end a line.
// Non-interactive sessions (piped input) take plain lines without echo.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "gw/config/config_store.h"
#include "gw/core/fixed_string.h"
#include "gw/core/timer_wheel.h"
#include "gw/mml/command.h"
#include "gw/mml/login_guard.h"
#include "gw/mml/output.h"

namespace gw::mml {

enum class LoginPolicy : uint8_t {
  kNever,       // straight to the prompt
  kAlways,      // telnet
  kFromConfig,  // console: asks when MML.CONSOLE_LOGIN = TRUE
};

struct SessionOptions {
  bool interactive = true;  // echo + line editing
  LoginPolicy login = LoginPolicy::kNever;
  bool close_on_logout = false;  // telnet: LOGOUT ends the connection
  std::string_view prompt = "imsgw> ";
  std::string_view banner = {};  // written by Start() when not empty
  // Failed logins: with a guard and a timer wheel, the answer to a failed
  // login comes after the guard's delay for `source` (input in between is
  // discarded), and a source the guard has locked out is refused without
  // a password check. Without them every answer is immediate.
  LoginGuard* guard = nullptr;
  TimerWheel* timers = nullptr;
  uint32_t source = LoginGuard::kConsole;
  // Called when the session comes to want closing outside Feed (after a
  // delayed answer); the transport closes the connection as after Feed.
  void (*close_hook)(void* ctx) = nullptr;
  void* close_ctx = nullptr;
};

class Session {
 public:
  static constexpr size_t kHistory = 8;
  static constexpr int kMaxLoginFailures = 3;

  // table, config and out must outlive the session.
  Session(const CommandTable& table, const config::ConfigStore& config, Output& out,
          const SessionOptions& options);
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  // Cancels a pending delayed answer.
  ~Session();

  // Begins (or restarts) the conversation: banner, then the login or the
  // prompt. Clears the failure count and the close request.
  void Start();
  void Feed(std::span<const std::byte> bytes);
  void Feed(std::string_view text);

  // True once the session should end: 3 failed logins, a lockout, or LOGOUT with
  // close_on_logout. The transport closes the connection (or, on the
  // console, calls Start() again). Further input is ignored.
  bool WantsClose() const { return want_close_; }
  bool logged_in() const { return state_ == State::kCommand; }
  // Called by the LOGOUT command; acted upon after its report.
  void RequestLogout() { logout_requested_ = true; }

 private:
  // kWait: a failed login's answer is due when answer_timer_ fires.
  enum class State : uint8_t { kUser, kPassword, kCommand, kWait };
  enum class Verdict : uint8_t { kRetry, kClose, kLocked };
  enum class Esc : uint8_t { kNone, kEsc, kCsi, kSs3 };

  bool LoginRequired() const;
  void FeedByte(uint8_t c);
  void HandleEscape(uint8_t c);
  void EndLine();
  void RunCommand(std::string_view text);
  void CheckLogin(std::string_view password);
  // Writes the answer to a failed login and moves on (prompt or close).
  void AnswerFailure(Verdict verdict);
  static void OnAnswerTimer(void* ctx);
  void Prompt();
  void EchoText(std::string_view text);
  void EchoBackspaces(size_t n);
  void EchoSpaces(size_t n);
  void Insert(char c);
  void Backspace();
  void DeleteAtCursor();
  void KillLine();
  void ReplaceLine(std::string_view text);
  void Recall(int direction);
  void ClearLine();

  const CommandTable& table_;
  const config::ConfigStore& config_;
  Output& out_;
  SessionOptions options_;
  State state_ = State::kCommand;
  Esc esc_ = Esc::kNone;
  uint8_t esc_param_ = 0;
  bool last_cr_ = false;
  bool overflow_ = false;
  bool want_close_ = false;
  bool logout_requested_ = false;
  int failures_ = 0;
  Verdict pending_ = Verdict::kRetry;  // the answer kWait is waiting to give
  Timer answer_timer_{&Session::OnAnswerTimer, this};
  char line_[kMaxLine] = {};
  size_t len_ = 0;
  size_t cursor_ = 0;
  String<32> user_;
  String<kMaxLine> history_[kHistory];
  size_t history_count_ = 0;
  size_t history_next_ = 0;  // slot the next line goes to
  int history_pos_ = -1;     // -1: editing a new line; k: k-th newest
};

}  // namespace gw::mml

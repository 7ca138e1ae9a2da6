#include "gw/mml/session.h"

#include <cstring>

#include "gw/core/log.h"

namespace gw::mml {
namespace {
constexpr std::string_view kBackspaces = "\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b";
constexpr std::string_view kBlanks = "                ";
constexpr uint8_t kCtrlC = 0x03;
constexpr uint8_t kBackspace = 0x08;
constexpr uint8_t kCtrlU = 0x15;
constexpr uint8_t kEscape = 0x1B;
constexpr uint8_t kDel = 0x7F;
}  // namespace

Session::Session(const CommandTable& table, const config::ConfigStore& config, Output& out,
                 const SessionOptions& options)
    : table_(table), config_(config), out_(out), options_(options) {}

Session::~Session() {
  if (options_.timers != nullptr) options_.timers->Cancel(answer_timer_);
}

bool Session::LoginRequired() const {
  switch (options_.login) {
    case LoginPolicy::kNever:
      return false;
    case LoginPolicy::kAlways:
      return true;
    case LoginPolicy::kFromConfig:
      return config_.GetBool(config::Key::kMmlConsoleLogin);
  }
  return true;
}

void Session::Start() {
  if (options_.timers != nullptr) options_.timers->Cancel(answer_timer_);
  want_close_ = false;
  logout_requested_ = false;
  failures_ = 0;
  esc_ = Esc::kNone;
  last_cr_ = false;
  ClearLine();
  if (!options_.banner.empty()) out_.WriteLine(options_.banner);
  state_ = LoginRequired() ? State::kUser : State::kCommand;
  Prompt();
}

void Session::Prompt() {
  switch (state_) {
    case State::kUser:
      out_.Write("Username: ");
      break;
    case State::kPassword:
      out_.Write("Password: ");
      break;
    case State::kCommand:
      if (options_.interactive) out_.Write(options_.prompt);
      break;
    case State::kWait:
      break;
  }
}

void Session::Feed(std::span<const std::byte> bytes) {
  for (std::byte b : bytes) FeedByte(static_cast<uint8_t>(b));
}

void Session::Feed(std::string_view text) {
  for (char c : text) FeedByte(static_cast<uint8_t>(c));
}

void Session::EchoText(std::string_view text) {
  if (options_.interactive && state_ != State::kPassword) out_.Write(text);
}

void Session::EchoBackspaces(size_t n) {
  while (n > 0) {
    size_t k = n < kBackspaces.size() ? n : kBackspaces.size();
    EchoText(kBackspaces.substr(0, k));
    n -= k;
  }
}

void Session::EchoSpaces(size_t n) {
  while (n > 0) {
    size_t k = n < kBlanks.size() ? n : kBlanks.size();
    EchoText(kBlanks.substr(0, k));
    n -= k;
  }
}

void Session::ClearLine() {
  std::memset(line_, 0, sizeof(line_));  // also wipes a typed password
  len_ = 0;
  cursor_ = 0;
  overflow_ = false;
  history_pos_ = -1;
}

void Session::FeedByte(uint8_t c) {
  if (want_close_) return;
  if (state_ == State::kWait) return;  // typed ahead of a delayed answer: discarded
  if (esc_ != Esc::kNone) {
    HandleEscape(c);
    return;
  }
  if (c == '\r' || c == '\n') {
    bool crlf = c == '\n' && last_cr_;
    last_cr_ = c == '\r';
    if (!crlf) EndLine();
    return;
  }
  last_cr_ = false;
  if (c == 0) return;  // telnet CR NUL, stray NULs
  if (!options_.interactive) {
    // Plain lines: keep every byte; the parser rejects what is not text.
    if (len_ < kMaxLine) {
      line_[len_++] = static_cast<char>(c);
      cursor_ = len_;
    } else {
      overflow_ = true;
    }
    return;
  }
  switch (c) {
    case kEscape:
      esc_ = Esc::kEsc;
      return;
    case kBackspace:
    case kDel:
      Backspace();
      return;
    case kCtrlU:
      KillLine();
      return;
    case kCtrlC:
      if (state_ != State::kPassword) out_.Write("^C");
      out_.EndLine();
      ClearLine();
      Prompt();
      return;
    default:
      if (c >= 0x20 && c < 0x7F) Insert(static_cast<char>(c));
      return;  // other control bytes and non-ASCII are ignored when editing
  }
}

void Session::HandleEscape(uint8_t c) {
  if (esc_ == Esc::kEsc) {
    esc_param_ = 0;
    esc_ = c == '[' ? Esc::kCsi : c == 'O' ? Esc::kSs3 : Esc::kNone;
    return;
  }
  if (c >= '0' && c <= '9') {
    esc_param_ = static_cast<uint8_t>(esc_param_ < 25 ? esc_param_ * 10 + (c - '0') : 255);
    return;
  }
  if (c == ';') return;
  if (c < 0x40 || c > 0x7E) {  // not a final byte: give up on the sequence
    esc_ = Esc::kNone;
    return;
  }
  esc_ = Esc::kNone;
  switch (c) {
    case 'A':
      Recall(+1);
      break;
    case 'B':
      Recall(-1);
      break;
    case 'C':
      if (cursor_ < len_) {
        EchoText(std::string_view(&line_[cursor_], 1));
        ++cursor_;
      }
      break;
    case 'D':
      if (cursor_ > 0) {
        EchoBackspaces(1);
        --cursor_;
      }
      break;
    case '~':
      if (esc_param_ == 3) DeleteAtCursor();
      break;
    default:
      break;
  }
}

void Session::Insert(char c) {
  if (len_ == kMaxLine) {
    out_.Write("\a");  // full: refuse, ring the bell
    return;
  }
  std::memmove(&line_[cursor_ + 1], &line_[cursor_], len_ - cursor_);
  line_[cursor_] = c;
  ++len_;
  EchoText(std::string_view(&line_[cursor_], len_ - cursor_));
  ++cursor_;
  EchoBackspaces(len_ - cursor_);
}

void Session::Backspace() {
  if (cursor_ == 0) return;
  std::memmove(&line_[cursor_ - 1], &line_[cursor_], len_ - cursor_);
  --cursor_;
  --len_;
  EchoBackspaces(1);
  EchoText(std::string_view(&line_[cursor_], len_ - cursor_));
  EchoSpaces(1);
  EchoBackspaces(len_ - cursor_ + 1);
}

void Session::DeleteAtCursor() {
  if (cursor_ == len_) return;
  std::memmove(&line_[cursor_], &line_[cursor_ + 1], len_ - cursor_ - 1);
  --len_;
  EchoText(std::string_view(&line_[cursor_], len_ - cursor_));
  EchoSpaces(1);
  EchoBackspaces(len_ - cursor_ + 1);
}

void Session::KillLine() {
  EchoBackspaces(cursor_);
  EchoSpaces(len_);
  EchoBackspaces(len_);
  std::memset(line_, 0, len_);
  len_ = 0;
  cursor_ = 0;
}

void Session::ReplaceLine(std::string_view text) {
  KillLine();
  size_t n = text.size() < kMaxLine ? text.size() : kMaxLine;
  if (n > 0) std::memcpy(line_, text.data(), n);
  len_ = n;
  cursor_ = n;
  EchoText(std::string_view(line_, len_));
}

void Session::Recall(int direction) {
  if (state_ != State::kCommand || history_count_ == 0) return;
  int pos = history_pos_ + direction;
  if (pos >= static_cast<int>(history_count_)) return;  // oldest reached
  if (pos < 0) {
    history_pos_ = -1;
    ReplaceLine({});
    return;
  }
  history_pos_ = pos;
  size_t slot = (history_next_ + kHistory - 1 - static_cast<size_t>(pos)) % kHistory;
  ReplaceLine(history_[slot].view());
}

void Session::EndLine() {
  if (options_.interactive && state_ != State::kPassword) out_.EndLine();
  if (options_.interactive && state_ == State::kPassword) out_.EndLine();
  std::string_view text(line_, len_);
  switch (state_) {
    case State::kUser:
      user_.clear();
      user_.AppendTruncated(text);
      state_ = State::kPassword;
      break;
    case State::kPassword:
      CheckLogin(text);
      break;
    case State::kCommand:
      RunCommand(text);
      break;
    case State::kWait:
      break;
  }
  ClearLine();
  if (!want_close_) Prompt();
}

void Session::CheckLogin(std::string_view password) {
  LoginGuard* guard = options_.guard;
  if (guard != nullptr) {
    const uint32_t locked_ms = guard->LockedMs(options_.source);
    if (locked_ms > 0) {
      // Locked out: no password is checked, however good.
      guard->Refused(options_.source);
      user_.clear();
      String<96> text;
      (void)text.Format("Login refused: too many failed logins; try again in %u s.",
                        static_cast<unsigned>((locked_ms + 999) / 1000));
      out_.WriteLine(text.view());
      state_ = State::kUser;
      return;
    }
  }
  // Both checks always run, so timing does not tell which one failed.
  std::string_view want = config_.GetString(config::Key::kMmlUser);
  std::string_view got = user_.view();
  uint8_t diff = want.size() == got.size() ? 0 : 1;
  for (size_t i = 0; i < want.size(); ++i) {
    diff |= static_cast<uint8_t>(want[i] ^ (i < got.size() ? got[i] : 0));
  }
  bool password_ok = config_.VerifyPassword(password);
  user_.clear();
  if (diff == 0 && password_ok) {
    GW_LOG_INFO("mml", "login: %.*s", static_cast<int>(want.size()), want.data());
    failures_ = 0;
    if (guard != nullptr) guard->Succeeded(options_.source);
    out_.WriteLine("Login succeeded.");
    state_ = State::kCommand;
    return;
  }
  ++failures_;
  Verdict verdict = failures_ >= kMaxLoginFailures ? Verdict::kClose : Verdict::kRetry;
  uint32_t delay_ms = 0;
  if (guard != nullptr) {
    delay_ms = guard->Failed(options_.source);  // logs it
    if (guard->LockedMs(options_.source) > 0) verdict = Verdict::kLocked;
  } else {
    GW_LOG_WARN("mml", "login failed (%d of %d)", failures_, kMaxLoginFailures);
  }
  if (delay_ms > 0 && options_.timers != nullptr) {
    pending_ = verdict;
    state_ = State::kWait;
    options_.timers->Schedule(answer_timer_, delay_ms);
    return;
  }
  AnswerFailure(verdict);
}

void Session::AnswerFailure(Verdict verdict) {
  state_ = State::kUser;
  switch (verdict) {
    case Verdict::kRetry:
      out_.WriteLine("Login incorrect.");
      return;
    case Verdict::kClose:
      out_.WriteLine("Login incorrect. Too many failures, closing.");
      want_close_ = true;
      return;
    case Verdict::kLocked: {
      String<96> text;
      (void)text.Format("Login incorrect. Too many failures: locked out for %u s.",
                        static_cast<unsigned>(LoginGuard::kLockoutMs / 1000));
      out_.WriteLine(text.view());
      want_close_ = true;
      return;
    }
  }
}

void Session::OnAnswerTimer(void* ctx) {
  auto* self = static_cast<Session*>(ctx);
  if (self->state_ != State::kWait) return;
  self->AnswerFailure(self->pending_);
  if (!self->want_close_) {
    self->Prompt();
  } else if (self->options_.close_hook != nullptr) {
    self->options_.close_hook(self->options_.close_ctx);
  }
}

void Session::RunCommand(std::string_view text) {
  if (overflow_) {
    Report report(out_, "...");
    report.FailF(RetCode::kSyntaxError, "Syntax error: line too long (max %zu characters)",
                 kMaxLine);
    report.End();
    return;
  }
  bool blank = true;
  for (char c : text) blank = blank && (c == ' ' || c == '\t');
  if (blank) return;
  if (options_.interactive) {
    size_t newest = (history_next_ + kHistory - 1) % kHistory;
    if (history_count_ == 0 || history_[newest].view() != text) {
      history_[history_next_].assign(text).IgnoreError();  // fits: same bound
      history_next_ = (history_next_ + 1) % kHistory;
      if (history_count_ < kHistory) ++history_count_;
    }
  }
  logout_requested_ = false;
  table_.Execute(text, out_, this);
  if (logout_requested_) {
    logout_requested_ = false;
    if (options_.close_on_logout) {
      want_close_ = true;
    } else if (LoginRequired()) {
      state_ = State::kUser;
    }
  }
}

}  // namespace gw::mml

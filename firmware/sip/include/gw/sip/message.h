#pragma once
// A SIP message as views into the receive buffer: the start line, a fixed
// array of header entries (known names as an enum, compact forms mapped) and
// the body. Nothing is copied; the Message must not outlive the buffer.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gw/core/status.h"

namespace gw::sip {

enum class HeaderId : uint8_t {
  kOther = 0,
  kVia,
  kFrom,
  kTo,
  kCallId,
  kCSeq,
  kContact,
  kContentLength,
  kContentType,
  kContentEncoding,
  kMaxForwards,
  kRoute,
  kRecordRoute,
  kExpires,
  kMinExpires,
  kAllow,
  kSupported,
  kRequire,
  kProxyRequire,
  kUnsupported,
  kAccept,
  kUserAgent,
  kServer,
  kAuthorization,
  kProxyAuthorization,
  kWwwAuthenticate,
  kProxyAuthenticate,
  kEvent,
  kSubject,
  kReferTo,
  kReferredBy,
  kSessionExpires,
  kAllowEvents,
  kRetryAfter,
  kPath,
  kCount,
};

// Canonical name of a known header ("Via", "Call-ID", ...).
std::string_view HeaderName(HeaderId id);
// Maps a header name (any case, compact forms i m v f t l c k s e o r u b x)
// to its id; kOther when unknown.
HeaderId LookupHeader(std::string_view name);

enum class Method : uint8_t {
  kUnknown = 0,
  kInvite,
  kAck,
  kBye,
  kCancel,
  kOptions,
  kRegister,
  kMessage,
  kPrack,
  kUpdate,
  kRefer,
  kSubscribe,
  kNotify,
  kInfo,
  kPublish,
  kCount,
};
std::string_view MethodName(Method m);
// Methods are case-sensitive tokens (RFC 3261 7.1).
Method LookupMethod(std::string_view token);

struct Header {
  HeaderId id = HeaderId::kOther;
  std::string_view name;
  std::string_view value;  // trimmed; may contain folded CRLF + WS
};

// Why a message was refused; the text is what a 400 carries as its reason.
enum class ParseError : uint8_t {
  kNone = 0,
  kEmpty,
  kBadStartLine,
  kBadVersion,
  kBadStatusCode,
  kBadHeaderLine,
  kTooManyHeaders,
  kNoEndOfHeaders,
  kBadContentLength,
  kBodyTruncated,
  kMissingHeader,
  kBadCSeq,
};
std::string_view ParseErrorText(ParseError e);

class Message {
 public:
  static constexpr size_t kMaxHeaders = 64;

  // Parses data in place. InvalidArgument on failure, with error() saying
  // why; a failed parse still keeps what was understood (is_request, method,
  // the headers read so far) so that a 400 can be built when possible.
  Status Parse(std::string_view data);

  ParseError error() const { return error_; }
  bool is_request() const { return is_request_; }
  Method method() const { return method_; }
  std::string_view method_text() const { return method_text_; }
  std::string_view request_uri() const { return uri_; }
  int status_code() const { return status_code_; }
  std::string_view reason() const { return reason_; }
  std::string_view body() const { return body_; }
  std::string_view raw() const { return raw_; }

  size_t header_count() const { return header_count_; }
  const Header& header(size_t i) const { return headers_[i]; }
  // The first header with this id, or nullptr.
  const Header* Find(HeaderId id) const;
  size_t Count(HeaderId id) const;

  // CSeq parsed: number and method (valid after a successful Parse).
  uint32_t cseq_number() const { return cseq_number_; }
  std::string_view cseq_method() const { return cseq_method_; }

 private:
  Status Fail(ParseError e) {
    error_ = e;
    return Status::InvalidArgument();
  }
  Status ParseStartLine(std::string_view line);
  Status ParseHeaderBlock(std::string_view block);

  std::string_view raw_;
  bool is_request_ = false;
  Method method_ = Method::kUnknown;
  std::string_view method_text_;
  std::string_view uri_;
  int status_code_ = 0;
  std::string_view reason_;
  std::string_view body_;
  Header headers_[kMaxHeaders];
  size_t header_count_ = 0;
  uint32_t cseq_number_ = 0;
  std::string_view cseq_method_;
  ParseError error_ = ParseError::kNone;
};

// Splits a header value at top-level commas (outside quotes and <>),
// lazily: call Next until it returns false.
class ValueSplitter {
 public:
  explicit ValueSplitter(std::string_view value) : rest_(value) {}
  bool Next(std::string_view& out);

 private:
  std::string_view rest_;
  bool done_ = false;
};

// Trims SP, HT, CR and LF from both ends.
std::string_view Trim(std::string_view s);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
// RFC 3261 25.1 token characters.
bool IsTokenChar(char c);

}  // namespace gw::sip

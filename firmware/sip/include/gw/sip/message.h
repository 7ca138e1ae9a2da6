#pragma once
// A SIP message as views into the receive buffer: the start line, a fixed
// array of header entries (known names as an enum, compact forms mapped) and
// the body. Nothing is copied; the Message must not outlive the buffer.
#include <cstddef>
#include <cstdint>
#include <optional>
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
  kBadMaxForwards,
  kBadExpires,
  kControlCharacter,
  kDuplicateHeader,
};
std::string_view ParseErrorText(ParseError e);

class Message {
 public:
  static constexpr size_t kMaxHeaders = 64;

  // Parses data in place. InvalidArgument on failure, with error() saying
  // why; a failed parse still keeps what was understood (is_request, method,
  // the headers read so far) so that a 400 can be built when possible.
  //
  // Beyond the framing, every header the gateway reads is checked here, so
  // that no later reader meets a malformed value: CSeq (number 0..2^32-1,
  // method a token equal to the request's), Max-Forwards (0..255),
  // Content-Length (a number no larger than the rest of the datagram, RFC
  // 3261 18.3; a smaller one cuts the body), Expires of a request other
  // than REGISTER (delta-seconds 0..2^32-1), one value only for From, To,
  // Call-ID, CSeq and Max-Forwards, and no control character but HTAB and
  // folding in any header value (RFC 3261 25.1; a quoted-pair may escape one).
  Status Parse(std::string_view data);

  ParseError error() const { return error_; }
  // The header error() is about (kBadCSeq, kBadMaxForwards, kBadExpires,
  // kControlCharacter, kDuplicateHeader, kBadContentLength), or nullptr.
  const Header* error_header() const {
    return error_header_ < header_count_ ? &headers_[error_header_] : nullptr;
  }
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
  // Max-Forwards parsed (0..255); empty when absent.
  std::optional<uint8_t> max_forwards() const { return max_forwards_; }
  // Expires parsed (delta-seconds); empty when absent, and for a REGISTER
  // also when malformed: RFC 4475 3.1.2.4 and RFC 3261 10.3 let a
  // registrar apply its default expiry then, as Kamailio's registrar does.
  std::optional<uint32_t> expires() const { return expires_; }

 private:
  Status Fail(ParseError e, const Header* about = nullptr) {
    error_ = e;
    // An index, not a pointer: a Message may be copied.
    error_header_ = about != nullptr ? static_cast<size_t>(about - headers_) : kMaxHeaders;
    return Status::InvalidArgument();
  }
  Status ParseStartLine(std::string_view line);
  Status ParseHeaderBlock(std::string_view block);
  Status ParseBody(std::string_view rest);
  Status CheckHeaderValues();
  Status ParseCSeq();
  Status ParseScalars();

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
  std::optional<uint8_t> max_forwards_;
  std::optional<uint32_t> expires_;
  ParseError error_ = ParseError::kNone;
  size_t error_header_ = kMaxHeaders;
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

// Whether a header value holds a control character RFC 3261 25.1 does not
// allow there: any C0 octet or DEL but HTAB and the line breaks of a fold,
// unless a quoted-pair escapes it inside a quoted string or, when the
// header's grammar has comments (User-Agent, Server, Retry-After), inside a
// comment. Message::Parse refuses such a value (kControlCharacter).
bool HasControlCharacter(std::string_view value, bool comments = false);

// Trims SP, HT, CR and LF from both ends.
std::string_view Trim(std::string_view s);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
// RFC 3261 25.1 token characters.
bool IsTokenChar(char c);

}  // namespace gw::sip

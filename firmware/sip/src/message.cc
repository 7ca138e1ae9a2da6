#include "gw/sip/message.h"

#include "gw/core/text.h"

namespace gw::sip {
namespace {

struct NameEntry {
  std::string_view name;
  HeaderId id;
};

constexpr NameEntry kNames[] = {
    {"Via", HeaderId::kVia},
    {"From", HeaderId::kFrom},
    {"To", HeaderId::kTo},
    {"Call-ID", HeaderId::kCallId},
    {"CSeq", HeaderId::kCSeq},
    {"Contact", HeaderId::kContact},
    {"Content-Length", HeaderId::kContentLength},
    {"Content-Type", HeaderId::kContentType},
    {"Content-Encoding", HeaderId::kContentEncoding},
    {"Max-Forwards", HeaderId::kMaxForwards},
    {"Route", HeaderId::kRoute},
    {"Record-Route", HeaderId::kRecordRoute},
    {"Expires", HeaderId::kExpires},
    {"Min-Expires", HeaderId::kMinExpires},
    {"Allow", HeaderId::kAllow},
    {"Supported", HeaderId::kSupported},
    {"Require", HeaderId::kRequire},
    {"Proxy-Require", HeaderId::kProxyRequire},
    {"Unsupported", HeaderId::kUnsupported},
    {"Accept", HeaderId::kAccept},
    {"User-Agent", HeaderId::kUserAgent},
    {"Server", HeaderId::kServer},
    {"Authorization", HeaderId::kAuthorization},
    {"Proxy-Authorization", HeaderId::kProxyAuthorization},
    {"WWW-Authenticate", HeaderId::kWwwAuthenticate},
    {"Proxy-Authenticate", HeaderId::kProxyAuthenticate},
    {"Event", HeaderId::kEvent},
    {"Subject", HeaderId::kSubject},
    {"Refer-To", HeaderId::kReferTo},
    {"Referred-By", HeaderId::kReferredBy},
    {"Session-Expires", HeaderId::kSessionExpires},
    {"Allow-Events", HeaderId::kAllowEvents},
    {"Retry-After", HeaderId::kRetryAfter},
    {"Path", HeaderId::kPath},
};

// RFC 3261 7.3.3 compact forms, plus RFC 3515 (r), RFC 3892 (b),
// RFC 4028 (x), RFC 6665 (o, u).
constexpr NameEntry kCompact[] = {
    {"i", HeaderId::kCallId},
    {"m", HeaderId::kContact},
    {"e", HeaderId::kContentEncoding},
    {"l", HeaderId::kContentLength},
    {"c", HeaderId::kContentType},
    {"f", HeaderId::kFrom},
    {"s", HeaderId::kSubject},
    {"k", HeaderId::kSupported},
    {"t", HeaderId::kTo},
    {"v", HeaderId::kVia},
    {"o", HeaderId::kEvent},
    {"r", HeaderId::kReferTo},
    {"b", HeaderId::kReferredBy},
    {"u", HeaderId::kAllowEvents},
    {"x", HeaderId::kSessionExpires},
};

constexpr std::string_view kMethods[] = {
    "",      "INVITE", "ACK",   "BYE",       "CANCEL", "OPTIONS", "REGISTER", "MESSAGE",
    "PRACK", "UPDATE", "REFER", "SUBSCRIBE", "NOTIFY", "INFO",    "PUBLISH",
};
static_assert(sizeof(kMethods) / sizeof(kMethods[0]) == static_cast<size_t>(Method::kCount));

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!IsTokenChar(c)) return false;
  return true;
}

bool IsWs(char c) {
  return c == ' ' || c == '\t';
}

// Finds the end of the line starting at pos: returns the index of the line
// terminator and sets next to the start of the next line. Accepts CRLF and,
// leniently, a bare LF.
bool NextLine(std::string_view s, size_t pos, size_t& end, size_t& next) {
  size_t lf = s.find('\n', pos);
  if (lf == std::string_view::npos) return false;
  end = (lf > pos && s[lf - 1] == '\r') ? lf - 1 : lf;
  next = lf + 1;
  return true;
}

}  // namespace

// RFC 3261 25.1: a header value holds no control character but HTAB and
// the line breaks of a fold (the header block splitter only lets a CRLF or
// LF through when a SP/HTAB follows it). A quoted-pair may escape any octet
// but CR and LF inside a quoted string (RFC 4475 intmeth escapes NUL, BEL
// and DEL in a display name), and inside a comment where the header's
// grammar has comments. DEL counts as a control character: the grammar
// allows it only in a quoted-pair.
bool HasControlCharacter(std::string_view v, bool comments) {
  // Nearly every value has no control octet at all (not even a fold): one
  // cheap pass decides those; the grammar walk below runs for the rest.
  bool any = false;
  for (char c : v) {
    const auto u = static_cast<unsigned char>(c);
    any = any || ((u < 0x20 && u != '\t') || u == 0x7F);
  }
  if (!any) return false;
  bool quoted = false;
  int comment = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    const auto c = static_cast<unsigned char>(v[i]);
    if (c == '\\' && (quoted || comment > 0) && i + 1 < v.size() && v[i + 1] != '\r' &&
        v[i + 1] != '\n') {
      ++i;
      continue;
    }
    if (c == '\r' && i + 1 < v.size() && v[i + 1] == '\n') {
      ++i;
      continue;
    }
    if (c == '\n' || c == '\t') continue;
    if (c < 0x20 || c == 0x7F) return true;
    if (c == '"' && comment == 0) {
      quoted = !quoted;
    } else if (comments && !quoted && c == '(') {
      ++comment;
    } else if (!quoted && c == ')' && comment > 0) {
      --comment;
    }
  }
  return false;
}

namespace {

// Headers RFC 3261 7.3.1 allows once only, among those the gateway reads.
// (Content-Length repeated with one value is tolerated: RFC 4475 3.3.9 asks
// only conflicting values to be refused.)
constexpr HeaderId kSingle[] = {HeaderId::kFrom, HeaderId::kTo, HeaderId::kCallId, HeaderId::kCSeq,
                                HeaderId::kMaxForwards};

}  // namespace

bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '-':
    case '.':
    case '!':
    case '%':
    case '*':
    case '_':
    case '+':
    case '`':
    case '\'':
    case '~':
      return true;
    default:
      return false;
  }
}

std::string_view Trim(std::string_view s) {
  auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && ws(s.back())) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
    if (x != y) return false;
  }
  return true;
}

std::string_view HeaderName(HeaderId id) {
  for (const NameEntry& e : kNames)
    if (e.id == id) return e.name;
  return {};
}

HeaderId LookupHeader(std::string_view name) {
  if (name.size() == 1) {
    for (const NameEntry& e : kCompact)
      if (EqualsIgnoreCase(e.name, name)) return e.id;
    return HeaderId::kOther;
  }
  for (const NameEntry& e : kNames)
    if (EqualsIgnoreCase(e.name, name)) return e.id;
  return HeaderId::kOther;
}

std::string_view MethodName(Method m) {
  return kMethods[static_cast<size_t>(m) < static_cast<size_t>(Method::kCount)
                      ? static_cast<size_t>(m)
                      : 0];
}

Method LookupMethod(std::string_view token) {
  for (size_t i = 1; i < static_cast<size_t>(Method::kCount); ++i)
    if (kMethods[i] == token) return static_cast<Method>(i);
  return Method::kUnknown;
}

std::string_view ParseErrorText(ParseError e) {
  switch (e) {
    case ParseError::kNone:
      return "OK";
    case ParseError::kEmpty:
      return "Empty Message";
    case ParseError::kBadStartLine:
      return "Malformed Start Line";
    case ParseError::kBadVersion:
      return "Unsupported SIP Version";
    case ParseError::kBadStatusCode:
      return "Malformed Status Code";
    case ParseError::kBadHeaderLine:
      return "Malformed Header Line";
    case ParseError::kTooManyHeaders:
      return "Too Many Headers";
    case ParseError::kNoEndOfHeaders:
      return "Missing End Of Headers";
    case ParseError::kBadContentLength:
      return "Bad Content-Length";
    case ParseError::kBodyTruncated:
      return "Content-Length Exceeds Body";
    case ParseError::kMissingHeader:
      return "Missing Mandatory Header";
    case ParseError::kBadCSeq:
      return "Bad CSeq";
    case ParseError::kBadMaxForwards:
      return "Bad Max-Forwards";
    case ParseError::kBadExpires:
      return "Bad Expires";
    case ParseError::kControlCharacter:
      return "Control Character In Header";
    case ParseError::kDuplicateHeader:
      return "Duplicate Single-Value Header";
  }
  return "Bad Request";
}

const Header* Message::Find(HeaderId id) const {
  for (size_t i = 0; i < header_count_; ++i)
    if (headers_[i].id == id) return &headers_[i];
  return nullptr;
}

size_t Message::Count(HeaderId id) const {
  size_t n = 0;
  for (size_t i = 0; i < header_count_; ++i) n += headers_[i].id == id ? 1 : 0;
  return n;
}

Status Message::ParseStartLine(std::string_view line) {
  size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return Fail(ParseError::kBadStartLine);
  std::string_view first = line.substr(0, sp1);
  std::string_view rest = line.substr(sp1 + 1);
  if (first.size() >= 4 && first.substr(0, 4) == "SIP/") {
    // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
    is_request_ = false;
    if (first != "SIP/2.0") return Fail(ParseError::kBadVersion);
    size_t sp2 = rest.find(' ');
    std::string_view code = sp2 == std::string_view::npos ? rest : rest.substr(0, sp2);
    uint16_t value = 0;
    if (code.size() != 3 || !ParseDecimal<uint16_t>(code, 699, value) || value < 100) {
      return Fail(ParseError::kBadStatusCode);
    }
    status_code_ = static_cast<int>(value);
    reason_ = sp2 == std::string_view::npos ? std::string_view() : rest.substr(sp2 + 1);
    return Status::Ok();
  }
  // Request-Line = Method SP Request-URI SP SIP-Version
  is_request_ = true;
  method_text_ = first;
  method_ = LookupMethod(first);
  if (!IsToken(first)) return Fail(ParseError::kBadStartLine);
  size_t sp2 = rest.rfind(' ');
  if (sp2 == std::string_view::npos) return Fail(ParseError::kBadStartLine);
  uri_ = rest.substr(0, sp2);
  std::string_view version = rest.substr(sp2 + 1);
  // Exactly one SP each side of the URI, and the URI holds no whitespace
  // or other control character.
  if (uri_.empty()) return Fail(ParseError::kBadStartLine);
  for (char c : uri_) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7F) return Fail(ParseError::kBadStartLine);
  }
  if (!EqualsIgnoreCase(version, "SIP/2.0")) return Fail(ParseError::kBadVersion);
  return Status::Ok();
}

Status Message::ParseHeaderBlock(std::string_view block) {
  size_t pos = 0;
  while (pos < block.size()) {
    size_t end = 0, next = 0;
    if (!NextLine(block, pos, end, next)) {
      end = next = block.size();
    }
    // Unfold: continuation lines start with SP or HT.
    while (next < block.size() && IsWs(block[next])) {
      size_t e2 = 0, n2 = 0;
      if (!NextLine(block, next, e2, n2)) {
        e2 = n2 = block.size();
      }
      end = e2;
      next = n2;
    }
    std::string_view line = block.substr(pos, end - pos);
    pos = next;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return Fail(ParseError::kBadHeaderLine);
    std::string_view name = line.substr(0, colon);
    while (!name.empty() && IsWs(name.back())) name.remove_suffix(1);
    if (!IsToken(name)) return Fail(ParseError::kBadHeaderLine);
    if (header_count_ == kMaxHeaders) return Fail(ParseError::kTooManyHeaders);
    Header& h = headers_[header_count_++];
    h.name = name;
    h.id = LookupHeader(name);
    h.value = Trim(line.substr(colon + 1));
  }
  return Status::Ok();
}

Status Message::Parse(std::string_view data) {
  *this = Message();
  raw_ = data;
  // Leading CRLFs (keep-alives, RFC 5626) are not messages.
  size_t start = 0;
  while (start < data.size() && (data[start] == '\r' || data[start] == '\n')) ++start;
  if (start == data.size()) return Fail(ParseError::kEmpty);

  size_t end = 0, next = 0;
  if (!NextLine(data, start, end, next)) return Fail(ParseError::kNoEndOfHeaders);
  GW_TRY(ParseStartLine(data.substr(start, end - start)));

  // The header block ends at the first empty line.
  size_t block_start = next;
  size_t pos = next;
  size_t body_start = std::string_view::npos;
  size_t block_end = 0;
  while (pos <= data.size()) {
    size_t e = 0, n = 0;
    if (!NextLine(data, pos, e, n)) break;
    if (e == pos) {  // empty line
      block_end = pos;
      body_start = n;
      break;
    }
    pos = n;
  }
  if (body_start == std::string_view::npos) return Fail(ParseError::kNoEndOfHeaders);
  GW_TRY(ParseHeaderBlock(data.substr(block_start, block_end - block_start)));

  GW_TRY(ParseBody(data.substr(body_start)));
  if (Find(HeaderId::kVia) == nullptr || Find(HeaderId::kFrom) == nullptr ||
      Find(HeaderId::kTo) == nullptr || Find(HeaderId::kCallId) == nullptr ||
      Find(HeaderId::kCSeq) == nullptr) {
    return Fail(ParseError::kMissingHeader);
  }
  GW_TRY(ParseCSeq());
  GW_TRY(ParseScalars());
  // Last, with every header read: a 400 for it can still echo them all.
  return CheckHeaderValues();
}

Status Message::ParseBody(std::string_view rest) {
  const Header* cl = Find(HeaderId::kContentLength);
  if (cl == nullptr) {
    body_ = rest;  // datagram transport: the body runs to the end
    return Status::Ok();
  }
  // RFC 4475 3.3.9: conflicting values leave the framing unknowable.
  for (size_t i = 0; i < header_count_; ++i) {
    if (headers_[i].id == HeaderId::kContentLength && headers_[i].value != cl->value) {
      return Fail(ParseError::kBadContentLength, &headers_[i]);
    }
  }
  uint32_t len = 0;
  if (!ParseDecimal(cl->value, len)) return Fail(ParseError::kBadContentLength, cl);
  // RFC 3261 18.3: over UDP a Content-Length past the datagram is an
  // error; a shorter one frames the body and the rest is noise.
  if (len > rest.size()) return Fail(ParseError::kBodyTruncated, cl);
  body_ = rest.substr(0, len);
  return Status::Ok();
}

Status Message::ParseCSeq() {
  // CSeq = 1*DIGIT LWS Method; RFC 3261 8.1.1.5 has a UAC start below 2^31,
  // but any 32-bit value is valid on receipt (RFC 4475 3.1.2.4 refuses only
  // larger ones).
  const Header* h = Find(HeaderId::kCSeq);
  std::string_view cseq = h->value;
  size_t ws = cseq.find_first_of(" \t\r\n");
  if (ws == std::string_view::npos) return Fail(ParseError::kBadCSeq, h);
  // RFC 3261 8.1.1.5: a CSeq number is a 32-bit unsigned integer (only the
  // initial value must stay below 2^31).
  if (!ParseDecimal(cseq.substr(0, ws), cseq_number_)) return Fail(ParseError::kBadCSeq, h);
  cseq_method_ = Trim(cseq.substr(ws));
  if (!IsToken(cseq_method_)) return Fail(ParseError::kBadCSeq, h);
  if (is_request_ && cseq_method_ != method_text_) return Fail(ParseError::kBadCSeq, h);
  return Status::Ok();
}

Status Message::ParseScalars() {
  for (HeaderId id : kSingle) {
    if (Count(id) > 1) {
      const Header* first = Find(id);
      for (size_t i = static_cast<size_t>(first - headers_) + 1; i < header_count_; ++i) {
        if (headers_[i].id == id) return Fail(ParseError::kDuplicateHeader, &headers_[i]);
      }
    }
  }
  if (const Header* mf = Find(HeaderId::kMaxForwards)) {
    // RFC 3261 20.22: 0..255. RFC 4475 3.1.2.4 would also let an element
    // ignore a bad value; an answer tells the sender what is wrong instead
    // of guessing a hop count.
    uint8_t hops = 0;
    if (!ParseDecimal<uint8_t>(mf->value, 255, hops)) return Fail(ParseError::kBadMaxForwards, mf);
    max_forwards_ = hops;
  }
  if (const Header* e = Find(HeaderId::kExpires); e != nullptr && is_request_) {
    uint32_t seconds = 0;
    if (ParseDecimal(e->value, seconds)) {
      expires_ = seconds;
    } else if (method_ != Method::kRegister) {
      return Fail(ParseError::kBadExpires, e);
    }
  }
  return Status::Ok();
}

Status Message::CheckHeaderValues() {
  for (size_t i = 0; i < header_count_; ++i) {
    // RFC 3261 20.33, 20.35, 20.41: the fields with a comment in their grammar.
    const HeaderId id = headers_[i].id;
    const bool comments =
        id == HeaderId::kUserAgent || id == HeaderId::kServer || id == HeaderId::kRetryAfter;
    if (HasControlCharacter(headers_[i].value, comments)) {
      return Fail(ParseError::kControlCharacter, &headers_[i]);
    }
  }
  return Status::Ok();
}

bool ValueSplitter::Next(std::string_view& out) {
  if (done_) return false;
  bool quoted = false;
  int angle = 0;
  for (size_t i = 0; i < rest_.size(); ++i) {
    char c = rest_[i];
    if (quoted) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        quoted = false;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == '<') {
      ++angle;
    } else if (c == '>' && angle > 0) {
      --angle;
    } else if (c == ',' && angle == 0) {
      out = Trim(rest_.substr(0, i));
      rest_ = rest_.substr(i + 1);
      return true;
    }
  }
  out = Trim(rest_);
  done_ = true;
  return true;
}

}  // namespace gw::sip

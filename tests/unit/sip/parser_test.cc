#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gw/sip/message.h"

namespace gw::sip {
namespace {

using namespace std::string_view_literals;

constexpr std::string_view kOptions =
    "OPTIONS sip:192.0.2.1 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 198.51.100.7:5062;branch=z9hG4bK776asdhds;rport\r\n"
    "Max-Forwards: 70\r\n"
    "To: <sip:192.0.2.1>\r\n"
    "From: \"Alice\" <sip:alice@example.com>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710@pc33.example.com\r\n"
    "CSeq: 63104 OPTIONS\r\n"
    "Contact: <sip:alice@198.51.100.7:5062>\r\n"
    "Accept: application/sdp\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

// The five headers every request and response must carry, for building
// messages around the header under test.
constexpr std::string_view kMandatory =
    "Via: SIP/2.0/UDP 198.51.100.7;branch=z9hG4bKx\r\n"
    "From: <sip:a@example.com>;tag=1\r\n"
    "To: <sip:b@example.com>\r\n"
    "Call-ID: c1@example.com\r\n"
    "CSeq: 1 OPTIONS\r\n";

std::string Request(std::string_view extra_headers, std::string_view body = {}) {
  return std::string("OPTIONS sip:b@example.com SIP/2.0\r\n") + std::string(kMandatory) +
         std::string(extra_headers) + "\r\n" + std::string(body);
}

TEST(Parser, FullOptionsRequestViews) {
  Message m;
  ASSERT_TRUE(m.Parse(kOptions).ok()) << ParseErrorText(m.error());
  EXPECT_EQ(m.error(), ParseError::kNone);
  EXPECT_TRUE(m.is_request());
  EXPECT_EQ(m.method(), Method::kOptions);
  EXPECT_EQ(m.method_text(), "OPTIONS");
  EXPECT_EQ(m.request_uri(), "sip:192.0.2.1");
  EXPECT_EQ(m.raw(), kOptions);
  ASSERT_EQ(m.header_count(), 9u);
  EXPECT_EQ(m.header(0).id, HeaderId::kVia);
  EXPECT_EQ(m.header(0).name, "Via");
  EXPECT_EQ(m.header(0).value, "SIP/2.0/UDP 198.51.100.7:5062;branch=z9hG4bK776asdhds;rport");
  EXPECT_EQ(m.header(1).id, HeaderId::kMaxForwards);
  EXPECT_EQ(m.header(1).value, "70");
  EXPECT_EQ(m.Find(HeaderId::kTo)->value, "<sip:192.0.2.1>");
  EXPECT_EQ(m.Find(HeaderId::kFrom)->value, "\"Alice\" <sip:alice@example.com>;tag=1928301774");
  EXPECT_EQ(m.Find(HeaderId::kCallId)->value, "a84b4c76e66710@pc33.example.com");
  EXPECT_EQ(m.Find(HeaderId::kContact)->value, "<sip:alice@198.51.100.7:5062>");
  EXPECT_EQ(m.Find(HeaderId::kAccept)->value, "application/sdp");
  EXPECT_EQ(m.Find(HeaderId::kContentLength)->value, "0");
  EXPECT_EQ(m.Find(HeaderId::kRoute), nullptr);
  EXPECT_EQ(m.cseq_number(), 63104u);
  EXPECT_EQ(m.cseq_method(), "OPTIONS");
  EXPECT_TRUE(m.body().empty());
  // Views point into the input, nothing is copied.
  const char* begin = kOptions.data();
  const char* end = begin + kOptions.size();
  EXPECT_GE(m.Find(HeaderId::kCallId)->value.data(), begin);
  EXPECT_LT(m.Find(HeaderId::kCallId)->value.data(), end);
}

TEST(Parser, ResponseViewsWithBody) {
  constexpr std::string_view kResponse =
      "SIP/2.0 200 OK\r\n"
      "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKnashds8;received=192.0.2.1\r\n"
      "To: Bob <sip:bob@example.com>;tag=a6c85cf\r\n"
      "From: Alice <sip:alice@example.com>;tag=1928301774\r\n"
      "Call-ID: a84b4c76e66710\r\n"
      "CSeq: 314159 INVITE\r\n"
      "Content-Type: application/sdp\r\n"
      "Content-Length: 5\r\n"
      "\r\n"
      "v=0\r\n";
  Message m;
  ASSERT_TRUE(m.Parse(kResponse).ok()) << ParseErrorText(m.error());
  EXPECT_FALSE(m.is_request());
  EXPECT_EQ(m.status_code(), 200);
  EXPECT_EQ(m.reason(), "OK");
  EXPECT_EQ(m.method(), Method::kUnknown);
  EXPECT_TRUE(m.request_uri().empty());
  EXPECT_EQ(m.header_count(), 7u);
  EXPECT_EQ(m.cseq_number(), 314159u);
  EXPECT_EQ(m.cseq_method(), "INVITE");
  EXPECT_EQ(m.Find(HeaderId::kContentType)->value, "application/sdp");
  EXPECT_EQ(m.body(), "v=0\r\n");
}

TEST(Parser, ReasonPhraseKeepsSpacesAndMayBeEmpty) {
  Message m;
  std::string r = "SIP/2.0 486 Busy Here Now\r\n" + std::string(kMandatory) + "\r\n";
  ASSERT_TRUE(m.Parse(r).ok());
  EXPECT_EQ(m.status_code(), 486);
  EXPECT_EQ(m.reason(), "Busy Here Now");
  std::string empty = "SIP/2.0 100 \r\n" + std::string(kMandatory) + "\r\n";
  ASSERT_TRUE(m.Parse(empty).ok());
  EXPECT_EQ(m.status_code(), 100);
  EXPECT_EQ(m.reason(), "");
}

TEST(Parser, CompactViaMapsToVia) {
  EXPECT_EQ(LookupHeader("v"), HeaderId::kVia);
  EXPECT_EQ(LookupHeader("V"), HeaderId::kVia);
  std::string r =
      "OPTIONS sip:b@example.com SIP/2.0\r\n"
      "v: SIP/2.0/UDP 198.51.100.7;branch=z9hG4bKx\r\n"
      "f: <sip:a@example.com>;tag=1\r\n"
      "t: <sip:b@example.com>\r\n"
      "i: c1@example.com\r\n"
      "CSeq: 1 OPTIONS\r\n"
      "l: 0\r\n"
      "\r\n";
  Message m;
  ASSERT_TRUE(m.Parse(r).ok()) << ParseErrorText(m.error());
  EXPECT_EQ(m.Find(HeaderId::kVia)->name, "v");
  EXPECT_EQ(m.Find(HeaderId::kVia)->value, "SIP/2.0/UDP 198.51.100.7;branch=z9hG4bKx");
  EXPECT_EQ(m.Find(HeaderId::kCallId)->value, "c1@example.com");
  EXPECT_EQ(m.Find(HeaderId::kContentLength)->value, "0");
}

TEST(Parser, CompactFormsMapToTheirHeaders) {
  struct Row {
    std::string_view compact;
    HeaderId id;
    std::string_view full;
  };
  constexpr Row kRows[] = {
      {"i", HeaderId::kCallId, "Call-ID"},
      {"m", HeaderId::kContact, "Contact"},
      {"v", HeaderId::kVia, "Via"},
      {"f", HeaderId::kFrom, "From"},
      {"t", HeaderId::kTo, "To"},
      {"l", HeaderId::kContentLength, "Content-Length"},
      {"c", HeaderId::kContentType, "Content-Type"},
      {"k", HeaderId::kSupported, "Supported"},
      {"s", HeaderId::kSubject, "Subject"},
      {"e", HeaderId::kContentEncoding, "Content-Encoding"},
      {"o", HeaderId::kEvent, "Event"},
      {"r", HeaderId::kReferTo, "Refer-To"},
      {"u", HeaderId::kAllowEvents, "Allow-Events"},
      {"b", HeaderId::kReferredBy, "Referred-By"},
      {"x", HeaderId::kSessionExpires, "Session-Expires"},
  };
  for (const Row& row : kRows) {
    SCOPED_TRACE(row.compact);
    EXPECT_EQ(LookupHeader(row.compact), row.id);
    std::string upper(1, static_cast<char>(row.compact[0] - 'a' + 'A'));
    EXPECT_EQ(LookupHeader(upper), row.id);
    EXPECT_EQ(LookupHeader(row.full), row.id);
    EXPECT_EQ(HeaderName(row.id), row.full);
  }
  // Letters without a compact form are unknown headers, not errors.
  for (std::string_view other : {"a"sv, "d"sv, "y"sv, "z"sv, "j"sv}) {
    EXPECT_EQ(LookupHeader(other), HeaderId::kOther) << other;
  }
  // In a message: one line per compact form, each mapped; the single-value
  // headers of the mandatory set are written in their compact form only.
  std::string extra;
  for (const Row& row : kRows) {
    if (row.id == HeaderId::kContentLength || row.id == HeaderId::kCallId ||
        row.id == HeaderId::kFrom || row.id == HeaderId::kTo) {
      continue;  // the body out of it; From/To/Call-ID once each, below
    }
    extra += std::string(row.compact) + ": x\r\n";
  }
  std::string r = Request(extra);
  r.replace(r.find("From:"), 5, "f:");
  r.replace(r.find("To:"), 3, "t:");
  r.replace(r.find("Call-ID:"), 8, "i:");
  Message m;
  ASSERT_TRUE(m.Parse(r).ok()) << ParseErrorText(m.error());
  EXPECT_EQ(m.Count(HeaderId::kFrom), 1u);
  EXPECT_EQ(m.Count(HeaderId::kTo), 1u);
  EXPECT_EQ(m.Count(HeaderId::kCallId), 1u);
  EXPECT_EQ(m.Find(HeaderId::kCallId)->name, "i");
  EXPECT_EQ(m.Count(HeaderId::kSubject), 1u);
  EXPECT_EQ(m.Count(HeaderId::kEvent), 1u);
  EXPECT_EQ(m.Count(HeaderId::kSessionExpires), 1u);
  EXPECT_EQ(m.Count(HeaderId::kVia), 2u);
  EXPECT_EQ(m.Count(HeaderId::kOther), 0u);
}

TEST(Parser, HeaderNamesAreCaseInsensitive) {
  EXPECT_EQ(LookupHeader("call-id"), HeaderId::kCallId);
  EXPECT_EQ(LookupHeader("CALL-ID"), HeaderId::kCallId);
  EXPECT_EQ(LookupHeader("cAlL-iD"), HeaderId::kCallId);
  EXPECT_EQ(LookupHeader("www-authenticate"), HeaderId::kWwwAuthenticate);
  EXPECT_EQ(LookupHeader("Call-IDs"), HeaderId::kOther);
  EXPECT_EQ(LookupHeader(""), HeaderId::kOther);
  std::string r =
      "OPTIONS sip:b@example.com SIP/2.0\r\n"
      "VIA: SIP/2.0/UDP 198.51.100.7;branch=z9hG4bKx\r\n"
      "from: <sip:a@example.com>;tag=1\r\n"
      "tO: <sip:b@example.com>\r\n"
      "call-id: c1@example.com\r\n"
      "cseq: 1 OPTIONS\r\n"
      "CONTENT-LENGTH: 0\r\n"
      "\r\n";
  Message m;
  ASSERT_TRUE(m.Parse(r).ok()) << ParseErrorText(m.error());
  EXPECT_EQ(m.Find(HeaderId::kVia)->name, "VIA");
  EXPECT_EQ(m.Find(HeaderId::kCallId)->value, "c1@example.com");
  EXPECT_EQ(m.Find(HeaderId::kContentLength)->value, "0");
}

TEST(Parser, MethodsAreCaseSensitive) {
  EXPECT_EQ(LookupMethod("OPTIONS"), Method::kOptions);
  EXPECT_EQ(LookupMethod("options"), Method::kUnknown);
  std::string r = "options sip:b@example.com SIP/2.0\r\n" + std::string(kMandatory) + "\r\n";
  Message m;
  // Parses (an extension method), but it is not OPTIONS and CSeq disagrees.
  EXPECT_FALSE(m.Parse(r).ok());
  EXPECT_EQ(m.error(), ParseError::kBadCSeq);
  EXPECT_EQ(m.method(), Method::kUnknown);
  EXPECT_EQ(m.method_text(), "options");
}

TEST(Parser, FoldedHeaderLinesAreJoined) {
  std::string r =
      "OPTIONS sip:b@example.com SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 198.51.100.7\r\n"
      "  ;branch=z9hG4bKx\r\n"
      "From: <sip:a@example.com>\r\n"
      "\t;tag=1\r\n"
      "To: <sip:b@example.com>\r\n"
      "Subject: first\r\n"
      " second\r\n"
      "\tthird\r\n"
      "Call-ID: c1@example.com\r\n"
      "CSeq: 1\r\n"
      "  OPTIONS\r\n"
      "\r\n";
  Message m;
  ASSERT_TRUE(m.Parse(r).ok()) << ParseErrorText(m.error());
  EXPECT_EQ(m.header_count(), 6u);
  EXPECT_EQ(m.Find(HeaderId::kVia)->value, "SIP/2.0/UDP 198.51.100.7\r\n  ;branch=z9hG4bKx");
  EXPECT_EQ(m.Find(HeaderId::kFrom)->value, "<sip:a@example.com>\r\n\t;tag=1");
  EXPECT_EQ(m.Find(HeaderId::kSubject)->value, "first\r\n second\r\n\tthird");
  EXPECT_EQ(m.cseq_number(), 1u);
  EXPECT_EQ(m.cseq_method(), "OPTIONS");
}

TEST(Parser, AcceptsBareLfAndMixedLineEnds) {
  std::string crlf(kOptions);
  std::string lf;
  for (char c : crlf)
    if (c != '\r') lf += c;
  Message m;
  ASSERT_TRUE(m.Parse(lf).ok()) << ParseErrorText(m.error());
  EXPECT_EQ(m.header_count(), 9u);
  EXPECT_EQ(m.request_uri(), "sip:192.0.2.1");
  EXPECT_EQ(m.Find(HeaderId::kCallId)->value, "a84b4c76e66710@pc33.example.com");
  EXPECT_EQ(m.cseq_method(), "OPTIONS");

  std::string mixed =
      "OPTIONS sip:b@example.com SIP/2.0\n"
      "Via: SIP/2.0/UDP 198.51.100.7;branch=z9hG4bKx\r\n"
      "From: <sip:a@example.com>;tag=1\n"
      "To: <sip:b@example.com>\r\n"
      "Call-ID: c1@example.com\n"
      "CSeq: 1 OPTIONS\r\n"
      "Content-Length: 4\n"
      "\n"
      "body";
  ASSERT_TRUE(m.Parse(mixed).ok()) << ParseErrorText(m.error());
  EXPECT_EQ(m.Find(HeaderId::kFrom)->value, "<sip:a@example.com>;tag=1");
  EXPECT_EQ(m.body(), "body");
}

TEST(Parser, ContentLengthShorterThanRestCutsBody) {
  std::string r = Request("Content-Length: 4\r\n", "bodyAND TRAILING NOISE");
  Message m;
  ASSERT_TRUE(m.Parse(r).ok()) << ParseErrorText(m.error());
  EXPECT_EQ(m.body(), "body");
}

TEST(Parser, NoContentLengthBodyRunsToEndOfDatagram) {
  std::string r = Request("", "v=0\r\n");
  Message m;
  ASSERT_TRUE(m.Parse(r).ok());
  EXPECT_EQ(m.body(), "v=0\r\n");
}

TEST(Parser, ContentLengthLongerThanRestIsBodyTruncated) {
  std::string r = Request("Content-Length: 9999\r\n", "short");
  Message m;
  EXPECT_EQ(m.Parse(r), Status::InvalidArgument());
  EXPECT_EQ(m.error(), ParseError::kBodyTruncated);
  EXPECT_EQ(ParseErrorText(m.error()), "Content-Length Exceeds Body");
  // One more than available is already too long.
  r = Request("Content-Length: 6\r\n", "short");
  EXPECT_FALSE(m.Parse(r).ok());
  EXPECT_EQ(m.error(), ParseError::kBodyTruncated);
  r = Request("Content-Length: 5\r\n", "short");
  ASSERT_TRUE(m.Parse(r).ok());
  EXPECT_EQ(m.body(), "short");
}

TEST(Parser, NonNumericContentLengthIsRefused) {
  for (std::string_view value :
       {"five"sv, "-999"sv, "0x10"sv, "1 2"sv, ""sv, "+5"sv, "99999999999"sv, "4294967296"sv}) {
    SCOPED_TRACE(value);
    std::string r = Request("Content-Length: " + std::string(value) + "\r\n", "");
    Message m;
    EXPECT_FALSE(m.Parse(r).ok());
    EXPECT_EQ(m.error(), ParseError::kBadContentLength);
  }
  // Leading zeros are digits like any other (RFC 4475 wsinv uses them).
  std::string r = Request("Content-Length: 0004\r\n", "body");
  Message m;
  ASSERT_TRUE(m.Parse(r).ok());
  EXPECT_EQ(m.body(), "body");
}

TEST(Parser, ConflictingContentLengthsAreRefused) {
  // RFC 4475 3.3.9: two different values make the framing unknowable.
  std::string r = Request("Content-Length: 13\r\nContent-Length: 5\r\n", "There's no way to know");
  Message m;
  EXPECT_FALSE(m.Parse(r).ok());
  EXPECT_EQ(m.error(), ParseError::kBadContentLength);
}

TEST(Parser, MissingMandatoryHeader) {
  const std::string_view kLines[] = {
      "Via: SIP/2.0/UDP 198.51.100.7;branch=z9hG4bKx\r\n",
      "From: <sip:a@example.com>;tag=1\r\n",
      "To: <sip:b@example.com>\r\n",
      "Call-ID: c1@example.com\r\n",
      "CSeq: 1 OPTIONS\r\n",
  };
  for (size_t skip = 0; skip < std::size(kLines); ++skip) {
    SCOPED_TRACE(kLines[skip]);
    std::string r = "OPTIONS sip:b@example.com SIP/2.0\r\n";
    for (size_t i = 0; i < std::size(kLines); ++i)
      if (i != skip) r += kLines[i];
    r += "Content-Length: 0\r\n\r\n";
    Message m;
    EXPECT_FALSE(m.Parse(r).ok());
    EXPECT_EQ(m.error(), ParseError::kMissingHeader);
    // What was read is kept (for a 400).
    EXPECT_TRUE(m.is_request());
    EXPECT_EQ(m.header_count(), 5u);
  }
  // Responses need them too.
  Message m;
  EXPECT_FALSE(m.Parse("SIP/2.0 200 OK\r\nCall-ID: x\r\n\r\n").ok());
  EXPECT_EQ(m.error(), ParseError::kMissingHeader);
}

TEST(Parser, CSeqMethodMismatchIsBadCSeq) {
  std::string r =
      "OPTIONS sip:b@example.com SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 198.51.100.7;branch=z9hG4bKx\r\n"
      "From: <sip:a@example.com>;tag=1\r\n"
      "To: <sip:b@example.com>\r\n"
      "Call-ID: c1@example.com\r\n"
      "CSeq: 1 INVITE\r\n"
      "\r\n";
  Message m;
  EXPECT_FALSE(m.Parse(r).ok());
  EXPECT_EQ(m.error(), ParseError::kBadCSeq);
  EXPECT_EQ(ParseErrorText(m.error()), "Bad CSeq");
  ASSERT_NE(m.error_header(), nullptr);
  EXPECT_EQ(m.error_header()->id, HeaderId::kCSeq);
}

TEST(Parser, MalformedCSeqValues) {
  for (std::string_view cseq :
       {"1"sv, "OPTIONS"sv, "abc OPTIONS"sv, "-1 OPTIONS"sv, "4294967296 OPTIONS"sv,
        "36893488147419103232 OPTIONS"sv, "99999999999999999999999 OPTIONS"sv, "1 OPT<IONS"sv,
        "1 options"sv, "+1 OPTIONS"sv, "0x1 OPTIONS"sv}) {
    SCOPED_TRACE(cseq);
    std::string r =
        "OPTIONS sip:b@example.com SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 198.51.100.7;branch=z9hG4bKx\r\n"
        "From: <sip:a@example.com>;tag=1\r\n"
        "To: <sip:b@example.com>\r\n"
        "Call-ID: c1@example.com\r\n"
        "CSeq: " +
        std::string(cseq) + "\r\n\r\n";
    Message m;
    EXPECT_FALSE(m.Parse(r).ok());
    EXPECT_EQ(m.error(), ParseError::kBadCSeq);
  }
  // A UAC starts below 2**31 (RFC 3261 8.1.1.5), but any 32-bit number is
  // valid on receipt; leading zeros are digits (RFC 4475 wsinv).
  for (std::string_view number :
       {"2147483647"sv, "2147483648"sv, "4294967295"sv, "0000000000004294967295"sv}) {
    SCOPED_TRACE(number);
    std::string r = Request("");
    size_t at = r.find("CSeq: 1 ");
    r.replace(at, 8, "CSeq: " + std::string(number) + " ");
    Message m;
    ASSERT_TRUE(m.Parse(r).ok()) << ParseErrorText(m.error());
    EXPECT_EQ(m.cseq_number(), std::stoul(std::string(number)));
  }
}

TEST(Parser, MaxForwardsIsZeroTo255) {
  for (std::string_view ok : {"0"sv, "70"sv, "0068"sv, "255"sv}) {
    SCOPED_TRACE(ok);
    Message m;
    ASSERT_TRUE(m.Parse(Request("Max-Forwards: " + std::string(ok) + "\r\n")).ok())
        << ParseErrorText(m.error());
    ASSERT_TRUE(m.max_forwards().has_value());
    EXPECT_EQ(*m.max_forwards(), std::stoul(std::string(ok)));
  }
  Message none;
  ASSERT_TRUE(none.Parse(Request("")).ok());
  EXPECT_FALSE(none.max_forwards().has_value());
  for (std::string_view bad : {"256"sv, "300"sv, "-1"sv, "abc"sv, ""sv, "7 0"sv, "1.5"sv,
                               "18446744073709551626"sv, "+5"sv}) {
    SCOPED_TRACE(bad);
    Message m;
    EXPECT_FALSE(m.Parse(Request("Max-Forwards: " + std::string(bad) + "\r\n")).ok());
    EXPECT_EQ(m.error(), ParseError::kBadMaxForwards);
    EXPECT_EQ(ParseErrorText(m.error()), "Bad Max-Forwards");
    ASSERT_NE(m.error_header(), nullptr);
    EXPECT_EQ(m.error_header()->id, HeaderId::kMaxForwards);
  }
}

TEST(Parser, ExpiresIsDeltaSecondsExceptThatRegisterFallsBackToTheDefault) {
  Message m;
  ASSERT_TRUE(m.Parse(Request("Expires: 4294967295\r\n")).ok()) << ParseErrorText(m.error());
  EXPECT_EQ(m.expires(), std::optional<uint32_t>(4294967295u));
  ASSERT_TRUE(m.Parse(Request("Expires: 0\r\n")).ok());
  EXPECT_EQ(m.expires(), std::optional<uint32_t>(0u));
  ASSERT_TRUE(m.Parse(Request("")).ok());
  EXPECT_FALSE(m.expires().has_value());
  for (std::string_view bad :
       {"abc"sv, "-1"sv, ""sv, "4294967296"sv, "99999999999"sv, "60 s"sv, "1e3"sv,
        "10000000000000000000000000000000000000000000000000000"sv}) {
    SCOPED_TRACE(bad);
    std::string r = Request("Expires: " + std::string(bad) + "\r\n");
    EXPECT_FALSE(m.Parse(r).ok());
    EXPECT_EQ(m.error(), ParseError::kBadExpires);
    EXPECT_EQ(ParseErrorText(m.error()), "Bad Expires");
    // The same Expires in a REGISTER parses, without a value: the
    // registrar applies its default expiry (RFC 4475 3.1.2.4).
    r.replace(0, 7, "REGISTER");
    r.replace(r.find("1 OPTIONS"), 9, "1 REGISTER");
    ASSERT_TRUE(m.Parse(r).ok()) << ParseErrorText(m.error());
    EXPECT_FALSE(m.expires().has_value());
  }
  // A response's Expires is not read by the gateway: not checked.
  Message resp;
  std::string ok = "SIP/2.0 200 OK\r\n" + std::string(kMandatory) + "Expires: soon\r\n\r\n";
  EXPECT_TRUE(resp.Parse(ok).ok()) << ParseErrorText(resp.error());
}

TEST(Parser, SingleValueHeadersMayNotRepeat) {
  // RFC 4475 3.3.8 (multi01): two Call-IDs, CSeqs, Froms, Tos or
  // Max-Forwards leave the transaction and dialog unknowable.
  for (std::string_view twice :
       {"From: <sip:c@example.com>;tag=2\r\n"sv, "f: <sip:c@example.com>;tag=2\r\n"sv,
        "To: <sip:d@example.com>\r\n"sv, "Call-ID: other@example.com\r\n"sv,
        "i: c1@example.com\r\n"sv, "CSeq: 2 OPTIONS\r\n"sv}) {
    SCOPED_TRACE(twice);
    const std::string text = Request(twice);  // the views must not outlive it
    Message m;
    EXPECT_FALSE(m.Parse(text).ok());
    EXPECT_EQ(m.error(), ParseError::kDuplicateHeader);
    ASSERT_NE(m.error_header(), nullptr);
    EXPECT_EQ(m.error_header()->value, Trim(twice.substr(twice.find(':') + 1)));
  }
  Message m;
  EXPECT_FALSE(m.Parse(Request("Max-Forwards: 70\r\nMax-Forwards: 70\r\n")).ok());
  EXPECT_EQ(m.error(), ParseError::kDuplicateHeader);
  // Lists may repeat; so may one Content-Length value (RFC 4475 3.3.9).
  EXPECT_TRUE(m.Parse(Request("Contact: <sip:a@x>\r\nContact: <sip:b@x>\r\n"
                              "Via: SIP/2.0/UDP p.example.com;branch=z9hG4bK2\r\n"
                              "Content-Length: 0\r\nl: 0\r\n"))
                  .ok())
      << ParseErrorText(m.error());
}

TEST(Parser, ControlCharactersInHeaderValuesAreRefused) {
  using namespace std::string_literals;
  for (std::string value : {"a\0b"s, "\0"s, "a\x01"s, "bell\x07"s, "esc\x1B[2J"s, "del\x7F"s,
                            "bare\rcr"s, "x\x0Bvt"s, "\"quoted \0 nul\""s, "(comment \0)"s}) {
    SCOPED_TRACE(::testing::PrintToString(value));
    for (std::string_view name : {"Subject"sv, "X-Unknown"sv, "From"sv, "Call-ID"sv}) {
      std::string r = Request(
          name == "From" || name == "Call-ID" ? "" : std::string(name) + ": " + value + "\r\n");
      if (name == "From") r.replace(r.find("<sip:a@"), 0, value + " ");
      if (name == "Call-ID") r.replace(r.find("c1@example.com"), 2, value);
      Message m;
      EXPECT_FALSE(m.Parse(r).ok()) << name;
      EXPECT_EQ(m.error(), ParseError::kControlCharacter) << name;
      EXPECT_EQ(ParseErrorText(m.error()), "Control Character In Header");
      ASSERT_NE(m.error_header(), nullptr);
      EXPECT_EQ(m.error_header()->name, name);
      // Every header was still read, for a 400 that echoes them.
      EXPECT_EQ(m.header_count(), name == "From" || name == "Call-ID" ? 5u : 6u);
    }
  }
  // What stays legal: HTAB, folding, quoted-pairs escaping any octet but CR
  // and LF inside quotes or comments (RFC 4475 intmeth), UTF-8.
  for (std::string value :
       {"a\tb"s, "folded\r\n value"s, "bare-lf fold\n\tvalue"s,
        "\"BEL:\\\x07 NUL:\\\0 DEL:\\\x7F\" <sip:a@b>"s, "\xC3\xA9t\xC3\xA9"s}) {
    SCOPED_TRACE(::testing::PrintToString(value));
    Message m;
    EXPECT_TRUE(m.Parse(Request("Subject: " + value + "\r\n")).ok()) << ParseErrorText(m.error());
  }
  // A comment escapes one too, but only where the grammar has comments.
  Message c;
  EXPECT_TRUE(c.Parse(Request("User-Agent: phone (build \\\0 7)\r\n"s)).ok())
      << ParseErrorText(c.error());
  EXPECT_TRUE(c.Parse(Request("Server: gw (x \\\x07)\r\n")).ok()) << ParseErrorText(c.error());
  EXPECT_FALSE(c.Parse(Request("Subject: (escaped \\\0 in no comment)\r\n"s)).ok());
  EXPECT_EQ(c.error(), ParseError::kControlCharacter);
  // A quoted-pair cannot escape a CR: the CR is still a control character.
  Message m;
  EXPECT_FALSE(m.Parse(Request("Subject: \"a\\\rb\"\r\n")).ok());
  EXPECT_EQ(m.error(), ParseError::kControlCharacter);
}

TEST(Parser, ControlCharactersInTheRequestUriAreRefused) {
  using namespace std::string_literals;
  for (std::string uri : {"sip:a\0b@example.com"s, "sip:b@example.com\x01"s, "sip:\x7F@x"s}) {
    std::string r = Request("");
    r.replace(r.find("sip:b@example.com"), 17, uri);
    Message m;
    EXPECT_FALSE(m.Parse(r).ok());
    EXPECT_EQ(m.error(), ParseError::kBadStartLine);
  }
}

TEST(Parser, TooManyHeaders) {
  // 5 mandatory + 59 others = 64 = kMaxHeaders: still fine.
  std::string extra;
  for (int i = 0; i < 59; ++i) extra += "X-Filler-" + std::to_string(i) + ": y\r\n";
  Message m;
  std::string full = Request(extra);
  ASSERT_TRUE(m.Parse(full).ok()) << ParseErrorText(m.error());
  EXPECT_EQ(m.header_count(), Message::kMaxHeaders);
  // The 65th is refused, not dropped silently.
  extra += "X-One-Too-Many: y\r\n";
  std::string over = Request(extra);
  EXPECT_FALSE(m.Parse(over).ok());
  EXPECT_EQ(m.error(), ParseError::kTooManyHeaders);
  EXPECT_EQ(m.header_count(), Message::kMaxHeaders);
}

TEST(Parser, BadVersion) {
  Message m;
  for (std::string_view line :
       {"OPTIONS sip:b@example.com SIP/3.0"sv, "OPTIONS sip:b@example.com SIP/7.0"sv,
        "OPTIONS sip:b@example.com HTTP/1.1"sv, "OPTIONS sip:b@example.com SIP/2.00"sv,
        "SIP/1.0 200 OK"sv, "SIP/2.1 200 OK"sv}) {
    SCOPED_TRACE(line);
    std::string r = std::string(line) + "\r\n" + std::string(kMandatory) + "\r\n";
    EXPECT_FALSE(m.Parse(r).ok());
    EXPECT_EQ(m.error(), ParseError::kBadVersion);
  }
}

TEST(Parser, BadStatusCode) {
  Message m;
  for (std::string_view line :
       {"SIP/2.0 99 Low"sv, "SIP/2.0 099 Low"sv, "SIP/2.0 700 High"sv, "SIP/2.0 abc Letters"sv,
        "SIP/2.0 1000 Long"sv, "SIP/2.0 20 Short"sv, "SIP/2.0 4294967301 Huge"sv,
        "SIP/2.0  200 TwoSpaces"sv, "SIP/2.0 2x0 Mixed"sv}) {
    SCOPED_TRACE(line);
    std::string r = std::string(line) + "\r\n" + std::string(kMandatory) + "\r\n";
    EXPECT_FALSE(m.Parse(r).ok());
    EXPECT_EQ(m.error(), ParseError::kBadStatusCode);
    EXPECT_FALSE(m.is_request());
  }
  for (std::string_view line : {"SIP/2.0 100 Trying"sv, "SIP/2.0 699 Max"sv}) {
    std::string r = std::string(line) + "\r\n" + std::string(kMandatory) + "\r\n";
    EXPECT_TRUE(m.Parse(r).ok()) << line;
  }
}

TEST(Parser, BadRequestLine) {
  Message m;
  for (std::string_view line :
       {"OPTIONS"sv, "OPTIONS sip:b@example.com"sv, "OPTIONS  sip:b@example.com SIP/2.0"sv,
        "OPTIONS sip:b@example.com  SIP/2.0"sv, "OPTIONS sip:b@example.com SIP/2.0 "sv,
        "OPT(IONS sip:b@example.com SIP/2.0"sv, " OPTIONS sip:b@example.com SIP/2.0"sv}) {
    SCOPED_TRACE(line);
    std::string r = std::string(line) + "\r\n" + std::string(kMandatory) + "\r\n";
    EXPECT_FALSE(m.Parse(r).ok());
    EXPECT_TRUE(m.error() == ParseError::kBadStartLine || m.error() == ParseError::kBadVersion)
        << ParseErrorText(m.error());
  }
}

TEST(Parser, EmptyAndCrlfOnlyInputIsEmpty) {
  Message m;
  for (std::string_view in : {""sv, "\r\n"sv, "\r\n\r\n"sv, "\n"sv, "\n\n\n"sv, "\r"sv}) {
    SCOPED_TRACE(testing::PrintToString(std::string(in)));
    EXPECT_FALSE(m.Parse(in).ok());
    EXPECT_EQ(m.error(), ParseError::kEmpty);
  }
  // Keep-alive CRLFs before a message are skipped.
  std::string r = "\r\n\r\n" + Request("");
  ASSERT_TRUE(m.Parse(r).ok()) << ParseErrorText(m.error());
  EXPECT_EQ(m.method(), Method::kOptions);
}

TEST(Parser, MissingEndOfHeaders) {
  Message m;
  std::string r = Request("");
  r.resize(r.size() - 2);  // drop the empty line
  EXPECT_FALSE(m.Parse(r).ok());
  EXPECT_EQ(m.error(), ParseError::kNoEndOfHeaders);
  EXPECT_FALSE(m.Parse("OPTIONS sip:b@example.com SIP/2.0").ok());
  EXPECT_EQ(m.error(), ParseError::kNoEndOfHeaders);
}

TEST(Parser, BadHeaderLineKeepsWhatWasRead) {
  std::string r =
      "OPTIONS sip:b@example.com SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 198.51.100.7;branch=z9hG4bKx\r\n"
      "From: <sip:a@example.com>;tag=1\r\n"
      "This line has no colon\r\n"
      "To: <sip:b@example.com>\r\n"
      "\r\n";
  Message m;
  EXPECT_FALSE(m.Parse(r).ok());
  EXPECT_EQ(m.error(), ParseError::kBadHeaderLine);
  EXPECT_TRUE(m.is_request());
  EXPECT_EQ(m.method(), Method::kOptions);
  EXPECT_EQ(m.header_count(), 2u);
  EXPECT_NE(m.Find(HeaderId::kFrom), nullptr);
  for (std::string_view bad : {"Bad Name: x"sv, ": empty name"sv, "X(y): z"sv}) {
    std::string r2 = Request(std::string(bad) + "\r\n");
    EXPECT_FALSE(m.Parse(r2).ok()) << bad;
    EXPECT_EQ(m.error(), ParseError::kBadHeaderLine) << bad;
  }
  // WS between name and colon is allowed (RFC 3261 7.3.1).
  std::string spaced = Request("Subject \t: hi\r\n");  // outlives m's views
  ASSERT_TRUE(m.Parse(spaced).ok());
  EXPECT_EQ(m.Find(HeaderId::kSubject)->name, "Subject");
  EXPECT_EQ(m.Find(HeaderId::kSubject)->value, "hi");
}

TEST(Parser, ReparseForgetsThePreviousMessage) {
  Message m;
  ASSERT_TRUE(m.Parse(kOptions).ok());
  EXPECT_FALSE(m.Parse("SIP/2.0 99 x\r\n\r\n").ok());
  EXPECT_EQ(m.header_count(), 0u);
  EXPECT_EQ(m.Find(HeaderId::kVia), nullptr);
  EXPECT_EQ(m.method(), Method::kUnknown);
}

TEST(Parser, NeverReadsPastTheEndOfAnyPrefix) {
  // Every prefix of a message in an exactly-sized heap buffer: under ASan a
  // read one past the end would trap.
  std::string full = Request("Content-Length: 4\r\nSubject: a\r\n b\r\n", "body");
  Message m;
  for (size_t n = 0; n <= full.size(); ++n) {
    auto buf = std::make_unique<char[]>(n == 0 ? 1 : n);
    std::copy(full.data(), full.data() + n, buf.get());
    (void)m.Parse(std::string_view(buf.get(), n));
  }
  EXPECT_TRUE(m.Parse(full).ok());
}

TEST(Parser, ValueSplitterCommasInsideQuotesAndAnglesDoNotSplit) {
  ValueSplitter split(
      "\"Doe, John\" <sip:j@example.com;x=a,b>;q=0.5 , <sip:k@example.com>,sip:l@example.com");
  std::string_view v;
  ASSERT_TRUE(split.Next(v));
  EXPECT_EQ(v, "\"Doe, John\" <sip:j@example.com;x=a,b>;q=0.5");
  ASSERT_TRUE(split.Next(v));
  EXPECT_EQ(v, "<sip:k@example.com>");
  ASSERT_TRUE(split.Next(v));
  EXPECT_EQ(v, "sip:l@example.com");
  EXPECT_FALSE(split.Next(v));
  EXPECT_FALSE(split.Next(v));
}

TEST(Parser, ValueSplitterEscapedQuoteStaysInsideTheString) {
  ValueSplitter split(R"("a \", b" <sip:x@y>, <sip:z@w>)");
  std::string_view v;
  ASSERT_TRUE(split.Next(v));
  EXPECT_EQ(v, R"("a \", b" <sip:x@y>)");
  ASSERT_TRUE(split.Next(v));
  EXPECT_EQ(v, "<sip:z@w>");
  EXPECT_FALSE(split.Next(v));
}

TEST(Parser, ValueSplitterSingleEmptyAndDanglingValues) {
  std::string_view v;
  ValueSplitter one("SIP/2.0/UDP a");
  ASSERT_TRUE(one.Next(v));
  EXPECT_EQ(v, "SIP/2.0/UDP a");
  EXPECT_FALSE(one.Next(v));

  ValueSplitter empty("");
  ASSERT_TRUE(empty.Next(v));
  EXPECT_EQ(v, "");
  EXPECT_FALSE(empty.Next(v));

  std::vector<std::string> parts;
  ValueSplitter commas("a,,b,");
  while (commas.Next(v)) parts.emplace_back(v);
  EXPECT_EQ(parts, (std::vector<std::string>{"a", "", "b", ""}));

  // An unterminated quote or a trailing backslash swallows the rest, safely.
  parts.clear();
  ValueSplitter open("\"a, b\\");
  while (open.Next(v)) parts.emplace_back(v);
  EXPECT_EQ(parts, (std::vector<std::string>{"\"a, b\\"}));
}

TEST(Parser, TrimStripsSpaceTabCrLfOnly) {
  EXPECT_EQ(Trim(" \t\r\nabc d\r\n\t "), "abc d");
  EXPECT_EQ(Trim(""), "");
  EXPECT_EQ(Trim(" \t"), "");
  EXPECT_TRUE(EqualsIgnoreCase("Call-ID", "call-id"));
  EXPECT_FALSE(EqualsIgnoreCase("Call-ID", "call-i"));
}

}  // namespace
}  // namespace gw::sip

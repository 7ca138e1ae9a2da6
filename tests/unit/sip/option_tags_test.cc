// The Require check of requests the gateway answers itself (RFC 3261
// 8.2.2.3) and the Date header of its responses (20.17).
#include "gw/sip/option_tags.h"

#include <gtest/gtest.h>

#include <string>

#include "gw/sip/response.h"

namespace gw::sip {
namespace {

std::string Request(const std::string& method, const std::string& extra) {
  return method + " sip:gw.example SIP/2.0\r\n" +
         "Via: SIP/2.0/UDP 198.51.100.7;branch=z9hG4bKx\r\n"
         "From: <sip:a@gw.example>;tag=1\r\nTo: <sip:a@gw.example>\r\n"
         "Call-ID: c1\r\nCSeq: 1 " +
         method + "\r\n" + extra + "Content-Length: 0\r\n\r\n";
}

TEST(OptionTags, UnknownRequireTagsAreListedForA420) {
  std::string text = Request("REGISTER", "Require: path, 100rel\r\nRequire: Foo\r\n");
  Message m;
  ASSERT_TRUE(m.Parse(text).ok());
  String<128> headers;
  EXPECT_FALSE(RequireSupported(m, kSupportedOptionTags, headers));
  EXPECT_EQ(headers.view(), "Unsupported: 100rel, Foo\r\n");
}

TEST(OptionTags, KnownOrNoRequirePasses) {
  for (const char* extra : {"", "Require: path\r\n", "Require: PATH\r\n", "Supported: foo\r\n"}) {
    SCOPED_TRACE(extra);
    std::string text = Request("OPTIONS", extra);
    Message m;
    ASSERT_TRUE(m.Parse(text).ok());
    String<128> headers;
    EXPECT_TRUE(RequireSupported(m, kSupportedOptionTags, headers));
    EXPECT_TRUE(headers.empty());
  }
}

TEST(OptionTags, AckAndCancelIgnoreRequire) {
  for (const char* method : {"ACK", "CANCEL"}) {
    std::string text = Request(method, "Require: foo\r\n");
    Message m;
    ASSERT_TRUE(m.Parse(text).ok());
    String<128> headers;
    EXPECT_TRUE(RequireSupported(m, kSupportedOptionTags, headers)) << method;
  }
}

TEST(OptionTags, ListIsBoundedByTheBuffer) {
  std::string text = Request("REGISTER", "Require: " + std::string(40, 'a') + ", b\r\n");
  Message m;
  ASSERT_TRUE(m.Parse(text).ok());
  String<24> small;
  EXPECT_FALSE(RequireSupported(m, kSupportedOptionTags, small)) << "refused even if unlisted";
  EXPECT_EQ(small.view(), "Unsupported: b\r\n");
  EXPECT_TRUE(HasOptionTag(m, HeaderId::kRequire, "B"));
  EXPECT_FALSE(HasOptionTag(m, HeaderId::kSupported, "b"));
}

TEST(DateHeader, Rfc1123Form) {
  String<64> out;
  ASSERT_TRUE(AppendDateHeader(out, 1289690940).ok());  // RFC 3261's example date
  EXPECT_EQ(out.view(), "Date: Sat, 13 Nov 2010 23:29:00 GMT\r\n");
  out.clear();
  ASSERT_TRUE(AppendDateHeader(out, 0).ok());
  EXPECT_EQ(out.view(), "Date: Thu, 01 Jan 1970 00:00:00 GMT\r\n");
  out.clear();
  ASSERT_TRUE(AppendDateHeader(out, 951782400).ok());  // a leap day
  EXPECT_EQ(out.view(), "Date: Tue, 29 Feb 2000 00:00:00 GMT\r\n");
  out.clear();
  EXPECT_EQ(AppendDateHeader(out, -1), Status::OutOfRange());
  EXPECT_EQ(AppendDateHeader(out, 253402300800), Status::OutOfRange());  // year 10000
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace gw::sip

// Authorization / Proxy-Authorization value parsing: the happy path, quoting
// and escapes, refusals with their reasons, and hostile input.
#include "gw/auth/credentials.h"

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>

namespace gw::auth {
namespace {

constexpr std::string_view kMd5Resp = "6629fae49393a05397450978507c4ef1";

std::string Basic(std::string extra = "") {
  return "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", "
         "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", "
         "qop=auth, nc=00000001, cnonce=\"0a4f113b\", "
         "response=\"6629fae49393a05397450978507c4ef1\", "
         "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"" +
         extra;
}

CredentialsError ErrorOf(std::string_view value) {
  Credentials c;
  Status s = ParseCredentials(value, c);
  EXPECT_EQ(s.ok(), c.error == CredentialsError::kNone) << value;
  return c.error;
}

TEST(Credentials, ParsesRfc2617Example) {
  std::string v = Basic();
  Credentials c;
  ASSERT_TRUE(ParseCredentials(v, c).ok()) << CredentialsErrorText(c.error);
  EXPECT_EQ(c.username.raw, "Mufasa");
  EXPECT_EQ(c.realm.raw, "testrealm@host.com");
  EXPECT_EQ(c.nonce.raw, "dcd98b7102dd2f0e8b11d0f600bfb0c093");
  EXPECT_EQ(c.uri.raw, "/dir/index.html");
  EXPECT_EQ(c.response.raw, kMd5Resp);
  EXPECT_EQ(c.cnonce.raw, "0a4f113b");
  EXPECT_EQ(c.opaque.raw, "5ccc069c403ebaf9f0171e9517f40e41");
  EXPECT_TRUE(c.has_opaque);
  EXPECT_TRUE(c.has_qop);
  EXPECT_EQ(c.nc_text.raw, "00000001");
  EXPECT_EQ(c.nc, 1u);
  EXPECT_FALSE(c.has_algorithm);
  EXPECT_EQ(c.algorithm, Algorithm::kMd5);
  // Zero-copy: the views point into the header value.
  EXPECT_GE(c.username.raw.data(), v.data());
  EXPECT_LT(c.username.raw.data(), v.data() + v.size());
}

TEST(Credentials, SchemeAndNamesAreCaseInsensitive) {
  std::string v =
      "dIgEsT USERNAME=\"bob\", Realm=\"gw\", NONCE=\"n\", Uri=\"sip:gw\", "
      "Response=\"" +
      std::string(64, 'A') + "\", ALGORITHM=sha-256";
  Credentials c;
  ASSERT_TRUE(ParseCredentials(v, c).ok()) << CredentialsErrorText(c.error);
  EXPECT_EQ(c.algorithm, Algorithm::kSha256);
  EXPECT_TRUE(c.has_algorithm);
  EXPECT_FALSE(c.has_qop);
  EXPECT_EQ(c.nc, 0u);
}

TEST(Credentials, QuotedCommasAndEqualsStayInsideTheValue) {
  Credentials c;
  std::string v =
      "Digest username=\"a,b=c, d\", realm=\"r,1\", nonce=\"n\", uri=\"sip:x;a=b,c\", "
      "response=\"" +
      std::string(kMd5Resp) + "\"";
  ASSERT_TRUE(ParseCredentials(v, c).ok()) << CredentialsErrorText(c.error);
  EXPECT_EQ(c.username.raw, "a,b=c, d");
  EXPECT_EQ(c.realm.raw, "r,1");
  EXPECT_EQ(c.uri.raw, "sip:x;a=b,c");
}

TEST(Credentials, EscapesAreKeptAndFlagged) {
  Credentials c;
  std::string v =
      "Digest username=\"Mu\\\"fa\\\\sa\", realm=\"r\", nonce=\"n\", uri=\"u\", "
      "response=\"" +
      std::string(kMd5Resp) + "\"";
  ASSERT_TRUE(ParseCredentials(v, c).ok()) << CredentialsErrorText(c.error);
  EXPECT_EQ(c.username.raw, "Mu\\\"fa\\\\sa");
  EXPECT_TRUE(c.username.escaped);
  EXPECT_TRUE(c.username.Equals("Mu\"fa\\sa"));
  EXPECT_FALSE(c.realm.escaped);
}

TEST(Credentials, WhitespaceFoldingAndEmptyElements) {
  Credentials c;
  std::string v =
      "  Digest\r\n username = \"bob\" ,, ,realm=\"gw\",\r\n\tnonce=\"n\" ,"
      "uri=\"sip:gw\",response=" +
      std::string(kMd5Resp) + " , ";
  ASSERT_TRUE(ParseCredentials(v, c).ok()) << CredentialsErrorText(c.error);
  EXPECT_EQ(c.username.raw, "bob");
  EXPECT_EQ(c.response.raw, kMd5Resp);  // a token response is accepted too
}

TEST(Credentials, UnknownParamsAreIgnoredEvenTwice) {
  Credentials c;
  std::string v = Basic(", userhash=false, foo=\"x\", foo=bar");
  ASSERT_TRUE(ParseCredentials(v, c).ok()) << CredentialsErrorText(c.error);
  EXPECT_EQ(c.username.raw, "Mufasa");
}

TEST(Credentials, QuotedAlgorithmQopAndNcAreTolerated) {
  Credentials c;
  std::string v =
      "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"u\", "
      "algorithm=\"MD5\", qop=\"auth\", nc=\"0000000a\", cnonce=\"c\", "
      "response=\"" +
      std::string(kMd5Resp) + "\"";
  ASSERT_TRUE(ParseCredentials(v, c).ok()) << CredentialsErrorText(c.error);
  EXPECT_EQ(c.nc, 10u);
  EXPECT_TRUE(c.has_qop);
}

TEST(Credentials, RefusesOtherSchemesAndEmptyInput) {
  EXPECT_EQ(ErrorOf(""), CredentialsError::kEmpty);
  EXPECT_EQ(ErrorOf(" \r\n\t "), CredentialsError::kEmpty);
  EXPECT_EQ(ErrorOf("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="), CredentialsError::kNotDigest);
  EXPECT_EQ(ErrorOf("Digestusername=\"a\""), CredentialsError::kNotDigest);
  EXPECT_EQ(ErrorOf("\"Digest\" username=\"a\""), CredentialsError::kNotDigest);
  EXPECT_EQ(ErrorOf("Digest"), CredentialsError::kMissingParam);
  EXPECT_EQ(ErrorOf("Digest   "), CredentialsError::kMissingParam);
}

TEST(Credentials, RefusesMissingParams) {
  for (std::string_view drop : {"username", "realm", "nonce", "uri", "response"}) {
    std::string v = "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"" +
                    std::string(kMd5Resp) + "\"";
    // Renaming the parameter makes it unknown, hence absent.
    size_t at = v.find(std::string(drop) + "=");
    ASSERT_NE(at, std::string::npos);
    v.replace(at, drop.size(), "x-" + std::string(drop));
    EXPECT_EQ(ErrorOf(v), CredentialsError::kMissingParam) << drop;
  }
  std::string v =
      "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"u\", qop=auth, "
      "response=\"" +
      std::string(kMd5Resp) + "\"";
  EXPECT_EQ(ErrorOf(v + ", nc=00000001"), CredentialsError::kMissingParam);
  EXPECT_EQ(ErrorOf(v + ", cnonce=\"c\""), CredentialsError::kMissingParam);
  EXPECT_EQ(ErrorOf(v + ", cnonce=\"c\", nc=00000001"), CredentialsError::kNone);
}

TEST(Credentials, RefusesNcOrCnonceWithoutQop) {
  std::string v =
      "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"u\", "
      "response=\"" +
      std::string(kMd5Resp) + "\"";
  EXPECT_EQ(ErrorOf(v), CredentialsError::kNone);
  EXPECT_EQ(ErrorOf(v + ", nc=00000001"), CredentialsError::kUnexpectedParam);
  EXPECT_EQ(ErrorOf(v + ", cnonce=\"c\""), CredentialsError::kUnexpectedParam);
}

TEST(Credentials, RefusesDuplicateKnownParams) {
  EXPECT_EQ(ErrorOf(Basic(", username=\"other\"")), CredentialsError::kDuplicateParam);
  EXPECT_EQ(ErrorOf(Basic(", NONCE=\"x\"")), CredentialsError::kDuplicateParam);
  EXPECT_EQ(ErrorOf(Basic(", opaque=\"x\"")), CredentialsError::kDuplicateParam);
  EXPECT_EQ(ErrorOf(Basic(", algorithm=MD5, algorithm=MD5")), CredentialsError::kDuplicateParam);
}

TEST(Credentials, RefusesUnsupportedAlgorithms) {
  EXPECT_EQ(ErrorOf(Basic(", algorithm=MD5-sess")), CredentialsError::kUnsupportedAlgorithm);
  EXPECT_EQ(ErrorOf(Basic(", algorithm=SHA-256-sess")), CredentialsError::kUnsupportedAlgorithm);
  EXPECT_EQ(ErrorOf(Basic(", algorithm=SHA-512-256")), CredentialsError::kUnsupportedAlgorithm);
  EXPECT_EQ(ErrorOf(Basic(", algorithm=\"\"")), CredentialsError::kUnsupportedAlgorithm);
  EXPECT_EQ(ErrorOf(Basic(", algorithm=md5")), CredentialsError::kNone);
}

TEST(Credentials, RefusesOtherQops) {
  std::string base = Basic();
  std::string v = base;
  v.replace(v.find("qop=auth"), 8, "qop=auth-int");
  EXPECT_EQ(ErrorOf(v), CredentialsError::kUnsupportedQop);
  v = base;
  v.replace(v.find("qop=auth"), 8, "qop=\"auth,auth-int\"");
  EXPECT_EQ(ErrorOf(v), CredentialsError::kUnsupportedQop);
}

TEST(Credentials, NonceCountMustBeEightHexDigits) {
  std::string base = Basic();
  for (std::string_view bad : {"0000001", "000000001", "0000000g", "00000000", "+0000001"}) {
    std::string v = base;
    v.replace(v.find("nc=00000001"), 11, "nc=" + std::string(bad));
    EXPECT_EQ(ErrorOf(v), CredentialsError::kBadNonceCount) << bad;
  }
  std::string v = base;
  v.replace(v.find("nc=00000001"), 11, "nc=FFFFFFFF");
  Credentials c;
  ASSERT_TRUE(ParseCredentials(v, c).ok());
  EXPECT_EQ(c.nc, 0xffffffffu);
}

TEST(Credentials, ResponseMustBeHexOfTheAlgorithmsLength) {
  std::string base = Basic();
  auto with = [&](std::string resp) {
    std::string v = base;
    v.replace(v.find(kMd5Resp), kMd5Resp.size(), resp);
    return ErrorOf(v);
  };
  EXPECT_EQ(with(std::string(31, 'a')), CredentialsError::kBadResponse);
  EXPECT_EQ(with(std::string(31, 'a') + "z"), CredentialsError::kBadResponse);
  EXPECT_EQ(with(std::string(64, 'a')), CredentialsError::kBadResponse);  // MD5 wants 32
  EXPECT_EQ(ErrorOf(Basic(", algorithm=SHA-256")), CredentialsError::kBadResponse);
}

TEST(Credentials, RefusesSyntaxErrors) {
  EXPECT_EQ(ErrorOf("Digest username"), CredentialsError::kSyntax);
  EXPECT_EQ(ErrorOf("Digest username="), CredentialsError::kSyntax);
  EXPECT_EQ(ErrorOf("Digest =\"a\""), CredentialsError::kSyntax);
  EXPECT_EQ(ErrorOf("Digest username=\"a\" realm=\"b\""), CredentialsError::kSyntax);
  EXPECT_EQ(ErrorOf("Digest username=\"a\"x, realm=\"b\""), CredentialsError::kSyntax);
  EXPECT_EQ(ErrorOf("Digest username=a/b"), CredentialsError::kSyntax);
  EXPECT_EQ(ErrorOf("Digest username=\"a\"; realm=\"b\""), CredentialsError::kSyntax);
  EXPECT_EQ(ErrorOf(std::string("Digest username=\"a\0b\"", 22)), CredentialsError::kSyntax);
  EXPECT_EQ(ErrorOf("Digest username=\"a\\\r\n b\""), CredentialsError::kSyntax);
}

TEST(Credentials, TruncatedInputNeverParsesAndNeverReadsPastTheEnd) {
  std::string full = Basic();
  for (size_t n = 0; n < full.size(); ++n) {
    // An exact-size heap copy, so ASan catches any read past the end.
    std::unique_ptr<char[]> buf(new char[n == 0 ? 1 : n]);
    full.copy(buf.get(), n);
    Credentials c;
    Status s = ParseCredentials(std::string_view(buf.get(), n), c);
    // Only a cut between the response and the optional opaque (the last
    // parameter) leaves a complete header; every other cut is refused
    // with a reason.
    if (s.ok()) {
      EXPECT_GE(n, full.find(", opaque=")) << n;
      EXPECT_LE(n, full.find("opaque=")) << n;
    } else {
      EXPECT_NE(c.error, CredentialsError::kNone) << n;
    }
  }
  EXPECT_EQ(ErrorOf("Digest username=\"abc"), CredentialsError::kUnterminatedQuote);
  EXPECT_EQ(ErrorOf("Digest username=\"abc\\"), CredentialsError::kUnterminatedQuote);
  EXPECT_EQ(ErrorOf("Digest username=\"abc\\\""), CredentialsError::kUnterminatedQuote);
}

TEST(Credentials, GarbageIsRefusedCleanly) {
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    std::string junk(2048, '\0');
    for (char& ch : junk) ch = static_cast<char>(rng() & 0xff);
    if (round % 2 == 1) junk.replace(0, 7, "Digest ");
    std::unique_ptr<char[]> buf(new char[junk.size()]);
    junk.copy(buf.get(), junk.size());
    Credentials c;
    EXPECT_FALSE(ParseCredentials(std::string_view(buf.get(), junk.size()), c).ok());
    EXPECT_NE(c.error, CredentialsError::kNone);
    EXPECT_TRUE(c.username.empty());  // nothing half-filled on failure
  }
  // Printable garbage of exactly the limit, and one byte over it.
  std::string printable(kMaxCredentialsLength, 'x');
  printable.replace(0, 7, "Digest ");
  EXPECT_EQ(ErrorOf(printable), CredentialsError::kSyntax);
  EXPECT_EQ(ErrorOf(printable + "x"), CredentialsError::kTooLong);
}

TEST(Credentials, TooManyParamsAreRefused) {
  std::string v = Basic();
  for (size_t i = 0; i < kMaxCredentialsParams; ++i) v += ", x" + std::to_string(i) + "=1";
  EXPECT_EQ(ErrorOf(v), CredentialsError::kTooManyParams);
}

TEST(Credentials, EveryErrorHasAText) {
  for (int e = 0; e <= static_cast<int>(CredentialsError::kBadResponse); ++e) {
    EXPECT_NE(CredentialsErrorText(static_cast<CredentialsError>(e)), "?") << e;
  }
}

}  // namespace
}  // namespace gw::auth

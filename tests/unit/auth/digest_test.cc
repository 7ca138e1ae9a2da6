// HA1 / HA2 / response against every row of the shared digest vectors
// (RFC 2617 3.5, RFC 7616 3.9.1 MD5 and SHA-256, the derived no-qop row).
#include "gw/auth/digest.h"

#include <gtest/gtest.h>

#include <string>

#include "digest_vectors.h"

namespace gw::auth {
namespace {

using testing::DigestVector;
using testing::LoadDigestVectors;

Algorithm AlgorithmOf(const DigestVector& v) {
  return v.algorithm == "SHA-256" ? Algorithm::kSha256 : Algorithm::kMd5;
}

TEST(DigestVectors, CorpusIsPresent) {
  auto rows = LoadDigestVectors();
  ASSERT_GE(rows.size(), 4u) << "missing or short: " << testing::DigestVectorsPath();
  for (const auto& v : rows) {
    ASSERT_TRUE(v.algorithm == "MD5" || v.algorithm == "SHA-256") << v.source;
  }
}

TEST(DigestVectors, Ha1MatchesEveryRow) {
  auto rows = LoadDigestVectors();
  ASSERT_FALSE(rows.empty()) << testing::DigestVectorsPath();
  for (const auto& v : rows) {
    auto ha1 = ComputeHa1(v.username, v.realm, v.password, AlgorithmOf(v));
    ASSERT_TRUE(ha1.ok()) << v.source;
    EXPECT_EQ(ha1->view(), v.ha1) << v.source;
  }
}

TEST(DigestVectors, Ha2MatchesEveryRow) {
  auto rows = LoadDigestVectors();
  ASSERT_FALSE(rows.empty()) << testing::DigestVectorsPath();
  for (const auto& v : rows) {
    auto ha2 = ComputeHa2(v.method, std::string_view(v.uri), AlgorithmOf(v));
    ASSERT_TRUE(ha2.ok()) << v.source;
    EXPECT_EQ(ha2->view(), v.ha2) << v.source;
  }
}

TEST(DigestVectors, ResponseMatchesEveryRow) {
  auto rows = LoadDigestVectors();
  ASSERT_FALSE(rows.empty()) << testing::DigestVectorsPath();
  size_t no_qop = 0;
  for (const auto& v : rows) {
    // From the stored HA1, as the verifier works.
    auto r = ComputeResponse(v.ha1, std::string_view(v.nonce), std::string_view(v.nc),
                             std::string_view(v.cnonce), std::string_view(v.qop), v.method,
                             std::string_view(v.uri), AlgorithmOf(v));
    ASSERT_TRUE(r.ok()) << v.source;
    EXPECT_EQ(r->view(), v.response) << v.source;
    if (v.qop.empty()) ++no_qop;
  }
  EXPECT_GE(no_qop, 1u) << "the RFC 2069 form is covered by the corpus";
}

TEST(Digest, Sha256DigestsAre64HexDigits) {
  auto ha1 = ComputeHa1("a", "b", "c", Algorithm::kSha256);
  ASSERT_TRUE(ha1.ok());
  EXPECT_EQ(ha1->size(), 64u);
  EXPECT_EQ(HexLength(Algorithm::kSha256), 64u);
  EXPECT_EQ(HexLength(Algorithm::kMd5), 32u);
  EXPECT_EQ(AlgorithmName(Algorithm::kSha256), "SHA-256");
  EXPECT_EQ(AlgorithmName(Algorithm::kMd5), "MD5");
}

TEST(Digest, QopOtherThanAuthIsRefused) {
  auto r =
      ComputeResponse("939e7578ed9e3c518a452acee763bce9", std::string_view("n"),
                      std::string_view("00000001"), std::string_view("c"),
                      std::string_view("auth-int"), "GET", std::string_view("/"), Algorithm::kMd5);
  EXPECT_EQ(r.status(), Status::InvalidArgument());
}

TEST(Digest, EscapedTextIsHashedUnescaped) {
  // uri "/a\"b" on the wire hashes as /a"b.
  auto plain = ComputeHa2("GET", std::string_view("/a\"b"), Algorithm::kMd5);
  auto escaped = ComputeHa2("GET", ParamText("/a\\\"b", true), Algorithm::kMd5);
  ASSERT_TRUE(plain.ok() && escaped.ok());
  EXPECT_EQ(plain->view(), escaped->view());
}

TEST(ParamText, EqualsComparesUnescaped) {
  ParamText t("Mu\\fa\\\\sa", true);
  EXPECT_TRUE(t.Equals("Mufa\\sa"));
  EXPECT_FALSE(t.Equals("Mu\\fa\\\\sa"));
  EXPECT_FALSE(t.Equals("Mufa\\s"));
  EXPECT_EQ(t.UnescapedSize(), 7u);
  ParamText plain("abc");
  EXPECT_TRUE(plain.Equals("abc"));
  EXPECT_FALSE(plain.Equals("abcd"));
}

TEST(Digest, HexCompareIgnoresCaseAndLength) {
  EXPECT_TRUE(HexEqualConstantTime("abcdef01", "ABCDEF01"));
  EXPECT_FALSE(HexEqualConstantTime("abcdef01", "abcdef02"));
  EXPECT_FALSE(HexEqualConstantTime("abcdef01", "abcdef0"));
  EXPECT_TRUE(HexEqualConstantTime("", ""));
}

}  // namespace
}  // namespace gw::auth

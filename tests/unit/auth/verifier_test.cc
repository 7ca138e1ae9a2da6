// Challenge building and verification end to end: the gateway challenges,
// a client computes its response from the vectors' password, the gateway
// verifies from the stored HA1.
#include "gw/auth/verifier.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cinttypes>
#include <cstdio>
#include <memory>
#include <string>

#include "digest_vectors.h"
#include "gw/auth/drbg.h"
#include "gw/testing/fake_hal.h"

namespace gw::auth {
namespace {

using gw::testing::FakeClock;
using gw::testing::FakeEntropy;

constexpr std::string_view kRealm = "gw.example";
constexpr std::string_view kUri = "sip:gw.example";

struct Client {
  std::string username = "alice";
  std::string realm = std::string(kRealm);
  std::string password = "secret";
  std::string method = "REGISTER";
  std::string uri = std::string(kUri);
  std::string cnonce = "0a4f113b";
  Algorithm alg = Algorithm::kSha256;
  bool qop = true;

  std::string Authorization(std::string_view nonce, uint32_t nc) const {
    char nc_text[9];
    std::snprintf(nc_text, sizeof(nc_text), "%08" PRIx32, nc);
    auto ha1 = ComputeHa1(username, realm, password, alg);
    EXPECT_TRUE(ha1.ok());
    auto resp =
        ComputeResponse(ha1->view(), nonce, std::string_view(nc_text), std::string_view(cnonce),
                        std::string_view(qop ? "auth" : ""), method, std::string_view(uri), alg);
    EXPECT_TRUE(resp.ok());
    std::string h = "Digest username=\"" + username + "\", realm=\"" + realm + "\", nonce=\"" +
                    std::string(nonce) + "\", uri=\"" + uri + "\", response=\"" +
                    std::string(resp->view()) + "\", algorithm=" + std::string(AlgorithmName(alg));
    if (qop) h += ", qop=auth, nc=" + std::string(nc_text) + ", cnonce=\"" + cnonce + "\"";
    return h;
  }
};

std::string NonceOf(std::string_view challenge) {
  size_t at = challenge.find("nonce=\"");
  if (at == std::string_view::npos) return "";
  at += 7;
  return std::string(challenge.substr(at, challenge.find('"', at) - at));
}

class VerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(drbg_.Init().ok());
    ASSERT_TRUE(nonces_.Init(drbg_).ok());
    ASSERT_TRUE(verifier_.Init({.realm = kRealm}).ok());
  }
  std::string Challenge(bool stale = false) {
    auto c = verifier_.BuildChallenges(stale, buf_);
    EXPECT_TRUE(c.ok());
    return c.ok() ? NonceOf(c->sha256) : "";
  }
  static std::string Ha1(const Client& c) {
    return std::string(ComputeHa1(c.username, c.realm, c.password, c.alg)->view());
  }
  VerifyResult Verify(const std::string& header, std::string_view ha1,
                      std::string_view method = "REGISTER", std::string_view request_uri = kUri) {
    Credentials creds;
    Status s = ParseCredentials(header, creds);
    EXPECT_TRUE(s.ok()) << header << ": " << CredentialsErrorText(creds.error);
    return verifier_.Verify(creds, ha1, method, request_uri);
  }

  FakeEntropy entropy_;
  FakeClock clock_;
  Drbg drbg_{entropy_};
  NonceManager nonces_{clock_};
  std::unique_ptr<NonceCountTable> counts_ = std::make_unique<NonceCountTable>();
  Verifier verifier_{nonces_, *counts_};
  char buf_[2 * kChallengeChars];
};

TEST(Challenge, ExactText) {
  char buf[kChallengeChars];
  auto c = BuildChallenge("gw", "abc", Algorithm::kSha256, false, buf);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, "Digest realm=\"gw\", nonce=\"abc\", algorithm=SHA-256, qop=\"auth\"");
  c = BuildChallenge("gw", "abc", Algorithm::kMd5, true, buf);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, "Digest realm=\"gw\", nonce=\"abc\", algorithm=MD5, qop=\"auth\", stale=true");
}

TEST(Challenge, SmallBufferAndUnquotableTextAreRefused) {
  char small[20];
  EXPECT_EQ(BuildChallenge("gw", "abc", Algorithm::kMd5, false, small).status(),
            Status::ResourceExhausted());
  char buf[kChallengeChars];
  EXPECT_EQ(BuildChallenge("g\"w", "abc", Algorithm::kMd5, false, buf).status(),
            Status::InvalidArgument());
  EXPECT_EQ(BuildChallenge("gw", "a\\bc", Algorithm::kMd5, false, buf).status(),
            Status::InvalidArgument());
  // The documented size always fits the longest realm.
  std::string realm(kMaxRealm, 'r');
  std::string nonce(kNonceChars, 'n');
  EXPECT_TRUE(BuildChallenge(realm, nonce, Algorithm::kSha256, true, buf).ok());
}

TEST(Challenge, VerifierRefusesBadRealmsAndUseBeforeInit) {
  FakeClock clock;
  NonceManager nonces(clock);
  auto counts = std::make_unique<NonceCountTable>();
  Verifier v(nonces, *counts);
  char buf[2 * kChallengeChars];
  EXPECT_EQ(v.BuildChallenges(false, buf).status(), Status::FailedPrecondition());
  EXPECT_EQ(v.Init({.realm = ""}), Status::InvalidArgument());
  EXPECT_EQ(v.Init({.realm = "a\"b"}), Status::InvalidArgument());
  std::string too_long(kMaxRealm + 1, 'r');
  EXPECT_EQ(v.Init({.realm = too_long}), Status::InvalidArgument());
  ASSERT_TRUE(v.Init({.realm = "r"}).ok());
  // The nonce manager was never keyed.
  EXPECT_EQ(v.BuildChallenges(false, buf).status(), Status::FailedPrecondition());
  Credentials creds;
  creds.realm = std::string_view("r");
  creds.uri = std::string_view("sip:r");
  EXPECT_EQ(v.Verify(creds, std::string(32, '0'), "REGISTER", "sip:r"), VerifyResult::kBadNonce);
}

TEST_F(VerifierTest, ChallengesOfferSha256FirstThenMd5WithOneNonce) {
  auto c = verifier_.BuildChallenges(false, buf_);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->sha256.substr(0, 27), "Digest realm=\"gw.example\", ");
  EXPECT_NE(c->sha256.find("algorithm=SHA-256, qop=\"auth\""), std::string_view::npos);
  EXPECT_NE(c->md5.find("algorithm=MD5, qop=\"auth\""), std::string_view::npos);
  EXPECT_EQ(c->sha256.find("stale"), std::string_view::npos);
  EXPECT_EQ(NonceOf(c->sha256), NonceOf(c->md5));
  EXPECT_EQ(NonceOf(c->sha256).size(), kNonceChars);
  // The two views do not overlap inside the caller's buffer.
  EXPECT_EQ(c->md5.data(), c->sha256.data() + c->sha256.size());

  char other[2 * kChallengeChars];
  auto s = verifier_.BuildChallenges(true, other);
  ASSERT_TRUE(s.ok());
  EXPECT_NE(s->sha256.find(", stale=true"), std::string_view::npos);
  EXPECT_NE(s->md5.find(", stale=true"), std::string_view::npos);
  EXPECT_NE(NonceOf(s->sha256), NonceOf(c->sha256));

  char tiny[kChallengeChars];  // room for one only
  EXPECT_EQ(verifier_.BuildChallenges(false, tiny).status(), Status::ResourceExhausted());
}

TEST_F(VerifierTest, Md5CanBeLeftOut) {
  ASSERT_TRUE(verifier_.Init({.realm = kRealm, .offer_md5 = false}).ok());
  auto c = verifier_.BuildChallenges(false, buf_);
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->sha256.empty());
  EXPECT_TRUE(c->md5.empty());
}

TEST_F(VerifierTest, EndToEndWithEveryCorpusVector) {
  auto rows = gw::auth::testing::LoadDigestVectors();
  ASSERT_FALSE(rows.empty()) << gw::auth::testing::DigestVectorsPath();
  for (const auto& v : rows) {
    SCOPED_TRACE(v.source);
    ASSERT_TRUE(verifier_.Init({.realm = v.realm}).ok());
    auto c = verifier_.BuildChallenges(false, buf_);
    ASSERT_TRUE(c.ok());
    Client client;
    client.username = v.username;
    client.realm = v.realm;
    client.password = v.password;
    client.method = v.method;
    client.uri = v.uri;
    client.alg = v.algorithm == "SHA-256" ? Algorithm::kSha256 : Algorithm::kMd5;
    client.qop = !v.qop.empty();
    if (!v.cnonce.empty()) client.cnonce = v.cnonce;
    // The client answers the challenge of its algorithm; the server holds
    // the corpus HA1 only.
    std::string nonce = NonceOf(client.alg == Algorithm::kSha256 ? c->sha256 : c->md5);
    EXPECT_EQ(Verify(client.Authorization(nonce, 1), v.ha1, v.method, v.uri), VerifyResult::kOk);

    Client wrong = client;
    wrong.password = v.password + "!";
    std::string fresh = Challenge();
    EXPECT_EQ(Verify(wrong.Authorization(fresh, 1), v.ha1, v.method, v.uri),
              VerifyResult::kBadResponse);
    // The refused attempt did not use up nc=1 of that nonce.
    EXPECT_EQ(Verify(client.Authorization(fresh, 1), v.ha1, v.method, v.uri), VerifyResult::kOk);
  }
}

TEST_F(VerifierTest, BothAlgorithmsAndUpperCaseHa1) {
  for (Algorithm alg : {Algorithm::kSha256, Algorithm::kMd5}) {
    Client c;
    c.alg = alg;
    std::string ha1 = Ha1(c);
    for (char& ch : ha1) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    EXPECT_EQ(Verify(c.Authorization(Challenge(), 1), ha1), VerifyResult::kOk);
  }
}

TEST_F(VerifierTest, NcReplayIsRefusedIncreasingNcIsAccepted) {
  Client c;
  std::string nonce = Challenge();
  std::string first = c.Authorization(nonce, 1);
  EXPECT_EQ(Verify(first, Ha1(c)), VerifyResult::kOk);
  EXPECT_EQ(Verify(first, Ha1(c)), VerifyResult::kReplay);
  EXPECT_EQ(Verify(c.Authorization(nonce, 2), Ha1(c)), VerifyResult::kOk);
  EXPECT_EQ(Verify(c.Authorization(nonce, 3), Ha1(c)), VerifyResult::kOk);
  EXPECT_EQ(Verify(c.Authorization(nonce, 2), Ha1(c)), VerifyResult::kReplay);
  EXPECT_EQ(Verify(first, Ha1(c)), VerifyResult::kReplay);
  // A bad response with a high nc does not move the count.
  Client wrong = c;
  wrong.password = "guess";
  EXPECT_EQ(Verify(wrong.Authorization(nonce, 100), Ha1(c)), VerifyResult::kBadResponse);
  EXPECT_EQ(Verify(c.Authorization(nonce, 4), Ha1(c)), VerifyResult::kOk);
}

TEST_F(VerifierTest, ExpiredNonceIsStaleOnlyWithTheRightPassword) {
  Client c;
  std::string nonce = Challenge();
  EXPECT_EQ(Verify(c.Authorization(nonce, 1), Ha1(c)), VerifyResult::kOk);
  clock_.now += kDefaultNonceLifetimeS * 1000 + 1;
  EXPECT_EQ(Verify(c.Authorization(nonce, 2), Ha1(c)), VerifyResult::kStale);
  Client wrong = c;
  wrong.password = "guess";
  EXPECT_EQ(Verify(wrong.Authorization(nonce, 3), Ha1(c)), VerifyResult::kBadResponse);
  // The client retries on the stale=true challenge's nonce.
  EXPECT_EQ(Verify(c.Authorization(Challenge(true), 1), Ha1(c)), VerifyResult::kOk);
}

TEST_F(VerifierTest, ForeignNonceIsBadNonce) {
  Client c;
  EXPECT_EQ(Verify(c.Authorization("dcd98b7102dd2f0e8b11d0f600bfb0c093", 1), Ha1(c)),
            VerifyResult::kBadNonce);
  std::string nonce = Challenge();
  nonce[3] = nonce[3] == 'x' ? 'y' : 'x';
  EXPECT_EQ(Verify(c.Authorization(nonce, 1), Ha1(c)), VerifyResult::kBadNonce);
}

TEST_F(VerifierTest, RealmAndUriMismatch) {
  Client c;
  c.realm = "other.example";
  EXPECT_EQ(Verify(c.Authorization(Challenge(), 1), Ha1(c)), VerifyResult::kRealmMismatch);
  Client d;
  d.uri = "sip:gw.example:5070";  // another port: another resource
  EXPECT_EQ(Verify(d.Authorization(Challenge(), 1), Ha1(d)), VerifyResult::kUriMismatch);
  Client f;
  f.uri = "sip:other.example";
  EXPECT_EQ(Verify(f.Authorization(Challenge(), 1), Ha1(f)), VerifyResult::kUriMismatch);
  Client e;
  EXPECT_EQ(Verify(e.Authorization(Challenge(), 1), Ha1(e), "REGISTER", "sip:gw.example;x=1"),
            VerifyResult::kUriMismatch);
}

TEST_F(VerifierTest, DigestUriNamingTheSameResourceIsAccepted) {
  // What clients send: the host in another case, the default port spelled
  // out (sipp). The response is computed over their text, so it verifies.
  for (const char* uri : {"sip:GW.example", "sip:gw.example:5060", "SIP:gw.example"}) {
    Client c;
    c.uri = uri;
    EXPECT_EQ(Verify(c.Authorization(Challenge(), 1), Ha1(c)), VerifyResult::kOk) << uri;
  }
}

TEST_F(VerifierTest, WrongMethodIsBadResponse) {
  Client c;
  EXPECT_EQ(Verify(c.Authorization(Challenge(), 1), Ha1(c), "INVITE"), VerifyResult::kBadResponse);
}

TEST_F(VerifierTest, MalformedInputs) {
  Client c;
  std::string header = c.Authorization(Challenge(), 1);
  // An HA1 of the other algorithm's size.
  EXPECT_EQ(Verify(header, std::string(32, 'a')), VerifyResult::kMalformed);
  EXPECT_EQ(Verify(header, std::string(64, 'g')), VerifyResult::kMalformed);
  // Credentials the parser refused.
  Credentials bad;
  EXPECT_FALSE(ParseCredentials("Digest username=", bad).ok());
  EXPECT_EQ(verifier_.Verify(bad, Ha1(c), "REGISTER", kUri), VerifyResult::kMalformed);
  EXPECT_EQ(VerifyResultName(VerifyResult::kMalformed), "malformed");
}

TEST_F(VerifierTest, NoQopNonceIsSingleUse) {
  Client c;
  c.qop = false;
  std::string header = c.Authorization(Challenge(), 1);
  EXPECT_EQ(Verify(header, Ha1(c)), VerifyResult::kOk);
  EXPECT_EQ(Verify(header, Ha1(c)), VerifyResult::kStale);

  ASSERT_TRUE(verifier_.Init({.realm = kRealm, .allow_no_qop = false}).ok());
  EXPECT_EQ(Verify(c.Authorization(Challenge(), 1), Ha1(c)), VerifyResult::kMalformed);
}

TEST_F(VerifierTest, EscapedQuotedValuesAreComparedUnescaped) {
  Client c;
  c.username = "al\"ice";
  std::string nonce = Challenge();
  std::string header = c.Authorization(nonce, 1);
  // Escape the quote inside the username and one plain uri octet.
  size_t at = header.find("al\"ice");
  header.replace(at, 6, "al\\\"ice");
  at = header.find("uri=\"sip:gw");
  header.replace(at, 11, "uri=\"s\\ip:gw");
  EXPECT_EQ(Verify(header, Ha1(c)), VerifyResult::kOk);
}

TEST_F(VerifierTest, EvictedNonceBecomesStale) {
  Client c;
  std::string early = Challenge();
  EXPECT_EQ(Verify(c.Authorization(early, 1), Ha1(c)), VerifyResult::kOk);
  for (size_t i = 0; i < NonceCountTable::capacity(); ++i) {
    ASSERT_EQ(Verify(c.Authorization(Challenge(), 1), Ha1(c)), VerifyResult::kOk) << i;
  }
  EXPECT_EQ(counts_->evictions(), 1u);
  // `early` was evicted: neither its continuation nor a replay of its first
  // request gets through; the client is told to take a fresh nonce.
  EXPECT_EQ(Verify(c.Authorization(early, 2), Ha1(c)), VerifyResult::kStale);
  EXPECT_EQ(Verify(c.Authorization(early, 1), Ha1(c)), VerifyResult::kStale);
}

TEST(AuthMemory, StaticSizes) {
  std::printf("sizeof Drbg            %zu\n", sizeof(Drbg));
  std::printf("sizeof NonceManager    %zu\n", sizeof(NonceManager));
  std::printf("sizeof NonceCountTable %zu (capacity %zu)\n", sizeof(NonceCountTable),
              NonceCountTable::capacity());
  std::printf("sizeof Verifier        %zu\n", sizeof(Verifier));
  std::printf("sizeof Credentials     %zu\n", sizeof(Credentials));
  EXPECT_LE(sizeof(NonceCountTable), 16 * NonceCountTable::capacity() + 64);
  EXPECT_LE(sizeof(NonceManager), 96u);
}

}  // namespace
}  // namespace gw::auth

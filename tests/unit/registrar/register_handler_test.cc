// A REGISTER end to end through RegisterHandler over a real
// TransactionLayer, UserStore and digest check: Require, domain, user,
// challenge, credentials, and the 200 (contacts, Date, Supported, Path).
#include "gw/registrar/register_handler.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "gw/auth/digest.h"
#include "gw/auth/drbg.h"
#include "gw/config/json_arena.h"
#include "gw/core/timer_wheel.h"
#include "gw/testing/fake_hal.h"

namespace gw::registrar {
namespace {

constexpr std::string_view kRealm = "imsgw.local";
constexpr net::Endpoint kGw{net::MakeIp4(198, 51, 100, 2), 5060};
constexpr net::Endpoint kPhone{net::MakeIp4(198, 51, 100, 1), 5061};

class Sender : public net::DatagramSender {
 public:
  std::vector<std::string> sent;

 private:
  Status DoSendTo(const net::Endpoint&, std::span<const std::byte> data) override {
    sent.emplace_back(reinterpret_cast<const char*>(data.data()), data.size());
    return Status::Ok();
  }
};

// The transaction user of the test: every request is a REGISTER.
class RegisterOnly : public sip::TransactionUser {
 public:
  explicit RegisterOnly(RegisterHandler& h) : handler_(h) {}

 private:
  void DoOnRequest(sip::Transaction& txn, const sip::Message& req) override {
    handler_.Handle(txn, req);
  }
  void DoOnResponse(sip::Transaction&, const sip::Message&) override {}
  void DoOnTimeout(sip::Transaction&, sip::Timeout) override {}
  void DoOnTransportError(sip::Transaction&) override {}
  void DoOnTerminated(sip::Transaction&) override {}
  void DoOnStrayResponse(const sip::Message&, const net::Endpoint&) override {}
  void DoOnAck(const sip::Message&, const net::Endpoint&) override {}
  RegisterHandler& handler_;
};

config::JsonArena& Arena() {
  static config::JsonArena arena;
  return arena;
}

std::string Register(int cseq, const std::string& extra,
                     const std::string& to_host = "imsgw.local") {
  return "REGISTER sip:imsgw.local SIP/2.0\r\n"
         "Via: SIP/2.0/UDP 198.51.100.1:5061;branch=z9hG4bK-r" +
         std::to_string(cseq) +
         ";rport\r\n"
         "From: <sip:1001@imsgw.local>;tag=f1\r\n"
         "To: <sip:1001@" +
         to_host +
         ">\r\n"
         "Call-ID: reg-1@198.51.100.1\r\n"
         "CSeq: " +
         std::to_string(cseq) +
         " REGISTER\r\n"
         "Contact: <sip:1001@198.51.100.1:5061>;expires=600\r\n" +
         extra + "Content-Length: 0\r\n\r\n";
}

struct Rig {
  testing::FakeClock clock;
  testing::FakeWallClock wall;
  TimerWheel timers{clock.now};
  Sender sender;
  sip::LocalIdentity identity;
  testing::RamStorage storage{4096, 16};
  users::UserStore users{storage, Arena()};
  LocationTable location;
  RegistrarConfig config;
  Registrar registrar{location, config};
  testing::FakeEntropy entropy;
  auth::Drbg drbg{entropy};
  auth::NonceManager nonces{clock};
  std::unique_ptr<auth::NonceCountTable> counts = std::make_unique<auth::NonceCountTable>();
  auth::Verifier verifier{nonces, *counts};
  auth::AlgorithmPolicy policy;
  auth::DigestCheck digest{verifier, policy};
  RegisterDeps deps{identity, users, digest, registrar, clock, wall, "imsgw"};
  RegisterHandler handler{deps};
  RegisterOnly tu{handler};
  std::unique_ptr<sip::TransactionLayer> layer;
  uint32_t nc = 0;

  Rig() {
    identity.address = kGw.addr;
    (void)identity.domain.assign(kRealm);
    EXPECT_TRUE(users.Load(kRealm).ok());
    EXPECT_TRUE(drbg.Init().ok());
    EXPECT_TRUE(nonces.Init(drbg).ok());
    EXPECT_TRUE(verifier.Init({.realm = kRealm}).ok());
    layer = std::make_unique<sip::TransactionLayer>(sender, timers, tu, sip::TransactionConfig{});
    handler.Attach(*layer);
  }
  const std::string& Send(const std::string& text) {
    sip::Message m;
    EXPECT_TRUE(m.Parse(text).ok()) << text;
    layer->Receive(m, kPhone);
    static const std::string kNone = "<nothing sent>";
    return sender.sent.empty() ? kNone : sender.sent.back();
  }
  // Answers the 401 in `challenge` with the right MD5 credentials.
  std::string Credentials(const std::string& challenge) {
    size_t at = challenge.find("nonce=\"");
    std::string nonce = challenge.substr(at + 7, challenge.find('"', at + 7) - at - 7);
    char nc_text[9];
    std::snprintf(nc_text, sizeof(nc_text), "%08x", ++nc);
    auto ha1 = auth::ComputeHa1("1001", kRealm, "1001", auth::Algorithm::kMd5);
    auto resp =
        auth::ComputeResponse(ha1->view(), std::string_view(nonce), std::string_view(nc_text),
                              std::string_view("abc"), std::string_view("auth"), "REGISTER",
                              std::string_view("sip:imsgw.local"), auth::Algorithm::kMd5);
    return "Authorization: Digest username=\"1001\", realm=\"imsgw.local\", nonce=\"" + nonce +
           "\", uri=\"sip:imsgw.local\", response=\"" + std::string(resp->view()) +
           "\", algorithm=MD5, qop=auth, nc=" + nc_text + ", cnonce=\"abc\"\r\n";
  }
  // REGISTER without, then with credentials: the final answer.
  std::string Registered(const std::string& extra, int cseq = 1) {
    std::string challenge = Send(Register(cseq, extra));
    EXPECT_EQ(challenge.rfind("SIP/2.0 401 Unauthorized", 0), 0u) << challenge;
    return Send(Register(cseq + 1, extra + Credentials(challenge)));
  }
};

TEST(RegisterHandler, ChallengeThenOkWithContactsDateAndSupported) {
  Rig rig;
  rig.wall.synced = true;
  rig.wall.unix_seconds = 1289690940;
  std::string ok = rig.Registered("");
  ASSERT_EQ(ok.rfind("SIP/2.0 200 OK\r\n", 0), 0u) << ok;
  EXPECT_NE(ok.find("Contact: <sip:1001@198.51.100.1:5061>;expires=600\r\n"), std::string::npos);
  EXPECT_NE(ok.find("Date: Sat, 13 Nov 2010 23:29:00 GMT\r\n"), std::string::npos) << ok;
  EXPECT_NE(ok.find("Supported: path\r\n"), std::string::npos);
  EXPECT_EQ(ok.find("Path:"), std::string::npos);
  EXPECT_EQ(rig.handler.stats().registered, 1u);
  EXPECT_EQ(rig.digest.stats().challenges, 1u);
}

class RecordingRegisterObserver : public RegisterObserver {
 public:
  std::vector<std::string> events;  // "AOR CODE from PORT"

 private:
  void DoOnRegisterDone(const sip::Message&, std::string_view aor, const net::Endpoint& source,
                        int code) override {
    events.push_back(std::string(aor) + " " + std::to_string(code) + " from " +
                     std::to_string(source.port));
  }
};

TEST(RegisterHandler, ObserverHearsEveryOutcomeButTheChallenge) {
  Rig rig;
  RecordingRegisterObserver observer;
  rig.handler.SetObserver(&observer);
  ASSERT_EQ(rig.Registered("").rfind("SIP/2.0 200 OK", 0), 0u);
  std::string unknown = Register(9, "");
  for (size_t at; (at = unknown.find("1001@")) != std::string::npos;)
    unknown.replace(at, 5, "7777@");
  EXPECT_EQ(rig.Send(unknown).rfind("SIP/2.0 404", 0), 0u);
  EXPECT_EQ(observer.events,
            (std::vector<std::string>{"1001 200 from " + std::to_string(kPhone.port),
                                      "7777 404 from " + std::to_string(kPhone.port)}));
}

TEST(RegisterHandler, NoDateWithoutAKnownWallClock) {
  Rig rig;  // FakeWallClock starts unsynchronised, as a board before SNTP
  std::string ok = rig.Registered("");
  ASSERT_EQ(ok.rfind("SIP/2.0 200 OK\r\n", 0), 0u) << ok;
  EXPECT_EQ(ok.find("Date:"), std::string::npos);
}

TEST(RegisterHandler, PathIsEchoedToAUaThatSupportsIt) {
  Rig rig;
  const std::string path = "Path: <sip:198.51.100.9;lr>\r\n";
  std::string ok = rig.Registered(path + "Supported: path\r\n");
  ASSERT_EQ(ok.rfind("SIP/2.0 200 OK\r\n", 0), 0u) << ok;
  EXPECT_NE(ok.find("\r\nPath: <sip:198.51.100.9;lr>\r\n"), std::string::npos) << ok;
  Binding* b = rig.location.Find("1001", "sip:1001@198.51.100.1:5061");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->route_set(), "<sip:198.51.100.9;lr>");
  // Without Supported: path the Path is stored but not echoed (RFC 3327 5.3).
  ok = rig.Registered(path, 10);
  EXPECT_EQ(ok.find("\r\nPath:"), std::string::npos) << ok;
  EXPECT_EQ(b->route_set(), "<sip:198.51.100.9;lr>");
}

TEST(RegisterHandler, UnknownRequireGets420BeforeAnythingElse) {
  Rig rig;
  std::string r = rig.Send(Register(1, "Require: path, gruu\r\n"));
  EXPECT_EQ(r.rfind("SIP/2.0 420 Bad Extension\r\n", 0), 0u) << r;
  EXPECT_NE(r.find("Unsupported: gruu\r\n"), std::string::npos) << r;
  EXPECT_EQ(rig.handler.stats().bad_extension, 1u);
  EXPECT_EQ(rig.digest.stats().challenges, 0u);
  // path is ours: the request goes on to the challenge.
  r = rig.Send(Register(2, "Require: path\r\n"));
  EXPECT_EQ(r.rfind("SIP/2.0 401", 0), 0u) << r;
}

TEST(RegisterHandler, ForeignDomainAndUnknownUser) {
  Rig rig;
  std::string r = rig.Send(Register(1, "", "example.com"));
  EXPECT_EQ(r.rfind("SIP/2.0 403 Not Our Domain", 0), 0u) << r;
  std::string unknown = Register(2, "");
  unknown.replace(unknown.find("To: <sip:1001@"), 14, "To: <sip:7777@");
  r = rig.Send(unknown);
  EXPECT_EQ(r.rfind("SIP/2.0 404 Not Found", 0), 0u) << r;
  EXPECT_EQ(rig.handler.stats().foreign, 1u);
  EXPECT_EQ(rig.handler.stats().unknown_users, 1u);
}

TEST(RegisterHandler, RefusalsCarryTheirHeaders) {
  Rig rig;
  std::string brief = Register(1, "");
  brief.replace(brief.find("expires=600"), 11, "expires=5");
  std::string challenge = rig.Send(brief);
  std::string again = Register(2, rig.Credentials(challenge));
  again.replace(again.find("expires=600"), 11, "expires=5");
  std::string r = rig.Send(again);
  EXPECT_EQ(r.rfind("SIP/2.0 423 Interval Too Brief", 0), 0u) << r;
  EXPECT_NE(r.find("Min-Expires: 60\r\n"), std::string::npos);
  EXPECT_EQ(rig.handler.stats().refused, 1u);
}

}  // namespace
}  // namespace gw::registrar

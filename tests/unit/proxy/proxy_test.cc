// The proxy decisions of Core (RFC 3261 section 16) over a real
// TransactionLayer, LocationTable and UserStore, a recording sender and a
// hand-advanced clock. Every test ends with the transaction pool and the
// response contexts empty.
#include <gtest/gtest.h>

#include <cinttypes>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gw/auth/digest.h"
#include "gw/auth/drbg.h"
#include "gw/config/json_arena.h"
#include "gw/core/timer_wheel.h"
#include "gw/proxy/core.h"
#include "gw/sip/response.h"
#include "gw/testing/fake_call_events.h"
#include "gw/testing/fake_hal.h"

namespace gw::proxy {
namespace {

constexpr std::string_view kRealm = "imsgw.local";
constexpr net::Endpoint kGw{net::MakeIp4(198, 51, 100, 2), 5060};
constexpr net::Endpoint kCaller{net::MakeIp4(198, 51, 100, 1), 5061};
constexpr net::Endpoint kCallee{net::MakeIp4(198, 51, 100, 1), 5070};
constexpr net::Endpoint kCallee2{net::MakeIp4(198, 51, 100, 1), 5072};
constexpr net::Endpoint kNatSource{net::MakeIp4(203, 0, 113, 9), 41000};

class Sender : public net::DatagramSender {
 public:
  struct Sent {
    net::Endpoint to;
    std::string data;
  };
  std::vector<Sent> sent;
  net::Endpoint unroutable{};  // sends there fail with Unavailable

 private:
  Status DoSendTo(const net::Endpoint& to, std::span<const std::byte> data) override {
    if (to == unroutable) return Status::Unavailable();
    sent.push_back({to, std::string(reinterpret_cast<const char*>(data.data()), data.size())});
    return Status::Ok();
  }
};

config::JsonArena& Arena() {
  static config::JsonArena arena;
  return arena;
}

std::string Invite(const std::string& ruri = "sip:1002@imsgw.local", const std::string& extra = "",
                   const std::string& method = "INVITE", const std::string& to_tag = "") {
  return method + " " + ruri + " SIP/2.0\r\n" +
         "Via: SIP/2.0/UDP 198.51.100.1:5061;branch=z9hG4bK-c1;rport\r\n" +
         "Max-Forwards: 70\r\n"
         "From: <sip:1001@imsgw.local>;tag=f1\r\n"
         "To: <sip:1002@imsgw.local>" +
         (to_tag.empty() ? "" : ";tag=" + to_tag) + "\r\n" +
         "Call-ID: call-1@198.51.100.1\r\n"
         "CSeq: 1 " +
         method + "\r\n" + "Contact: <sip:1001@198.51.100.1:5061>\r\n" + extra +
         "Content-Type: application/sdp\r\n"
         "Content-Length: 4\r\n\r\nv=0\n";
}

struct Rig {
  testing::FakeClock clock;
  TimerWheel timers{clock.now};
  Sender sender;
  sip::LocalIdentity identity;
  auth::AlgorithmPolicy auth_policy;
  ProxyPolicy policy;
  testing::RamStorage storage{4096, 16};
  users::UserStore users{storage, Arena()};
  registrar::LocationTable location;
  registrar::RegistrarConfig reg_config;
  registrar::Registrar registrar{location, reg_config};
  testing::FakeEntropy entropy;
  auth::Drbg drbg{entropy};
  auth::NonceManager nonces{clock};
  std::unique_ptr<auth::NonceCountTable> counts = std::make_unique<auth::NonceCountTable>();
  auth::Verifier verifier{nonces, *counts};
  auth::DigestCheck digest{verifier, auth_policy};
  testing::FakeWallClock wall_clock;
  registrar::RegisterDeps reg_deps{identity, users, digest, registrar, clock, wall_clock, "imsgw"};
  registrar::RegisterHandler register_handler{reg_deps};
  CoreDeps deps{digest, identity, users,  register_handler, verifier,
                clock,  "imsgw",  policy, location};
  Core core{deps};
  sip::TransactionConfig txn_config;
  std::unique_ptr<sip::TransactionLayer> layer;

  explicit Rig(bool proxy_auth = false) {
    identity.address = kGw.addr;
    identity.port = 5060;
    (void)identity.domain.assign(kRealm);
    policy.proxy_auth = proxy_auth;
    sender.sent.reserve(1024);  // tests hold pointers to what was sent
    EXPECT_TRUE(users.Load(kRealm).ok());
    EXPECT_TRUE(drbg.Init().ok());
    EXPECT_TRUE(nonces.Init(drbg).ok());
    EXPECT_TRUE(verifier.Init({.realm = kRealm}).ok());
    txn_config.timer_c_ms = 10000;
    layer = std::make_unique<sip::TransactionLayer>(sender, timers, core, txn_config);
    core.Attach(*layer);
  }

  void Bind(std::string_view aor, std::string_view contact, net::Endpoint source, bool nat) {
    auto b = location.Allocate(aor);
    ASSERT_TRUE(b.ok());
    (*b)->in_use = true;
    (void)(*b)->aor.assign(aor);
    (void)(*b)->contact.assign(contact);
    (*b)->source = source;
    (*b)->nat = nat;
    (*b)->expires_at_ms = clock.now + 3600 * 1000;
  }

  void Receive(const std::string& text, net::Endpoint from) {
    sip::Message m;
    ASSERT_TRUE(m.Parse(text).ok()) << text;
    layer->Receive(m, from);
  }

  // The response `code` the callee at `from` sends to the request sent[i].
  void Answer(size_t i, int code, std::string_view reason, net::Endpoint from,
              std::string_view to_tag = "t2", std::string_view extra = {}) {
    sip::Message req;
    ASSERT_TRUE(req.Parse(sender.sent[i].data).ok());
    String<3 * sip::Transaction::kMaxMessage> out;
    sip::ResponseExtras extras{to_tag, extra, {}};
    ASSERT_TRUE(sip::BuildResponse(req, kGw, code, reason, extras, out).ok());
    Receive(std::string(out.view()), from);
  }

  void Advance(uint32_t ms) {
    for (uint32_t t = 0; t < ms; t += 100) {
      clock.now += 100;
      timers.Advance(clock.now);
    }
  }

  // Everything ends: every transaction and response context released.
  void ExpectDrained() {
    Advance(70000);
    EXPECT_EQ(layer->active(), 0u);
    EXPECT_EQ(core.active_contexts(), 0u);
    EXPECT_EQ(core.active_calls(), 0u);
  }

  size_t CountTo(net::Endpoint to, std::string_view start) const {
    size_t n = 0;
    for (const auto& s : sender.sent) n += s.to == to && s.data.rfind(start, 0) == 0;
    return n;
  }
  const Sender::Sent* Find(net::Endpoint to, std::string_view start, size_t nth = 0) const {
    for (const auto& s : sender.sent) {
      if (s.to == to && s.data.rfind(start, 0) == 0 && nth-- == 0) return &s;
    }
    return nullptr;
  }
  // 1002 on two contacts and the INVITE from 1001 forked to both: the
  // indexes in sender.sent of the INVITE to kCallee and to kCallee2.
  std::pair<size_t, size_t> ForkedInvite() {
    Bind("1002", "sip:1002@198.51.100.1:5070", kCallee, false);
    Bind("1002", "sip:1002@198.51.100.1:5072", kCallee2, false);
    Receive(Invite(), kCaller);
    const Sender::Sent* a = Find(kCallee, "INVITE ");
    const Sender::Sent* b = Find(kCallee2, "INVITE ");
    EXPECT_NE(a, nullptr);
    EXPECT_NE(b, nullptr);
    return {a != nullptr ? IndexOf(a) : 0, b != nullptr ? IndexOf(b) : 0};
  }
  size_t IndexOf(const Sender::Sent* s) const {
    return static_cast<size_t>(s - sender.sent.data());
  }
};

std::string WithBranchOf(std::string msg, const std::string& branch) {
  msg.replace(msg.find("z9hG4bK-c1"), 10, branch);
  return msg;
}

std::string Header(const std::string& msg, sip::HeaderId id) {
  sip::Message m;
  if (!m.Parse(msg).ok()) return "<unparsed>";
  const sip::Header* h = m.Find(id);
  return h == nullptr ? "<absent>" : std::string(h->value);
}

std::string BranchOf(const std::string& msg) {
  sip::Message m;
  std::string_view top;
  sip::Via via;
  if (!m.Parse(msg).ok() || !sip::TopViaValue(m, top) || !sip::ParseVia(top, via).ok()) return "";
  return std::string(via.branch);
}

TEST(Proxy, InviteIsForwardedWithEditsAndTrying) {
  auto rig = std::make_unique<Rig>();
  rig->Bind("1002", "sip:1002@198.51.100.1:5070", kCallee, false);
  rig->Receive(Invite(), kCaller);
  const auto* trying = rig->Find(kCaller, "SIP/2.0 100 Trying");
  ASSERT_NE(trying, nullptr);
  const auto* fwd = rig->Find(kCallee, "INVITE ");
  ASSERT_NE(fwd, nullptr);
  std::string branch = BranchOf(fwd->data);
  ASSERT_EQ(branch.rfind("z9hG4bKgw", 0), 0u) << fwd->data;
  EXPECT_EQ(fwd->data,
            "INVITE sip:1002@198.51.100.1:5070 SIP/2.0\r\n"
            "Via: SIP/2.0/UDP 198.51.100.2:5060;branch=" +
                branch +
                "\r\n"
                "Record-Route: <sip:198.51.100.2:5060;lr>\r\n"
                "Via: SIP/2.0/UDP "
                "198.51.100.1:5061;branch=z9hG4bK-c1;rport=5061;received=198.51.100.1\r\n"
                "Max-Forwards: 69\r\n"
                "From: <sip:1001@imsgw.local>;tag=f1\r\n"
                "To: <sip:1002@imsgw.local>\r\n"
                "Call-ID: call-1@198.51.100.1\r\n"
                "CSeq: 1 INVITE\r\n"
                "Contact: <sip:1001@198.51.100.1:5061>\r\n"
                "Content-Type: application/sdp\r\n"
                "Content-Length: 4\r\n\r\nv=0\n");
  // 180 and 200 go upstream without our Via.
  rig->Answer(rig->IndexOf(fwd), 180, "Ringing", kCallee);
  const auto* ringing = rig->Find(kCaller, "SIP/2.0 180 Ringing");
  ASSERT_NE(ringing, nullptr);
  EXPECT_EQ(Header(ringing->data, sip::HeaderId::kVia),
            "SIP/2.0/UDP 198.51.100.1:5061;branch=z9hG4bK-c1;rport=5061;received=198.51.100.1");
  rig->Answer(
      rig->IndexOf(rig->Find(kCallee, "INVITE ")), 200, "OK", kCallee, "t2",
      "Record-Route: <sip:198.51.100.2:5060;lr>\r\nContact: <sip:1002@198.51.100.1:5070>\r\n");
  const auto* ok = rig->Find(kCaller, "SIP/2.0 200 OK");
  ASSERT_NE(ok, nullptr);
  EXPECT_NE(ok->data.find("Record-Route: <sip:198.51.100.2:5060;lr>\r\n"), std::string::npos);
  // The 2xx ACK: loose routing, our Route popped, stateless to the contact.
  rig->Receive(
      "ACK sip:1002@198.51.100.1:5070 SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 198.51.100.1:5061;branch=z9hG4bK-ack1\r\n"
      "Route: <sip:198.51.100.2:5060;lr>\r\n"
      "Max-Forwards: 70\r\nFrom: <sip:1001@imsgw.local>;tag=f1\r\n"
      "To: <sip:1002@imsgw.local>;tag=t2\r\nCall-ID: call-1@198.51.100.1\r\n"
      "CSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n",
      kCaller);
  const auto* ack = rig->Find(kCallee, "ACK sip:1002@198.51.100.1:5070 SIP/2.0\r\n");
  ASSERT_NE(ack, nullptr);
  EXPECT_EQ(ack->data.find("Route:"), std::string::npos) << ack->data;
  EXPECT_EQ(Header(ack->data, sip::HeaderId::kMaxForwards), "69");
  // BYE from the callee to the caller's contact, through us.
  rig->Receive(
      "BYE sip:1001@198.51.100.1:5061 SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 198.51.100.1:5070;branch=z9hG4bK-bye1\r\n"
      "Route: <sip:198.51.100.2:5060;lr>\r\n"
      "Max-Forwards: 70\r\nFrom: <sip:1002@imsgw.local>;tag=t2\r\n"
      "To: <sip:1001@imsgw.local>;tag=f1\r\nCall-ID: call-1@198.51.100.1\r\n"
      "CSeq: 1 BYE\r\nContent-Length: 0\r\n\r\n",
      kCallee);
  const auto* bye = rig->Find(kCaller, "BYE sip:1001@198.51.100.1:5061 SIP/2.0\r\n");
  ASSERT_NE(bye, nullptr);
  EXPECT_EQ(bye->data.find("Record-Route"), std::string::npos);
  rig->Answer(rig->IndexOf(bye), 200, "OK", kCaller, "");
  EXPECT_NE(rig->Find(kCallee, "SIP/2.0 200 OK"), nullptr);
  EXPECT_EQ(rig->core.stats().forwarded, 2u);
  rig->ExpectDrained();
}

TEST(Proxy, MaxForwardsZeroGets483ButOptionsToUsIsAnswered) {
  auto rig = std::make_unique<Rig>();
  std::string req = Invite();
  req.replace(req.find("Max-Forwards: 70"), 16, "Max-Forwards: 0");
  rig->Receive(req, kCaller);
  EXPECT_NE(rig->Find(kCaller, "SIP/2.0 483 Too Many Hops"), nullptr);
  std::string options = Invite("sip:imsgw.local", "", "OPTIONS");
  options.replace(options.find("Max-Forwards: 70"), 16, "Max-Forwards: 0");
  rig->Receive(options, kCaller);
  EXPECT_NE(rig->Find(kCaller, "SIP/2.0 200 OK"), nullptr);
  rig->ExpectDrained();
}

TEST(Proxy, OptionsToAUserGoesToTheUserOnlyOptionsToUsIsAnswered) {
  auto rig = std::make_unique<Rig>();
  rig->Receive(Invite("sip:1002@imsgw.local", "", "OPTIONS"), kCaller);
  EXPECT_NE(rig->Find(kCaller, "SIP/2.0 480 Temporarily Unavailable"), nullptr);
  rig->Receive(WithBranchOf(Invite("sip:nobody@imsgw.local", "", "OPTIONS"), "z9hG4bK-o2"),
               kCaller);
  EXPECT_NE(rig->Find(kCaller, "SIP/2.0 404 Not Found"), nullptr);
  rig->Bind("1002", "sip:1002@198.51.100.1:5070", kCallee, false);
  rig->Receive(WithBranchOf(Invite("sip:1002@imsgw.local", "", "OPTIONS"), "z9hG4bK-o3"), kCaller);
  const auto* fwd = rig->Find(kCallee, "OPTIONS sip:1002@198.51.100.1:5070 SIP/2.0");
  ASSERT_NE(fwd, nullptr);
  rig->Answer(rig->IndexOf(fwd), 200, "OK", kCallee, "t2", "Allow: INVITE, ACK\r\n");
  const auto* ok = rig->Find(kCaller, "SIP/2.0 200 OK");
  ASSERT_NE(ok, nullptr);
  EXPECT_EQ(Header(ok->data, sip::HeaderId::kAllow), "INVITE, ACK") << "the phone's answer";
  rig->Receive(WithBranchOf(Invite("sip:imsgw.local", "", "OPTIONS"), "z9hG4bK-o4"), kCaller);
  EXPECT_NE(rig->Find(kCaller, "SIP/2.0 200 OK", 1), nullptr);
  EXPECT_EQ(rig->CountTo(kCallee, "OPTIONS "), 1u);
  rig->ExpectDrained();
}

TEST(Proxy, UnsupportedRequestUriSchemeGets416) {
  auto rig = std::make_unique<Rig>();
  // RFC 4475 3.3.2 (unkscm) and a tel: URI (no number translation here).
  rig->Receive(Invite("nobodyKnowsThisScheme:totallyopaquecontent", "", "OPTIONS"), kCaller);
  rig->Receive(WithBranchOf(Invite("tel:+15551234567"), "z9hG4bK-t2"), kCaller);
  rig->Receive(WithBranchOf(Invite("sips:1002@imsgw.local", "", "MESSAGE"), "z9hG4bK-t3"), kCaller);
  EXPECT_EQ(rig->CountTo(kCaller, "SIP/2.0 416 Unsupported URI Scheme"), 3u);
  EXPECT_EQ(rig->CountTo(kCallee, ""), 0u);
  rig->ExpectDrained();
}

TEST(Proxy, UnknownUser404KnownButOffline480Foreign403) {
  auto rig = std::make_unique<Rig>();
  rig->Receive(Invite("sip:4242@imsgw.local"), kCaller);
  EXPECT_NE(rig->Find(kCaller, "SIP/2.0 404 Not Found"), nullptr);
  std::string offline = Invite("sip:1002@198.51.100.2");
  offline.replace(offline.find("z9hG4bK-c1"), 10, "z9hG4bK-c4");
  rig->Receive(offline, kCaller);
  EXPECT_EQ(rig->CountTo(kCaller, "SIP/2.0 480 Temporarily Unavailable"), 1u);
  std::string foreign = Invite("sip:bob@example.com", "", "MESSAGE");
  foreign.replace(foreign.find("z9hG4bK-c1"), 10, "z9hG4bK-c2");
  rig->Receive(foreign, kCaller);
  EXPECT_NE(rig->Find(kCaller, "SIP/2.0 403 Not Our Domain"), nullptr);
  rig->ExpectDrained();
}

TEST(Proxy, LoopedRequestGets482) {
  auto rig = std::make_unique<Rig>();
  rig->Bind("1002", "sip:1002@198.51.100.1:5070", kCallee, false);
  rig->Receive(Invite("sip:1002@imsgw.local", "", "MESSAGE"), kCaller);
  const auto* fwd = rig->Find(kCallee, "MESSAGE ");
  ASSERT_NE(fwd, nullptr);
  // The same request comes back with the R-URI it had: a loop, not a spiral.
  std::string back = fwd->data;
  std::string looped =
      "MESSAGE sip:1002@imsgw.local SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 198.51.100.1:5080;branch=z9hG4bK-loop\r\n" +
      back.substr(back.find("\r\n") + 2);
  rig->Receive(looped, net::Endpoint{kCallee.addr, 5080});
  EXPECT_NE(rig->Find(net::Endpoint{kCallee.addr, 5080}, "SIP/2.0 482 Loop Detected"), nullptr);
  rig->Answer(rig->IndexOf(fwd), 200, "OK", kCallee);
  EXPECT_NE(rig->Find(kCaller, "SIP/2.0 200 OK"), nullptr);
  EXPECT_EQ(rig->core.stats().loops, 1u);
  rig->ExpectDrained();
}

TEST(Proxy, NatedBindingIsReachedAtItsSourceWithTheContactKept) {
  auto rig = std::make_unique<Rig>();
  rig->Bind("1002", "sip:1002@10.0.0.7:5060", kNatSource, true);
  rig->Receive(Invite("sip:1002@imsgw.local", "", "MESSAGE"), kCaller);
  const auto* fwd = rig->Find(kNatSource, "MESSAGE sip:1002@10.0.0.7:5060 SIP/2.0\r\n");
  ASSERT_NE(fwd, nullptr);
  EXPECT_EQ(fwd->data.find("Record-Route"), std::string::npos) << "MESSAGE creates no dialog";
  rig->Answer(rig->IndexOf(fwd), 202, "Accepted", kNatSource);
  EXPECT_NE(rig->Find(kCaller, "SIP/2.0 202 Accepted"), nullptr);
  rig->ExpectDrained();
}

TEST(Proxy, StrictRouterRequestUriIsReplacedByTheLastRoute) {
  auto rig = std::make_unique<Rig>();
  rig->Bind("1002", "sip:1002@198.51.100.1:5070", kCallee, false);
  rig->Receive(
      "BYE sip:198.51.100.2:5060;lr SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 198.51.100.1:5061;branch=z9hG4bK-s1\r\n"
      "Route: <sip:1002@198.51.100.1:5070>\r\n"
      "From: <sip:1001@imsgw.local>;tag=f1\r\nTo: <sip:1002@imsgw.local>;tag=t2\r\n"
      "Call-ID: strict-1\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n",
      kCaller);
  const auto* fwd = rig->Find(kCallee, "BYE sip:1002@198.51.100.1:5070 SIP/2.0\r\n");
  ASSERT_NE(fwd, nullptr);
  EXPECT_EQ(fwd->data.find("Route:"), std::string::npos) << fwd->data;
  EXPECT_EQ(Header(fwd->data, sip::HeaderId::kMaxForwards), "70") << "added when absent";
  rig->Answer(rig->IndexOf(fwd), 200, "OK", kCallee, "");
  EXPECT_NE(rig->Find(kCaller, "SIP/2.0 200 OK"), nullptr);
  rig->ExpectDrained();
}

TEST(Proxy, LooseRoutingKeepsTheOtherRoutes) {
  auto rig = std::make_unique<Rig>();
  // The next hop is a peer proxy on a trunk network.
  ASSERT_TRUE(net::ParseIp4NetList("203.0.113.0/24", rig->policy.trunks));
  const net::Endpoint peer{net::MakeIp4(203, 0, 113, 7), 5090};
  rig->Receive(Invite("sip:1002@198.51.100.1:5070",
                      "Route: <sip:198.51.100.2;lr>, <sip:203.0.113.7:5090;lr>\r\n", "INFO", "t2"),
               kCaller);
  const auto* fwd = rig->Find(peer, "INFO sip:1002@198.51.100.1:5070");
  ASSERT_NE(fwd, nullptr);
  EXPECT_EQ(Header(fwd->data, sip::HeaderId::kRoute), "<sip:203.0.113.7:5090;lr>");
  rig->Answer(rig->IndexOf(fwd), 200, "OK", peer, "");
  rig->ExpectDrained();
}

// ---------------------------------------------------------------------------
// The relay policy (Core::MayRelay): nothing reaches a foreign address
// unless SIP.TRUNK_NETS names it or it is a peer of a call we route.

constexpr net::Endpoint kForeign{net::MakeIp4(203, 0, 113, 50), 5060};

size_t SentToForeign(const Rig& rig) {
  net::Ip4Net foreign;
  EXPECT_TRUE(net::ParseIp4Net("203.0.113.0/24", foreign));
  size_t n = 0;
  for (const auto& s : rig.sender.sent) n += foreign.Contains(s.to.addr);
  return n;
}

TEST(Relay, NoRequestReachesAForeignAddressWhateverItsFromMethodOrRoute) {
  struct Route {
    std::string ruri;
    std::string headers;
  };
  const Route routes[] = {
      {"sip:premium@203.0.113.50", ""},
      {"sip:premium@203.0.113.50", "Route: <sip:198.51.100.2;lr>\r\n"},
      {"sip:premium@203.0.113.50:5060", "Route: <sip:198.51.100.2:5060;lr>\r\n"},
      {"sip:premium@203.0.113.50", "Route: <sip:imsgw.local;lr>\r\n"},
      {"sip:1002@imsgw.local", "Route: <sip:203.0.113.50;lr>\r\n"},
      {"sip:1002@imsgw.local", "Route: <sip:198.51.100.2;lr>, <sip:203.0.113.50;lr>\r\n"},
      {"sip:198.51.100.2", "Route: <sip:premium@203.0.113.50>\r\n"},  // strict-router form
  };
  const char* methods[] = {"INVITE", "MESSAGE", "OPTIONS", "SUBSCRIBE", "INFO", "BYE", "REFER"};
  const char* froms[] = {"sip:1001@imsgw.local", "sip:mallory@203.0.113.66"};
  auto rig = std::make_unique<Rig>();
  rig->Bind("1002", "sip:1002@198.51.100.1:5070", kCallee, false);
  int n = 0;
  for (const Route& r : routes) {
    for (const char* method : methods) {
      for (const char* from : froms) {
        for (const char* to_tag : {"", "t9"}) {
          std::string req = WithBranchOf(Invite(r.ruri, r.headers, method, to_tag),
                                         "z9hG4bK-r" + std::to_string(++n));
          req.replace(req.find("sip:1001@imsgw.local"), 20, from);
          rig->Receive(req, kCaller);
          ASSERT_EQ(SentToForeign(*rig), 0u) << req;
        }
      }
    }
  }
  EXPECT_GT(rig->core.stats().relay_refused, 100u);
  EXPECT_NE(rig->Find(kCaller, "SIP/2.0 403 Not Relaying"), nullptr);
  rig->ExpectDrained();
}

TEST(Relay, AckTowardAForeignAddressIsNotForwarded) {
  auto rig = std::make_unique<Rig>();
  rig->Receive(
      "ACK sip:premium@203.0.113.50 SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 198.51.100.1:5061;branch=z9hG4bK-a1\r\n"
      "Route: <sip:198.51.100.2;lr>\r\nMax-Forwards: 70\r\n"
      "From: <sip:1001@imsgw.local>;tag=f1\r\nTo: <sip:premium@203.0.113.50>;tag=t2\r\n"
      "Call-ID: ack-1\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n",
      kCaller);
  EXPECT_EQ(SentToForeign(*rig), 0u);
  EXPECT_EQ(rig->core.stats().relay_refused, 1u);
  EXPECT_EQ(rig->core.stats().acks_forwarded, 0u);
  rig->ExpectDrained();
}

TEST(Relay, TrunkNetworksAreReachable) {
  auto rig = std::make_unique<Rig>();
  ASSERT_TRUE(net::ParseIp4NetList("203.0.113.0/24", rig->policy.trunks));
  rig->Receive(Invite("sip:5551234@203.0.113.50", "Route: <sip:198.51.100.2;lr>\r\n"), kCaller);
  const auto* fwd = rig->Find(kForeign, "INVITE sip:5551234@203.0.113.50 SIP/2.0");
  ASSERT_NE(fwd, nullptr);
  EXPECT_EQ(rig->core.stats().relay_refused, 0u);
  rig->Answer(rig->IndexOf(fwd), 486, "Busy Here", kForeign);
  EXPECT_NE(rig->Find(kCaller, "SIP/2.0 486 Busy Here"), nullptr);
  rig->ExpectDrained();
}

TEST(Relay, InDialogRequestReachesTheForeignPeerOfAKnownCall) {
  // alice at 203.0.113.60 (no subscriber of ours) calls 1002; 1002 hangs up.
  auto rig = std::make_unique<Rig>();
  const net::Endpoint alice{net::MakeIp4(203, 0, 113, 60), 5060};
  rig->Bind("1002", "sip:1002@198.51.100.1:5070", kCallee, false);
  rig->Receive(
      "INVITE sip:1002@imsgw.local SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 203.0.113.60;branch=z9hG4bK-in1\r\nMax-Forwards: 70\r\n"
      "From: <sip:alice@example.com>;tag=fa\r\nTo: <sip:1002@imsgw.local>\r\n"
      "Call-ID: inbound-1\r\nCSeq: 1 INVITE\r\nContact: <sip:alice@203.0.113.60>\r\n"
      "Content-Length: 0\r\n\r\n",
      alice);
  const auto* inv = rig->Find(kCallee, "INVITE ");
  ASSERT_NE(inv, nullptr);
  rig->Answer(rig->IndexOf(inv), 200, "OK", kCallee, "t2",
              "Contact: <sip:1002@198.51.100.1:5070>\r\n");
  ASSERT_EQ(rig->core.active_calls(), 1u);
  // A BYE of another Call-ID toward alice is refused; the call's own goes.
  const std::string bye =
      "BYE sip:alice@203.0.113.60 SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 198.51.100.1:5070;branch=z9hG4bK-b1\r\n"
      "Route: <sip:198.51.100.2:5060;lr>\r\nMax-Forwards: 70\r\n"
      "From: <sip:1002@imsgw.local>;tag=t2\r\nTo: <sip:alice@example.com>;tag=fa\r\n"
      "Call-ID: inbound-1\r\nCSeq: 1 BYE\r\nContent-Length: 0\r\n\r\n";
  std::string other = bye;
  other.replace(other.find("inbound-1"), 9, "inbound-2");
  other.replace(other.find("z9hG4bK-b1"), 10, "z9hG4bK-b2");
  rig->Receive(other, kCallee);
  EXPECT_NE(rig->Find(kCallee, "SIP/2.0 403 Not Relaying"), nullptr);
  EXPECT_EQ(rig->Find(alice, "BYE "), nullptr);
  rig->Receive(bye, kCallee);
  const auto* fwd = rig->Find(alice, "BYE sip:alice@203.0.113.60 SIP/2.0");
  ASSERT_NE(fwd, nullptr);
  rig->Answer(rig->IndexOf(fwd), 200, "OK", alice, "");
  EXPECT_NE(rig->Find(kCallee, "SIP/2.0 200 OK"), nullptr);
  EXPECT_EQ(rig->core.stats().relay_refused, 1u);
  rig->ExpectDrained();
}

// RFC 3261 16.6 step 6: the next hop is a strict router (no lr): it gets
// the request with its URI as R-URI and ours last in Route.
TEST(Proxy, StrictRouterNextHopGetsItsUriAsRequestUri) {
  auto rig = std::make_unique<Rig>();
  ASSERT_TRUE(net::ParseIp4NetList("203.0.113.0/24", rig->policy.trunks));
  const net::Endpoint peer{net::MakeIp4(203, 0, 113, 7), 5090};
  rig->Receive(Invite("sip:5551234@203.0.113.80",
                      "Route: <sip:198.51.100.2;lr>, <sip:203.0.113.7:5090>, <sip:203.0.113.9>\r\n",
                      "INFO", "t2"),
               kCaller);
  const auto* fwd = rig->Find(peer, "INFO sip:203.0.113.7:5090 SIP/2.0\r\n");
  ASSERT_NE(fwd, nullptr);
  EXPECT_NE(fwd->data.find("Route: <sip:203.0.113.9>\r\n"), std::string::npos) << fwd->data;
  EXPECT_NE(fwd->data.find("Route: <sip:5551234@203.0.113.80>\r\n"), std::string::npos);
  EXPECT_EQ(fwd->data.find("<sip:203.0.113.7:5090>"), std::string::npos);
  rig->Answer(rig->IndexOf(fwd), 200, "OK", peer, "");
  rig->ExpectDrained();
}

TEST(Proxy, EveryOtherMethodIsProxiedInAndOutOfDialog) {
  // RFC 3261 16: the proxy forwards what it does not understand as well as
  // what it does; only dialog-creating requests get our Record-Route.
  struct Case {
    const char* method;
    bool in_dialog;
    bool record_route;
  };
  const Case cases[] = {
      {"PRACK", true, false},    {"UPDATE", true, false},    {"INFO", true, false},
      {"NOTIFY", true, false},   {"SUBSCRIBE", false, true}, {"REFER", false, true},
      {"PUBLISH", false, false}, {"FOO", false, false},      {"INFO", false, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.method) + (c.in_dialog ? " in dialog" : " out of dialog"));
    auto rig = std::make_unique<Rig>();
    rig->Bind("1002", "sip:1002@198.51.100.1:5070", kCallee, false);
    std::string req = c.in_dialog ? Invite("sip:1002@198.51.100.1:5070",
                                           "Route: <sip:198.51.100.2;lr>\r\n", c.method, "t2")
                                  : Invite("sip:1002@imsgw.local", "", c.method);
    rig->Receive(req, kCaller);
    const auto* fwd = rig->Find(kCallee, std::string(c.method) + " sip:1002@198.51.100.1:5070 ");
    ASSERT_NE(fwd, nullptr);
    EXPECT_EQ(Header(fwd->data, sip::HeaderId::kMaxForwards), "69");
    EXPECT_EQ(Header(fwd->data, sip::HeaderId::kRoute), "<absent>") << "our own Route is gone";
    EXPECT_EQ(Header(fwd->data, sip::HeaderId::kRecordRoute) != "<absent>", c.record_route)
        << fwd->data;
    EXPECT_EQ(rig->CountTo(kCaller, "SIP/2.0 100"), 0u) << "no 100 Trying for non-INVITE";
    rig->Answer(rig->IndexOf(fwd), 202, "Accepted", kCallee, c.in_dialog ? "t2" : "t9");
    const auto* up = rig->Find(kCaller, "SIP/2.0 202 Accepted");
    ASSERT_NE(up, nullptr);
    EXPECT_EQ(Header(up->data, sip::HeaderId::kCSeq), std::string("1 ") + c.method);
    rig->ExpectDrained();
  }
}

TEST(Proxy, ForksToEveryContactAndCancelsTheLoser) {
  auto rig = std::make_unique<Rig>();
  rig->Bind("1002", "sip:1002@198.51.100.1:5070", kCallee, false);
  rig->Bind("1002", "sip:1002@198.51.100.1:5072", kCallee2, false);
  rig->Receive(Invite(), kCaller);
  const auto* a = rig->Find(kCallee, "INVITE ");
  const auto* b = rig->Find(kCallee2, "INVITE ");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_NE(BranchOf(a->data), BranchOf(b->data));
  size_t ia = rig->IndexOf(a), ib = rig->IndexOf(b);
  rig->Answer(ia, 180, "Ringing", kCallee, "ta");
  rig->Answer(ib, 180, "Ringing", kCallee2, "tb");
  EXPECT_EQ(rig->CountTo(kCaller, "SIP/2.0 180 Ringing"), 2u);
  rig->Answer(ib, 200, "OK", kCallee2, "tb");
  EXPECT_EQ(rig->CountTo(kCaller, "SIP/2.0 200 OK"), 1u);
  const auto* cancel = rig->Find(kCallee, "CANCEL ");
  ASSERT_NE(cancel, nullptr);
  EXPECT_EQ(BranchOf(cancel->data), BranchOf(rig->sender.sent[ia].data));
  rig->Answer(rig->IndexOf(cancel), 200, "OK", kCallee, "ta");
  rig->Answer(ia, 487, "Request Terminated", kCallee, "ta");
  EXPECT_EQ(rig->CountTo(kCaller, "SIP/2.0 487"), 0u) << "the 200 was the answer";
  EXPECT_NE(rig->Find(kCallee, "ACK "), nullptr) << "hop-by-hop ACK for the 487";
  EXPECT_EQ(rig->core.active_calls(), 1u) << "answered: until a BYE";
  EXPECT_EQ(rig->core.HangUpAll(), 1u);
  rig->ExpectDrained();
}

// RFC 3261 16.7 step 5: a 6xx CANCELs the other branches, but the answer
// is chosen once they are done, and it goes up whole.
TEST(Proxy, SixHundredWaitsForTheOtherBranchesAndGoesUpWhole) {
  auto rig = std::make_unique<Rig>();
  auto [ia, ib] = rig->ForkedInvite();
  rig->Answer(ib, 180, "Ringing", kCallee2, "tb");
  rig->Answer(ia, 603, "Decline", kCallee, "ta",
              "Warning: 399 phone \"Do not disturb\"\r\nRetry-After: 3600\r\n");
  EXPECT_EQ(rig->CountTo(kCaller, "SIP/2.0 603"), 0u) << "the other branch is still pending";
  const auto* cancel = rig->Find(kCallee2, "CANCEL ");
  ASSERT_NE(cancel, nullptr);
  rig->Answer(rig->IndexOf(cancel), 200, "OK", kCallee2, "tb");
  rig->Answer(ib, 487, "Request Terminated", kCallee2, "tb");
  const auto* decline = rig->Find(kCaller, "SIP/2.0 603 Decline");
  ASSERT_NE(decline, nullptr);
  EXPECT_NE(decline->data.find("\r\nWarning: 399 phone \"Do not disturb\"\r\n"), std::string::npos);
  EXPECT_EQ(Header(decline->data, sip::HeaderId::kRetryAfter), "3600");
  EXPECT_NE(Header(decline->data, sip::HeaderId::kTo).find("tag=ta"), std::string::npos);
  EXPECT_EQ(rig->CountTo(kCaller, "SIP/2.0 487"), 0u);
  rig->ExpectDrained();
}

TEST(Proxy, HeldThreeHundredGoesUpWithItsContact) {
  auto rig = std::make_unique<Rig>();
  auto [ia, ib] = rig->ForkedInvite();
  rig->Answer(ia, 302, "Moved Temporarily", kCallee, "ta",
              "Contact: <sip:1002@198.51.100.1:5099>\r\n");
  EXPECT_EQ(rig->CountTo(kCaller, "SIP/2.0 302"), 0u);
  rig->Answer(ib, 486, "Busy Here", kCallee2, "tb");
  const auto* moved = rig->Find(kCaller, "SIP/2.0 302 Moved Temporarily");
  ASSERT_NE(moved, nullptr);
  EXPECT_EQ(Header(moved->data, sip::HeaderId::kContact), "<sip:1002@198.51.100.1:5099>");
  EXPECT_EQ(rig->CountTo(kCaller, "SIP/2.0 486"), 0u);
  rig->ExpectDrained();
}

// 16.7 step 5: a 2xx after our own final answer still reaches the caller
// at once (the server transaction is past its final: statelessly).
TEST(Proxy, TwoHundredAfterOurFinalGoesUpAtOnce) {
  auto rig = std::make_unique<Rig>();
  rig->Bind("1002", "sip:1002@198.51.100.1:5070", kCallee, false);
  rig->Receive(Invite(), kCaller);
  size_t ia = rig->IndexOf(rig->Find(kCallee, "INVITE "));
  rig->Answer(ia, 180, "Ringing", kCallee);
  ASSERT_TRUE(rig->core.HangUp("call-1@198.51.100.1").ok());  // RMV CALL while ringing
  ASSERT_NE(rig->Find(kCaller, "SIP/2.0 487 Request Terminated"), nullptr);
  rig->Answer(ia, 200, "OK", kCallee, "t2", "Contact: <sip:1002@198.51.100.1:5070>\r\n");
  const auto* ok = rig->Find(kCaller, "SIP/2.0 200 OK");
  ASSERT_NE(ok, nullptr);
  EXPECT_EQ(Header(ok->data, sip::HeaderId::kCSeq), "1 INVITE");
  rig->ExpectDrained();
}

TEST(Proxy, ProxyingLeavesRoomForLocalWork) {
  // Forwarded INVITEs nobody answers (two transactions each, held until
  // Timer B/C) take the pool only up to Core::kLocalReserve: the next one is
  // our own overload, 503 with Retry-After (not 500, which 16.7 step 6 keeps
  // for a received 503), while a REGISTER and an OPTIONS are still served.
  auto rig = std::make_unique<Rig>();
  rig->Bind("1002", "sip:1002@198.51.100.1:5070", kCallee, false);
  auto from_outside = [](std::string m, size_t i) {
    m.replace(m.find("sip:1001@imsgw.local"), 20, "sip:ext" + std::to_string(i) + "@example.com");
    m.replace(m.find("z9hG4bK-c1"), 10, "z9hG4bK-p" + std::to_string(i));
    m.replace(m.find("call-1@"), 7, "call-p" + std::to_string(i) + "@");
    return m;
  };
  const size_t room = (sip::TransactionLayer::kCapacity - Core::kLocalReserve) / 2;
  for (size_t i = 0; i < room; ++i) rig->Receive(from_outside(Invite(), i), kCaller);
  ASSERT_EQ(rig->CountTo(kCallee, "INVITE "), room);
  ASSERT_EQ(rig->CountTo(kCaller, "SIP/2.0 503"), 0u);
  rig->Receive(from_outside(Invite(), 7777), kCaller);
  const auto* answer = rig->Find(kCaller, "SIP/2.0 503 Service Unavailable");
  ASSERT_NE(answer, nullptr);
  EXPECT_NE(answer->data.find("Call-ID: call-p7777@"), std::string::npos);
  EXPECT_NE(answer->data.find("Retry-After: 5\r\n"), std::string::npos);
  EXPECT_EQ(rig->CountTo(kCaller, "SIP/2.0 500"), 0u);
  EXPECT_EQ(rig->CountTo(kCallee, "INVITE "), room) << "the last INVITE was not forwarded";
  EXPECT_EQ(rig->core.stats().contexts_full, 1u);
  std::string reg = Invite("sip:imsgw.local", "", "REGISTER");
  reg.replace(reg.find("z9hG4bK-c1"), 10, "z9hG4bK-r1");
  rig->Receive(reg, kCaller);
  EXPECT_EQ(rig->CountTo(kCaller, "SIP/2.0 401"), 1u) << "the registrar still has room";
  std::string options = Invite("sip:imsgw.local", "", "OPTIONS");
  options.replace(options.find("z9hG4bK-c1"), 10, "z9hG4bK-o1");
  rig->Receive(options, kCaller);
  EXPECT_EQ(rig->CountTo(kCaller, "SIP/2.0 200"), 1u);
  rig->ExpectDrained();
}

TEST(Proxy, OptionsToUsWithUnknownRequireGets420) {
  auto rig = std::make_unique<Rig>();
  rig->Receive(Invite("sip:imsgw.local", "Require: foo, path\r\n", "OPTIONS"), kCaller);
  const auto* r = rig->Find(kCaller, "SIP/2.0 420 Bad Extension\r\n");
  ASSERT_NE(r, nullptr);
  EXPECT_NE(r->data.find("Unsupported: foo\r\n"), std::string::npos) << r->data;
  EXPECT_EQ(rig->core.stats().bad_extension, 1u);
  std::string ok = Invite("sip:imsgw.local", "Require: path\r\n", "OPTIONS");
  ok.replace(ok.find("z9hG4bK-c1"), 10, "z9hG4bK-o2");
  rig->Receive(ok, kCaller);
  const auto* answer = rig->Find(kCaller, "SIP/2.0 200 OK");
  ASSERT_NE(answer, nullptr);
  EXPECT_NE(answer->data.find("Supported: path\r\n"), std::string::npos);
  rig->ExpectDrained();
}

TEST(Proxy, RequestTooLargeToForwardGets413NotATimeout) {
  auto rig = std::make_unique<Rig>();
  rig->Bind("1002", "sip:1002@198.51.100.1:5070", kCallee, false);
  // Fits the receive buffer, but not the forwarding one once our Via and
  // Record-Route are added.
  std::string invite = Invite();
  const std::string body = "v=0\n" + std::string(sip::Transaction::kMaxMessage - 340, 'a') + "\n";
  invite.replace(invite.find("Content-Length: 4\r\n\r\nv=0\n"), std::string::npos,
                 "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  ASSERT_LT(invite.size(), sip::Transaction::kMaxMessage);
  rig->Receive(invite, kCaller);
  EXPECT_EQ(rig->CountTo(kCallee, "INVITE "), 0u);
  EXPECT_EQ(rig->CountTo(kCaller, "SIP/2.0 413 Request Entity Too Large"), 1u);
  EXPECT_EQ(rig->CountTo(kCaller, "SIP/2.0 408"), 0u);
  EXPECT_EQ(rig->core.stats().too_large, 1u);
  // Without a body it is the message as such: 513.
  std::string options =
      Invite("sip:1002@imsgw.local",
             "X-Pad: " + std::string(sip::Transaction::kMaxMessage - 400, 'p') + "\r\n", "MESSAGE");
  options.replace(options.find("z9hG4bK-c1"), 10, "z9hG4bK-c2");
  options.replace(options.find("Content-Length: 4\r\n\r\nv=0\n"), std::string::npos,
                  "Content-Length: 0\r\n\r\n");
  rig->Receive(options, kCaller);
  EXPECT_EQ(rig->CountTo(kCaller, "SIP/2.0 513 Message Too Large"), 1u);
  rig->ExpectDrained();
}

TEST(Proxy, FinalResponseTooLargeToForwardReachesTheCallerAs502) {
  auto rig = std::make_unique<Rig>();
  rig->Bind("1002", "sip:1002@198.51.100.1:5070", kCallee, false);
  rig->Receive(Invite(), kCaller);
  size_t i = rig->IndexOf(rig->Find(kCallee, "INVITE "));
  const std::string pad = "X-Pad: " + std::string(sip::Transaction::kMaxMessage, 'p') + "\r\n";
  rig->Answer(i, 486, "Busy Here", kCallee, "t2", pad);
  EXPECT_EQ(rig->CountTo(kCaller, "SIP/2.0 486"), 0u);
  EXPECT_EQ(rig->CountTo(kCaller, "SIP/2.0 502 Response Too Large"), 1u);
  EXPECT_EQ(rig->core.stats().too_large, 1u);
  rig->ExpectDrained();
}

TEST(ProxyReclaim, AnsweredRequestsDoNotBlockACall) {
  // A pool full of answered OPTIONS (lingering for Timer J) must not cost a
  // call: the layer ends the oldest of them to make room for the INVITE and
  // for its fork.
  auto rig = std::make_unique<Rig>();
  rig->Bind("1002", "sip:1002@198.51.100.1:5070", kCallee, false);
  for (size_t i = 0; i + 1 < sip::TransactionLayer::kCapacity; ++i) {
    std::string options = Invite("sip:imsgw.local", "", "OPTIONS");
    options.replace(options.find("z9hG4bK-c1"), 10, "z9hG4bK-o" + std::to_string(i));
    rig->Receive(options, kCaller);
  }
  std::string invite = Invite();
  invite.replace(invite.find("z9hG4bK-c1"), 10, "z9hG4bK-i1");
  rig->Receive(invite, kCaller);
  EXPECT_NE(rig->Find(kCallee, "INVITE "), nullptr) << "forwarded";
  EXPECT_EQ(rig->CountTo(kCaller, "SIP/2.0 503"), 0u);
  EXPECT_GE(rig->layer->stats().reclaimed, sip::TransactionLayer::kTuHeadroom);
  rig->ExpectDrained();
}

TEST(Proxy, BestResponseIsTheLowestClassAcrossBranches) {
  auto rig = std::make_unique<Rig>();
  const auto [ia, ib] = rig->ForkedInvite();
  rig->Answer(ia, 486, "Busy Here", kCallee, "ta");
  EXPECT_EQ(rig->CountTo(kCaller, "SIP/2.0 486"), 0u) << "another branch is pending";
  rig->Answer(ib, 503, "Service Unavailable", kCallee2, "tb");
  EXPECT_EQ(rig->CountTo(kCaller, "SIP/2.0 486 Busy Here"), 1u);
  rig->ExpectDrained();
}

TEST(Proxy, ChallengesOfEveryBranchAreSentUpstreamTogether) {
  // RFC 3261 16.7 step 7: both contacts challenge; the caller gets one
  // response with both challenges.
  auto rig = std::make_unique<Rig>();
  const auto [ia, ib] = rig->ForkedInvite();
  rig->Answer(ia, 407, "Proxy Authentication Required", kCallee, "ta",
              "Proxy-Authenticate: Digest realm=\"a.example\", nonce=\"na\"\r\n");
  EXPECT_EQ(rig->CountTo(kCaller, "SIP/2.0 4"), 0u) << "another branch is pending";
  rig->Answer(ib, 401, "Unauthorized", kCallee2, "tb",
              "WWW-Authenticate: Digest realm=\"b.example\", nonce=\"nb\"\r\n");
  const auto* up = rig->Find(kCaller, "SIP/2.0 407 Proxy Authentication Required");
  ASSERT_NE(up, nullptr);
  EXPECT_EQ(rig->CountTo(kCaller, "SIP/2.0 4"), 1u);
  EXPECT_NE(up->data.find("Proxy-Authenticate: Digest realm=\"a.example\", nonce=\"na\"\r\n"),
            std::string::npos)
      << up->data;
  EXPECT_NE(up->data.find("WWW-Authenticate: Digest realm=\"b.example\", nonce=\"nb\"\r\n"),
            std::string::npos)
      << up->data;
  rig->ExpectDrained();
}

TEST(Proxy, ChallengeBeatsAnotherFourHundredAndArrivesWhole) {
  // 16.7 step 6: within 4xx, a 401 (how to retry) is preferred to a 486
  // that came first; it goes up with its challenge.
  auto rig = std::make_unique<Rig>();
  const auto [ia, ib] = rig->ForkedInvite();
  rig->Answer(ib, 401, "Unauthorized", kCallee2, "tb",
              "WWW-Authenticate: Digest realm=\"b.example\", nonce=\"nb\"\r\n");
  rig->Answer(ia, 486, "Busy Here", kCallee, "ta");
  const auto* up = rig->Find(kCaller, "SIP/2.0 401 Unauthorized");
  ASSERT_NE(up, nullptr);
  EXPECT_EQ(rig->CountTo(kCaller, "SIP/2.0 486"), 0u);
  EXPECT_NE(up->data.find("WWW-Authenticate: Digest realm=\"b.example\", nonce=\"nb\"\r\n"),
            std::string::npos)
      << up->data;
  rig->ExpectDrained();
}

TEST(Proxy, CancelGets200AndTheInvite487AndCancelsTheBranch) {
  auto rig = std::make_unique<Rig>();
  rig->Bind("1002", "sip:1002@198.51.100.1:5070", kCallee, false);
  std::string invite = Invite();
  rig->Receive(invite, kCaller);
  size_t ia = rig->IndexOf(rig->Find(kCallee, "INVITE "));
  rig->Answer(ia, 180, "Ringing", kCallee);
  rig->Receive(
      "CANCEL sip:1002@imsgw.local SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 198.51.100.1:5061;branch=z9hG4bK-c1;rport\r\n"
      "Max-Forwards: 70\r\nFrom: <sip:1001@imsgw.local>;tag=f1\r\nTo: <sip:1002@imsgw.local>\r\n"
      "Call-ID: call-1@198.51.100.1\r\nCSeq: 1 CANCEL\r\nContent-Length: 0\r\n\r\n",
      kCaller);
  const auto* ok = rig->Find(kCaller, "SIP/2.0 200 OK");
  ASSERT_NE(ok, nullptr);
  EXPECT_EQ(Header(ok->data, sip::HeaderId::kCSeq), "1 CANCEL");
  // 16.10: the 487 is the branch's, not ours: nothing yet.
  EXPECT_EQ(rig->CountTo(kCaller, "SIP/2.0 487"), 0u);
  const auto* cancel = rig->Find(kCallee, "CANCEL ");
  ASSERT_NE(cancel, nullptr);
  rig->Answer(rig->IndexOf(cancel), 200, "OK", kCallee);
  rig->Answer(ia, 487, "Request Terminated", kCallee);
  EXPECT_EQ(rig->CountTo(kCaller, "SIP/2.0 487"), 1u);
  const auto* terminated = rig->Find(kCaller, "SIP/2.0 487 Request Terminated");
  ASSERT_NE(terminated, nullptr);
  EXPECT_EQ(Header(terminated->data, sip::HeaderId::kCSeq), "1 INVITE");
  EXPECT_NE(Header(terminated->data, sip::HeaderId::kTo).find(";tag=t2"), std::string::npos);
  // The caller ACKs the 487: the server transaction takes it.
  rig->Receive(
      "ACK sip:1002@imsgw.local SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 198.51.100.1:5061;branch=z9hG4bK-c1;rport\r\n"
      "Max-Forwards: 70\r\nFrom: <sip:1001@imsgw.local>;tag=f1\r\n"
      "To: " +
          Header(terminated->data, sip::HeaderId::kTo) +
          "\r\n"
          "Call-ID: call-1@198.51.100.1\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n",
      kCaller);
  EXPECT_EQ(rig->core.stats().acks_forwarded, 0u);
  rig->ExpectDrained();
}

// A UAS that builds its 487 from our CANCEL (whose Via is only ours): the
// 487 still reaches the caller, with the INVITE's Vias.
TEST(Proxy, FourEightySevenWithOnlyOurViaStillGoesUp) {
  auto rig = std::make_unique<Rig>();
  rig->Bind("1002", "sip:1002@198.51.100.1:5070", kCallee, false);
  rig->Receive(Invite(), kCaller);
  size_t ia = rig->IndexOf(rig->Find(kCallee, "INVITE "));
  rig->Answer(ia, 180, "Ringing", kCallee);
  rig->Receive(
      "CANCEL sip:1002@imsgw.local SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 198.51.100.1:5061;branch=z9hG4bK-c1;rport\r\n"
      "Max-Forwards: 70\r\nFrom: <sip:1001@imsgw.local>;tag=f1\r\nTo: <sip:1002@imsgw.local>\r\n"
      "Call-ID: call-1@198.51.100.1\r\nCSeq: 1 CANCEL\r\nContent-Length: 0\r\n\r\n",
      kCaller);
  const auto* cancel = rig->Find(kCallee, "CANCEL ");
  ASSERT_NE(cancel, nullptr);
  rig->Answer(rig->IndexOf(cancel), 200, "OK", kCallee);
  std::string terminated = rig->sender.sent[rig->IndexOf(cancel)].data;  // our CANCEL's Via
  sip::Message c;
  ASSERT_TRUE(c.Parse(terminated).ok());
  String<2048> out;
  sip::ResponseExtras extras{"t2", {}, {}};
  ASSERT_TRUE(sip::BuildResponse(c, kGw, 487, "Request Terminated", extras, out).ok());
  std::string resp(out.view());
  resp.replace(resp.find("CSeq: 1 CANCEL"), 14, "CSeq: 1 INVITE");
  rig->Receive(resp, kCallee);
  const auto* up = rig->Find(kCaller, "SIP/2.0 487 Request Terminated");
  ASSERT_NE(up, nullptr);
  EXPECT_EQ(BranchOf(up->data), "z9hG4bK-c1");
  rig->ExpectDrained();
}

TEST(Proxy, TimerCCancelsTheBranchWaitsForIts487AndAnswers408) {
  auto rig = std::make_unique<Rig>();
  rig->Bind("1002", "sip:1002@198.51.100.1:5070", kCallee, false);
  rig->Receive(Invite(), kCaller);
  size_t ia = rig->IndexOf(rig->Find(kCallee, "INVITE "));
  rig->Answer(ia, 180, "Ringing", kCallee);
  rig->Advance(10100);
  EXPECT_EQ(rig->core.stats().timer_c, 1u);
  const auto* cancel = rig->Find(kCallee, "CANCEL ");
  ASSERT_NE(cancel, nullptr);
  // 16.8: CANCEL, then wait for the branch's answer.
  EXPECT_EQ(rig->Find(kCaller, "SIP/2.0 408"), nullptr);
  rig->Answer(rig->IndexOf(cancel), 200, "OK", kCallee);
  rig->Answer(ia, 487, "Request Terminated", kCallee);
  // For the caller, a ringing phone nobody picked up: 408, not 487.
  EXPECT_NE(rig->Find(kCaller, "SIP/2.0 408 Request Timeout"), nullptr);
  EXPECT_EQ(rig->CountTo(kCaller, "SIP/2.0 487"), 0u);
  rig->ExpectDrained();
}

TEST(Proxy, OnlyProvisionalsAbove100RestartTimerC) {
  auto rig = std::make_unique<Rig>();
  rig->Bind("1002", "sip:1002@198.51.100.1:5070", kCallee, false);
  rig->Receive(Invite(), kCaller);
  size_t ia = rig->IndexOf(rig->Find(kCallee, "INVITE "));
  rig->Advance(6000);
  rig->Answer(ia, 100, "Trying", kCallee);  // does not restart the 10 s
  rig->Advance(4100);
  EXPECT_EQ(rig->core.stats().timer_c, 1u);
  rig->Answer(ia, 487, "Request Terminated", kCallee);
  rig->ExpectDrained();

  auto ringing = std::make_unique<Rig>();
  ringing->Bind("1002", "sip:1002@198.51.100.1:5070", kCallee, false);
  ringing->Receive(Invite(), kCaller);
  ia = ringing->IndexOf(ringing->Find(kCallee, "INVITE "));
  ringing->Advance(6000);
  ringing->Answer(ia, 180, "Ringing", kCallee);  // restarts it
  ringing->Advance(4100);
  EXPECT_EQ(ringing->core.stats().timer_c, 0u);
  ringing->Advance(6000);
  EXPECT_EQ(ringing->core.stats().timer_c, 1u);
  ringing->Answer(ia, 487, "Request Terminated", kCallee);
  ringing->ExpectDrained();
}

// RFC 3261 9.1 / issue: a UAS that rings, takes our CANCEL and then says
// nothing more: the branch ends 64*T1 after the CANCEL, nothing leaks.
TEST(Proxy, CancelledBranchThatNeverAnswersEndsWithin64T1) {
  auto rig = std::make_unique<Rig>();
  rig->Bind("1002", "sip:1002@198.51.100.1:5070", kCallee, false);
  rig->Receive(Invite(), kCaller);
  size_t ia = rig->IndexOf(rig->Find(kCallee, "INVITE "));
  rig->Receive(
      "CANCEL sip:1002@imsgw.local SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 198.51.100.1:5061;branch=z9hG4bK-c1;rport\r\n"
      "Max-Forwards: 70\r\nFrom: <sip:1001@imsgw.local>;tag=f1\r\nTo: <sip:1002@imsgw.local>\r\n"
      "Call-ID: call-1@198.51.100.1\r\nCSeq: 1 CANCEL\r\nContent-Length: 0\r\n\r\n",
      kCaller);
  const auto* ok = rig->Find(kCaller, "SIP/2.0 200 OK");
  ASSERT_NE(ok, nullptr);
  EXPECT_EQ(rig->Find(kCallee, "CANCEL "), nullptr) << "no CANCEL before a provisional (9.1)";
  rig->Answer(ia, 180, "Ringing", kCallee);  // the provisional after the caller's CANCEL
  ASSERT_NE(rig->Find(kCallee, "CANCEL "), nullptr);
  rig->Advance(64 * 500 + 200);  // 64*T1 after our CANCEL, no 487
  const auto* terminated = rig->Find(kCaller, "SIP/2.0 487 Request Terminated");
  ASSERT_NE(terminated, nullptr);
  // Our 487 and our 200 to the CANCEL carry one To tag (RFC 3261 9.2).
  EXPECT_EQ(Header(terminated->data, sip::HeaderId::kTo), Header(ok->data, sip::HeaderId::kTo));
  EXPECT_EQ(rig->core.active_calls(), 0u);
  rig->ExpectDrained();
}

// RFC 4320 4.2: a MESSAGE nobody answers gets no 408; everything ends.
TEST(Proxy, NonInviteWithoutAnswerGetsNo408) {
  auto rig = std::make_unique<Rig>();
  rig->Bind("1002", "sip:1002@198.51.100.1:5070", kCallee, false);
  rig->Receive(Invite("sip:1002@imsgw.local", "", "MESSAGE"), kCaller);
  ASSERT_NE(rig->Find(kCallee, "MESSAGE "), nullptr);
  rig->Advance(33000);  // Timer F
  EXPECT_EQ(rig->CountTo(kCaller, "SIP/2.0 "), 0u);
  EXPECT_EQ(rig->core.stats().no_answer_non_invite, 1u);
  rig->ExpectDrained();
  EXPECT_EQ(rig->CountTo(kCaller, "SIP/2.0 "), 0u);
}

TEST(Proxy, NonInviteReceived408IsNotForwarded) {
  auto rig = std::make_unique<Rig>();
  rig->Bind("1002", "sip:1002@198.51.100.1:5070", kCallee, false);
  rig->Receive(Invite("sip:1002@imsgw.local", "", "MESSAGE"), kCaller);
  const auto* fwd = rig->Find(kCallee, "MESSAGE ");
  ASSERT_NE(fwd, nullptr);
  rig->Answer(rig->IndexOf(fwd), 408, "Request Timeout", kCallee);
  EXPECT_EQ(rig->CountTo(kCaller, "SIP/2.0 408"), 0u);
  rig->ExpectDrained();
}

TEST(Proxy, NoAnswerAtAllEndsIn408) {
  auto rig = std::make_unique<Rig>();
  rig->Bind("1002", "sip:1002@198.51.100.1:5070", kCallee, false);
  rig->Receive(Invite(), kCaller);
  rig->Advance(33000);  // Timer B
  EXPECT_NE(rig->Find(kCaller, "SIP/2.0 408 Request Timeout"), nullptr);
  rig->ExpectDrained();
}

std::string Nonce(const std::string& msg) {
  size_t at = msg.find("nonce=\"");
  return at == std::string::npos ? "" : msg.substr(at + 7, msg.find('"', at + 7) - at - 7);
}

TEST(Proxy, LocalCallerIsChallenged407ThenAccepted) {
  auto rig = std::make_unique<Rig>(/*proxy_auth=*/true);
  rig->Bind("1002", "sip:1002@198.51.100.1:5070", kCallee, false);
  rig->Receive(Invite(), kCaller);
  const auto* challenge = rig->Find(kCaller, "SIP/2.0 407 Proxy Authentication Required");
  ASSERT_NE(challenge, nullptr);
  std::string nonce = Nonce(Header(challenge->data, sip::HeaderId::kProxyAuthenticate));
  ASSERT_FALSE(nonce.empty()) << challenge->data;
  EXPECT_EQ(rig->Find(kCallee, "INVITE "), nullptr);
  auto ha1 = auth::ComputeHa1("1001", kRealm, "1001", auth::Algorithm::kMd5);
  ASSERT_TRUE(ha1.ok());
  auto resp =
      auth::ComputeResponse(ha1->view(), std::string_view(nonce), std::string_view("00000001"),
                            std::string_view("abc"), std::string_view("auth"), "INVITE",
                            std::string_view("sip:1002@imsgw.local"), auth::Algorithm::kMd5);
  ASSERT_TRUE(resp.ok());
  std::string creds =
      "Proxy-Authorization: Digest username=\"1001\", realm=\"imsgw.local\", "
      "nonce=\"" +
      nonce + "\", uri=\"sip:1002@imsgw.local\", response=\"" + std::string(resp->view()) +
      "\", algorithm=MD5, qop=auth, nc=00000001, cnonce=\"abc\"\r\n";
  std::string again = Invite("sip:1002@imsgw.local", creds);
  again.replace(again.find("z9hG4bK-c1"), 10, "z9hG4bK-c3");
  again.replace(again.find("CSeq: 1"), 7, "CSeq: 2");
  rig->Receive(again, kCaller);
  const auto* fwd = rig->Find(kCallee, "INVITE ");
  ASSERT_NE(fwd, nullptr);
  EXPECT_EQ(fwd->data.find("Proxy-Authorization"), std::string::npos)
      << "our credentials are consumed here";
  rig->Answer(rig->IndexOf(fwd), 486, "Busy Here", kCallee);
  EXPECT_NE(rig->Find(kCaller, "SIP/2.0 486 Busy Here"), nullptr);
  EXPECT_EQ(rig->digest.stats().proxy_challenges, 1u);
  rig->ExpectDrained();
}

TEST(Proxy, SuspendedCallerGets403) {
  auto rig = std::make_unique<Rig>();
  users::UserChange change;
  change.status = users::UserStatus::kSuspended;
  ASSERT_TRUE(rig->users.Modify("1001", change, kRealm).ok());
  rig->Bind("1002", "sip:1002@198.51.100.1:5070", kCallee, false);
  rig->Receive(Invite(), kCaller);
  EXPECT_NE(rig->Find(kCaller, "SIP/2.0 403 Account Suspended"), nullptr);
  EXPECT_EQ(rig->Find(kCallee, "INVITE "), nullptr);
  rig->ExpectDrained();
}

TEST(Proxy, LateTwoHundredIsForwardedStatelessly) {
  auto rig = std::make_unique<Rig>();
  rig->Bind("1002", "sip:1002@198.51.100.1:5070", kCallee, false);
  rig->Receive(Invite(), kCaller);
  size_t ia = rig->IndexOf(rig->Find(kCallee, "INVITE "));
  rig->Answer(ia, 200, "OK", kCallee);
  rig->Advance(40000);  // both transactions gone
  EXPECT_EQ(rig->layer->active(), 0u);
  rig->Answer(ia, 200, "OK", kCallee);  // the UAS retransmits its 2xx
  EXPECT_EQ(rig->CountTo(kCaller, "SIP/2.0 200 OK"), 2u);
  EXPECT_EQ(rig->core.HangUpAll(), 1u);
  rig->ExpectDrained();
}

}  // namespace
}  // namespace gw::proxy

namespace gw::proxy {
namespace {

TEST(Proxy, AckForThe407IsTakenByItsTransaction) {
  auto rig = std::make_unique<Rig>(/*proxy_auth=*/true);
  rig->Bind("1002", "sip:1002@198.51.100.1:5070", kCallee, false);
  rig->Receive(Invite("sip:1002@198.51.100.2:5060"), kCaller);
  const auto* challenge = rig->Find(kCaller, "SIP/2.0 407 Proxy Authentication Required");
  ASSERT_NE(challenge, nullptr);
  rig->Receive(
      "ACK sip:1002@198.51.100.2:5060 SIP/2.0\r\n"
      "Via: " +
          Header(challenge->data, sip::HeaderId::kVia) +
          "\r\n"
          "Max-Forwards: 70\r\nFrom: <sip:1001@imsgw.local>;tag=f1\r\n"
          "To: " +
          Header(challenge->data, sip::HeaderId::kTo) +
          "\r\n"
          "Call-ID: call-1@198.51.100.1\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n",
      kCaller);
  EXPECT_EQ(rig->core.stats().acks_forwarded, 0u);
  EXPECT_EQ(rig->Find(kCallee, "ACK "), nullptr);
  rig->ExpectDrained();
}

}  // namespace
}  // namespace gw::proxy

namespace gw::proxy {
namespace {

std::vector<const CallRecord*> Calls(const Core& core) {
  std::vector<const CallRecord*> out;
  core.ForEachCall([&](const CallRecord& c) { out.push_back(&c); });
  return out;
}

const std::string kBye =
    "BYE sip:1002@198.51.100.1:5070 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 198.51.100.1:5061;branch=z9hG4bK-bye9\r\n"
    "Route: <sip:198.51.100.2:5060;lr>\r\n"
    "Max-Forwards: 70\r\nFrom: <sip:1001@imsgw.local>;tag=f1\r\n"
    "To: <sip:1002@imsgw.local>;tag=t2\r\nCall-ID: call-1@198.51.100.1\r\n"
    "CSeq: 5 BYE\r\nContent-Length: 0\r\n\r\n";

TEST(Calls, EarlyThenConfirmedThenGoneOnBye) {
  auto rig = std::make_unique<Rig>();
  rig->Bind("1002", "sip:1002@198.51.100.1:5070", kCallee, false);
  rig->Receive(Invite(), kCaller);
  auto calls = Calls(rig->core);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0]->caller.view(), "1001");
  EXPECT_EQ(calls[0]->callee.view(), "1002");
  EXPECT_EQ(calls[0]->state, CallState::kEarly);
  size_t ia = rig->IndexOf(rig->Find(kCallee, "INVITE "));
  rig->Answer(ia, 200, "OK", kCallee, "t2", "Contact: <sip:1002@198.51.100.1:5070>\r\n");
  calls = Calls(rig->core);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0]->state, CallState::kConfirmed);
  EXPECT_EQ(calls[0]->to_tag.view(), "t2");
  EXPECT_EQ(calls[0]->callee_contact.view(), "sip:1002@198.51.100.1:5070");
  rig->Receive(kBye, kCaller);
  EXPECT_EQ(rig->core.active_calls(), 0u);
  const auto* bye = rig->Find(kCallee, "BYE ");
  ASSERT_NE(bye, nullptr);
  rig->Answer(rig->IndexOf(bye), 200, "OK", kCallee, "");
  EXPECT_EQ(rig->core.call_stats().answered, 1u);
  rig->ExpectDrained();
}

TEST(Calls, FailedCallIsRemoved) {
  auto rig = std::make_unique<Rig>();
  rig->Bind("1002", "sip:1002@198.51.100.1:5070", kCallee, false);
  rig->Receive(Invite(), kCaller);
  EXPECT_EQ(rig->core.active_calls(), 1u);
  rig->Answer(rig->IndexOf(rig->Find(kCallee, "INVITE ")), 486, "Busy Here", kCallee);
  EXPECT_EQ(rig->core.active_calls(), 0u);
  rig->ExpectDrained();
}

TEST(Calls, BasicHoldsTwoCallsAndTheThirdGets486) {
  auto rig = std::make_unique<Rig>();  // 1001 is BASIC
  ASSERT_EQ(rig->users.Find("1001")->user_class, users::Class::kBasic);
  rig->Bind("1002", "sip:1002@198.51.100.1:5070", kCallee, false);
  rig->Bind("1003", "sip:1003@198.51.100.1:5072", kCallee2, false);
  rig->Receive(Invite(), kCaller);
  std::string second = Invite("sip:1003@imsgw.local");
  second.replace(second.find("z9hG4bK-c1"), 10, "z9hG4bK-c5");
  second.replace(second.find("call-1@"), 7, "call-2@");
  rig->Receive(second, kCaller);
  EXPECT_NE(rig->Find(kCallee2, "INVITE "), nullptr) << "call waiting: a second call goes through";
  std::string third = Invite("sip:1003@imsgw.local");
  third.replace(third.find("z9hG4bK-c1"), 10, "z9hG4bK-c6");
  third.replace(third.find("call-1@"), 7, "call-3@");
  rig->Receive(third, kCaller);
  EXPECT_NE(rig->Find(kCaller, "SIP/2.0 486 Busy Here"), nullptr);
  EXPECT_EQ(rig->CountTo(kCallee2, "INVITE "), 1u);
  EXPECT_EQ(rig->core.call_stats().refused_limit, 1u);
  EXPECT_EQ(rig->core.active_calls(), 2u);
  rig->Answer(rig->IndexOf(rig->Find(kCallee, "INVITE ")), 480, "Temporarily Unavailable", kCallee);
  rig->Answer(rig->IndexOf(rig->Find(kCallee2, "INVITE ")), 480, "Temporarily Unavailable",
              kCallee2);
  rig->ExpectDrained();
}

TEST(Calls, ClassLimitsAreTheOperatorsToSet) {
  auto rig = std::make_unique<Rig>();
  rig->policy.call_limits.per_class[static_cast<size_t>(users::Class::kBasic)] = 1;
  rig->Bind("1002", "sip:1002@198.51.100.1:5070", kCallee, false);
  rig->Bind("1003", "sip:1003@198.51.100.1:5072", kCallee2, false);
  rig->Receive(Invite(), kCaller);
  std::string second = Invite("sip:1003@imsgw.local");
  second.replace(second.find("z9hG4bK-c1"), 10, "z9hG4bK-c5");
  second.replace(second.find("call-1@"), 7, "call-2@");
  rig->Receive(second, kCaller);
  EXPECT_NE(rig->Find(kCaller, "SIP/2.0 486 Busy Here"), nullptr);
  EXPECT_EQ(rig->Find(kCallee2, "INVITE "), nullptr);
  EXPECT_EQ(rig->core.call_stats().refused_limit, 1u);
  rig->Answer(rig->IndexOf(rig->Find(kCallee, "INVITE ")), 480, "Temporarily Unavailable", kCallee);
  rig->ExpectDrained();
}

TEST(Calls, HangUpSendsByeToBothSidesFromTheDialogState) {
  auto rig = std::make_unique<Rig>();
  rig->Bind("1002", "sip:1002@198.51.100.1:5070", kCallee, false);
  rig->Receive(Invite(), kCaller);
  size_t ia = rig->IndexOf(rig->Find(kCallee, "INVITE "));
  rig->Answer(ia, 200, "OK", kCallee, "t2", "Contact: <sip:1002@198.51.100.1:5070>\r\n");
  EXPECT_EQ(rig->core.HangUp("no-such-call"), Status::NotFound());
  ASSERT_TRUE(rig->core.HangUp("call-1@198.51.100.1").ok());
  EXPECT_EQ(rig->core.active_calls(), 0u);
  const auto* to_callee = rig->Find(kCallee, "BYE sip:1002@198.51.100.1:5070 SIP/2.0\r\n");
  const auto* to_caller = rig->Find(kCaller, "BYE sip:1001@198.51.100.1:5061 SIP/2.0\r\n");
  ASSERT_NE(to_callee, nullptr);
  ASSERT_NE(to_caller, nullptr);
  EXPECT_EQ(Header(to_callee->data, sip::HeaderId::kFrom), "<sip:1001@imsgw.local>;tag=f1");
  EXPECT_EQ(Header(to_callee->data, sip::HeaderId::kTo), "<sip:1002@imsgw.local>;tag=t2");
  EXPECT_EQ(Header(to_callee->data, sip::HeaderId::kCSeq), "2 BYE");
  EXPECT_EQ(Header(to_caller->data, sip::HeaderId::kFrom), "<sip:1002@imsgw.local>;tag=t2");
  EXPECT_EQ(Header(to_caller->data, sip::HeaderId::kTo), "<sip:1001@imsgw.local>;tag=f1");
  EXPECT_EQ(Header(to_callee->data, sip::HeaderId::kRoute), "<absent>") << "we are the only hop";
  EXPECT_EQ(Header(to_caller->data, sip::HeaderId::kRoute), "<absent>");
  rig->Answer(rig->IndexOf(to_callee), 200, "OK", kCallee, "");
  rig->Answer(rig->IndexOf(to_caller), 200, "OK", kCaller, "");
  EXPECT_EQ(rig->core.HangUpAll(), 0u);
  rig->ExpectDrained();
}

TEST(Calls, HangUpByesCarryTheRouteSetsOfTheOtherProxies) {
  // A proxy on each side record-routed too: 198.51.100.9 next to the callee
  // (above us in the 2xx's Record-Route), 203.0.113.5 next to the caller
  // (below us). Each BYE names the proxies between us and its party.
  auto rig = std::make_unique<Rig>();
  rig->Bind("1002", "sip:1002@198.51.100.1:5070", kCallee, false);
  rig->Receive(Invite("sip:1002@imsgw.local", "Record-Route: <sip:203.0.113.5;lr>\r\n"), kCaller);
  size_t ia = rig->IndexOf(rig->Find(kCallee, "INVITE "));
  rig->Answer(
      ia, 200, "OK", kCallee, "t2",
      "Contact: <sip:1002@198.51.100.1:5070>\r\n"
      "Record-Route: <sip:198.51.100.9;lr;x=1>, <sip:198.51.100.8;lr>\r\n"
      "Record-Route: <sip:198.51.100.2:5060;lr>, <sip:203.0.113.5;lr>, <sip:203.0.113.4;lr>\r\n");
  ASSERT_TRUE(rig->core.HangUp("call-1@198.51.100.1").ok());
  const auto* to_callee = rig->Find(kCallee, "BYE sip:1002@198.51.100.1:5070 SIP/2.0\r\n");
  const auto* to_caller = rig->Find(kCaller, "BYE sip:1001@198.51.100.1:5061 SIP/2.0\r\n");
  ASSERT_NE(to_callee, nullptr);
  ASSERT_NE(to_caller, nullptr);
  EXPECT_EQ(Header(to_callee->data, sip::HeaderId::kRoute),
            "<sip:198.51.100.8;lr>, <sip:198.51.100.9;lr;x=1>");
  EXPECT_EQ(Header(to_caller->data, sip::HeaderId::kRoute),
            "<sip:203.0.113.5;lr>, <sip:203.0.113.4;lr>");
  rig->Answer(rig->IndexOf(to_callee), 200, "OK", kCallee, "");
  rig->Answer(rig->IndexOf(to_caller), 200, "OK", kCaller, "");
  rig->ExpectDrained();
}

TEST(Calls, HangUpOfAnEarlyCallCancelsIt) {
  auto rig = std::make_unique<Rig>();
  rig->Bind("1002", "sip:1002@198.51.100.1:5070", kCallee, false);
  rig->Receive(Invite(), kCaller);
  size_t ia = rig->IndexOf(rig->Find(kCallee, "INVITE "));
  rig->Answer(ia, 180, "Ringing", kCallee);
  EXPECT_EQ(rig->core.HangUpAll(), 1u);
  EXPECT_NE(rig->Find(kCaller, "SIP/2.0 487 Request Terminated"), nullptr);
  const auto* cancel = rig->Find(kCallee, "CANCEL ");
  ASSERT_NE(cancel, nullptr);
  rig->Answer(rig->IndexOf(cancel), 200, "OK", kCallee);
  rig->Answer(ia, 487, "Request Terminated", kCallee);
  rig->ExpectDrained();
}

}  // namespace
}  // namespace gw::proxy

namespace gw::proxy {
namespace {

TEST(Proxy, ProxyRequireGets420WithUnsupported) {
  auto rig = std::make_unique<Rig>();
  rig->Bind("1002", "sip:1002@198.51.100.1:5070", kCallee, false);
  rig->Receive(Invite("sip:1002@imsgw.local", "Proxy-Require: foo\r\n", "MESSAGE"), kCaller);
  const auto* bad = rig->Find(kCaller, "SIP/2.0 420 Bad Extension");
  ASSERT_NE(bad, nullptr);
  EXPECT_EQ(Header(bad->data, sip::HeaderId::kUnsupported), "foo");
  EXPECT_EQ(rig->Find(kCallee, "MESSAGE "), nullptr);
  rig->ExpectDrained();
}

}  // namespace
}  // namespace gw::proxy

namespace gw::proxy {
namespace {

// RFC 3261 16.9: a transport error is a 503 received on the branch, which
// goes upstream as 500 (16.7 step 6), without Retry-After.
TEST(Proxy, UnroutableContactCountsAs503AndTheOtherBranchDecides) {
  auto rig = std::make_unique<Rig>();
  rig->sender.unroutable = kCallee2;
  rig->Bind("1002", "sip:1002@198.51.100.1:5072", kCallee2, false);
  rig->Receive(Invite(), kCaller);
  const auto* error = rig->Find(kCaller, "SIP/2.0 500 Server Internal Error");
  ASSERT_NE(error, nullptr);
  EXPECT_EQ(error->data.find("Retry-After"), std::string::npos);
  EXPECT_EQ(rig->core.active_calls(), 0u);
  rig->ExpectDrained();

  auto fork = std::make_unique<Rig>();
  fork->sender.unroutable = kCallee2;
  fork->Bind("1002", "sip:1002@198.51.100.1:5070", kCallee, false);
  fork->Bind("1002", "sip:1002@198.51.100.1:5072", kCallee2, false);
  fork->Receive(Invite(), kCaller);
  const auto* a = fork->Find(kCallee, "INVITE ");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(fork->CountTo(kCaller, "SIP/2.0 5"), 0u);
  fork->Answer(fork->IndexOf(a), 603, "Decline", kCallee);
  EXPECT_NE(fork->Find(kCaller, "SIP/2.0 603 Decline"), nullptr);
  fork->ExpectDrained();
}

}  // namespace
}  // namespace gw::proxy

// ---------------------------------------------------------------------------
// The call-event seam (call_events.h): what the media relay and the CDR
// writer will see.

namespace gw::proxy {
namespace {

// The response `code` to sent[i] with an SDP body.
void AnswerWithBody(Rig& rig, size_t i, int code, std::string_view reason, net::Endpoint from,
                    const std::string& body) {
  sip::Message req;
  ASSERT_TRUE(req.Parse(rig.sender.sent[i].data).ok());
  String<3 * sip::Transaction::kMaxMessage> out;
  sip::ResponseExtras extras{"t2", "Contact: <sip:1002@198.51.100.1:5070>\r\n", {}};
  ASSERT_TRUE(sip::BuildResponse(req, kGw, code, reason, extras, out).ok());
  std::string resp(out.view());
  const std::string empty = "Content-Length: 0\r\n\r\n";
  ASSERT_NE(resp.find(empty), std::string::npos);
  resp.replace(resp.find(empty), empty.size(),
               "Content-Type: application/sdp\r\nContent-Length: " + std::to_string(body.size()) +
                   "\r\n\r\n" + body);
  rig.Receive(resp, from);
}

struct EventRig : Rig {
  testing::RecordingCallObserver observer;
  EventRig() {
    EXPECT_TRUE(core.AddObserver(observer).ok());
    Bind("1002", "sip:1002@198.51.100.1:5070", kCallee, false);
  }
};

TEST(CallEvents, CreatedAnsweredReofferedEndedByTheCaller) {
  auto rig = std::make_unique<EventRig>();
  rig->Receive(Invite(), kCaller);
  size_t ia = rig->IndexOf(rig->Find(kCallee, "INVITE "));
  rig->Answer(ia, 180, "Ringing", kCallee);
  AnswerWithBody(*rig, ia, 200, "OK", kCallee, "v=1\n");
  // The callee re-offers (hold), then the caller hangs up.
  rig->Receive(
      "INVITE sip:1001@198.51.100.1:5061 SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 198.51.100.1:5070;branch=z9hG4bK-re1\r\n"
      "Route: <sip:198.51.100.2:5060;lr>\r\nMax-Forwards: 70\r\n"
      "From: <sip:1002@imsgw.local>;tag=t2\r\nTo: <sip:1001@imsgw.local>;tag=f1\r\n"
      "Call-ID: call-1@198.51.100.1\r\nCSeq: 7 INVITE\r\n"
      "Contact: <sip:1002@198.51.100.1:5070>\r\nContent-Length: 4\r\n\r\nv=2\n",
      kCallee);
  const auto* reinvite = rig->Find(kCaller, "INVITE ");
  ASSERT_NE(reinvite, nullptr);
  rig->Answer(rig->IndexOf(reinvite), 200, "OK", kCaller, "f1");
  rig->Receive(kBye, kCaller);
  rig->Answer(rig->IndexOf(rig->Find(kCallee, "BYE ")), 200, "OK", kCallee, "");
  EXPECT_EQ(rig->observer.events, (std::vector<std::string>{
                                      "created 1001>1002 call-1@198.51.100.1 offer=v=0\n",
                                      "answered call-1@198.51.100.1 offer=v=0\n answer=v=1\n",
                                      "reoffer call-1@198.51.100.1 to-caller v=2\n",
                                      "ended call-1@198.51.100.1 BYE_CALLER 0",
                                  }));
  rig->ExpectDrained();
}

TEST(CallEvents, EveryWayACallEndsHasItsReason) {
  auto busy = std::make_unique<EventRig>();
  busy->Receive(Invite(), kCaller);
  busy->Answer(busy->IndexOf(busy->Find(kCallee, "INVITE ")), 486, "Busy Here", kCallee);
  EXPECT_EQ(busy->observer.events.back(), "ended call-1@198.51.100.1 FAILURE 486");
  busy->ExpectDrained();

  auto timeout = std::make_unique<EventRig>();
  timeout->Receive(Invite(), kCaller);
  timeout->Advance(33000);  // Timer B: nobody there
  EXPECT_EQ(timeout->observer.events.back(), "ended call-1@198.51.100.1 TIMEOUT 408");
  timeout->ExpectDrained();

  auto cancel = std::make_unique<EventRig>();
  cancel->Receive(Invite(), kCaller);
  size_t ia = cancel->IndexOf(cancel->Find(kCallee, "INVITE "));
  cancel->Answer(ia, 180, "Ringing", kCallee);
  cancel->Receive(
      "CANCEL sip:1002@imsgw.local SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 198.51.100.1:5061;branch=z9hG4bK-c1;rport\r\n"
      "Max-Forwards: 70\r\nFrom: <sip:1001@imsgw.local>;tag=f1\r\nTo: <sip:1002@imsgw.local>\r\n"
      "Call-ID: call-1@198.51.100.1\r\nCSeq: 1 CANCEL\r\nContent-Length: 0\r\n\r\n",
      kCaller);
  cancel->Answer(ia, 487, "Request Terminated", kCallee);
  EXPECT_EQ(cancel->observer.events.back(), "ended call-1@198.51.100.1 CANCEL 487");
  cancel->ExpectDrained();

  auto op = std::make_unique<EventRig>();
  op->Receive(Invite(), kCaller);
  ia = op->IndexOf(op->Find(kCallee, "INVITE "));
  op->Answer(ia, 180, "Ringing", kCallee);
  ASSERT_TRUE(op->core.HangUp("call-1@198.51.100.1").ok());
  EXPECT_EQ(op->observer.events.back(), "ended call-1@198.51.100.1 OPERATOR 487");
  EXPECT_EQ(op->observer.events.size(), 2u) << "one end, not two";
  op->Answer(ia, 487, "Request Terminated", kCallee);
  op->ExpectDrained();

  auto callee = std::make_unique<EventRig>();
  callee->Receive(Invite(), kCaller);
  ia = callee->IndexOf(callee->Find(kCallee, "INVITE "));
  callee->Answer(ia, 200, "OK", kCallee, "t2", "Contact: <sip:1002@198.51.100.1:5070>\r\n");
  callee->Receive(
      "BYE sip:1001@198.51.100.1:5061 SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 198.51.100.1:5070;branch=z9hG4bK-by2\r\n"
      "Route: <sip:198.51.100.2:5060;lr>\r\nMax-Forwards: 70\r\n"
      "From: <sip:1002@imsgw.local>;tag=t2\r\nTo: <sip:1001@imsgw.local>;tag=f1\r\n"
      "Call-ID: call-1@198.51.100.1\r\nCSeq: 8 BYE\r\nContent-Length: 0\r\n\r\n",
      kCallee);
  EXPECT_EQ(callee->observer.events.back(), "ended call-1@198.51.100.1 BYE_CALLEE 0");
  callee->Answer(callee->IndexOf(callee->Find(kCaller, "BYE ")), 200, "OK", kCaller, "");
  callee->ExpectDrained();
}

TEST(CallEvents, MessageOutcomes) {
  auto rig = std::make_unique<EventRig>();
  rig->Receive(Invite("sip:1002@imsgw.local", "", "MESSAGE"), kCaller);
  rig->Answer(rig->IndexOf(rig->Find(kCallee, "MESSAGE ")), 200, "OK", kCallee);
  rig->Receive(WithBranchOf(Invite("sip:nobody@imsgw.local", "", "MESSAGE"), "z9hG4bK-m2"),
               kCaller);
  rig->Receive(WithBranchOf(Invite("sip:1002@imsgw.local", "", "MESSAGE"), "z9hG4bK-m3"), kCaller);
  rig->Advance(33000);  // nobody answers the third: no 408 sent, reported as 408
  EXPECT_EQ(rig->observer.events, (std::vector<std::string>{
                                      "message 1001>1002 200",
                                      "message 1001>nobody 404",
                                      "message 1001>1002 408",
                                  }));
  rig->ExpectDrained();
}

TEST(CallEvents, RewrittenBodiesGoBothWaysWithTheirLength) {
  auto rig = std::make_unique<EventRig>();
  testing::FixedBodyRewriter rewriter;
  rig->core.SetBodyRewriter(&rewriter);
  rig->Receive(Invite(), kCaller);
  const auto* fwd = rig->Find(kCallee, "INVITE ");
  ASSERT_NE(fwd, nullptr);
  sip::Message m;
  ASSERT_TRUE(m.Parse(fwd->data).ok());
  EXPECT_EQ(m.body(), rewriter.to_callee);
  EXPECT_EQ(Header(fwd->data, sip::HeaderId::kContentLength),
            std::to_string(rewriter.to_callee.size()));
  AnswerWithBody(*rig, rig->IndexOf(fwd), 200, "OK", kCallee, "v=1\n");
  const auto* ok = rig->Find(kCaller, "SIP/2.0 200 OK");
  ASSERT_NE(ok, nullptr);
  ASSERT_TRUE(m.Parse(ok->data).ok());
  EXPECT_EQ(m.body(), rewriter.to_caller);
  EXPECT_EQ(Header(ok->data, sip::HeaderId::kContentLength),
            std::to_string(rewriter.to_caller.size()));
  // The observer saw the offer as it left and the answer as it came.
  EXPECT_EQ(rig->observer.events[1],
            "answered call-1@198.51.100.1 offer=" + rewriter.to_callee + " answer=v=1\n");
  EXPECT_EQ(rewriter.calls, 2);
  EXPECT_EQ(rig->core.HangUpAll(), 1u);
  rig->ExpectDrained();
}

TEST(CallEvents, ObserversAreBounded) {
  auto rig = std::make_unique<Rig>();
  testing::RecordingCallObserver o[Core::kMaxObservers + 1];
  for (size_t i = 0; i < Core::kMaxObservers; ++i) EXPECT_TRUE(rig->core.AddObserver(o[i]).ok());
  EXPECT_EQ(rig->core.AddObserver(o[Core::kMaxObservers]), Status::ResourceExhausted());
}

}  // namespace
}  // namespace gw::proxy

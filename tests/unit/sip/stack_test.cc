#include "gw/sip/stack.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>

#include "fake_sender.h"
#include "gw/core/timer_wheel.h"
#include "gw/net/address.h"
#include "gw/sip/message.h"
#include "gw/sip/rate_limiter.h"
#include "gw/sip/transaction.h"
#include "gw/sip/via.h"
#include "gw/testing/fake_hal.h"
#include "gw/testing/fake_uas.h"

namespace gw::sip {
namespace {

using testing::Bytes;
using testing::FakeSender;
using testing::HeaderValue;

constexpr uint32_t kGatewayIp = net::MakeIp4(192, 0, 2, 1);
constexpr uint32_t kPhoneIp = net::MakeIp4(198, 51, 100, 7);
constexpr net::Endpoint kPhone{kPhoneIp, 40000};

// A Stack on 192.0.2.1:5060, domain gw.example.net, in front of a
// transaction layer whose TU (FakeUas) answers OPTIONS to the gateway 200
// and every other request 501; one fake sender records both.
struct Gateway {
  Gateway() {
    identity.address = kGatewayIp;
    identity.port = 5060;
    (void)identity.domain.assign("gw.example.net");
    uas.Attach(layer);
  }
  void Deliver(std::string_view datagram, net::Endpoint from = kPhone) {
    stack.OnDatagram(Bytes(datagram), from);
  }
  // Runs the transaction timers until every transaction has ended,
  // forgetting what they retransmit meanwhile.
  void Settle() {
    for (int step = 0; step < 200 && layer.active() > 0; ++step) {
      sender.Clear();
      now_ms += 500;
      (void)timers.Advance(now_ms);
    }
    sender.Clear();
  }
  const SipStats& stats() const { return stack.stats(); }

  FakeSender sender;
  LocalIdentity identity;
  TimerWheel timers{0};
  gw::testing::FakeUas uas{identity};
  TransactionLayer layer{sender, timers, uas};
  gw::sip::Stack stack{sender, layer, "imsgw-test"};
  uint32_t now_ms = 0;
};

std::string MakeRequest(std::string_view method, std::string_view uri, std::string_view via,
                        std::string_view extra = {}) {
  return std::string(method) + " " + std::string(uri) + " SIP/2.0\r\n" +
         "Via: " + std::string(via) + "\r\n" +
         "Max-Forwards: 70\r\n"
         "From: \"Alice\" <sip:alice@example.com>;tag=1928301774\r\n"
         "To: <" +
         std::string(uri) +
         ">\r\n"
         "Call-ID: a84b4c76e66710@pc33.example.com\r\n"
         "CSeq: 63104 " +
         std::string(method) + "\r\n" + std::string(extra) + "Content-Length: 0\r\n\r\n";
}

constexpr std::string_view kViaRport = "SIP/2.0/UDP 10.0.0.5:5062;branch=z9hG4bK776asdhds;rport";
constexpr std::string_view kViaPlain = "SIP/2.0/UDP 10.0.0.5:5062;branch=z9hG4bK776asdhds";
// A header line without a colon, after everything a response echoes: the
// request does not parse and the Stack answers 400 itself.
constexpr std::string_view kBroken = "This line is broken\r\n";

// Parses the only datagram sent; fails the test if there is not exactly one.
Message OnlyResponse(const Gateway& gw) {
  Message resp;
  EXPECT_EQ(gw.sender.count(), 1u);
  if (gw.sender.count() != 1) return resp;
  // A 400 for a malformed CSeq copies it (RFC 3261 8.2.6.2): the one defect
  // an answer may carry; the status line is still read.
  if (!resp.Parse(gw.sender.sent(0).data).ok()) {
    EXPECT_EQ(resp.error(), ParseError::kBadCSeq) << gw.sender.sent(0).data;
  }
  EXPECT_FALSE(resp.is_request());
  return resp;
}

TEST(Stack, ParsedRequestGoesToTheTransactionLayerAndItsTu) {
  Gateway gw;
  std::string req = MakeRequest("OPTIONS", "sip:192.0.2.1", kViaRport);
  gw.Deliver(req);
  Message resp = OnlyResponse(gw);
  EXPECT_EQ(resp.status_code(), 200);  // FakeUas, through the layer
  EXPECT_EQ(gw.uas.counts().requests, 1u);
  EXPECT_EQ(gw.layer.stats().server_created, 1u);
  EXPECT_EQ(gw.layer.stats().tx_responses[2], 1u);
  EXPECT_EQ(gw.stats().tx_responses[2], 0u);  // the Stack itself answered nothing
  EXPECT_EQ(gw.stats().rx_requests[static_cast<size_t>(Method::kOptions)], 1u);
  testing::ExpectSaneAnswer(req, gw.sender, kPhone);
  // A retransmission is absorbed by the transaction: the same answer again.
  gw.sender.Clear();
  gw.Deliver(req);
  EXPECT_EQ(OnlyResponse(gw).status_code(), 200);
  EXPECT_EQ(gw.uas.counts().requests, 1u);
  EXPECT_EQ(gw.layer.stats().requests_absorbed, 1u);
  gw.Settle();
  EXPECT_EQ(gw.layer.active(), 0u);
  EXPECT_EQ(gw.uas.counts().terminated, 1u);
}

TEST(Stack, The400ToABrokenRequestEchoesWhatAResponseMust) {
  Gateway gw;
  std::string req = MakeRequest("OPTIONS", "sip:192.0.2.1", kViaRport, kBroken);
  gw.Deliver(req);
  Message resp = OnlyResponse(gw);
  EXPECT_EQ(resp.status_code(), 400);
  EXPECT_EQ(HeaderValue(resp, HeaderId::kServer), "imsgw-test");
  EXPECT_EQ(HeaderValue(resp, HeaderId::kContentLength), "0");
  EXPECT_EQ(HeaderValue(resp, HeaderId::kCallId), "a84b4c76e66710@pc33.example.com");
  EXPECT_EQ(HeaderValue(resp, HeaderId::kCSeq), "63104 OPTIONS");
  EXPECT_EQ(HeaderValue(resp, HeaderId::kFrom), "\"Alice\" <sip:alice@example.com>;tag=1928301774");
  std::string to = HeaderValue(resp, HeaderId::kTo);
  EXPECT_EQ(to.rfind("<sip:192.0.2.1>;tag=", 0), 0u) << to;
  bool has_tag = false;
  EXPECT_FALSE(HeaderParam(to, "tag", has_tag).empty());
  EXPECT_TRUE(has_tag);
  EXPECT_TRUE(resp.body().empty());
  EXPECT_EQ(gw.stats().tx_responses[4], 1u);
  EXPECT_EQ(gw.layer.stats().server_created, 0u);  // no transaction for it
  EXPECT_EQ(gw.uas.counts().requests, 0u);
  testing::ExpectSaneAnswer(req, gw.sender, kPhone);
}

TEST(Stack, ReceivedAndRportFilledAndReplyGoesToSourcePort) {
  Gateway gw;
  gw.Deliver(MakeRequest("OPTIONS", "sip:192.0.2.1", kViaRport, kBroken));
  Message resp = OnlyResponse(gw);
  ASSERT_EQ(resp.Count(HeaderId::kVia), 1u);
  EXPECT_EQ(HeaderValue(resp, HeaderId::kVia),
            "SIP/2.0/UDP 10.0.0.5:5062;branch=z9hG4bK776asdhds;rport=40000"
            ";received=198.51.100.7");
  Via via;
  ASSERT_TRUE(ParseVia(resp.Find(HeaderId::kVia)->value, via).ok());
  EXPECT_EQ(via.received, "198.51.100.7");
  EXPECT_EQ(gw.sender.sent(0).to, kPhone);  // RFC 3581: source address and port
}

TEST(Stack, NoReceivedWhenViaHostIsTheSource) {
  Gateway gw;
  gw.Deliver(MakeRequest("OPTIONS", "sip:192.0.2.1",
                         "SIP/2.0/UDP 198.51.100.7:5062;branch=z9hG4bKa", kBroken));
  Message resp = OnlyResponse(gw);
  EXPECT_EQ(HeaderValue(resp, HeaderId::kVia), "SIP/2.0/UDP 198.51.100.7:5062;branch=z9hG4bKa");
  EXPECT_EQ(gw.sender.sent(0).to, (net::Endpoint{kPhoneIp, 5062}));
}

TEST(Stack, WithoutRportReplyGoesToSentByPort) {
  Gateway gw;
  gw.Deliver(MakeRequest("OPTIONS", "sip:192.0.2.1", kViaPlain, kBroken));
  Message resp = OnlyResponse(gw);
  EXPECT_EQ(HeaderValue(resp, HeaderId::kVia), std::string(kViaPlain) + ";received=198.51.100.7");
  // RFC 3261 18.2.2: the received address, the sent-by port.
  EXPECT_EQ(gw.sender.sent(0).to, (net::Endpoint{kPhoneIp, 5062}));
}

TEST(Stack, WithoutRportOrPortReplyGoesTo5060) {
  Gateway gw;
  gw.Deliver(MakeRequest("OPTIONS", "sip:192.0.2.1",
                         "SIP/2.0/UDP phone.example.com;branch=z9hG4bKb", kBroken));
  Message resp = OnlyResponse(gw);
  EXPECT_EQ(HeaderValue(resp, HeaderId::kVia),
            "SIP/2.0/UDP phone.example.com;branch=z9hG4bKb;received=198.51.100.7");
  EXPECT_EQ(gw.sender.sent(0).to, (net::Endpoint{kPhoneIp, 5060}));
}

TEST(Stack, RportWithValueIsKeptAndReplyGoesToSourcePort) {
  Gateway gw;
  gw.Deliver(MakeRequest("OPTIONS", "sip:192.0.2.1",
                         "SIP/2.0/UDP 198.51.100.7:5062;rport=1234;branch=z9hG4bKc", kBroken));
  Message resp = OnlyResponse(gw);
  EXPECT_EQ(HeaderValue(resp, HeaderId::kVia),
            "SIP/2.0/UDP 198.51.100.7:5062;rport=1234;branch=z9hG4bKc;received=198.51.100.7");
  EXPECT_EQ(gw.sender.sent(0).to, kPhone);
}

TEST(Stack, Ipv6ViaGetsReceived) {
  Gateway gw;
  gw.Deliver(
      MakeRequest("OPTIONS", "sip:192.0.2.1", "SIP/2.0/UDP [::1]:5070;branch=z9hG4bKd", kBroken));
  Message resp = OnlyResponse(gw);
  EXPECT_EQ(HeaderValue(resp, HeaderId::kVia),
            "SIP/2.0/UDP [::1]:5070;branch=z9hG4bKd;received=198.51.100.7");
  EXPECT_EQ(gw.sender.sent(0).to, (net::Endpoint{kPhoneIp, 5070}));
}

TEST(Stack, AllViasAreEchoedInOrderOnlyTheTopOneAnnotated) {
  Gateway gw;
  std::string req = MakeRequest(
      "OPTIONS", "sip:192.0.2.1",
      std::string(kViaRport) + ", SIP/2.0/UDP proxy.example.com;branch=z9hG4bK2",
      "v: SIP/2.0/TCP edge.example.com:5080;branch=z9hG4bK3\r\n" + std::string(kBroken));
  gw.Deliver(req);
  Message resp = OnlyResponse(gw);
  ASSERT_EQ(resp.Count(HeaderId::kVia), 3u);
  std::vector<std::string> vias;
  for (size_t i = 0; i < resp.header_count(); ++i)
    if (resp.header(i).id == HeaderId::kVia) vias.emplace_back(resp.header(i).value);
  EXPECT_EQ(vias[0], std::string(kViaRport) + "=40000;received=198.51.100.7");
  EXPECT_EQ(vias[1], "SIP/2.0/UDP proxy.example.com;branch=z9hG4bK2");
  EXPECT_EQ(vias[2], "SIP/2.0/TCP edge.example.com:5080;branch=z9hG4bK3");
}

TEST(Stack, ExistingToTagIsKept) {
  Gateway gw;
  std::string req = MakeRequest("OPTIONS", "sip:192.0.2.1", kViaRport, kBroken);
  size_t at = req.find("To: <sip:192.0.2.1>");
  req.replace(at, 19, "To: <sip:192.0.2.1>;tag=dialog1");
  gw.Deliver(req);
  Message resp = OnlyResponse(gw);
  EXPECT_EQ(HeaderValue(resp, HeaderId::kTo), "<sip:192.0.2.1>;tag=dialog1");
}

TEST(LocalUri, NamesTheGatewayByAddressDomainOrAdvertisedAddress) {
  LocalIdentity id;
  id.address = kGatewayIp;
  id.port = 5060;
  (void)id.domain.assign("gw.example.net");
  for (std::string_view uri :
       {"sip:192.0.2.1", "sip:192.0.2.1:5060", "sip:gw.example.net",
        "sip:ping@GW.Example.NET:5060;transport=udp", "sips:gw.example.net"}) {
    EXPECT_TRUE(IsLocalUri(id, uri)) << uri;
  }
  for (std::string_view uri : {"sip:192.0.2.2", "sip:user@example.com", "sip:192.0.2.1:5070",
                               "sip:gw.example.net.evil.com", "tel:+15551234", "sip:", "garbage"}) {
    EXPECT_FALSE(IsLocalUri(id, uri)) << uri;
  }
  id.advertised_address = net::MakeIp4(203, 0, 113, 9);
  id.advertised_port = 15060;
  EXPECT_TRUE(IsLocalUri(id, "sip:203.0.113.9:15060"));
  EXPECT_TRUE(IsLocalUri(id, "sip:203.0.113.9"));
  EXPECT_FALSE(IsLocalUri(id, "sip:203.0.113.9:5070"));
  id.domain.clear();  // an empty domain matches no name
  EXPECT_FALSE(IsLocalUri(id, "sip:gw.example.net"));
}

TEST(Stack, OtherRequestsReachTheTuWhateverTheirTarget) {
  for (std::string_view uri : {"sip:192.0.2.2", "sip:user@example.com", "sip:192.0.2.1:5070",
                               "sip:gw.example.net.evil.com", "tel:+15551234"}) {
    SCOPED_TRACE(uri);
    Gateway gw;
    std::string req = MakeRequest("INVITE", uri, kViaRport);
    gw.Deliver(req);
    EXPECT_EQ(OnlyResponse(gw).status_code(), 501);  // FakeUas
    EXPECT_EQ(gw.uas.counts().requests, 1u);
    EXPECT_EQ(gw.stats().rx_requests[static_cast<size_t>(Method::kInvite)], 1u);
    testing::ExpectSaneAnswer(req, gw.sender, kPhone);
    gw.Settle();
    EXPECT_EQ(gw.layer.active(), 0u);
  }
}

TEST(Stack, AckIsNeverAnsweredAndGoesToTheTu) {
  Gateway gw;
  gw.Deliver(MakeRequest("ACK", "sip:192.0.2.1", kViaRport));
  gw.Deliver(MakeRequest("ACK", "sip:someone@example.com", kViaRport));
  EXPECT_EQ(gw.sender.count(), 0u);
  EXPECT_EQ(gw.stats().rx_requests[static_cast<size_t>(Method::kAck)], 2u);
  EXPECT_EQ(gw.uas.counts().acks, 2u);  // outside any transaction: end to end
}

TEST(Stack, AckWithMalformedViaIsNotAnswered) {
  // RFC 3261 17.1.1.3 / 17.2.1: an ACK never gets a response, not even a 400.
  Gateway gw;
  gw.Deliver(MakeRequest("ACK", "sip:192.0.2.1", "SIP/2.0/UDP bad_host;branch=z9hG4bKe"));
  gw.Deliver(MakeRequest("ACK", "sip:192.0.2.1", "SIP/2.0/UDP bad_host;branch=z9hG4bKe", kBroken));
  EXPECT_EQ(gw.sender.count(), 0u);
  EXPECT_EQ(gw.stats().tx_errors, 0u);
  EXPECT_EQ(gw.uas.counts().acks, 0u);
}

TEST(Stack, UnparsableAckIsNotAnswered) {
  Gateway gw;
  std::string req = MakeRequest("ACK", "sip:192.0.2.1", kViaRport, "Broken header line\r\n");
  gw.Deliver(req);
  EXPECT_EQ(gw.sender.count(), 0u);
}

TEST(Stack, ResponseGoesToTheLayerABrokenOneIsDropped) {
  Gateway gw;
  gw.Deliver(
      "SIP/2.0 200 OK\r\n"
      "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKnashds8\r\n"
      "To: <sip:bob@example.com>;tag=a6c85cf\r\n"
      "From: <sip:alice@example.com>;tag=1928301774\r\n"
      "Call-ID: a84b4c76e66710\r\n"
      "CSeq: 314159 OPTIONS\r\n"
      "Content-Length: 0\r\n\r\n");
  // A broken response is still a response: never answered.
  gw.Deliver(
      "SIP/2.0 404 Not Found\r\n"
      "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKnashds8\r\n"
      "this line is broken\r\n\r\n");
  gw.Deliver("SIP/2.0 4294967301 better not break the receiver\r\n\r\n");
  EXPECT_EQ(gw.sender.count(), 0u);
  EXPECT_EQ(gw.stats().rx_responses, 1u);
  EXPECT_EQ(gw.uas.counts().strays, 1u);  // matched no client transaction
  EXPECT_EQ(gw.stats().rx_bad_responses, 2u);
  EXPECT_EQ(gw.stats().rx_garbage, 0u);
  EXPECT_EQ(gw.stats().rx_datagrams, 3u);
}

TEST(Stack, GarbageIsDroppedAndCounted) {
  Gateway gw;
  gw.stack.OnDatagram({}, kPhone);  // 0 bytes
  gw.Deliver("x");
  gw.Deliver("\r\n\r\n");
  gw.Deliver(std::string(8192, '\xFF'));
  gw.Deliver("GET / HTTP/1.1\r\nHost: 192.0.2.1\r\n\r\n");
  gw.Deliver(std::string(1, '\0'));
  EXPECT_EQ(gw.sender.count(), 0u);
  EXPECT_EQ(gw.stats().rx_keepalives, 2u);
  EXPECT_EQ(gw.stats().rx_garbage, 4u);
  EXPECT_EQ(gw.stats().rx_datagrams, 6u);
  EXPECT_EQ(gw.stats().rx_bad_requests, 0u);
}

TEST(Stack, RandomBytesAreNeverAnswered) {
  Gateway gw;
  std::mt19937 rng(4475);
  constexpr int kRounds = 500;
  for (int i = 0; i < kRounds; ++i) {
    std::string junk(1 + rng() % 1500, '\0');
    for (char& c : junk) c = static_cast<char>(rng());
    gw.Deliver(junk);
  }
  EXPECT_EQ(gw.sender.count(), 0u);
  EXPECT_EQ(gw.stats().rx_garbage + gw.stats().rx_keepalives, static_cast<uint32_t>(kRounds));
}

TEST(Stack, BrokenHeaderLineAnswers400WithParseError) {
  Gateway gw;
  std::string req = MakeRequest("OPTIONS", "sip:192.0.2.1", kViaRport, "This line is broken\r\n");
  gw.Deliver(req);
  Message resp = OnlyResponse(gw);
  EXPECT_EQ(resp.status_code(), 400);
  EXPECT_EQ(resp.reason(), ParseErrorText(ParseError::kBadHeaderLine));
  EXPECT_EQ(resp.reason(), "Malformed Header Line");
  EXPECT_EQ(resp.Find(HeaderId::kAllow), nullptr);
  EXPECT_EQ(gw.stats().rx_bad_requests, 1u);
  EXPECT_EQ(gw.stats().tx_responses[4], 1u);
  // Not counted as a request by method: it did not parse.
  EXPECT_EQ(gw.stats().rx_requests[static_cast<size_t>(Method::kOptions)], 0u);
  testing::ExpectSaneAnswer(req, gw.sender, kPhone);
}

TEST(Stack, EveryAnswerableParseErrorIsThe400Reason) {
  struct Row {
    std::string request;
    ParseError error;
  };
  std::string base = MakeRequest("INVITE", "sip:192.0.2.1", kViaRport);
  std::string truncated = base;
  truncated.replace(truncated.find("Content-Length: 0"), 17, "Content-Length: 99");
  std::string bad_cl = base;
  bad_cl.replace(bad_cl.find("Content-Length: 0"), 17, "Content-Length: -999");
  std::string mismatch = base;
  mismatch.replace(mismatch.find("63104 INVITE"), 12, "63104 OPTIONS");
  std::string many = MakeRequest("INVITE", "sip:192.0.2.1", kViaRport, [] {
    std::string s;
    for (int i = 0; i < 70; ++i) s += "X-F: 1\r\n";
    return s;
  }());
  auto with = [&base](std::string_view from, std::string_view to) {
    std::string r = base;
    r.replace(r.find(from), from.size(), to);
    return r;
  };
  using namespace std::string_literals;
  const Row kRows[] = {
      {truncated, ParseError::kBodyTruncated},
      {bad_cl, ParseError::kBadContentLength},
      {with("Content-Length: 0", "Content-Length: 18446744073709551616"),
       ParseError::kBadContentLength},
      {mismatch, ParseError::kBadCSeq},
      {with("63104 INVITE", "4294967296 INVITE"), ParseError::kBadCSeq},
      {with("63104 INVITE", "36893488147419103232 INVITE"), ParseError::kBadCSeq},
      {with("Max-Forwards: 70", "Max-Forwards: 256"), ParseError::kBadMaxForwards},
      {with("Max-Forwards: 70", "Max-Forwards: seventy"), ParseError::kBadMaxForwards},
      {with("Max-Forwards: 70", "Max-Forwards: 70\r\nExpires: 1h"), ParseError::kBadExpires},
      {with("Max-Forwards: 70", "Max-Forwards: 70\r\nExpires: 4294967296"),
       ParseError::kBadExpires},
      {with("Max-Forwards: 70", "Max-Forwards: 70\r\nMax-Forwards: 69"),
       ParseError::kDuplicateHeader},
      {with("Max-Forwards: 70", "Max-Forwards: 70\r\nSubject: a\0b"s),
       ParseError::kControlCharacter},
      {with("Max-Forwards: 70", "Max-Forwards: 70\r\nUser-Agent: x\x1B[2J"),
       ParseError::kControlCharacter},
      {many, ParseError::kTooManyHeaders},
  };
  for (const Row& row : kRows) {
    SCOPED_TRACE(ParseErrorText(row.error));
    Gateway gw;
    gw.Deliver(row.request);
    Message resp = OnlyResponse(gw);
    EXPECT_EQ(resp.status_code(), 400);
    EXPECT_EQ(resp.reason(), ParseErrorText(row.error));
    testing::ExpectSaneAnswer(row.request, gw.sender, kPhone);
  }
}

TEST(Stack, ReasonsOfTheHeaderChecksAreTheOnesARawSocketSees) {
  Gateway gw;
  std::string req = MakeRequest("OPTIONS", "sip:192.0.2.1", kViaRport);
  req.replace(req.find("Max-Forwards: 70"), 16, "Max-Forwards: 300");
  gw.Deliver(req);
  EXPECT_EQ(OnlyResponse(gw).reason(), "Bad Max-Forwards");
  gw.sender.Clear();
  req = MakeRequest("OPTIONS", "sip:192.0.2.1", kViaRport);
  req.replace(req.find("63104 OPTIONS"), 13, "99999999999 OPTIONS");
  gw.Deliver(req);
  EXPECT_EQ(OnlyResponse(gw).reason(), "Bad CSeq");
  EXPECT_EQ(gw.stats().rx_bad_requests, 2u);
}

TEST(Stack, ControlCharacterInAnEchoedHeaderIsDroppedNotEchoed) {
  // A 400 would copy the NUL back (RFC 3261 8.2.6.2); the request is
  // dropped and counted instead.
  using namespace std::literals;
  for (std::string_view header : {"From: \"Alice\""sv, "Call-ID: a84b4c76e66710"sv,
                                  "To: <sip:192.0.2.1"sv, "Via: SIP/2.0/UDP 10.0.0.5:5062"sv}) {
    SCOPED_TRACE(header);
    std::string req = MakeRequest("OPTIONS", "sip:192.0.2.1", kViaRport);
    req.insert(req.find(header) + header.size(), "\0"s);
    Gateway gw;
    gw.Deliver(req);
    EXPECT_EQ(gw.sender.count(), 0u);
    EXPECT_EQ(gw.stats().rx_bad_requests, 0u);
    EXPECT_EQ(gw.stats().rx_garbage, 1u);
  }
}

// Found by sip_message_fuzz: "(" in a Via counted as a comment, whose
// quoted-pair let a DEL through; the 400 split that Via at its comma into
// lines of their own, and the DEL, out of the "comment", made the answer
// one our own parser refuses. Via has no comments: the request is not
// answered.
TEST(Stack, NoAnswerCarriesAControlCharacterOutOfItsContext) {
  using namespace std::literals;
  std::string req = MakeRequest("OPTIONS", "sip:192.0.2.1",
                                std::string(kViaRport) + " (a, SIP/2.0/UDP h\\\x7F)"s, kBroken);
  Gateway gw;
  gw.Deliver(req);
  EXPECT_EQ(gw.sender.count(), 0u);
  testing::ExpectSaneAnswer(req, gw.sender, kPhone);
}

TEST(Stack, ParsedRequestWithMalformedViaIsDroppedByTheLayer) {
  // Nowhere to send an answer along (RFC 3261 18.2.2 needs the Via); the
  // transaction layer counts and drops it.
  Gateway gw;
  for (std::string_view via : {"SIP/2.0/UDP bad_host;branch=z9hG4bKe",
                               "SIP/2.0/UDP 10.0.0.5;branch=z9hG4bKe;rport=99999"}) {
    std::string req = MakeRequest("OPTIONS", "sip:192.0.2.1", via);
    gw.Deliver(req);
  }
  EXPECT_EQ(gw.sender.count(), 0u);
  EXPECT_EQ(gw.layer.stats().dropped, 2u);
  EXPECT_EQ(gw.uas.counts().requests, 0u);
}

TEST(Stack, UnanswerableBrokenRequestIsDroppedAndCounted) {
  Gateway gw;
  // No Call-ID: nothing to build a 400 with (RFC 4475 insuf).
  gw.Deliver(
      "INVITE sip:192.0.2.1 SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 10.0.0.5;branch=z9hG4bKf\r\n"
      "CSeq: 1 INVITE\r\n"
      "Content-Length: 0\r\n\r\n");
  // Broken before the Via was read.
  gw.Deliver(
      "OPTIONS sip:192.0.2.1 SIP/2.0\r\n"
      "Broken\r\n"
      "Via: SIP/2.0/UDP 10.0.0.5;branch=z9hG4bKf\r\n\r\n");
  // Bad request line.
  gw.Deliver(MakeRequest("OPTIONS", "sip:192.0.2.1 extra", kViaRport));
  EXPECT_EQ(gw.sender.count(), 0u);
  EXPECT_EQ(gw.stats().rx_garbage, 3u);
  EXPECT_EQ(gw.stats().rx_bad_requests, 0u);
}

std::string SixtyLongVias() {
  std::string vias;
  for (int i = 0; i < 60; ++i) {
    vias += "Via: SIP/2.0/UDP proxy-" + std::to_string(i) +
            ".a-rather-long-domain-name.example.com:5060;branch=z9hG4bK-long-branch-" +
            std::to_string(i) + "\r\n";
  }
  return vias;
}

TEST(Stack, ResponseTooLargeIsNotSentAndCounted) {
  std::string req = "OPTIONS sip:192.0.2.1 SIP/2.0\r\n" + SixtyLongVias() +
                    "From: <sip:alice@example.com>;tag=1\r\n"
                    "To: <sip:192.0.2.1>\r\n"
                    "Call-ID: big@example.com\r\n"
                    "CSeq: 1 OPTIONS\r\n" +
                    std::string(kBroken) + "\r\n";
  Message parsed;
  ASSERT_FALSE(parsed.Parse(req).ok());
  ASSERT_EQ(parsed.Count(HeaderId::kVia), 60u);
  ASSERT_GT(req.size(), Stack::kMaxResponse);
  Gateway gw;
  gw.Deliver(req);
  EXPECT_EQ(gw.sender.count(), 0u);
  EXPECT_EQ(gw.stats().tx_errors, 1u);
  EXPECT_EQ(gw.stats().tx_responses[4], 0u);
  // The stack is still usable afterwards.
  gw.Deliver(MakeRequest("OPTIONS", "sip:192.0.2.1", kViaRport, kBroken));
  EXPECT_EQ(OnlyResponse(gw).status_code(), 400);
}

// Found by sip_message_fuzz: one Via header line with many comma-separated
// values became one response line each, so a request within
// Message::kMaxHeaders got a response beyond it, which a parser like ours
// refuses. Such a response must not be sent.
TEST(Stack, ViasFanningOutBeyondMaxHeadersAreNotSent) {
  std::string vias = "Via: SIP/2.0/UDP 10.0.0.5:5062;branch=z9hG4bK1";
  for (int i = 0; i < 70; ++i) vias += ",SIP/2.0/UDP p" + std::to_string(i);
  std::string req = "OPTIONS sip:192.0.2.1 SIP/2.0\r\n" + vias +
                    "\r\n"
                    "From: <sip:alice@example.com>;tag=1\r\n"
                    "To: <sip:192.0.2.1>\r\n"
                    "Call-ID: fan@example.com\r\n"
                    "CSeq: 1 OPTIONS\r\n" +
                    std::string(kBroken) + "\r\n";
  Message parsed;
  ASSERT_FALSE(parsed.Parse(req).ok());
  ASSERT_EQ(parsed.error(), ParseError::kBadHeaderLine);
  ASSERT_LT(req.size() + 71 * 7, Stack::kMaxResponse);  // fits in bytes
  Gateway gw;
  gw.Deliver(req);
  testing::ExpectSaneAnswer(req, gw.sender, kPhone);
  EXPECT_EQ(gw.sender.count(), 0u);
  EXPECT_EQ(gw.stats().tx_errors, 1u);
}

// Found by sip_message_fuzz: the same fan-out in a request that parses
// reaches the TU, which cannot build any answer; its transaction must
// still end (before the fix it stayed in Trying for ever).
TEST(Stack, RequestNoAnswerFitsStillEndsItsTransaction) {
  std::string vias = "Via: SIP/2.0/UDP 10.0.0.5:5062;branch=z9hG4bK1";
  for (int i = 0; i < 70; ++i) vias += ",SIP/2.0/UDP p" + std::to_string(i);
  std::string req = "OPTIONS sip:192.0.2.1 SIP/2.0\r\n" + vias +
                    "\r\n"
                    "From: <sip:alice@example.com>;tag=1\r\n"
                    "To: <sip:192.0.2.1>\r\n"
                    "Call-ID: fan@example.com\r\n"
                    "CSeq: 1 OPTIONS\r\n\r\n";
  Gateway gw;
  gw.Deliver(req);
  EXPECT_EQ(gw.sender.count(), 0u);
  EXPECT_EQ(gw.uas.counts().send_failures, 1u);
  EXPECT_EQ(gw.layer.active(), 1u);
  gw.Settle();
  EXPECT_EQ(gw.layer.active(), 0u);
  EXPECT_EQ(gw.layer.stats().unanswered, 1u);
}

TEST(Stack, Oversized400IsNotSentAndCounted) {
  std::string vias = SixtyLongVias();
  // 59 Vias + From, To, Call-ID, CSeq, then a broken line: a 400 too big.
  vias.erase(vias.rfind("Via: "));
  std::string req = "OPTIONS sip:192.0.2.1 SIP/2.0\r\n" + vias +
                    "From: <sip:alice@example.com>;tag=1\r\n"
                    "To: <sip:192.0.2.1>\r\n"
                    "Call-ID: big@example.com\r\n"
                    "CSeq: 1 OPTIONS\r\n"
                    "broken\r\n\r\n";
  Gateway gw;
  gw.Deliver(req);
  EXPECT_EQ(gw.sender.count(), 0u);
  EXPECT_EQ(gw.stats().tx_errors, 1u);
  EXPECT_EQ(gw.stats().rx_bad_requests, 1u);
}

// A datagram over the socket's limit: the stack sees only its head.
void DeliverOversized(Gateway& gw, std::string_view head, size_t total) {
  gw.stack.OnOversized(Bytes(head), total, kPhone);
}

TEST(Stack, OversizedRequestWithWholeHeadersAnswers413) {
  Gateway gw;
  std::string req = MakeRequest("MESSAGE", "sip:1002@192.0.2.1", kViaRport);
  req.replace(req.find("Content-Length: 0"), 17, "Content-Length: 9000");
  req += std::string(8192 - req.size(), 'x');  // the head: the body is cut off
  DeliverOversized(gw, req, 9000 + req.find("\r\n\r\n") + 4);
  Message resp = OnlyResponse(gw);
  EXPECT_EQ(resp.status_code(), 413);
  EXPECT_EQ(resp.reason(), "Request Entity Too Large");
  EXPECT_EQ(HeaderValue(resp, HeaderId::kCSeq), "63104 MESSAGE");
  EXPECT_EQ(gw.sender.sent(0).to.port, kPhone.port);  // rport: back to the source
  EXPECT_EQ(gw.stats().rx_too_large, 1u);
  EXPECT_EQ(gw.stats().tx_responses[4], 1u);
}

TEST(Stack, OversizedRequestWithoutContentLengthAnswers413) {
  Gateway gw;
  std::string req = MakeRequest("MESSAGE", "sip:1002@192.0.2.1", kViaRport);
  req.erase(req.find("Content-Length: 0\r\n"), 19);
  req += std::string(8192 - req.size(), 'x');
  DeliverOversized(gw, req, 10000);
  EXPECT_EQ(OnlyResponse(gw).status_code(), 413);
}

TEST(Stack, OversizedRequestWhoseHeadersRunPastTheHeadAnswers513) {
  Gateway gw;
  std::string req = MakeRequest("INVITE", "sip:1002@192.0.2.1", kViaRport);
  // The header block never ends within the head: a huge Subject comes last,
  // after everything a response needs. The parser stops at a broken line
  // only if one is complete, so the cut falls mid-header-block.
  std::string head = req.substr(0, req.find("Content-Length"));
  head += "Subject: " + std::string(8192, 's');
  head.resize(8192);
  DeliverOversized(gw, head, 20000);
  EXPECT_EQ(gw.stats().rx_too_large, 0u);  // nothing parsed to answer along
  EXPECT_EQ(gw.sender.count(), 0u);
}

TEST(Stack, OversizedAckOrResponseOrGarbageIsNotAnswered) {
  Gateway gw;
  std::string ack = MakeRequest("ACK", "sip:1002@192.0.2.1", kViaRport);
  ack.replace(ack.find("Content-Length: 0"), 17, "Content-Length: 9000");
  DeliverOversized(gw, ack, 9500);
  DeliverOversized(gw, "SIP/2.0 200 OK\r\nContent-Length: 9000\r\n\r\nabc", 9050);
  DeliverOversized(gw, std::string(8192, '\0'), 9000);
  EXPECT_EQ(gw.sender.count(), 0u);
  EXPECT_EQ(gw.stats().rx_too_large, 0u);
}

TEST(Stack, SendFailureIsCounted) {
  Gateway gw;
  gw.sender.FailWith(Status::Unavailable());
  gw.Deliver(MakeRequest("OPTIONS", "sip:192.0.2.1", kViaRport, kBroken));
  EXPECT_EQ(gw.stats().tx_errors, 1u);
  EXPECT_EQ(gw.stats().tx_responses[4], 0u);
}

TEST(Stack, CountersPerMethodAndResponseClass) {
  Gateway gw;
  // A branch each: one transaction each, none a retransmission of another.
  auto Via = [](int n) { return std::string(kViaRport).replace(40, 1, std::to_string(n)); };
  gw.Deliver(MakeRequest("OPTIONS", "sip:192.0.2.1", Via(1)));              // TU: 200
  gw.Deliver(MakeRequest("OPTIONS", "sip:gw.example.net", Via(2)));         // TU: 200
  gw.Deliver(MakeRequest("OPTIONS", "sip:elsewhere.example.com", Via(3)));  // TU: 501
  gw.Deliver(MakeRequest("INVITE", "sip:192.0.2.1", Via(4)));               // TU: 501
  gw.Deliver(MakeRequest("REGISTER", "sip:gw.example.net", Via(5)));        // TU: 501
  gw.Deliver(MakeRequest("BYE", "sip:192.0.2.1", Via(6)));                  // TU: 501
  gw.Deliver(MakeRequest("NEWMETHOD", "sip:192.0.2.1", Via(7)));            // TU: 501
  gw.Deliver(MakeRequest("ACK", "sip:192.0.2.1", Via(8)));                  // TU: -
  gw.Deliver(MakeRequest("INVITE", "sip:192.0.2.1", Via(9), "bad\r\n"));    // 400
  gw.Deliver("SIP/2.0 180 Ringing\r\n\r\n");                                // bad response
  gw.Deliver("\r\n\r\n");                                                   // keep-alive
  gw.Deliver("\x01\x02\x03");                                               // garbage
  const SipStats& s = gw.stats();
  EXPECT_EQ(s.rx_datagrams, 12u);
  EXPECT_EQ(s.rx_requests[static_cast<size_t>(Method::kOptions)], 3u);
  EXPECT_EQ(s.rx_requests[static_cast<size_t>(Method::kInvite)], 1u);
  EXPECT_EQ(s.rx_requests[static_cast<size_t>(Method::kRegister)], 1u);
  EXPECT_EQ(s.rx_requests[static_cast<size_t>(Method::kBye)], 1u);
  EXPECT_EQ(s.rx_requests[static_cast<size_t>(Method::kAck)], 1u);
  EXPECT_EQ(s.rx_requests[static_cast<size_t>(Method::kUnknown)], 1u);
  EXPECT_EQ(s.rx_requests[static_cast<size_t>(Method::kCancel)], 0u);
  EXPECT_EQ(s.rx_bad_requests, 1u);
  EXPECT_EQ(s.rx_bad_responses, 1u);
  EXPECT_EQ(s.rx_keepalives, 1u);
  EXPECT_EQ(s.rx_garbage, 1u);
  // The Stack's own answers: the one 400. The rest came from the TU.
  EXPECT_EQ(s.tx_responses[2], 0u);
  EXPECT_EQ(s.tx_responses[4], 1u);
  EXPECT_EQ(s.tx_responses[5], 0u);
  EXPECT_EQ(s.tx_errors, 0u);
  EXPECT_EQ(gw.layer.stats().tx_responses[2], 2u);
  EXPECT_EQ(gw.layer.stats().tx_responses[5], 5u);
  EXPECT_EQ(gw.uas.counts().requests, 7u);
  EXPECT_EQ(gw.uas.counts().acks, 1u);
  EXPECT_EQ(gw.sender.count(), 8u);
  gw.Settle();
  EXPECT_EQ(gw.layer.active(), 0u);
}

TEST(Stack, EchoedHeadersKeepNulOctets) {
  // RFC 4475 intmeth: a quoted-pair may escape NUL in a display name. The
  // response must copy From/To byte for byte, not stop at the NUL.
  using namespace std::string_literals;
  std::string req = MakeRequest("OPTIONS", "sip:192.0.2.1", kViaRport, kBroken);
  std::string from = "From: \"NUL:\\\0 end\" <sip:alice@example.com>;tag=1928301774"s;
  req.replace(req.find("From: "), req.find("\r\n", req.find("From: ")) - req.find("From: "), from);
  std::string to = "To: \"BEL:\\\x07 NUL:\\\0 DEL:\\\x7F\" <sip:192.0.2.1>"s;
  req.replace(req.find("To: "), req.find("\r\n", req.find("To: ")) - req.find("To: "), to);
  Gateway gw;
  gw.Deliver(req);
  Message resp = OnlyResponse(gw);
  EXPECT_EQ(resp.status_code(), 400);
  EXPECT_EQ(HeaderValue(resp, HeaderId::kFrom), from.substr(6));
  std::string resp_to = HeaderValue(resp, HeaderId::kTo);
  EXPECT_EQ(resp_to.substr(0, to.size() - 4), to.substr(4));
  testing::ExpectSaneAnswer(req, gw.sender, kPhone);
}

// A Stack with a rate limiter of `rate` per second and `burst`, on a clock
// advanced by hand.
struct LimitedGateway : Gateway {
  LimitedGateway(uint32_t rate, uint32_t burst, RateAction action) {
    RateLimitConfig c;
    c.rate = rate;
    c.burst = burst;
    c.action = action;
    c.retry_after_s = 7;
    limiter.Configure(c);
    stack.AttachRateLimiter(limiter);
  }
  gw::testing::FakeClock clock;
  RateLimiter limiter{clock};
};

TEST(Stack, RequestsOverTheRateGet503WithRetryAfter) {
  LimitedGateway gw(1, 2, RateAction::kReply);
  const std::string options = MakeRequest("OPTIONS", "sip:192.0.2.1", kViaRport);
  gw.Deliver(options);
  gw.Deliver(options);
  ASSERT_EQ(gw.sender.count(), 2u);
  gw.sender.Clear();
  gw.Deliver(options);
  Message resp = OnlyResponse(gw);
  EXPECT_EQ(resp.status_code(), 503);
  EXPECT_EQ(HeaderValue(resp, HeaderId::kRetryAfter), "7");
  EXPECT_EQ(gw.limiter.stats().refused, 1u);
  EXPECT_EQ(gw.stats().tx_responses[5], 1u);
  EXPECT_EQ(gw.stats().rx_requests[static_cast<size_t>(Method::kOptions)], 3u);
  // A request from elsewhere is not affected; a second later one more passes.
  gw.sender.Clear();
  gw.Deliver(options, {net::MakeIp4(198, 51, 100, 9), 5060});
  EXPECT_EQ(OnlyResponse(gw).status_code(), 200);
  gw.sender.Clear();
  gw.clock.now += 1000;
  gw.Deliver(options);
  EXPECT_EQ(OnlyResponse(gw).status_code(), 200);
}

TEST(Stack, DropActionAnswersNothing) {
  LimitedGateway gw(1, 1, RateAction::kDrop);
  const std::string options = MakeRequest("OPTIONS", "sip:192.0.2.1", kViaRport);
  gw.Deliver(options);
  gw.Deliver(options);
  gw.Deliver(options);
  EXPECT_EQ(gw.sender.count(), 1u);
  EXPECT_EQ(gw.limiter.stats().dropped, 2u);
  EXPECT_EQ(gw.limiter.stats().refused, 0u);
}

TEST(Stack, AckResponsesAndKeepalivesAreNeverLimited) {
  LimitedGateway gw(1, 1, RateAction::kReply);
  gw.Deliver(MakeRequest("OPTIONS", "sip:192.0.2.1", kViaRport));  // empties the bucket
  gw.sender.Clear();
  for (int i = 0; i < 5; ++i) {
    gw.Deliver(MakeRequest("ACK", "sip:1002@192.0.2.1", kViaRport));
    gw.Deliver(
        "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKx\r\n"
        "From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: x\r\n"
        "CSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n");
    gw.Deliver("\r\n\r\n");
  }
  EXPECT_EQ(gw.sender.count(), 0u);  // ACKs unanswered, as always
  EXPECT_EQ(gw.limiter.stats().refused + gw.limiter.stats().dropped, 0u);
  EXPECT_EQ(gw.stats().rx_keepalives, 5u);
  EXPECT_EQ(gw.stats().rx_responses, 5u);
  gw.Deliver(MakeRequest("OPTIONS", "sip:192.0.2.1", kViaRport));
  EXPECT_EQ(OnlyResponse(gw).status_code(), 503);  // the bucket is still empty
}

TEST(Stack, MalformedAndOversizedRequestsTakeATokenToo) {
  LimitedGateway gw(1, 1, RateAction::kReply);
  const std::string bad =
      MakeRequest("OPTIONS", "sip:192.0.2.1", kViaRport, "This line is broken\r\n");
  gw.Deliver(bad);
  Message first = OnlyResponse(gw);
  gw.sender.Clear();
  gw.Deliver(bad);
  Message second = OnlyResponse(gw);
  gw.sender.Clear();
  std::string invite = MakeRequest("INVITE", "sip:1002@192.0.2.1", kViaRport);
  invite.replace(invite.find("Content-Length: 0"), 17, "Content-Length: 9000");
  DeliverOversized(gw, invite, 9500);
  Message third = OnlyResponse(gw);
  EXPECT_EQ(second.status_code(), 503);
  EXPECT_EQ(third.status_code(), 503);
  EXPECT_EQ(gw.limiter.stats().refused, 2u);
  EXPECT_EQ(gw.stats().rx_too_large, 0u);
  EXPECT_EQ(first.status_code(), 400);
}

TEST(Stack, EveryPrefixAndMutationOfARequestIsHandledSanely) {
  std::string base =
      MakeRequest("OPTIONS", "sip:192.0.2.1", kViaRport, "Subject: folded\r\n value\r\n");
  Gateway gw;
  for (size_t n = 0; n <= base.size(); ++n) {
    gw.Settle();
    std::string prefix = base.substr(0, n);
    gw.Deliver(prefix);
    testing::ExpectSaneAnswer(prefix, gw.sender, kPhone);
    if (::testing::Test::HasFailure()) {
      ADD_FAILURE() << "at prefix length " << n;
      return;
    }
  }
  std::mt19937 rng(3261);
  constexpr char kInteresting[] = {'\0', '\r', '\n', ' ',  '\t', ':', ';', ',',
                                   '<',  '>',  '"',  '\\', '@',  '[', ']', '\xFF'};
  for (int round = 0; round < 3000; ++round) {
    std::string m = base;
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      size_t at = rng() % m.size();
      char c = (rng() % 2) ? kInteresting[rng() % sizeof(kInteresting)] : static_cast<char>(rng());
      switch (rng() % 3) {
        case 0:
          m[at] = c;
          break;
        case 1:
          m.insert(m.begin() + static_cast<std::ptrdiff_t>(at), c);
          break;
        default:
          m.erase(at, 1 + rng() % 8);
          break;
      }
      if (m.empty()) m = "x";
    }
    gw.Settle();
    gw.Deliver(m);
    testing::ExpectSaneAnswer(m, gw.sender, kPhone);
    if (::testing::Test::HasFailure()) {
      ADD_FAILURE() << "at mutation round " << round << ": " << ::testing::PrintToString(m);
      return;
    }
  }
  gw.Settle();
  EXPECT_EQ(gw.layer.active(), 0u);
}

}  // namespace
}  // namespace gw::sip

#include "gw/sip/transaction.h"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gw/core/log.h"
#include "gw/core/timer_wheel.h"
#include "gw/net/address.h"
#include "gw/sip/message.h"
#include "gw/sip/response.h"
#include "gw/sip/via.h"
#include "gw/testing/fake_hal.h"

namespace gw::sip {
namespace {

constexpr net::Endpoint kPhone{net::MakeIp4(198, 51, 100, 7), 40000};
constexpr net::Endpoint kCallee{net::MakeIp4(203, 0, 113, 20), 5060};

// Records every datagram with the fake clock's time.
class RecordingSender : public net::DatagramSender {
 public:
  struct Sent {
    net::Endpoint to;
    std::string data;
    uint32_t ms;  // since the harness started
  };
  RecordingSender(testing::FakeClock& clock, uint32_t start) : clock_(clock), start_(start) {}
  std::vector<Sent> sent;
  Status result = Status::Ok();

 private:
  Status DoSendTo(const net::Endpoint& to, std::span<const std::byte> data) override {
    if (!result.ok()) return result;
    sent.push_back({to, std::string(reinterpret_cast<const char*>(data.data()), data.size()),
                    clock_.now - start_});
    return Status::Ok();
  }
  testing::FakeClock& clock_;
  uint32_t start_;
};

enum class Ev { kRequest, kResponse, kTimeout, kTransportError, kTerminated, kStray, kAck };

struct Event {
  Ev type;
  uint32_t serial = 0;  // the transaction's, 0 for stateless events
  int code = 0;         // response code
  std::string method;   // request or CSeq method
  Timeout which = Timeout::kTimerB;
  uint32_t ms = 0;
};

// Records events; tests hook behaviour into the request/response paths.
class RecordingTu : public TransactionUser {
 public:
  RecordingTu(testing::FakeClock& clock, uint32_t start) : clock_(clock), start_(start) {}
  std::vector<Event> events;
  std::function<void(Transaction&, const Message&)> on_request;
  std::function<void(Transaction&, const Message&)> on_response;
  std::function<void(Transaction&, Timeout)> on_timeout;
  std::vector<Transaction*> live;  // server transactions seen, until terminated

  size_t Count(Ev type) const {
    size_t n = 0;
    for (const Event& e : events) n += e.type == type;
    return n;
  }

 private:
  uint32_t Now() const { return clock_.now - start_; }
  void DoOnRequest(Transaction& txn, const Message& request) override {
    events.push_back({Ev::kRequest, txn.serial(), 0, std::string(request.method_text()),
                      Timeout::kTimerB, Now()});
    live.push_back(&txn);
    if (on_request) on_request(txn, request);
  }
  void DoOnResponse(Transaction& txn, const Message& response) override {
    events.push_back({Ev::kResponse, txn.serial(), response.status_code(),
                      std::string(response.cseq_method()), Timeout::kTimerB, Now()});
    if (on_response) on_response(txn, response);
  }
  void DoOnTimeout(Transaction& txn, Timeout which) override {
    events.push_back({Ev::kTimeout, txn.serial(), 0, {}, which, Now()});
    if (on_timeout) on_timeout(txn, which);
  }
  void DoOnTransportError(Transaction& txn) override {
    events.push_back({Ev::kTransportError, txn.serial(), 0, {}, Timeout::kTimerB, Now()});
  }
  void DoOnTerminated(Transaction& txn) override {
    EXPECT_EQ(txn.state(), TransactionState::kTerminated);
    events.push_back({Ev::kTerminated, txn.serial(), 0, {}, Timeout::kTimerB, Now()});
    std::erase(live, &txn);
  }
  void DoOnStrayResponse(const Message& response, const net::Endpoint&) override {
    events.push_back({Ev::kStray, 0, response.status_code(), std::string(response.cseq_method()),
                      Timeout::kTimerB, Now()});
  }
  void DoOnAck(const Message& ack, const net::Endpoint&) override {
    events.push_back({Ev::kAck, 0, 0, std::string(ack.method_text()), Timeout::kTimerB, Now()});
  }
  testing::FakeClock& clock_;
  uint32_t start_;
};

// The layer on a fake clock and wheel. Every test ends with the pool and
// the wheel empty (checked in the destructor).
struct Harness {
  explicit Harness(TransactionConfig config = {}) {
    layer = std::make_unique<TransactionLayer>(sender, wheel, tu, config);
  }
  ~Harness() {
    EXPECT_EQ(layer->active(), 0u) << "transactions left in the pool";
    EXPECT_EQ(layer->pool_stats().used, 0u);
    EXPECT_EQ(wheel.active_count(), 0u) << "timers left on the wheel";
  }
  uint32_t Now() const { return clock.now - kStart; }
  // Moves time forward tick by tick, as the event loop would.
  void AdvanceTo(uint32_t ms) {
    while (Now() < ms) {
      clock.now += TimerWheel::kTickMs;
      wheel.Advance(clock.now);
    }
  }
  void Advance(uint32_t ms) { AdvanceTo(Now() + ms); }
  void Deliver(const std::string& datagram, net::Endpoint from = kPhone) {
    Message msg;
    ASSERT_TRUE(msg.Parse(datagram).ok()) << ParseErrorText(msg.error()) << "\n" << datagram;
    layer->Receive(msg, from);
  }
  // Answers the server transaction with a response built from its request.
  static std::string ResponseTo(const std::string& request, int code, std::string_view reason,
                                std::string_view to_tag = "srv1") {
    Message req;
    EXPECT_TRUE(req.Parse(request).ok());
    String<4096> out;
    EXPECT_TRUE(BuildResponse(req, kPhone, code, reason, {to_tag, {}, {}}, out).ok());
    return std::string(out.view());
  }
  std::vector<uint32_t> SendTimes() const {
    std::vector<uint32_t> t;
    for (const auto& s : sender.sent) t.push_back(s.ms);
    return t;
  }

  static constexpr uint32_t kStart = 1000;
  testing::FakeClock clock;  // starts at kStart
  TimerWheel wheel{clock.now};
  RecordingSender sender{clock, kStart};
  RecordingTu tu{clock, kStart};
  std::unique_ptr<TransactionLayer> layer;
};

std::string Request(std::string_view method, std::string_view branch, uint32_t cseq = 1,
                    std::string_view extra = {}, std::string_view cseq_method = {},
                    std::string_view to_tag = {}, std::string_view sent_by = "10.0.0.5:5062") {
  std::string via = "SIP/2.0/UDP " + std::string(sent_by);
  if (!branch.empty()) via += ";branch=" + std::string(branch);
  std::string to = "<sip:bob@example.com>";
  if (!to_tag.empty()) to += ";tag=" + std::string(to_tag);
  return std::string(method) + " sip:bob@example.com SIP/2.0\r\n" + "Via: " + via +
         ";rport\r\n"
         "Max-Forwards: 70\r\n"
         "From: \"Alice\" <sip:alice@example.com>;tag=1928301774\r\n"
         "To: " +
         to +
         "\r\n"
         "Call-ID: a84b4c76e66710@pc33.example.com\r\n"
         "CSeq: " +
         std::to_string(cseq) + " " + std::string(cseq_method.empty() ? method : cseq_method) +
         "\r\n" + std::string(extra) + "Content-Length: 0\r\n\r\n";
}

// A response as a downstream element would send it to our client transaction.
std::string Response(int code, std::string_view reason, std::string_view branch,
                     std::string_view cseq_method, uint32_t cseq = 1,
                     std::string_view to_tag = "callee9") {
  std::string to = "<sip:bob@example.com>";
  if (code > 100) to += ";tag=" + std::string(to_tag);
  return "SIP/2.0 " + std::to_string(code) + " " + std::string(reason) + "\r\n" +
         "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=" + std::string(branch) + "\r\n" +
         "From: <sip:alice@example.com>;tag=a1\r\n"
         "To: " +
         to +
         "\r\n"
         "Call-ID: out-1@192.0.2.1\r\n"
         "CSeq: " +
         std::to_string(cseq) + " " + std::string(cseq_method) + "\r\n" +
         "Content-Length: 0\r\n\r\n";
}

// A request the proxy forwards: our Via on top, a Route set.
std::string Outgoing(std::string_view method, std::string_view branch, uint32_t cseq = 1) {
  return std::string(method) + " sip:bob@203.0.113.20 SIP/2.0\r\n" +
         "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=" + std::string(branch) + "\r\n" +
         "Via: SIP/2.0/UDP 10.0.0.5:5062;branch=z9hG4bKup;received=198.51.100.7\r\n"
         "Route: <sip:edge1.example.net;lr>\r\n"
         "Route: <sip:edge2.example.net;lr>\r\n"
         "Max-Forwards: 69\r\n"
         "From: <sip:alice@example.com>;tag=a1\r\n"
         "To: <sip:bob@example.com>\r\n"
         "Call-ID: out-1@192.0.2.1\r\n"
         "CSeq: " +
         std::to_string(cseq) + " " + std::string(method) + "\r\n" +
         "Content-Type: application/sdp\r\n"
         "Content-Length: 4\r\n\r\nv=0\n";
}

Message Parsed(const std::string& datagram) {
  Message m;
  EXPECT_TRUE(m.Parse(datagram).ok()) << datagram;
  return m;
}

std::string HeaderOf(const Message& m, HeaderId id) {
  const Header* h = m.Find(id);
  return h == nullptr ? "<absent>" : std::string(h->value);
}

// ---------------------------------------------------------------------------
// Client INVITE

TEST(TransactionClient, InviteRetransmitsOnTimerAAndTimesOutOnB) {
  Harness h;
  auto txn = h.layer->SendRequest(Outgoing("INVITE", "z9hG4bKc1"), kCallee);
  ASSERT_TRUE(txn.ok());
  EXPECT_EQ((*txn)->state(), TransactionState::kCalling);
  EXPECT_EQ((*txn)->kind(), TransactionKind::kClientInvite);
  EXPECT_EQ((*txn)->branch(), "z9hG4bKc1");
  EXPECT_EQ((*txn)->call_id(), "out-1@192.0.2.1");
  EXPECT_EQ((*txn)->cseq(), 1u);
  EXPECT_EQ((*txn)->peer(), kCallee);
  uint32_t serial = (*txn)->serial();
  h.AdvanceTo(40000);
  // Timer A: T1, 2T1, 4T1 ... (0.5, 1, 2, 4, 8, 16 s apart); B at 64*T1.
  EXPECT_EQ(h.SendTimes(), (std::vector<uint32_t>{0, 500, 1500, 3500, 7500, 15500, 31500}));
  for (const auto& s : h.sender.sent) {
    EXPECT_EQ(s.to, kCallee);
    EXPECT_EQ(s.data, Outgoing("INVITE", "z9hG4bKc1"));
  }
  ASSERT_EQ(h.tu.events.size(), 2u);
  EXPECT_EQ(h.tu.events[0].type, Ev::kTimeout);
  EXPECT_EQ(h.tu.events[0].which, Timeout::kTimerB);
  EXPECT_EQ(h.tu.events[0].ms, 32000u);
  EXPECT_EQ(h.tu.events[0].serial, serial);
  EXPECT_EQ(h.tu.events[1].type, Ev::kTerminated);
  EXPECT_EQ(h.layer->stats().timeouts, 1u);
  EXPECT_EQ(h.layer->stats().retransmits, 6u);
}

TEST(TransactionClient, InviteConfiguredT1ScalesTheSchedule) {
  TransactionConfig config;
  config.t1_ms = 100;
  Harness h(config);
  ASSERT_TRUE(h.layer->SendRequest(Outgoing("INVITE", "z9hG4bKc1"), kCallee).ok());
  h.AdvanceTo(7000);
  EXPECT_EQ(h.SendTimes(), (std::vector<uint32_t>{0, 100, 300, 700, 1500, 3100, 6300}));
  ASSERT_EQ(h.tu.Count(Ev::kTimeout), 1u);
  EXPECT_EQ(h.tu.events[0].ms, 6400u);
}

TEST(TransactionClient, ProvisionalStopsAAndBAndNon2xxFinalIsAcked) {
  Harness h;
  auto txn = h.layer->SendRequest(Outgoing("INVITE", "z9hG4bKc2"), kCallee);
  ASSERT_TRUE(txn.ok());
  h.AdvanceTo(700);  // one retransmission at 500
  h.Deliver(Response(180, "Ringing", "z9hG4bKc2", "INVITE"), kCallee);
  EXPECT_EQ((*txn)->state(), TransactionState::kProceeding);
  h.AdvanceTo(60000);  // neither A nor B runs in Proceeding
  EXPECT_EQ(h.sender.sent.size(), 2u);
  EXPECT_EQ(h.tu.Count(Ev::kTimeout), 0u);

  h.Deliver(Response(486, "Busy Here", "z9hG4bKc2", "INVITE"), kCallee);
  EXPECT_EQ((*txn)->state(), TransactionState::kCompleted);
  EXPECT_EQ((*txn)->last_status(), 486);
  ASSERT_EQ(h.sender.sent.size(), 3u);
  // RFC 3261 17.1.1.3: the ACK the transaction builds.
  const std::string ack = h.sender.sent[2].data;
  EXPECT_EQ(h.sender.sent[2].to, kCallee);
  Message m = Parsed(ack);
  EXPECT_EQ(m.method(), Method::kAck);
  EXPECT_EQ(m.request_uri(), "sip:bob@203.0.113.20");
  EXPECT_EQ(m.Count(HeaderId::kVia), 1u);
  EXPECT_EQ(HeaderOf(m, HeaderId::kVia), "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKc2");
  EXPECT_EQ(m.Count(HeaderId::kRoute), 2u);
  EXPECT_NE(ack.find("Route: <sip:edge1.example.net;lr>\r\nRoute: <sip:edge2.example.net;lr>"),
            std::string::npos);
  EXPECT_EQ(HeaderOf(m, HeaderId::kFrom), "<sip:alice@example.com>;tag=a1");
  EXPECT_EQ(HeaderOf(m, HeaderId::kTo), "<sip:bob@example.com>;tag=callee9");
  EXPECT_EQ(HeaderOf(m, HeaderId::kCallId), "out-1@192.0.2.1");
  EXPECT_EQ(HeaderOf(m, HeaderId::kCSeq), "1 ACK");
  EXPECT_EQ(HeaderOf(m, HeaderId::kMaxForwards), "70");
  EXPECT_TRUE(m.body().empty());

  // A retransmitted 486 is ACKed again and not shown to the TU.
  h.Advance(1000);
  h.Deliver(Response(486, "Busy Here", "z9hG4bKc2", "INVITE"), kCallee);
  ASSERT_EQ(h.sender.sent.size(), 4u);
  EXPECT_EQ(h.sender.sent[3].data, ack);
  EXPECT_EQ(h.tu.Count(Ev::kResponse), 2u);  // 180 and the first 486
  EXPECT_EQ(h.layer->stats().responses_absorbed, 1u);

  // Timer D (32 s over UDP) ends it.
  uint32_t final_at = h.Now() - 1000;
  h.AdvanceTo(final_at + 31990);
  EXPECT_EQ(h.layer->active(), 1u);
  h.AdvanceTo(final_at + 32000);
  EXPECT_EQ(h.tu.Count(Ev::kTerminated), 1u);
  EXPECT_EQ(h.tu.Count(Ev::kTimeout), 0u);
}

TEST(TransactionClient, Invite2xxMovesToAcceptedPerRfc6026) {
  Harness h;
  auto txn = h.layer->SendRequest(Outgoing("INVITE", "z9hG4bKc3"), kCallee);
  ASSERT_TRUE(txn.ok());
  h.Advance(100);
  h.Deliver(Response(200, "OK", "z9hG4bKc3", "INVITE"), kCallee);
  EXPECT_EQ((*txn)->state(), TransactionState::kAccepted);
  // No ACK from the transaction: the 2xx ACK is the TU's (end to end).
  EXPECT_EQ(h.sender.sent.size(), 1u);
  // Every 2xx reaches the TU: retransmissions and other forks' answers.
  h.Advance(500);
  h.Deliver(Response(200, "OK", "z9hG4bKc3", "INVITE"), kCallee);
  h.Deliver(Response(200, "OK", "z9hG4bKc3", "INVITE", 1, "fork2"), kCallee);
  // Anything else in Accepted is absorbed.
  h.Deliver(Response(180, "Ringing", "z9hG4bKc3", "INVITE"), kCallee);
  EXPECT_EQ(h.tu.Count(Ev::kResponse), 3u);
  EXPECT_EQ(h.sender.sent.size(), 1u);
  // Timer M = 64*T1 after the first 2xx.
  h.AdvanceTo(100 + 31990);
  EXPECT_EQ(h.layer->active(), 1u);
  h.AdvanceTo(100 + 32000);
  EXPECT_EQ(h.tu.Count(Ev::kTerminated), 1u);
  EXPECT_EQ(h.tu.Count(Ev::kTimeout), 0u);
  // After termination a late 2xx is a stray for the proxy to forward (16.7).
  h.Deliver(Response(200, "OK", "z9hG4bKc3", "INVITE"), kCallee);
  EXPECT_EQ(h.tu.Count(Ev::kStray), 1u);
}

TEST(TransactionClient, TimerCFiresAndCanBeReset) {
  Harness h;
  auto txn = h.layer->SendRequest(Outgoing("INVITE", "z9hG4bKc4"), kCallee);
  ASSERT_TRUE(txn.ok());
  ASSERT_TRUE(h.layer->ArmTimerC(**txn).ok());
  h.AdvanceTo(100);
  h.Deliver(Response(180, "Ringing", "z9hG4bKc4", "INVITE"), kCallee);
  // The proxy re-arms C on each provisional (RFC 3261 16.7 step 2).
  h.AdvanceTo(120000);
  h.Deliver(Response(183, "Session Progress", "z9hG4bKc4", "INVITE"), kCallee);
  ASSERT_TRUE(h.layer->ArmTimerC(**txn).ok());
  h.AdvanceTo(181000);  // C armed at 0 would have fired here
  EXPECT_EQ(h.tu.Count(Ev::kTimeout), 0u);

  // At expiry the proxy CANCELs the branch (RFC 3261 16.8).
  std::string cancel_sent;
  h.tu.on_timeout = [&](Transaction& t, Timeout which) {
    ASSERT_EQ(which, Timeout::kTimerC);
    String<2048> cancel;
    ASSERT_TRUE(h.layer->BuildCancel(t, cancel).ok());
    cancel_sent = std::string(cancel.view());
    ASSERT_TRUE(h.layer->SendRequest(cancel.view(), t.peer()).ok());
  };
  h.AdvanceTo(120000 + 181000);
  ASSERT_EQ(h.tu.Count(Ev::kTimeout), 1u);
  EXPECT_EQ(h.tu.events.back().ms, 301000u);
  EXPECT_EQ((*txn)->state(), TransactionState::kProceeding);  // C does not end it
  EXPECT_EQ(h.layer->active(), 2u);
  // RFC 3261 9.1: the CANCEL mirrors the INVITE.
  Message c = Parsed(cancel_sent);
  EXPECT_EQ(c.method(), Method::kCancel);
  EXPECT_EQ(c.request_uri(), "sip:bob@203.0.113.20");
  EXPECT_EQ(HeaderOf(c, HeaderId::kVia), "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKc4");
  EXPECT_EQ(c.Count(HeaderId::kVia), 1u);
  EXPECT_EQ(c.Count(HeaderId::kRoute), 2u);
  EXPECT_EQ(HeaderOf(c, HeaderId::kTo), "<sip:bob@example.com>");
  EXPECT_EQ(HeaderOf(c, HeaderId::kCSeq), "1 CANCEL");

  // Responses go by branch and CSeq method: 200 to the CANCEL, 487 to INVITE.
  h.Deliver(Response(200, "OK", "z9hG4bKc4", "CANCEL"), kCallee);
  h.Deliver(Response(487, "Request Terminated", "z9hG4bKc4", "INVITE"), kCallee);
  ASSERT_GE(h.tu.events.size(), 2u);
  Event cancel_ok = h.tu.events[h.tu.events.size() - 2];
  Event invite_487 = h.tu.events.back();
  EXPECT_EQ(cancel_ok.method, "CANCEL");
  EXPECT_EQ(cancel_ok.code, 200);
  EXPECT_NE(cancel_ok.serial, (*txn)->serial());
  EXPECT_EQ(invite_487.method, "INVITE");
  EXPECT_EQ(invite_487.serial, (*txn)->serial());
  EXPECT_EQ((*txn)->state(), TransactionState::kCompleted);
  EXPECT_EQ(h.layer->ArmTimerC(**txn), Status::FailedPrecondition());
  h.Advance(40000);
  EXPECT_EQ(h.tu.Count(Ev::kTimeout), 1u);
  EXPECT_EQ(h.tu.Count(Ev::kTerminated), 2u);
}

TEST(TransactionClient, TimerCStoppedByTheTuDoesNotFire) {
  Harness h;
  auto txn = h.layer->SendRequest(Outgoing("INVITE", "z9hG4bKc5"), kCallee);
  ASSERT_TRUE(txn.ok());
  ASSERT_TRUE(h.layer->ArmTimerC(**txn).ok());
  h.Deliver(Response(180, "Ringing", "z9hG4bKc5", "INVITE"), kCallee);
  h.layer->StopTimerC(**txn);
  h.AdvanceTo(200000);
  EXPECT_EQ(h.tu.Count(Ev::kTimeout), 0u);
  h.Deliver(Response(404, "Not Found", "z9hG4bKc5", "INVITE"), kCallee);
  h.Advance(33000);
}

TEST(TransactionClient, CancelOnlyAfterAProvisional) {
  Harness h;
  auto txn = h.layer->SendRequest(Outgoing("INVITE", "z9hG4bKc6"), kCallee);
  ASSERT_TRUE(txn.ok());
  String<2048> out;
  EXPECT_EQ(h.layer->BuildCancel(**txn, out), Status::FailedPrecondition());
  h.Deliver(Response(100, "Trying", "z9hG4bKc6", "INVITE"), kCallee);
  EXPECT_TRUE(h.layer->BuildCancel(**txn, out).ok());
  h.Deliver(Response(603, "Decline", "z9hG4bKc6", "INVITE"), kCallee);
  EXPECT_EQ(h.layer->BuildCancel(**txn, out), Status::FailedPrecondition());
  h.Advance(33000);
}

TEST(TransactionClient, CancelledBranchWithoutAFinalEndsAfter64T1) {
  // RFC 3261 9.1: a callee that never answers the CANCEL (nor the INVITE)
  // must not hold the branch's transaction forever.
  Harness h;
  auto txn = h.layer->SendRequest(Outgoing("INVITE", "z9hG4bKc9"), kCallee);
  ASSERT_TRUE(txn.ok());
  const uint32_t serial = (*txn)->serial();
  h.Deliver(Response(180, "Ringing", "z9hG4bKc9", "INVITE"), kCallee);
  h.AdvanceTo(1000);
  String<2048> out;
  ASSERT_TRUE(h.layer->BuildCancel(**txn, out).ok());
  ASSERT_TRUE(h.layer->BuildCancel(**txn, out).ok()) << "a second CANCEL may be built";
  h.AdvanceTo(1000 + 64 * 500 - 10);
  EXPECT_EQ(h.layer->active(), 1u);
  EXPECT_EQ(h.tu.Count(Ev::kTimeout), 0u);
  h.AdvanceTo(1000 + 64 * 500);
  EXPECT_EQ(h.layer->active(), 0u);
  ASSERT_EQ(h.tu.Count(Ev::kTimeout), 1u);
  for (const Event& e : h.tu.events) {
    if (e.type == Ev::kTimeout) {
      EXPECT_EQ(e.serial, serial);
      EXPECT_EQ(e.which, Timeout::kTimerB);
    }
  }
}

// Found by sip_message_fuzz (RFC 3261 9.1, issue item 12): a provisional
// arriving after our CANCEL stopped the 64*T1 wait, so a UAS that then went
// silent held the branch, and its response context, for ever.
TEST(TransactionClient, ProvisionalAfterTheCancelDoesNotStopTheWait) {
  Harness h;
  auto txn = h.layer->SendRequest(Outgoing("INVITE", "z9hG4bKc10"), kCallee);
  ASSERT_TRUE(txn.ok());
  h.Deliver(Response(180, "Ringing", "z9hG4bKc10", "INVITE"), kCallee);
  h.AdvanceTo(1000);
  String<2048> out;
  ASSERT_TRUE(h.layer->BuildCancel(**txn, out).ok());
  h.AdvanceTo(2000);
  h.Deliver(Response(183, "Session Progress", "z9hG4bKc10", "INVITE"), kCallee);
  h.Deliver(Response(180, "Ringing", "z9hG4bKc10", "INVITE"), kCallee);
  EXPECT_EQ(h.tu.Count(Ev::kResponse), 3u);  // the TU still hears them
  h.AdvanceTo(1000 + 64 * 500 - 10);
  EXPECT_EQ(h.layer->active(), 1u);
  h.AdvanceTo(1000 + 64 * 500);
  EXPECT_EQ(h.layer->active(), 0u);
  EXPECT_EQ(h.tu.Count(Ev::kTimeout), 1u);
}

// Found by sip_message_fuzz: a branch whose Timer C had fired while it was
// still Calling (nothing to CANCEL yet) then rang; the TU never acted on it
// again and the transaction, with its response context, stayed for ever.
TEST(TransactionClient, RingingBranchTheTuForgetsEndsAfterTheGuard) {
  TransactionConfig config;
  config.timer_c_ms = 10000;
  Harness h(config);
  auto txn = h.layer->SendRequest(Outgoing("INVITE", "z9hG4bKc11"), kCallee);
  ASSERT_TRUE(txn.ok());
  h.AdvanceTo(2000);
  h.Deliver(Response(180, "Ringing", "z9hG4bKc11", "INVITE"), kCallee);
  const uint32_t guard = 10000 + 64 * 500 + 5000;
  h.AdvanceTo(20000);
  h.Deliver(Response(180, "Ringing", "z9hG4bKc11", "INVITE"), kCallee);  // starts it over
  h.AdvanceTo(20000 + guard - 10);
  EXPECT_EQ(h.layer->active(), 1u);
  EXPECT_EQ(h.tu.Count(Ev::kTimeout), 0u);
  h.AdvanceTo(20000 + guard + 10);
  EXPECT_EQ(h.layer->active(), 0u);
  ASSERT_EQ(h.tu.Count(Ev::kTimeout), 1u);
  for (const Event& e : h.tu.events) {
    if (e.type == Ev::kTimeout) {
      EXPECT_EQ(e.which, Timeout::kTimerB);
    }
  }
}

TEST(TransactionClient, CancelledBranchThatAnswersEndsNormally) {
  Harness h;
  auto txn = h.layer->SendRequest(Outgoing("INVITE", "z9hG4bKc10"), kCallee);
  ASSERT_TRUE(txn.ok());
  h.Deliver(Response(180, "Ringing", "z9hG4bKc10", "INVITE"), kCallee);
  String<2048> out;
  ASSERT_TRUE(h.layer->BuildCancel(**txn, out).ok());
  h.Advance(500);
  h.Deliver(Response(487, "Request Terminated", "z9hG4bKc10", "INVITE"), kCallee);
  EXPECT_EQ(h.tu.Count(Ev::kTimeout), 0u);
  h.Advance(33000);  // Timer D, not the CANCEL wait, ends it
  EXPECT_EQ(h.tu.Count(Ev::kTimeout), 0u);
  EXPECT_EQ(h.layer->active(), 0u);
}

// ---------------------------------------------------------------------------
// Client non-INVITE

TEST(TransactionClient, NonInviteTimerECappedAtT2AndFAt32s) {
  Harness h;
  auto txn = h.layer->SendRequest(Outgoing("OPTIONS", "z9hG4bKn1"), kCallee);
  ASSERT_TRUE(txn.ok());
  EXPECT_EQ((*txn)->state(), TransactionState::kTrying);
  h.AdvanceTo(40000);
  EXPECT_EQ(h.SendTimes(), (std::vector<uint32_t>{0, 500, 1500, 3500, 7500, 11500, 15500, 19500,
                                                  23500, 27500, 31500}));
  ASSERT_EQ(h.tu.events.size(), 2u);
  EXPECT_EQ(h.tu.events[0].type, Ev::kTimeout);
  EXPECT_EQ(h.tu.events[0].which, Timeout::kTimerF);
  EXPECT_EQ(h.tu.events[0].ms, 32000u);
  EXPECT_EQ(h.tu.events[1].type, Ev::kTerminated);
}

TEST(TransactionClient, NonInviteProvisionalMakesEResendEveryT2ThenKEndsIt) {
  Harness h;
  auto txn = h.layer->SendRequest(Outgoing("MESSAGE", "z9hG4bKn2"), kCallee);
  ASSERT_TRUE(txn.ok());
  h.AdvanceTo(600);  // resent at 500; E next at 1500
  h.Deliver(Response(100, "Trying", "z9hG4bKn2", "MESSAGE"), kCallee);
  EXPECT_EQ((*txn)->state(), TransactionState::kProceeding);
  h.AdvanceTo(10000);
  // 1500 was armed before the 100; every T2 after that.
  EXPECT_EQ(h.SendTimes(), (std::vector<uint32_t>{0, 500, 1500, 5500, 9500}));
  h.Deliver(Response(202, "Accepted", "z9hG4bKn2", "MESSAGE"), kCallee);
  EXPECT_EQ((*txn)->state(), TransactionState::kCompleted);
  h.Deliver(Response(202, "Accepted", "z9hG4bKn2", "MESSAGE"), kCallee);  // absorbed
  EXPECT_EQ(h.tu.Count(Ev::kResponse), 2u);
  EXPECT_EQ(h.layer->stats().responses_absorbed, 1u);
  h.AdvanceTo(10000 + 4990);
  EXPECT_EQ(h.layer->active(), 1u);
  h.AdvanceTo(10000 + 5000);  // Timer K = T4
  EXPECT_EQ(h.tu.Count(Ev::kTerminated), 1u);
  EXPECT_EQ(h.sender.sent.size(), 5u);
}

TEST(TransactionClient, SendRequestRefusals) {
  Harness h;
  EXPECT_EQ(h.layer->SendRequest("garbage", kCallee).status(), Status::InvalidArgument());
  EXPECT_EQ(h.layer->SendRequest(Outgoing("ACK", "z9hG4bKr1"), kCallee).status(),
            Status::InvalidArgument());
  EXPECT_EQ(h.layer->SendRequest(Outgoing("INVITE", "rfc2543branch"), kCallee).status(),
            Status::InvalidArgument());
  EXPECT_EQ(h.layer->SendRequest(Response(200, "OK", "z9hG4bKr1", "INVITE"), kCallee).status(),
            Status::InvalidArgument());
  std::string big = Outgoing("INVITE", "z9hG4bKr1");
  big.insert(big.find("Content-Type"),
             "X-Pad: " + std::string(Transaction::kMaxMessage + 50, 'p') + "\r\n");
  EXPECT_EQ(h.layer->SendRequest(big, kCallee).status(), Status::ResourceExhausted());
  ASSERT_TRUE(h.layer->SendRequest(Outgoing("INVITE", "z9hG4bKr1"), kCallee).ok());
  EXPECT_EQ(h.layer->SendRequest(Outgoing("INVITE", "z9hG4bKr1"), kCallee).status(),
            Status::AlreadyExists());
  h.sender.result = Status::Unavailable();
  EXPECT_EQ(h.layer->SendRequest(Outgoing("BYE", "z9hG4bKr2"), kCallee).status(),
            Status::Unavailable());
  EXPECT_EQ(h.layer->active(), 1u);
  EXPECT_EQ(h.layer->stats().client_created, 1u);
  EXPECT_TRUE(h.tu.events.empty());
  h.sender.result = Status::Ok();
  h.Deliver(Response(500, "Server Error", "z9hG4bKr1", "INVITE"), kCallee);
  h.Advance(33000);
}

TEST(TransactionClient, TransportOutOfBuffersIsALostDatagram) {
  Harness h;
  h.sender.result = Status::ResourceExhausted();
  auto txn = h.layer->SendRequest(Outgoing("OPTIONS", "z9hG4bKr3"), kCallee);
  ASSERT_TRUE(txn.ok());
  h.sender.result = Status::Ok();
  h.AdvanceTo(500);
  EXPECT_EQ(h.SendTimes(), (std::vector<uint32_t>{500}));
  EXPECT_EQ(h.layer->stats().tx_errors, 1u);
  h.Deliver(Response(200, "OK", "z9hG4bKr3", "OPTIONS"), kCallee);
  h.Advance(5000);
}

TEST(TransactionClient, UnroutableRetransmissionIsATransportError) {
  Harness h;
  auto txn = h.layer->SendRequest(Outgoing("INVITE", "z9hG4bKr4"), kCallee);
  ASSERT_TRUE(txn.ok());
  uint32_t serial = (*txn)->serial();
  h.sender.result = Status::Unavailable();
  h.AdvanceTo(500);
  ASSERT_EQ(h.tu.events.size(), 2u);
  EXPECT_EQ(h.tu.events[0].type, Ev::kTransportError);
  EXPECT_EQ(h.tu.events[0].serial, serial);
  EXPECT_EQ(h.tu.events[1].type, Ev::kTerminated);
  EXPECT_EQ(h.layer->stats().transport_errors, 1u);
}

TEST(TransactionClient, StrayResponsesGoToTheTu) {
  Harness h;
  auto txn = h.layer->SendRequest(Outgoing("INVITE", "z9hG4bKs1"), kCallee);
  ASSERT_TRUE(txn.ok());
  // Unknown branch; known branch with another CSeq method (17.1.3).
  h.Deliver(Response(200, "OK", "z9hG4bKother", "INVITE"), kCallee);
  h.Deliver(Response(200, "OK", "z9hG4bKs1", "BYE"), kCallee);
  ASSERT_EQ(h.tu.Count(Ev::kStray), 2u);
  EXPECT_EQ(h.tu.events[0].code, 200);
  EXPECT_EQ(h.tu.events[1].method, "BYE");
  EXPECT_EQ(h.layer->stats().stray_responses, 2u);
  EXPECT_EQ((*txn)->state(), TransactionState::kCalling);
  h.Deliver(Response(408, "Request Timeout", "z9hG4bKs1", "INVITE"), kCallee);
  h.Advance(33000);
}

TEST(TransactionClient, UserSlotIsKept) {
  Harness h;
  int context = 42;
  auto txn = h.layer->SendRequest(Outgoing("REGISTER", "z9hG4bKu1"), kCallee, &context);
  ASSERT_TRUE(txn.ok());
  void* seen = nullptr;
  h.tu.on_response = [&](Transaction& t, const Message&) { seen = t.user(); };
  h.Deliver(Response(200, "OK", "z9hG4bKu1", "REGISTER"), kCallee);
  EXPECT_EQ(seen, &context);
  h.Advance(6000);
}

// ---------------------------------------------------------------------------
// Server INVITE

TEST(TransactionServer, Invite486RetransmittedOnGUntilAckThenIEndsIt) {
  Harness h;
  const std::string invite = Request("INVITE", "z9hG4bKs486");
  h.tu.on_request = [&](Transaction& t, const Message&) {
    EXPECT_EQ(t.state(), TransactionState::kProceeding);
    EXPECT_TRUE(h.layer->SendResponse(t, Harness::ResponseTo(invite, 100, "Trying")).ok());
  };
  h.Deliver(invite);
  ASSERT_EQ(h.tu.live.size(), 1u);
  Transaction& txn = *h.tu.live[0];
  EXPECT_EQ(txn.kind(), TransactionKind::kServerInvite);
  EXPECT_EQ(txn.branch(), "z9hG4bKs486");
  EXPECT_EQ(txn.sent_by_host(), "10.0.0.5");
  EXPECT_EQ(txn.sent_by_port(), 5062);
  EXPECT_EQ(txn.method(), Method::kInvite);
  EXPECT_EQ(txn.cseq(), 1u);
  EXPECT_EQ(txn.call_id(), "a84b4c76e66710@pc33.example.com");
  EXPECT_EQ(txn.source(), kPhone);
  EXPECT_EQ(txn.peer(), kPhone);  // rport: the source port

  // A retransmitted INVITE in Proceeding gets the 100 again.
  h.AdvanceTo(300);
  h.Deliver(invite);
  ASSERT_EQ(h.sender.sent.size(), 2u);
  EXPECT_EQ(h.sender.sent[1].data, h.sender.sent[0].data);
  EXPECT_EQ(h.tu.Count(Ev::kRequest), 1u);

  const std::string busy = Harness::ResponseTo(invite, 486, "Busy Here");
  h.AdvanceTo(1000);
  ASSERT_TRUE(h.layer->SendResponse(txn, busy).ok());
  EXPECT_EQ(txn.state(), TransactionState::kCompleted);
  h.AdvanceTo(9000);
  // Timer G from 1000: T1, 2T1, 4T1, then T2.
  EXPECT_EQ(h.SendTimes(), (std::vector<uint32_t>{0, 300, 1000, 1500, 2500, 4500, 8500}));
  // A retransmitted INVITE in Completed gets the 486 again.
  h.Deliver(invite);
  EXPECT_EQ(h.sender.sent.back().data, busy);
  EXPECT_EQ(h.sender.sent.size(), 8u);
  // No more responses from the TU once final.
  EXPECT_EQ(h.layer->SendResponse(txn, Harness::ResponseTo(invite, 200, "OK")),
            Status::FailedPrecondition());

  // The ACK (same branch) confirms: G and H stop, I (T4) starts.
  h.Deliver(Request("ACK", "z9hG4bKs486", 1, {}, {}, "srv1"));
  EXPECT_EQ(txn.state(), TransactionState::kConfirmed);
  h.Advance(1000);
  h.Deliver(Request("ACK", "z9hG4bKs486", 1, {}, {}, "srv1"));  // absorbed
  EXPECT_EQ(h.tu.Count(Ev::kAck), 0u);
  h.AdvanceTo(9000 + 4990);
  EXPECT_EQ(h.sender.sent.size(), 8u);
  EXPECT_EQ(h.layer->active(), 1u);
  h.AdvanceTo(9000 + 5000);
  EXPECT_EQ(h.tu.Count(Ev::kTerminated), 1u);
  EXPECT_EQ(h.tu.Count(Ev::kTimeout), 0u);
  EXPECT_EQ(h.layer->stats().requests_absorbed, 4u);  // 2 INVITEs, 2 ACKs
}

TEST(TransactionServer, InviteTimerHWithoutAck) {
  Harness h;
  const std::string invite = Request("INVITE", "z9hG4bKsH");
  h.tu.on_request = [&](Transaction& t, const Message&) {
    EXPECT_TRUE(h.layer->SendResponse(t, Harness::ResponseTo(invite, 480, "Unavailable")).ok());
  };
  h.Deliver(invite);
  h.AdvanceTo(40000);
  EXPECT_EQ(h.SendTimes(), (std::vector<uint32_t>{0, 500, 1500, 3500, 7500, 11500, 15500, 19500,
                                                  23500, 27500, 31500}));
  ASSERT_EQ(h.tu.events.size(), 3u);
  EXPECT_EQ(h.tu.events[1].type, Ev::kTimeout);
  EXPECT_EQ(h.tu.events[1].which, Timeout::kTimerH);
  EXPECT_EQ(h.tu.events[1].ms, 32000u);
  EXPECT_EQ(h.tu.events[2].type, Ev::kTerminated);
}

TEST(TransactionServer, Invite2xxAcceptedAbsorbsRetransmittedInvitesPerRfc6026) {
  Harness h;
  const std::string invite = Request("INVITE", "z9hG4bKs200");
  const std::string ok = Harness::ResponseTo(invite, 200, "OK");
  h.tu.on_request = [&](Transaction& t, const Message&) {
    EXPECT_TRUE(h.layer->SendResponse(t, ok).ok());
  };
  h.Deliver(invite);
  ASSERT_EQ(h.tu.live.size(), 1u);
  Transaction& txn = *h.tu.live[0];
  EXPECT_EQ(txn.state(), TransactionState::kAccepted);
  h.AdvanceTo(2000);
  EXPECT_EQ(h.sender.sent.size(), 1u);  // no Timer G for a 2xx: the TU retransmits
  h.Deliver(invite);                    // absorbed: not resent, not to the TU
  EXPECT_EQ(h.sender.sent.size(), 1u);
  EXPECT_EQ(h.tu.Count(Ev::kRequest), 1u);
  // The TU's 2xx retransmission goes out through the transaction.
  EXPECT_TRUE(h.layer->SendResponse(txn, ok).ok());
  EXPECT_EQ(h.sender.sent.size(), 2u);
  EXPECT_EQ(h.layer->SendResponse(txn, Harness::ResponseTo(invite, 500, "Oops")),
            Status::FailedPrecondition());
  // The 2xx ACK (its own branch) and one matching Accepted both reach the TU.
  h.Deliver(Request("ACK", "z9hG4bKack2xx", 1, {}, {}, "srv1"));
  h.Deliver(Request("ACK", "z9hG4bKs200", 1, {}, {}, "srv1"));
  EXPECT_EQ(h.tu.Count(Ev::kAck), 2u);
  EXPECT_EQ(h.layer->stats().acks_to_tu, 2u);
  // Timer L = 64*T1.
  h.AdvanceTo(31990);
  EXPECT_EQ(h.layer->active(), 1u);
  h.AdvanceTo(32000);
  EXPECT_EQ(h.tu.Count(Ev::kTerminated), 1u);
  EXPECT_EQ(h.tu.Count(Ev::kTimeout), 0u);
}

TEST(TransactionServer, ResponsesGoToTheSentByPortWithoutRport) {
  Harness h;
  std::string invite = Request("OPTIONS", "z9hG4bKport");
  invite.erase(invite.find(";rport"), 6);
  h.tu.on_request = [&](Transaction& t, const Message&) {
    EXPECT_EQ(t.peer(), (net::Endpoint{kPhone.addr, 5062}));
    EXPECT_TRUE(h.layer->SendResponse(t, Harness::ResponseTo(invite, 200, "OK")).ok());
  };
  h.Deliver(invite);
  ASSERT_EQ(h.sender.sent.size(), 1u);
  EXPECT_EQ(h.sender.sent[0].to, (net::Endpoint{kPhone.addr, 5062}));
  h.Advance(33000);
}

// ---------------------------------------------------------------------------
// Server non-INVITE

TEST(TransactionServer, NonInviteTimerJAbsorbsRetransmissions) {
  Harness h;
  const std::string reg = Request("REGISTER", "z9hG4bKsJ");
  h.Deliver(reg);
  ASSERT_EQ(h.tu.live.size(), 1u);
  Transaction& txn = *h.tu.live[0];
  EXPECT_EQ(txn.kind(), TransactionKind::kServerNonInvite);
  EXPECT_EQ(txn.state(), TransactionState::kTrying);
  h.AdvanceTo(500);
  h.Deliver(reg);  // Trying: absorbed silently
  EXPECT_TRUE(h.sender.sent.empty());
  ASSERT_TRUE(h.layer->SendResponse(txn, Harness::ResponseTo(reg, 100, "Trying")).ok());
  EXPECT_EQ(txn.state(), TransactionState::kProceeding);
  h.Deliver(reg);  // Proceeding: the provisional again
  EXPECT_EQ(h.sender.sent.size(), 2u);
  const std::string ok = Harness::ResponseTo(reg, 200, "OK");
  h.AdvanceTo(1000);
  ASSERT_TRUE(h.layer->SendResponse(txn, ok).ok());
  EXPECT_EQ(txn.state(), TransactionState::kCompleted);
  EXPECT_EQ(txn.last_status(), 200);
  EXPECT_EQ(h.layer->SendResponse(txn, ok), Status::FailedPrecondition());
  h.AdvanceTo(20000);
  h.Deliver(reg);  // Completed: the final again, no new transaction
  ASSERT_EQ(h.sender.sent.size(), 4u);
  EXPECT_EQ(h.sender.sent[3].data, ok);
  EXPECT_EQ(h.tu.Count(Ev::kRequest), 1u);
  EXPECT_EQ(h.layer->stats().requests_absorbed, 3u);
  // Timer J = 64*T1 after the final.
  h.AdvanceTo(1000 + 31990);
  EXPECT_EQ(h.layer->active(), 1u);
  h.AdvanceTo(1000 + 32000);
  EXPECT_EQ(h.tu.Count(Ev::kTerminated), 1u);
  // Afterwards the same request is new again.
  h.tu.on_request = [&](Transaction& t, const Message&) {
    EXPECT_TRUE(h.layer->SendResponse(t, ok).ok());
  };
  h.Deliver(reg);
  EXPECT_EQ(h.tu.Count(Ev::kRequest), 2u);
  h.Advance(33000);
}

// RFC 4320: a non-INVITE the TU cannot answer gets no final at all; the
// abandoned transaction absorbs retransmissions for T4, then ends.
TEST(TransactionServer, AbandonedNonInviteEndsAfterT4WithoutAResponse) {
  Harness h;
  const std::string msg = Request("MESSAGE", "z9hG4bKab");
  h.Deliver(msg);
  ASSERT_EQ(h.tu.live.size(), 1u);
  Transaction& txn = *h.tu.live[0];
  h.AdvanceTo(32000);
  ASSERT_TRUE(h.layer->Abandon(txn).ok());
  h.Deliver(msg);  // absorbed, nothing resent, no new request for the TU
  EXPECT_TRUE(h.sender.sent.empty());
  EXPECT_EQ(h.tu.Count(Ev::kRequest), 1u);
  h.AdvanceTo(32000 + 4990);
  EXPECT_EQ(h.layer->active(), 1u);
  h.AdvanceTo(32000 + 5000);
  EXPECT_EQ(h.layer->active(), 0u);
  EXPECT_EQ(h.tu.Count(Ev::kTerminated), 1u);
  EXPECT_TRUE(h.sender.sent.empty()) << "never a 408";
}

TEST(TransactionServer, OnlyAPendingServerNonInviteCanBeAbandoned) {
  Harness h;
  const std::string inv = Request("INVITE", "z9hG4bKai");
  h.Deliver(inv);
  ASSERT_EQ(h.tu.live.size(), 1u);
  EXPECT_EQ(h.layer->Abandon(*h.tu.live[0]), Status::FailedPrecondition());
  const std::string msg = Request("MESSAGE", "z9hG4bKam");
  h.Deliver(msg);
  ASSERT_EQ(h.tu.live.size(), 2u);
  Transaction& txn = *h.tu.live[1];
  ASSERT_TRUE(h.layer->SendResponse(txn, Harness::ResponseTo(msg, 200, "OK")).ok());
  EXPECT_EQ(h.layer->Abandon(txn), Status::FailedPrecondition());
  ASSERT_TRUE(h.layer->SendResponse(*h.tu.live[0], Harness::ResponseTo(inv, 200, "OK")).ok());
  h.AdvanceTo(40000);  // Timers J and L end both
}

TEST(TransactionServer, MatchingNeedsBranchSentByAndMethod) {
  Harness h;
  h.Deliver(Request("OPTIONS", "z9hG4bKm1"));
  h.Deliver(Request("OPTIONS", "z9hG4bKm2"));                                  // other branch
  h.Deliver(Request("OPTIONS", "z9hG4bKm1", 1, {}, {}, {}, "10.0.0.6:5062"));  // other sent-by
  h.Deliver(Request("OPTIONS", "z9hG4bKm1", 1, {}, {}, {}, "10.0.0.5"));       // other port
  h.Deliver(Request("INFO", "z9hG4bKm1"));                                     // other method
  h.Deliver(Request("OPTIONS", "z9hG4bKm1", 1, {}, {}, {}, "10.0.0.5:5062"));  // same
  EXPECT_EQ(h.tu.Count(Ev::kRequest), 5u);
  EXPECT_EQ(h.layer->stats().requests_absorbed, 1u);
  std::vector<Transaction*> live = h.tu.live;
  for (Transaction* t : live) {
    ASSERT_TRUE(
        h.layer->SendResponse(*t, Harness::ResponseTo(Request("OPTIONS", "z9hG4bKm1"), 200, "OK"))
            .ok());
  }
  h.Advance(33000);
}

// ---------------------------------------------------------------------------
// CANCEL and RFC 2543

TEST(TransactionServer, CancelIsItsOwnTransactionAndFindsItsInvite) {
  Harness h;
  const std::string invite = Request("INVITE", "z9hG4bKcx");
  const std::string cancel = Request("CANCEL", "z9hG4bKcx");
  Transaction* invite_txn = nullptr;
  Transaction* cancel_txn = nullptr;
  h.tu.on_request = [&](Transaction& t, const Message& req) {
    if (req.method() == Method::kInvite) {
      invite_txn = &t;
      EXPECT_TRUE(h.layer->SendResponse(t, Harness::ResponseTo(invite, 180, "Ringing")).ok());
      return;
    }
    cancel_txn = &t;
    EXPECT_EQ(h.layer->FindCancelTarget(req), invite_txn);
    EXPECT_TRUE(h.layer->SendResponse(t, Harness::ResponseTo(cancel, 200, "OK")).ok());
    EXPECT_TRUE(
        h.layer->SendResponse(*invite_txn, Harness::ResponseTo(invite, 487, "Request Terminated"))
            .ok());
  };
  h.Deliver(invite);
  h.Deliver(cancel);
  ASSERT_NE(invite_txn, nullptr);
  ASSERT_NE(cancel_txn, nullptr);
  EXPECT_NE(cancel_txn, invite_txn);
  EXPECT_EQ(cancel_txn->kind(), TransactionKind::kServerNonInvite);
  EXPECT_EQ(cancel_txn->method(), Method::kCancel);
  EXPECT_EQ(cancel_txn->branch(), invite_txn->branch());
  EXPECT_EQ(invite_txn->state(), TransactionState::kCompleted);
  // A retransmitted CANCEL gets its 200, not the 487.
  h.Deliver(cancel);
  EXPECT_EQ(Parsed(h.sender.sent.back().data).status_code(), 200);
  EXPECT_EQ(Parsed(h.sender.sent.back().data).cseq_method(), "CANCEL");
  // The ACK goes to the INVITE transaction, not the CANCEL one.
  h.Deliver(Request("ACK", "z9hG4bKcx", 1, {}, {}, "srv1"));
  EXPECT_EQ(invite_txn->state(), TransactionState::kConfirmed);
  // A CANCEL for nothing finds nothing.
  const std::string stray_text = Request("CANCEL", "z9hG4bKnothing");
  Message stray = Parsed(stray_text);
  EXPECT_EQ(h.layer->FindCancelTarget(stray), nullptr);
  h.Advance(33000);
  EXPECT_EQ(h.tu.Count(Ev::kTerminated), 2u);
}

TEST(TransactionServer, Rfc2543FallbackMatching) {
  Harness h;
  // No magic cookie: matched on R-URI, tags, Call-ID, CSeq and top Via.
  const std::string invite = Request("INVITE", "old-1");
  std::string invite_no_branch = Request("INVITE", "");
  h.Deliver(invite);
  ASSERT_EQ(h.tu.live.size(), 1u);
  Transaction& txn = *h.tu.live[0];
  EXPECT_TRUE(txn.rfc2543());
  ASSERT_TRUE(h.layer->SendResponse(txn, Harness::ResponseTo(invite, 100, "Trying")).ok());
  h.Deliver(invite);  // retransmission: absorbed, 100 resent
  EXPECT_EQ(h.tu.Count(Ev::kRequest), 1u);
  EXPECT_EQ(h.sender.sent.size(), 2u);

  // Any difference makes a new transaction.
  std::string other_from = invite;
  other_from.replace(other_from.find("tag=1928301774"), 14, "tag=999");
  std::string other_uri = invite;
  other_uri.replace(0, 26, "INVITE sip:carol@example.com");
  std::string other_call = invite;
  other_call.replace(other_call.find("a84b4c76"), 8, "b84b4c76");
  h.Deliver(other_from);
  h.Deliver(other_uri);
  h.Deliver(other_call);
  h.Deliver(Request("INVITE", "old-1", 2));                   // CSeq
  h.Deliver(Request("INVITE", "old-1", 1, {}, {}, "totag"));  // To tag
  h.Deliver(invite_no_branch);                                // top Via
  EXPECT_EQ(h.tu.Count(Ev::kRequest), 7u);

  ASSERT_TRUE(
      h.layer->SendResponse(txn, Harness::ResponseTo(invite, 404, "Not Found", "t404")).ok());
  // ACK: its To tag must be the one of the response; the method is ACK.
  h.Deliver(Request("ACK", "old-1", 1, {}, {}, "wrong"));
  EXPECT_EQ(h.tu.Count(Ev::kAck), 1u);
  EXPECT_EQ(txn.state(), TransactionState::kCompleted);
  h.Deliver(Request("ACK", "old-1", 1, {}, {}, "t404"));
  EXPECT_EQ(txn.state(), TransactionState::kConfirmed);
  EXPECT_EQ(h.tu.Count(Ev::kAck), 1u);

  // A cookie branch never matches an RFC 2543 transaction.
  h.Deliver(Request("INVITE", "z9hG4bKold-1"));
  EXPECT_EQ(h.tu.Count(Ev::kRequest), 8u);

  std::vector<Transaction*> live = h.tu.live;
  for (Transaction* t : live) {
    if (t == &txn) continue;
    ASSERT_TRUE(h.layer->SendResponse(*t, Harness::ResponseTo(invite, 500, "No")).ok());
  }
  h.Advance(40000);
}

// ---------------------------------------------------------------------------
// Pool, refusals, lifetime

class CapturingSink : public log::Sink {
 public:
  std::vector<std::string> lines;

 private:
  void DoEmit(const log::Line& line) override { lines.emplace_back(line.text); }
};

TEST(TransactionLayer, PoolFullOfAnsweredRequestsReclaimsTheOldest) {
  // Answered non-INVITEs linger for Timer J (32 s) only to absorb
  // retransmissions; a full pool of them must not turn new requests away.
  Harness h;
  h.tu.on_request = [](Transaction& txn, const Message&) {
    (void)txn;  // answered below, once all are in
  };
  std::vector<std::string> requests;
  for (size_t i = 0; i < TransactionLayer::kCapacity; ++i) {
    requests.push_back(Request("REGISTER", "z9hG4bKlinger" + std::to_string(i)));
    h.Deliver(requests.back());
  }
  ASSERT_EQ(h.tu.live.size(), TransactionLayer::kCapacity);
  for (size_t i = 0; i < TransactionLayer::kCapacity; ++i) {
    ASSERT_TRUE(
        h.layer->SendResponse(*h.tu.live[i], Harness::ResponseTo(requests[i], 200, "OK")).ok());
  }
  const uint32_t oldest = h.tu.live[0]->serial();
  h.sender.sent.clear();
  h.Deliver(Request("REGISTER", "z9hG4bKnewcomer"));
  // One slot for the newcomer, then headroom for the TU's branches.
  const size_t reclaimed = 1 + TransactionLayer::kTuHeadroom;
  EXPECT_EQ(h.layer->stats().reclaimed, reclaimed);
  EXPECT_EQ(h.layer->stats().refused_pool_full, 0u);
  EXPECT_TRUE(h.sender.sent.empty()) << "no 503";
  ASSERT_EQ(h.tu.Count(Ev::kTerminated), reclaimed);
  uint32_t expected = oldest;
  for (const Event& e : h.tu.events) {
    if (e.type == Ev::kTerminated) {
      EXPECT_EQ(e.serial, expected++) << "oldest first";
    }
  }
  EXPECT_EQ(h.layer->active(), TransactionLayer::kCapacity - TransactionLayer::kTuHeadroom);
  // The newcomer is in Trying (unanswered): answer it so the pool drains.
  Transaction& newcomer = *h.tu.live.back();
  ASSERT_TRUE(h.layer
                  ->SendResponse(newcomer, Harness::ResponseTo(
                                               Request("REGISTER", "z9hG4bKnewcomer"), 200, "OK"))
                  .ok());
  h.Advance(64 * 500 + 10);
  EXPECT_EQ(h.layer->active(), 0u);
}

TEST(TransactionLayer, PoolFullAnswers503WithRetryAfter) {
  Harness h;
  log::LogRing ring([](void*) -> uint32_t { return 0; }, nullptr);
  CapturingSink sink;
  ring.set_sink(&sink, log::Level::kWarn);
  log::Install(&ring);
  struct Uninstall {
    ~Uninstall() { log::Install(nullptr); }
  } uninstall;
  for (size_t i = 0; i < TransactionLayer::kCapacity; ++i) {
    h.Deliver(Request("OPTIONS", "z9hG4bKfill" + std::to_string(i)));
  }
  EXPECT_EQ(h.layer->active(), TransactionLayer::kCapacity);
  EXPECT_TRUE(h.sender.sent.empty());

  const std::string extra = Request("INVITE", "z9hG4bKextra");
  h.Deliver(extra);
  h.Deliver(Request("INVITE", "z9hG4bKextra2"));
  ASSERT_EQ(h.sender.sent.size(), 2u);
  Message resp = Parsed(h.sender.sent[0].data);
  EXPECT_EQ(resp.status_code(), 503);
  EXPECT_EQ(HeaderOf(resp, HeaderId::kRetryAfter), "5");
  EXPECT_EQ(HeaderOf(resp, HeaderId::kCSeq), "1 INVITE");
  EXPECT_NE(HeaderOf(resp, HeaderId::kTo).find(";tag="), std::string::npos);
  EXPECT_EQ(HeaderOf(resp, HeaderId::kVia),
            "SIP/2.0/UDP 10.0.0.5:5062;branch=z9hG4bKextra;rport=40000;received=198.51.100.7");
  EXPECT_EQ(h.sender.sent[0].to, kPhone);
  EXPECT_EQ(h.layer->stats().refused_pool_full, 2u);
  EXPECT_EQ(h.layer->pool_stats().refused, 2u);
  EXPECT_EQ(h.layer->pool_stats().high_water, TransactionLayer::kCapacity);
  // Logged once per episode; the counter has the rest.
  ASSERT_EQ(sink.lines.size(), 1u);
  EXPECT_NE(sink.lines[0].find("503"), std::string::npos);
  // Retransmissions still reach their transactions; an ACK is never refused.
  h.Deliver(Request("OPTIONS", "z9hG4bKfill0"));
  h.Deliver(Request("ACK", "z9hG4bKnone"));
  EXPECT_EQ(h.sender.sent.size(), 2u);
  EXPECT_EQ(h.tu.Count(Ev::kAck), 1u);
  EXPECT_EQ(h.tu.Count(Ev::kRequest), TransactionLayer::kCapacity);

  std::vector<Transaction*> live = h.tu.live;
  for (Transaction* t : live) {
    ASSERT_TRUE(
        h.layer->SendResponse(*t, Harness::ResponseTo(Request("OPTIONS", "x"), 200, "OK")).ok());
  }
  h.Advance(33000);
  EXPECT_EQ(h.tu.Count(Ev::kTerminated), TransactionLayer::kCapacity);
}

// Found by sip_message_fuzz: a TU that cannot build its answer (a request
// whose Vias fan out past what a response may hold) left the server
// transaction in Trying for ever; enough of them fill the pool for good.
TEST(TransactionServer, NonInviteLeftUnansweredEndsAfter64T1PlusT4) {
  Harness h;
  h.Deliver(Request("OPTIONS", "z9hG4bKmute"));
  ASSERT_EQ(h.tu.Count(Ev::kRequest), 1u);
  const uint32_t guard = 64 * 500 + 5000;
  h.AdvanceTo(guard - TimerWheel::kTickMs);
  EXPECT_EQ(h.layer->active(), 1u);
  h.Deliver(Request("OPTIONS", "z9hG4bKmute"));  // a retransmission: still absorbed
  EXPECT_EQ(h.layer->stats().requests_absorbed, 1u);
  h.AdvanceTo(guard + TimerWheel::kTickMs);
  EXPECT_EQ(h.layer->active(), 0u);
  EXPECT_EQ(h.tu.Count(Ev::kTerminated), 1u);
  EXPECT_EQ(h.tu.Count(Ev::kTimeout), 0u);
  EXPECT_EQ(h.layer->stats().unanswered, 1u);
  EXPECT_TRUE(h.sender.sent.empty());
}

TEST(TransactionServer, NonInviteProvisionalDoesNotExtendTheGuard) {
  Harness h;
  h.tu.on_request = [&h](Transaction& txn, const Message&) {
    ASSERT_TRUE(
        h.layer->SendResponse(txn, Harness::ResponseTo(Request("MESSAGE", "x"), 100, "Trying"))
            .ok());
  };
  h.Deliver(Request("MESSAGE", "z9hG4bKslow"));
  h.AdvanceTo(64 * 500 + 5000 + TimerWheel::kTickMs);
  EXPECT_EQ(h.layer->active(), 0u);
  EXPECT_EQ(h.layer->stats().unanswered, 1u);
}

TEST(TransactionServer, InviteGuardIsTimerCAfterTheLastProvisional) {
  TransactionConfig config;
  config.timer_c_ms = 10000;
  Harness h(config);
  Transaction* txn = nullptr;
  h.tu.on_request = [&txn](Transaction& t, const Message&) { txn = &t; };
  const std::string invite = Request("INVITE", "z9hG4bKring");
  h.Deliver(invite);
  ASSERT_NE(txn, nullptr);
  const uint32_t guard = 10000 + 64 * 500 + 5000;
  // Ringing relayed at 30 s: the guard runs from there.
  h.AdvanceTo(30000);
  ASSERT_TRUE(h.layer->SendResponse(*txn, Harness::ResponseTo(invite, 180, "Ringing")).ok());
  h.AdvanceTo(guard + 1000);
  EXPECT_EQ(h.layer->active(), 1u);
  h.AdvanceTo(30000 + guard - TimerWheel::kTickMs);
  EXPECT_EQ(h.layer->active(), 1u);
  h.AdvanceTo(30000 + guard + TimerWheel::kTickMs);
  EXPECT_EQ(h.layer->active(), 0u);
  EXPECT_EQ(h.layer->stats().unanswered, 1u);
  EXPECT_EQ(h.sender.sent.size(), 1u);  // the 180 only
}

TEST(TransactionServer, AnsweredTransactionsNeverCountAsUnanswered) {
  Harness h;
  h.tu.on_request = [&h](Transaction& txn, const Message& req) {
    ASSERT_TRUE(
        h.layer->SendResponse(txn, Harness::ResponseTo(std::string(req.raw()), 200, "OK")).ok());
  };
  h.Deliver(Request("OPTIONS", "z9hG4bKfine"));
  h.Advance(100000);
  EXPECT_EQ(h.layer->active(), 0u);
  EXPECT_EQ(h.layer->stats().unanswered, 0u);
}

TEST(TransactionLayer, OverlongFieldsAreRefused400) {
  Harness h;
  std::string req = Request("OPTIONS", "z9hG4bKlong");
  req.replace(req.find("a84b4c76e66710@"), 15, std::string(200, 'c') + "@");
  h.Deliver(req);
  ASSERT_EQ(h.sender.sent.size(), 1u);
  EXPECT_EQ(Parsed(h.sender.sent[0].data).status_code(), 400);
  EXPECT_EQ(h.layer->stats().refused_oversized, 1u);
  EXPECT_EQ(h.tu.Count(Ev::kRequest), 0u);
}

TEST(TransactionLayer, MalformedTopViaIsDropped) {
  Harness h;
  h.Deliver(Request("OPTIONS", "z9hG4bKbad", 1, {}, {}, {}, "bad_host"));
  EXPECT_TRUE(h.sender.sent.empty());
  EXPECT_EQ(h.layer->stats().dropped, 1u);
}

TEST(TransactionLayer, MessageThatFailedToParseIsDropped) {
  Harness h;
  Message broken;
  std::string text = Request("OPTIONS", "z9hG4bKbroken");
  text.erase(text.find("Call-ID"), text.find("CSeq") - text.find("Call-ID"));
  ASSERT_FALSE(broken.Parse(text).ok());
  h.layer->Receive(broken, kPhone);
  EXPECT_TRUE(h.sender.sent.empty());
  EXPECT_TRUE(h.tu.events.empty());
  EXPECT_EQ(h.layer->stats().dropped, 1u);
}

TEST(TransactionLayer, SendResponseRefusals) {
  Harness h;
  auto client = h.layer->SendRequest(Outgoing("OPTIONS", "z9hG4bKsr"), kCallee);
  ASSERT_TRUE(client.ok());
  const std::string reg = Request("REGISTER", "z9hG4bKsr2");
  EXPECT_EQ(h.layer->SendResponse(**client, Harness::ResponseTo(reg, 200, "OK")),
            Status::FailedPrecondition());
  h.Deliver(reg);
  ASSERT_EQ(h.tu.live.size(), 1u);
  Transaction& txn = *h.tu.live[0];
  EXPECT_EQ(h.layer->SendResponse(txn, reg), Status::InvalidArgument());
  std::string big = Harness::ResponseTo(reg, 200, "OK");
  big.insert(big.find("Content-Length"),
             "X-Pad: " + std::string(Transaction::kMaxMessage + 50, 'p') + "\r\n");
  EXPECT_EQ(h.layer->SendResponse(txn, big), Status::ResourceExhausted());
  EXPECT_EQ(txn.state(), TransactionState::kTrying);
  EXPECT_EQ(h.layer->ArmTimerC(txn), Status::FailedPrecondition());
  ASSERT_TRUE(h.layer->SendResponse(txn, Harness::ResponseTo(reg, 200, "OK")).ok());
  h.Deliver(Response(200, "OK", "z9hG4bKsr", "OPTIONS"), kCallee);
  h.Advance(33000);
}

TEST(TransactionLayer, DestructionCancelsTimersWithoutEvents) {
  Harness h;
  ASSERT_TRUE(h.layer->SendRequest(Outgoing("INVITE", "z9hG4bKd1"), kCallee).ok());
  h.Deliver(Request("OPTIONS", "z9hG4bKd2"));
  EXPECT_GT(h.wheel.active_count(), 0u);
  size_t events = h.tu.events.size();
  h.layer = std::make_unique<TransactionLayer>(h.sender, h.wheel, h.tu);
  EXPECT_EQ(h.wheel.active_count(), 0u);
  EXPECT_EQ(h.tu.events.size(), events);
}

TEST(TransactionLayer, StateAndTimeoutNames) {
  EXPECT_STREQ(TransactionStateName(TransactionState::kAccepted), "Accepted");
  EXPECT_STREQ(TransactionStateName(TransactionState::kConfirmed), "Confirmed");
  EXPECT_STREQ(TimeoutName(Timeout::kTimerC), "C");
}

}  // namespace
}  // namespace gw::sip

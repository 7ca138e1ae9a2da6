// libFuzzer target: SIP datagrams through the parser, the Via/URI helpers
// on every Via/To/From/Contact value, and the gateway's SIP core wired as
// firmware/app wires it: sip::Stack -> sip::TransactionLayer -> proxy::Core
// with the registrar, a location table holding a few bindings, the default
// users (1001..1003) and a hand-advanced clock.
//
// Input: segments separated by kSeparator; an input without one (the RFC
// 4475 / 5118 seeds) is one datagram from the caller. A segment is a
// datagram from the caller unless its first byte is an operation:
//   0x01 k c t [headers]  the endpoint the k-th newest request the gateway
//                         sent went to answers it with code kCodes[c % n],
//                         To tag number t, and the rest as extra header lines
//   0x02 lo hi            the clock advances (lo + 256 * hi) * 10 ms
//   0x03 e [datagram]     the datagram comes from endpoint kPeers[e % n]
//   0x04 [datagram]       the datagram is the head of one too large to take
//   0x05                  RMV CALL of every call (Core::HangUpAll)
// After the last segment every call is hung up and the clock runs on until
// every timer has fired.
//
// Invariants: every view the parsers return lies inside what they were
// given; a successful parse has the mandatory headers and a body no longer
// than the rest of the datagram. The Stack counts each datagram once,
// answers at most once statelessly (400 to what does not parse, 413/513 to
// an oversized head; never to a response or an ACK); everything the
// gateway sends fits a transaction's buffer and parses, but for a
// stateless 400/413/513 copying the request's malformed CSeq; and at the end of each input the
// transaction pool, the response contexts and the call table are empty.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <span>
#include <string_view>

#include "fuzz_check.h"
#include "gw/auth/digest_check.h"
#include "gw/auth/drbg.h"
#include "gw/auth/nonce.h"
#include "gw/auth/nonce_count.h"
#include "gw/auth/verifier.h"
#include "gw/config/json_arena.h"
#include "gw/core/fixed_string.h"
#include "gw/core/timer_wheel.h"
#include "gw/net/address.h"
#include "gw/net/udp.h"
#include "gw/proxy/core.h"
#include "gw/registrar/location.h"
#include "gw/registrar/register_handler.h"
#include "gw/registrar/registrar.h"
#include "gw/sip/message.h"
#include "gw/sip/response.h"
#include "gw/sip/stack.h"
#include "gw/sip/transaction.h"
#include "gw/sip/via.h"
#include "gw/testing/fake_hal.h"
#include "gw/users/user_store.h"

namespace gw::fuzz {
namespace {

using sip::Header;
using sip::HeaderId;
using sip::Message;

constexpr std::string_view kSeparator = "\n--imsgw-fuzz--\n";
constexpr std::string_view kRealm = "gw.example.net";
constexpr net::Endpoint kGateway{net::MakeIp4(192, 0, 2, 1), 5060};
constexpr net::Endpoint kCaller{net::MakeIp4(198, 51, 100, 7), 40000};
constexpr net::Endpoint kCallee{net::MakeIp4(198, 51, 100, 8), 5070};
constexpr net::Endpoint kCallee2{net::MakeIp4(198, 51, 100, 9), 5072};
constexpr net::Endpoint kNatted{net::MakeIp4(203, 0, 113, 9), 41000};
constexpr net::Endpoint kStranger{net::MakeIp4(192, 0, 2, 99), 5060};
constexpr net::Endpoint kPeers[] = {kCaller, kCallee, kCallee2, kNatted, kStranger};
constexpr int kCodes[] = {100, 180, 183, 199, 200, 202, 299, 301, 302, 401, 403, 404, 407, 408,
                          480, 481, 486, 487, 488, 491, 500, 503, 600, 603, 604, 606, 699};
// GW_FUZZ_TRACE=1 prints what the gateway sends (for writing seeds).
bool Trace() {
  static const bool trace = std::getenv("GW_FUZZ_TRACE") != nullptr;
  return trace;
}

// Everything the gateway sends is checked here; the newest requests are
// kept for the answer operation.
class Sender : public net::DatagramSender {
 public:
  static constexpr size_t kKept = 16;
  struct Kept {
    net::Endpoint to;
    String<sip::Transaction::kMaxMessage> data;
  };

  size_t sent() const { return sent_; }
  size_t kept() const { return kept_count_; }
  // The k-th newest request kept (k < kept()).
  const Kept& request(size_t k) const { return kept_[(kept_next_ + kKept - 1 - k) % kKept]; }
  void Forget() { kept_count_ = 0; }

 private:
  Status DoSendTo(const net::Endpoint& to, std::span<const std::byte> data) override {
    ++sent_;
    GW_FUZZ_CHECK(data.size() <= sip::Transaction::kMaxMessage);
    std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
    if (Trace()) {
      String<24> addr;
      (void)net::AppendIp4(addr, to.addr);
      std::string_view line = text.substr(0, text.find('\r'));
      std::fprintf(stderr, "  -> %s:%u %.*s\n", addr.c_str(), static_cast<unsigned>(to.port),
                   static_cast<int>(line.size()), line.data());
    }
    // A retransmission repeats bytes already checked: only new ones are.
    uint64_t h = 14695981039346656037ull;
    for (char c : text) h = (h ^ static_cast<uint8_t>(c)) * 1099511628211ull;
    for (uint64_t seen : checked_) {
      if (seen == h) return Status::Ok();
    }
    checked_[checked_next_++ % checked_.size()] = h;
    Message m;
    if (!m.Parse(text).ok()) {
      // A stateless answer to a request that did not parse (400, or
      // 413/513 to an oversized head) copies its malformed CSeq (RFC 3261
      // 8.2.6.2); nothing else the gateway sends may fail to parse.
      const int code = m.status_code();
      GW_FUZZ_CHECK(!m.is_request() && (code == 400 || code == 413 || code == 513) &&
                    m.error() == sip::ParseError::kBadCSeq);
      return Status::Ok();
    }
    if (m.is_request()) {
      GW_FUZZ_CHECK(m.method() != sip::Method::kAck || m.Find(HeaderId::kVia) != nullptr);
      Kept& k = kept_[kept_next_];
      k.to = to;
      GW_FUZZ_CHECK(k.data.assign(text).ok());
      kept_next_ = (kept_next_ + 1) % kKept;
      if (kept_count_ < kKept) ++kept_count_;
    }
    return Status::Ok();
  }

  size_t sent_ = 0;
  std::array<uint64_t, 32> checked_{};  // FNV-1a of the datagrams checked last
  size_t checked_next_ = 0;
  std::array<Kept, kKept> kept_;
  size_t kept_next_ = 0;
  size_t kept_count_ = 0;
};

config::JsonArena& Arena() {
  static config::JsonArena arena;
  return arena;
}

// The SIP core as the gateway wires it (firmware/app/src/gateway.cc), built
// once per process; Reset() returns it to the same state between inputs.
struct Rig {
  testing::FakeClock clock;
  TimerWheel timers{clock.now};
  Sender sender;
  sip::LocalIdentity identity;
  auth::AlgorithmPolicy auth_policy;
  proxy::ProxyPolicy policy;
  testing::RamStorage storage{4096, 16};
  users::UserStore users{storage, Arena()};
  registrar::LocationTable location;
  registrar::RegistrarConfig reg_config;
  registrar::Registrar registrar{location, reg_config};
  testing::FakeEntropy entropy;
  auth::Drbg drbg{entropy};
  auth::NonceManager nonces{clock};
  auth::NonceCountTable counts;
  auth::Verifier verifier{nonces, counts};
  auth::DigestCheck digest{verifier, auth_policy};
  testing::FakeWallClock wall_clock;
  registrar::RegisterDeps reg_deps{identity, users, digest, registrar, clock, wall_clock, "imsgw"};
  registrar::RegisterHandler register_handler{reg_deps};
  proxy::CoreDeps deps{digest, identity, users,  register_handler, verifier,
                       clock,  "imsgw",  policy, location};
  proxy::Core core{deps};
  sip::TransactionConfig txn_config{.timer_c_ms = 20000, .server = "imsgw"};
  sip::TransactionLayer layer{sender, timers, core, txn_config};
  sip::Stack stack{sender, layer, "imsgw"};

  Rig() {
    identity.address = kGateway.addr;
    identity.port = kGateway.port;
    (void)identity.domain.assign(kRealm);
    // INVITE and MESSAGE go through unchallenged: the fuzzer cannot answer
    // a digest challenge, and the 401 path is REGISTER's anyway.
    policy.proxy_auth = false;
    GW_FUZZ_CHECK(users.Load(kRealm).ok());
    GW_FUZZ_CHECK(drbg.Init().ok());
    GW_FUZZ_CHECK(nonces.Init(drbg).ok());
    GW_FUZZ_CHECK(verifier.Init({.realm = kRealm}).ok());
    core.Attach(layer);
    Reset();
  }

  void Bind(std::string_view aor, std::string_view contact, net::Endpoint source, bool nat) {
    auto b = location.Allocate(aor);
    GW_FUZZ_CHECK(b.ok());
    (*b)->in_use = true;
    (void)(*b)->aor.assign(aor);
    (void)(*b)->contact.assign(contact);
    (*b)->source = source;
    (*b)->nat = nat;
    (*b)->expires_at_ms = clock.now + 3600 * 1000;
  }

  // 1002 on two phones (a fork), 1003 behind a NAT; 1001 calls.
  void Reset() {
    location.Clear();
    Bind("1002", "sip:1002@198.51.100.8:5070", kCallee, false);
    Bind("1002", "sip:1002@198.51.100.9:5072", kCallee2, false);
    Bind("1003", "sip:1003@10.0.0.3:5060", kNatted, true);
    sender.Forget();
  }

  // In steps of `step` ms: a timer that fires re-arms from the step's end,
  // so steps no longer than T1 (500 ms) keep every retransmission apart.
  void Advance(uint32_t ms, uint32_t step = 100) {
    for (uint32_t t = 0; t < ms; t += step) {
      clock.now += step;
      (void)timers.Advance(clock.now);
    }
  }
};

void CheckUri(std::string_view text) {
  sip::Uri uri;
  Status s = sip::ParseUri(text, uri);
  GW_FUZZ_CHECK(Inside(uri.scheme, text) && Inside(uri.user, text) && Inside(uri.host, text) &&
                Inside(uri.params, text));
  if (s.ok()) GW_FUZZ_CHECK(!uri.scheme.empty() && !uri.host.empty());
}

void CheckVia(std::string_view value) {
  sip::Via via;
  Status s = sip::ParseVia(value, via);
  GW_FUZZ_CHECK(Inside(via.transport, value) && Inside(via.host, value) &&
                Inside(via.branch, value) && Inside(via.received, value) &&
                Inside(via.rport, value));
  if (s.ok()) GW_FUZZ_CHECK(!via.transport.empty() && !via.host.empty());
  if (!via.has_rport) GW_FUZZ_CHECK(via.rport.empty());
}

void CheckNameAddr(std::string_view value) {
  std::string_view spec = sip::AddrSpecOf(value);
  GW_FUZZ_CHECK(Inside(spec, value));
  CheckUri(spec);
  for (std::string_view name : {"tag", "expires", "q"}) {
    bool found = true;
    std::string_view param = sip::HeaderParam(value, name, found);
    GW_FUZZ_CHECK(Inside(param, value));
    if (!found) GW_FUZZ_CHECK(param.empty());
  }
}

// Every element of a comma-separated value, with the element check.
template <typename Fn>
void ForEachElement(std::string_view value, Fn check) {
  sip::ValueSplitter split(value);
  std::string_view one;
  size_t n = 0;
  while (split.Next(one)) {
    GW_FUZZ_CHECK(Inside(one, value));
    // Each call consumes at least one byte or ends the list.
    GW_FUZZ_CHECK(++n <= value.size() + 1);
    check(one);
  }
}

void CheckMessage(const Message& msg, std::string_view input, bool parsed) {
  GW_FUZZ_CHECK(msg.raw().data() == input.data() && msg.raw().size() == input.size());
  GW_FUZZ_CHECK(Inside(msg.method_text(), input) && Inside(msg.request_uri(), input) &&
                Inside(msg.reason(), input) && Inside(msg.body(), input) &&
                Inside(msg.cseq_method(), input));
  GW_FUZZ_CHECK(msg.header_count() <= Message::kMaxHeaders);
  for (size_t i = 0; i < msg.header_count(); ++i) {
    const Header& h = msg.header(i);
    GW_FUZZ_CHECK(Inside(h.name, input) && Inside(h.value, input));
    GW_FUZZ_CHECK(!h.name.empty());
    GW_FUZZ_CHECK(h.id == sip::LookupHeader(h.name));
    switch (h.id) {
      case HeaderId::kVia:
        ForEachElement(h.value, CheckVia);
        break;
      case HeaderId::kTo:
      case HeaderId::kFrom:
        CheckNameAddr(h.value);
        break;
      case HeaderId::kContact:
        ForEachElement(h.value, CheckNameAddr);
        break;
      default:
        break;
    }
  }
  if (msg.is_request()) CheckUri(msg.request_uri());
  if (!parsed) return;
  GW_FUZZ_CHECK(msg.error() == sip::ParseError::kNone);
  for (HeaderId id :
       {HeaderId::kVia, HeaderId::kFrom, HeaderId::kTo, HeaderId::kCallId, HeaderId::kCSeq}) {
    GW_FUZZ_CHECK(msg.Find(id) != nullptr);
  }
  if (msg.is_request()) {
    GW_FUZZ_CHECK(!msg.request_uri().empty() && msg.cseq_method() == msg.method_text());
  } else {
    GW_FUZZ_CHECK(msg.status_code() >= 100 && msg.status_code() <= 699);
  }
  // The body is the tail of the datagram after the header block.
  GW_FUZZ_CHECK(msg.body().empty() || msg.body().data() > msg.raw().data());
}

std::span<const std::byte> Bytes(std::string_view s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

// One datagram into the Stack, with the parser's invariants checked on it.
void Deliver(Rig& rig, std::string_view datagram, const net::Endpoint& from) {
  Message msg;
  const bool parsed = msg.Parse(datagram).ok();
  CheckMessage(msg, datagram, parsed);
  // Parsing is a pure function of the bytes.
  Message again;
  GW_FUZZ_CHECK(again.Parse(datagram).ok() == parsed && again.error() == msg.error() &&
                again.header_count() == msg.header_count());
  const uint32_t before = rig.stack.stats().rx_datagrams;
  const uint32_t bad_before = rig.stack.stats().rx_bad_requests;
  rig.stack.OnDatagram(Bytes(datagram), from);
  GW_FUZZ_CHECK(rig.stack.stats().rx_datagrams == before + 1);
  // The Stack answers 400 only what does not parse.
  if (parsed) GW_FUZZ_CHECK(rig.stack.stats().rx_bad_requests == bad_before);
}

// The endpoint a request went to answers it.
void Answer(Rig& rig, std::string_view op) {
  if (op.size() < 3 || rig.sender.kept() == 0) return;
  const Sender::Kept& k = rig.sender.request(static_cast<uint8_t>(op[0]) % rig.sender.kept());
  const int code = kCodes[static_cast<uint8_t>(op[1]) % std::size(kCodes)];
  String<4> tag;
  (void)tag.Format("t%u", static_cast<unsigned>(static_cast<uint8_t>(op[2]) % 4));
  // A copy: the kept slot may be overwritten by what the answer makes the
  // gateway send.
  static String<sip::Transaction::kMaxMessage> request;
  (void)request.assign(k.data.view());
  const net::Endpoint to = k.to;
  Message req;
  if (!req.Parse(request.view()).ok()) return;
  static String<2 * sip::Transaction::kMaxMessage> response;
  sip::ResponseExtras extras{code == 100 ? std::string_view() : tag.view(), op.substr(3), {}};
  if (!sip::BuildResponse(req, kGateway, code, "Fuzz", extras, response).ok()) return;
  Deliver(rig, response.view(), to);
}

void CheckOversized(Rig& rig, std::string_view input) {
  Message req;
  (void)req.Parse(input);
  const size_t sent = rig.sender.sent();
  const uint32_t too_large = rig.stack.stats().rx_too_large;
  rig.stack.OnOversized(Bytes(input), input.size() + 1, kCaller);
  // At most one answer, 413 or 513, to a request other than ACK.
  GW_FUZZ_CHECK(rig.sender.sent() - sent <= 1);
  if (rig.sender.sent() == sent) return;
  GW_FUZZ_CHECK(rig.stack.stats().rx_too_large == too_large + 1);
  GW_FUZZ_CHECK(req.is_request() && req.method() != sip::Method::kAck);
}

void RunSegment(Rig& rig, std::string_view seg) {
  const uint8_t op = seg.empty() ? 0 : static_cast<uint8_t>(seg[0]);
  if (Trace()) {
    std::string_view line = seg.substr(op < 0x08 ? 1 : 0);
    std::fprintf(stderr, "op %u: %.*s\n", static_cast<unsigned>(op),
                 static_cast<int>(std::min<size_t>(line.find('\r'), 60)), line.data());
  }
  switch (op) {
    case 0x01:
      Answer(rig, seg.substr(1));
      return;
    case 0x02: {
      const uint32_t lo = seg.size() > 1 ? static_cast<uint8_t>(seg[1]) : 0;
      const uint32_t hi = seg.size() > 2 ? static_cast<uint8_t>(seg[2]) : 0;
      rig.Advance((lo + 256 * hi) * 10);
      return;
    }
    case 0x03: {
      const size_t peer = seg.size() > 1 ? static_cast<uint8_t>(seg[1]) % std::size(kPeers) : 0;
      Deliver(rig, seg.substr(seg.size() > 1 ? 2 : 1), kPeers[peer]);
      return;
    }
    case 0x04:
      CheckOversized(rig, seg.substr(1));
      return;
    case 0x05:
      (void)rig.core.HangUpAll();
      return;
    default:
      Deliver(rig, seg, kCaller);
      return;
  }
}

}  // namespace
}  // namespace gw::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using gw::fuzz::kSeparator;
  static gw::fuzz::FuzzLog log;
  log.Install();
  log.Reset();
  // Built once: the layer and the core are large; Reset() and the drain
  // below return them to the same state after every input.
  static auto* rig = new gw::fuzz::Rig();
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t segments = 0;
  while (true) {
    const size_t at = input.find(kSeparator);
    gw::fuzz::RunSegment(*rig, input.substr(0, at));
    // A bound on the work per input: a few hundred exchanges at most.
    if (at == std::string_view::npos || ++segments == 256) break;
    input.remove_prefix(at + kSeparator.size());
  }
  // Every call ends and every timer runs out (Timer C, 64*T1, Timer D...).
  rig->Advance(40000, 500);
  (void)rig->core.HangUpAll();
  rig->Advance(70000, 500);
  GW_FUZZ_CHECK(rig->layer.active() == 0);
  GW_FUZZ_CHECK(rig->core.active_contexts() == 0);
  GW_FUZZ_CHECK(rig->core.active_calls() == 0);
  rig->Reset();
  return 0;
}

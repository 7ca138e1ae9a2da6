// libFuzzer target: one UDP datagram through the SIP parser, the Via/URI
// helpers on every Via/To/From/Contact value, and a Stack.
//
// Invariants: every view the parsers return lies inside what they were
// given; a successful parse has the mandatory headers and a body no longer
// than the rest of the datagram; a Stack answers at most once, never to a
// response or to ACK, never to something that is not a request, always to
// the source address, with a parseable 200/400/501 no larger than
// Stack::kMaxResponse; fed as the head of an oversized datagram, it gets at
// most one 413/513, on the same terms.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

#include "fuzz_check.h"
#include "gw/net/address.h"
#include "gw/net/udp.h"
#include "gw/sip/message.h"
#include "gw/sip/stack.h"
#include "gw/sip/transaction.h"
#include "gw/sip/via.h"
#include "gw/testing/fake_uas.h"

namespace gw::fuzz {
namespace {

using sip::Header;
using sip::HeaderId;
using sip::Message;

constexpr net::Endpoint kPeer{net::MakeIp4(198, 51, 100, 7), 40000};

// Keeps a copy of the first datagram and counts the rest.
class RecordingSender : public net::DatagramSender {
 public:
  size_t count() const { return count_; }
  net::Endpoint to() const { return to_; }
  std::string_view data() const { return {data_, size_}; }

 private:
  Status DoSendTo(const net::Endpoint& to, std::span<const std::byte> data) override {
    if (count_++ == 0) {
      GW_FUZZ_CHECK(data.size() <= sizeof(data_));
      to_ = to;
      size_ = data.size();
      if (size_ > 0) std::memcpy(data_, data.data(), size_);
    }
    return Status::Ok();
  }

  size_t count_ = 0;
  net::Endpoint to_;
  char data_[sip::Transaction::kMaxMessage];
  size_t size_ = 0;
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

void CheckStack(std::string_view input, const Message& req, bool parsed) {
  RecordingSender sender;
  sip::LocalIdentity identity;
  identity.address = net::MakeIp4(192, 0, 2, 1);
  (void)identity.domain.assign("gw.example.net");
  TimerWheel timers(0);
  testing::FakeUas uas(identity);
  sip::TransactionLayer layer(sender, timers, uas);
  uas.Attach(layer);
  sip::Stack stack(sender, layer, "imsgw-fuzz");
  stack.OnDatagram({reinterpret_cast<const std::byte*>(input.data()), input.size()}, kPeer);

  GW_FUZZ_CHECK(stack.stats().rx_datagrams == 1);
  GW_FUZZ_CHECK(sender.count() <= 1);
  if (sender.count() == 0) return;
  // Only a request is answered, and never an ACK.
  GW_FUZZ_CHECK(req.is_request() && req.method() != sip::Method::kAck);
  std::string_view start = input;
  while (!start.empty() && (start.front() == '\r' || start.front() == '\n')) {
    start.remove_prefix(1);
  }
  GW_FUZZ_CHECK(start.substr(0, 4) != "SIP/");
  GW_FUZZ_CHECK(sender.to().addr == kPeer.addr);

  Message resp;
  bool resp_ok = resp.Parse(sender.data()).ok();
  // A request that parsed has a well-formed CSeq, so its response parses;
  // a 400 copies the request's malformed CSeq verbatim (RFC 3261 8.2.6.2).
  GW_FUZZ_CHECK(resp_ok || (!parsed && resp.error() == sip::ParseError::kBadCSeq));
  GW_FUZZ_CHECK(!resp.is_request());
  int code = resp.status_code();
  GW_FUZZ_CHECK(code == 200 || code == 400 || code == 501);
  if (code == 200) GW_FUZZ_CHECK(parsed && req.method() == sip::Method::kOptions);
}

// The same bytes as the head of a datagram too large to take: at most one
// answer, 413 or 513, to a request other than ACK, at the source.
void CheckOversized(std::string_view input, const Message& req) {
  RecordingSender sender;
  sip::LocalIdentity identity;
  identity.address = net::MakeIp4(192, 0, 2, 1);
  TimerWheel timers(0);
  testing::FakeUas uas(identity);
  sip::TransactionLayer layer(sender, timers, uas);
  uas.Attach(layer);
  sip::Stack stack(sender, layer, "imsgw-fuzz");
  stack.OnOversized({reinterpret_cast<const std::byte*>(input.data()), input.size()},
                    input.size() + 1, kPeer);
  GW_FUZZ_CHECK(sender.count() <= 1);
  GW_FUZZ_CHECK(stack.stats().rx_too_large == sender.count() ||
                (sender.count() == 0 && stack.stats().tx_errors == 1));
  if (sender.count() == 0) return;
  GW_FUZZ_CHECK(req.is_request() && req.method() != sip::Method::kAck);
  GW_FUZZ_CHECK(sender.to().addr == kPeer.addr);
  Message resp;
  (void)resp.Parse(sender.data());
  GW_FUZZ_CHECK(!resp.is_request());
  GW_FUZZ_CHECK(resp.status_code() == 413 || resp.status_code() == 513);
}

}  // namespace
}  // namespace gw::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static gw::fuzz::FuzzLog log;
  log.Install();
  log.Reset();
  std::string_view input(reinterpret_cast<const char*>(data), size);

  gw::sip::Message msg;
  bool parsed = msg.Parse(input).ok();
  gw::fuzz::CheckMessage(msg, input, parsed);
  // Parsing is a pure function of the bytes.
  gw::sip::Message again;
  GW_FUZZ_CHECK(again.Parse(input).ok() == parsed && again.error() == msg.error() &&
                again.header_count() == msg.header_count());
  gw::fuzz::CheckStack(input, msg, parsed);
  gw::fuzz::CheckOversized(input, msg);
  return 0;
}

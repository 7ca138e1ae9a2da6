#include "gw/sip/stack.h"

#include "gw/core/log.h"
#include "gw/sip/response.h"
#include "gw/sip/transaction.h"
#include "gw/sip/via.h"

namespace gw::sip {
namespace {

bool LooksLikeSip(std::string_view data) {
  // A request line ends in "SIP/2.0"; a status line starts with "SIP/".
  size_t lf = data.find('\n');
  std::string_view line = data.substr(0, lf);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line.substr(0, 4) == "SIP/" ||
         (line.size() > 8 && EqualsIgnoreCase(line.substr(line.size() - 7), "SIP/2.0"));
}

// A request that failed to parse but can still be answered: it has what a
// response echoes (Via to send it along, Call-ID, CSeq, From, To), none of
// which holds a control character (the answer would carry it back, and the
// sender's parser may be as strict as ours), and is not an ACK (never
// answered, RFC 3261 17.2.1).
bool Answerable(const Message& msg) {
  if (!msg.is_request() || msg.method() == Method::kAck) return false;
  Via via;
  const Header* v = msg.Find(HeaderId::kVia);
  if (v == nullptr || !ParseVia(v->value, via).ok()) return false;
  for (HeaderId id : {HeaderId::kCallId, HeaderId::kCSeq, HeaderId::kFrom, HeaderId::kTo}) {
    if (msg.Find(id) == nullptr) return false;
  }
  for (size_t i = 0; i < msg.header_count(); ++i) {
    const Header& h = msg.header(i);
    const bool echoed = h.id == HeaderId::kVia || h.id == HeaderId::kCallId ||
                        h.id == HeaderId::kCSeq || h.id == HeaderId::kFrom || h.id == HeaderId::kTo;
    if (echoed && HasControlCharacter(h.value)) return false;
  }
  return true;
}

}  // namespace

void Stack::DoOnDatagram(std::span<const std::byte> data, const net::Endpoint& from) {
  ++stats_.rx_datagrams;
  std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
  Message msg;
  if (!msg.Parse(text).ok()) {
    RefuseUnparsed(msg, text, from);
    return;
  }
  if (!msg.is_request()) {
    ++stats_.rx_responses;
    std::string_view top;
    Via via;
    if (TopViaValue(msg, top) && ParseVia(top, via).ok() &&
        via.branch.substr(0, kKeepaliveBranch.size()) == kKeepaliveBranch) {
      ++stats_.rx_keepalive_replies;  // a phone answered our NAT keep-alive
      return;
    }
    layer_.Receive(msg, from);
    return;
  }
  ++stats_.rx_requests[static_cast<size_t>(msg.method())];
  if (msg.method() != Method::kAck && !Admitted(msg, from)) return;
  layer_.Receive(msg, from);
}

void Stack::RefuseUnparsed(const Message& msg, std::string_view text, const net::Endpoint& from) {
  if (msg.error() == ParseError::kEmpty) {
    ++stats_.rx_keepalives;
    return;
  }
  // A request we can still address (it has a Via to answer along) gets
  // 400 with the reason; anything else is dropped and counted.
  if (Answerable(msg)) {
    if (!Admitted(msg, from)) return;
    ++stats_.rx_bad_requests;
    String<24> src;
    (void)net::AppendIp4(src, from.addr);
    const std::string_view why = ParseErrorText(msg.error());
    const Header* about = msg.error_header();
    const std::string_view name = about != nullptr ? about->name : std::string_view();
    GW_LOG_INFO("sip", "400 to %s:%u: %.*s%s%.*s", src.c_str(), static_cast<unsigned>(from.port),
                static_cast<int>(why.size()), why.data(), about != nullptr ? " in " : "",
                static_cast<int>(name.size()), name.data());
    Respond(msg, from, 400, why, {});
  } else if (!msg.is_request() && LooksLikeSip(text)) {
    ++stats_.rx_bad_responses;  // dropped (RFC 3261 18.1.2)
  } else {
    ++stats_.rx_garbage;
    GW_LOG_DEBUG("sip", "dropped %u bytes of non-SIP from port %u",
                 static_cast<unsigned>(text.size()), from.port);
  }
}

void Stack::DoOnOversized(std::span<const std::byte> head, size_t total,
                          const net::Endpoint& from) {
  ++stats_.rx_datagrams;
  std::string_view text(reinterpret_cast<const char*>(head.data()), head.size());
  Message msg;
  (void)msg.Parse(text);         // the body (or more) is cut off
  if (!Answerable(msg)) return;  // counted by the socket; nothing to answer along
  if (!Admitted(msg, from)) return;
  ++stats_.rx_too_large;
  // The header block ended within the head: the body makes it too large
  // (413, RFC 3261 21.4.11); otherwise the message as such is (513, 21.5.14).
  const bool headers_whole =
      msg.error() == ParseError::kBodyTruncated || msg.error() == ParseError::kNone;
  String<24> src;
  (void)net::AppendIp4(src, from.addr);
  GW_LOG_INFO("sip", "%u-byte %.*s from %s:%u refused: larger than %u bytes",
              static_cast<unsigned>(total), static_cast<int>(msg.method_text().size()),
              msg.method_text().data(), src.c_str(), static_cast<unsigned>(from.port),
              static_cast<unsigned>(head.size()));
  if (headers_whole) {
    Respond(msg, from, 413, "Request Entity Too Large", {});
  } else {
    Respond(msg, from, 513, "Message Too Large", {});
  }
}

bool Stack::Admitted(const Message& req, const net::Endpoint& from) {
  if (limiter_ == nullptr || limiter_->Admit(from.addr)) return true;
  const RateLimitConfig& c = limiter_->config();
  if (c.action == RateAction::kDrop) {
    limiter_->Dropped(from.addr);
    return false;
  }
  String<32> retry;
  (void)retry.Format("Retry-After: %u\r\n", static_cast<unsigned>(c.retry_after_s));
  Respond(req, from, 503, "Service Unavailable", retry.view());
  limiter_->Refused(from.addr);
  return false;
}

void Stack::Respond(const Message& req, const net::Endpoint& from, int code,
                    std::string_view reason, std::string_view extra) {
  const Header* call_id = req.Find(HeaderId::kCallId);
  String<8> tag;
  if (call_id != nullptr) MakeToTag(call_id->value, ++tag_counter_, tag);
  ResponseExtras extras{tag.view(), extra, server_};
  if (!BuildResponse(req, from, code, reason, extras, tx_).ok()) {
    // The request's own headers were too large to echo in a response.
    ++stats_.tx_errors;
    GW_LOG_WARN("sip", "response %d too large for %u bytes; not sent", code,
                static_cast<unsigned>(kMaxResponse));
    return;
  }
  // RFC 3261 18.2.2: without rport the response goes to the sent-by port
  // (default 5060) at the source address.
  net::Endpoint to_ep = from;
  std::string_view top;
  Via via;
  if (TopViaValue(req, top) && ParseVia(top, via).ok()) to_ep = ResponseDestination(via, from);
  if (!sender_.SendTo(to_ep, {reinterpret_cast<const std::byte*>(tx_.c_str()), tx_.size()}).ok()) {
    ++stats_.tx_errors;
    return;
  }
  ++stats_.tx_responses[code / 100 <= 6 ? code / 100 : 0];
}

}  // namespace gw::sip

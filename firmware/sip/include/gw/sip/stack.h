#pragma once
// The SIP entry point on the gateway's UDP port. Every message that parses
// goes to the transaction layer (and through it to its TU: the proxy core,
// the registrar). What the layer never sees is answered or dropped here,
// statelessly: a request that does not parse gets 400 with the reason
// (Message::Parse checked every header the gateway reads), one over the
// datagram limit 413/513; an ACK is never answered; broken responses, CRLF
// keep-alives, the replies to the NAT keep-alive OPTIONS and non-SIP
// datagrams are counted and dropped.
#include <cstdint>
#include <string_view>

#include "gw/core/fixed_string.h"
#include "gw/net/address.h"
#include "gw/net/udp.h"
#include "gw/sip/local_identity.h"
#include "gw/sip/message.h"
#include "gw/sip/rate_limiter.h"

namespace gw::sip {

struct SipStats {
  uint32_t rx_datagrams = 0;
  uint32_t rx_requests[static_cast<size_t>(Method::kCount)] = {};
  uint32_t rx_responses = 0;          // responses received (to the transactions)
  uint32_t rx_bad_responses = 0;      // responses that do not parse: dropped
  uint32_t rx_keepalives = 0;         // CRLF pings
  uint32_t rx_keepalive_replies = 0;  // answers to our NAT keep-alive OPTIONS
  uint32_t rx_bad_requests = 0;       // answered 400
  uint32_t rx_garbage = 0;            // not SIP at all: dropped
  uint32_t rx_too_large = 0;          // requests over the datagram limit: 413/513
  uint32_t tx_responses[7] = {};      // by class: [1] = 1xx ... [6] = 6xx
  uint32_t tx_errors = 0;             // the transport refused a response
};

class TransactionLayer;

// The branch prefix of the gateway's stateless NAT keep-alive OPTIONS: the
// stack recognises the replies by it and drops them (counted).
inline constexpr std::string_view kKeepaliveBranch = "z9hG4bK-imsgw-ka-";

class Stack : public net::DatagramHandler {
 public:
  static constexpr size_t kMaxResponse = 2048;

  // sender: where the stateless answers go (the socket the layer sends on
  // too); layer: receives every message that parses. Both must outlive the
  // Stack; the layer need not be constructed yet (only stored here).
  Stack(net::DatagramSender& sender, TransactionLayer& layer, std::string_view server)
      : sender_(sender), layer_(layer), server_(server) {}

  const SipStats& stats() const { return stats_; }
  // From now on every request takes a token from its source's bucket
  // before the transaction layer sees it; one over the limit is answered
  // 503 (RFC 3261 21.5.4, with Retry-After) or dropped, as the limiter is
  // configured. Responses and CRLF keep-alives are never limited, and
  // neither is ACK: Kamailio's pike counts ACKs like any request, but an
  // ACK is never answered (no 503 is possible) and dropping one only brings
  // back the response it acknowledges, or breaks an answered call.
  void AttachRateLimiter(RateLimiter& limiter) { limiter_ = &limiter; }

 private:
  void DoOnDatagram(std::span<const std::byte> data, const net::Endpoint& from) override;
  void DoOnOversized(std::span<const std::byte> head, size_t total,
                     const net::Endpoint& from) override;
  void RefuseUnparsed(const Message& msg, std::string_view text, const net::Endpoint& from);
  // True if req (answerable: it has what a response echoes) may go on;
  // otherwise it has been answered 503 or dropped, and counted.
  bool Admitted(const Message& req, const net::Endpoint& from);
  // Builds and sends a response to req: status line, the request's Via
  // (top one with received/rport per RFC 3581), From, To (with a tag),
  // Call-ID, CSeq, then extra header lines (each ending in CRLF).
  void Respond(const Message& req, const net::Endpoint& from, int code, std::string_view reason,
               std::string_view extra);

  net::DatagramSender& sender_;
  TransactionLayer& layer_;
  std::string_view server_;
  SipStats stats_;
  String<kMaxResponse> tx_;
  uint32_t tag_counter_ = 0;
  RateLimiter* limiter_ = nullptr;
};

}  // namespace gw::sip

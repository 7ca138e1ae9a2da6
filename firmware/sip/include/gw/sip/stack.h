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
#include "gw/sip/message.h"

namespace gw::sip {

// Who the gateway is: what a Request-URI must name to be "for us".
struct LocalIdentity {
  uint32_t address = 0;             // own interface address
  uint32_t advertised_address = 0;  // SIP.ADVERTISE_ADDR, 0 if unset
  uint16_t port = 5060;
  uint16_t advertised_port = 0;  // 0: same as port
  String<64> domain;             // SIP.DOMAIN
};

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

// Whether a Request-URI names the gateway: its address, advertised address
// or SIP.DOMAIN, on its port, advertised port, or no port.
bool IsLocalUri(const LocalIdentity& identity, std::string_view uri);

class Stack : public net::DatagramHandler {
 public:
  static constexpr size_t kMaxResponse = 2048;

  // sender: where the stateless answers go (the socket the layer sends on
  // too); layer: receives every message that parses. Both must outlive the
  // Stack; the layer need not be constructed yet (only stored here).
  Stack(net::DatagramSender& sender, TransactionLayer& layer, std::string_view server)
      : sender_(sender), layer_(layer), server_(server) {}

  const SipStats& stats() const { return stats_; }

 private:
  void DoOnDatagram(std::span<const std::byte> data, const net::Endpoint& from) override;
  void DoOnOversized(std::span<const std::byte> head, size_t total,
                     const net::Endpoint& from) override;
  void RefuseUnparsed(const Message& msg, std::string_view text, const net::Endpoint& from);
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
};

}  // namespace gw::sip

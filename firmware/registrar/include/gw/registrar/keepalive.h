#pragma once
// NAT keep-alives: an OPTIONS to every binding registered from behind a NAT
// (private Contact, other source), sent to the binding's source address
// every NAT.KEEPALIVE seconds so the NAT keeps the mapping open. Stateless:
// no transaction is kept; replies carry our branch prefix and are counted
// and dropped by the SIP stack (sip::IsKeepaliveBranch).
#include <cstdint>

#include "gw/core/fixed_string.h"
#include "gw/net/udp.h"
#include "gw/registrar/location.h"
#include "gw/sip/stack.h"

namespace gw::registrar {

struct KeepaliveStats {
  uint32_t sent = 0;
  uint32_t send_errors = 0;
};

class Keepalive {
 public:
  // Pings sent per Tick at most, so a table full of NAT bindings is spread
  // over several ticks instead of one burst.
  static constexpr size_t kMaxPerTick = 16;

  Keepalive(LocationTable& table, net::DatagramSender& sender, const sip::LocalIdentity& identity)
      : table_(table), sender_(sender), identity_(identity) {}

  // Sends the pings that are due at now_ms; interval_s = 0 turns them off.
  void Tick(uint32_t now_ms, uint32_t interval_s);
  const KeepaliveStats& stats() const { return stats_; }

 private:
  Status Ping(const Binding& b);

  LocationTable& table_;
  net::DatagramSender& sender_;
  const sip::LocalIdentity& identity_;
  KeepaliveStats stats_;
  uint32_t counter_ = 0;
  String<640> tx_;
};

}  // namespace gw::registrar

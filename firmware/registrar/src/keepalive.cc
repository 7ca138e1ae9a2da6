#include "gw/registrar/keepalive.h"

#include "gw/core/log.h"

namespace gw::registrar {

void Keepalive::Tick(uint32_t now_ms, uint32_t interval_s) {
  if (interval_s == 0) return;
  const uint32_t interval_ms = interval_s * 1000u;
  size_t sent = 0;
  table_.ForEach({}, [&](Binding& b) {
    if (!b.nat || sent == kMaxPerTick) return;
    if (b.next_keepalive_ms == 0) {  // new binding: first ping one interval on
      b.next_keepalive_ms = now_ms + interval_ms;
      return;
    }
    if (static_cast<int32_t>(b.next_keepalive_ms - now_ms) > 0) return;
    b.next_keepalive_ms = now_ms + interval_ms;
    ++sent;
    if (Ping(b).ok()) {
      ++stats_.sent;
    } else {
      ++stats_.send_errors;
    }
  });
}

Status Keepalive::Ping(const Binding& b) {
  const uint32_t own = identity_.public_address();
  const uint16_t port = identity_.public_port();
  String<16> host;
  GW_TRY(net::AppendIp4(host, own));
  const unsigned n = ++counter_;
  tx_.clear();
  GW_TRY(tx_.Format("OPTIONS %s SIP/2.0\r\n", b.contact.c_str()));
  GW_TRY(tx_.Format("Via: SIP/2.0/UDP %s:%u;branch=%.*s%08x;rport\r\n", host.c_str(),
                    static_cast<unsigned>(port), static_cast<int>(sip::kKeepaliveBranch.size()),
                    sip::kKeepaliveBranch.data(), n));
  GW_TRY(tx_.Format("Max-Forwards: %u\r\nFrom: <sip:keepalive@%s>;tag=ka%08x\r\n",
                    sip::kInitialMaxForwards, host.c_str(), n));
  GW_TRY(tx_.Format("To: <%s>\r\nCall-ID: ka%08x@%s\r\nCSeq: 1 OPTIONS\r\n", b.contact.c_str(), n,
                    host.c_str()));
  GW_TRY(tx_.append("Content-Length: 0\r\n\r\n"));
  return sender_.SendTo(b.source, {reinterpret_cast<const std::byte*>(tx_.c_str()), tx_.size()});
}

}  // namespace gw::registrar

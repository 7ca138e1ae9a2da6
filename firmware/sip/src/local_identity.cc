#include "gw/sip/local_identity.h"

#include "gw/net/address.h"
#include "gw/sip/message.h"
#include "gw/sip/via.h"

namespace gw::sip {

Status LocalIdentity::AppendHostPort(StringBase& out) const {
  GW_TRY(net::AppendIp4(out, public_address()));
  return out.Format(":%u", static_cast<unsigned>(public_port()));
}

bool LocalIdentity::IsOwnHost(std::string_view host) const {
  uint32_t addr = 0;
  if (net::ParseIp4(host, addr)) return IsOwnAddress(addr);
  return !domain.empty() && EqualsIgnoreCase(host, domain.view());
}

bool LocalIdentity::OwnsUri(std::string_view text) const {
  Uri uri;
  if (!ParseUri(text, uri).ok() || !IsOwnHost(uri.host)) return false;
  // A URI without a port names us on any of our ports (the default or not).
  return uri.port == 0 || uri.port == port || uri.port == public_port();
}

}  // namespace gw::sip

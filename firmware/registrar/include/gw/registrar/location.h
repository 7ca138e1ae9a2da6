#pragma once
// The location service: bindings of an AOR (a local username) to contact
// URIs, in one fixed table (GW_CAP_BINDINGS). What must outlive the REGISTER
// that made a binding is copied into fixed fields.
#include <cstdint>
#include <string_view>

#include "gw/core/fixed_string.h"
#include "gw/core/status.h"
#include "gw/net/address.h"
#include "gw_profile.h"

namespace gw::registrar {

struct Binding {
  static constexpr size_t kMaxAor = 32;
  static constexpr size_t kMaxContact = 160;
  static constexpr size_t kMaxCallId = 96;
  static constexpr size_t kMaxUserAgent = 48;

  bool in_use = false;
  String<kMaxAor> aor;
  String<kMaxContact> contact;  // the URI as registered, without <>
  net::Endpoint source;         // where the REGISTER came from
  bool nat = false;             // contact names another (private) address
  uint32_t expires_at_ms = 0;   // monotonic
  String<kMaxCallId> call_id;
  uint32_t cseq = 0;
  uint16_t q = 1000;  // q-value x 1000
  String<kMaxUserAgent> user_agent;
  uint32_t next_keepalive_ms = 0;  // NAT keep-alive due (nat bindings only)
};

struct LocationStats {
  uint32_t refused_full = 0;  // a new binding found the table full
  uint32_t expired = 0;       // bindings removed by expiry
  uint32_t high_water = 0;
};

class LocationTable {
 public:
  static constexpr size_t kCapacity = GW_CAP_BINDINGS;
  // Contacts one AOR may hold at once (forking fan-out bound).
  static constexpr size_t kMaxPerAor = 8;

  // The binding of aor to contact (URI compared case-insensitively in
  // scheme and host, exactly elsewhere: close enough to RFC 3261 19.1.4 for
  // the URIs phones send), or nullptr.
  Binding* Find(std::string_view aor, std::string_view contact);
  // A free slot for a new binding of aor. ResourceExhausted when the table
  // is full (counted) or the AOR already has kMaxPerAor contacts.
  Result<Binding*> Allocate(std::string_view aor);
  void Remove(Binding& b);
  // Removes every binding of aor; returns how many.
  size_t RemoveAll(std::string_view aor);
  void Clear();
  // Removes bindings whose expiry has passed; returns how many.
  size_t Expire(uint32_t now_ms);

  size_t CountFor(std::string_view aor) const;
  size_t size() const { return used_; }
  const LocationStats& stats() const { return stats_; }

  // Visits every live binding (of one AOR, or all when aor is empty).
  template <typename Fn>
  void ForEach(std::string_view aor, Fn&& fn) {
    for (Binding& b : slots_)
      if (b.in_use && (aor.empty() || b.aor.view() == aor)) fn(b);
  }

 private:
  Binding slots_[kCapacity];
  size_t used_ = 0;
  LocationStats stats_;
};

// True for RFC 1918, loopback-free private ranges and RFC 6598 shared space:
// an address a phone behind NAT reports but cannot be reached on.
bool IsPrivateIp4(uint32_t addr);

}  // namespace gw::registrar

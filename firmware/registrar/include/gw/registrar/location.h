#pragma once
// The location service: bindings of an AOR (a local username) to contact
// URIs, in one fixed table (GW_CAP_BINDINGS). What must outlive the REGISTER
// that made a binding is copied into fixed fields.
#include <cstdint>
#include <span>
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
  // "<urn:uuid:" + 36 + ">" is 47; other URN forms are shorter.
  static constexpr size_t kMaxInstance = 64;
  // Room for the Path of a few proxies between the phone and the gateway.
  static constexpr size_t kMaxPath = 256;

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
  uint32_t updated_ms = 0;         // monotonic: the last REGISTER that set it
  // RFC 5626: the device instance (+sip.instance, without the quotes, e.g.
  // "<urn:uuid:...>"; empty: none) and its flow (reg-id; 0: none).
  String<kMaxInstance> instance;
  uint32_t reg_id = 0;
  // RFC 3327: the Path header values of the REGISTER, in order, as one
  // comma-separated list of name-addrs; empty when it had none.
  String<kMaxPath> path;

  // The route set toward this contact (RFC 3327 5.3): the Path values used
  // as Route values, the first one the next hop; empty: send to the contact
  // (or to the source of a NAT binding) directly.
  std::string_view route_set() const { return path.view(); }
};

// What identifies the binding a REGISTER contact refers to.
struct ContactKey {
  std::string_view contact;   // the URI, without <>
  std::string_view instance;  // +sip.instance without quotes; empty: none
  uint32_t reg_id = 0;        // 0: none
  net::Endpoint source;       // where the REGISTER came from
  std::string_view call_id;
  bool nat = false;  // contact names a private address other than the source
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
  // The binding of aor that a REGISTER contact refers to, or nullptr:
  // - with an instance (RFC 5626 6), the binding of the same instance and
  //   reg-id, whatever its URI (a new flow of the device replaces the old);
  // - otherwise a binding without instance of the same URI (as Find) that,
  //   when either side is NATed, also came from the same source or Call-ID:
  //   two phones behind different NATs may report the same private
  //   contact, and must stay two bindings.
  Binding* Match(std::string_view aor, const ContactKey& key);
  // The binding of aor refreshed least recently (by updated_ms, relative
  // to now_ms), skipping those in `keep`; nullptr when there is none.
  Binding* Oldest(std::string_view aor, uint32_t now_ms, std::span<Binding* const> keep);
  // A free slot for a new binding of aor. ResourceExhausted when the table
  // is full (counted) or the AOR already has kMaxPerAor contacts.
  Result<Binding*> Allocate(std::string_view aor);
  // Counts and logs a binding refused because the table is full (Allocate
  // does it itself; a caller that checks for room first calls it).
  void NoteFull();
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

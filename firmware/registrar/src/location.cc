#include "gw/registrar/location.h"

#include "gw/core/log.h"
#include "gw/sip/message.h"
#include "gw/sip/via.h"

namespace gw::registrar {
namespace {

// Compares two contact URIs: scheme and host case-insensitively, the rest
// exactly.
bool SameContact(std::string_view a, std::string_view b) {
  sip::Uri ua, ub;
  if (!sip::ParseUri(a, ua).ok() || !sip::ParseUri(b, ub).ok()) return a == b;
  return sip::EqualsIgnoreCase(ua.scheme, ub.scheme) && ua.user == ub.user &&
         sip::EqualsIgnoreCase(ua.host, ub.host) && ua.port == ub.port && ua.params == ub.params;
}

}  // namespace

bool IsPrivateIp4(uint32_t a) {
  return (a >> 24) == 10 || (a >> 20) == ((172u << 4) | 1) ||  // 172.16/12
         (a >> 16) == ((192u << 8) | 168) ||                   // 192.168/16
         (a >> 22) == ((100u << 2) | 1);                       // 100.64/10
}

Binding* LocationTable::Find(std::string_view aor, std::string_view contact) {
  for (Binding& b : slots_) {
    if (b.in_use && b.aor.view() == aor && SameContact(b.contact.view(), contact)) return &b;
  }
  return nullptr;
}

Binding* LocationTable::Match(std::string_view aor, const ContactKey& key) {
  for (Binding& b : slots_) {
    if (!b.in_use || b.aor.view() != aor) continue;
    if (!key.instance.empty()) {
      if (b.instance.view() == key.instance && b.reg_id == key.reg_id) return &b;
      continue;
    }
    if (!b.instance.empty() || !SameContact(b.contact.view(), key.contact)) continue;
    if (!(b.nat || key.nat) || b.source == key.source || b.call_id.view() == key.call_id) {
      return &b;
    }
  }
  return nullptr;
}

Binding* LocationTable::Oldest(std::string_view aor, uint32_t now_ms,
                               std::span<Binding* const> keep) {
  Binding* oldest = nullptr;
  uint32_t oldest_age = 0;
  for (Binding& b : slots_) {
    if (!b.in_use || b.aor.view() != aor) continue;
    bool kept = false;
    for (Binding* k : keep) kept = kept || k == &b;
    const uint32_t age = now_ms - b.updated_ms;
    if (!kept && (oldest == nullptr || age > oldest_age)) {
      oldest = &b;
      oldest_age = age;
    }
  }
  return oldest;
}

Result<Binding*> LocationTable::Allocate(std::string_view aor) {
  if (CountFor(aor) >= kMaxPerAor) return Status::ResourceExhausted();
  for (Binding& b : slots_) {
    if (b.in_use) continue;
    b = Binding();
    if (!b.aor.assign(aor).ok()) return Status::InvalidArgument();
    b.in_use = true;
    ++used_;
    if (used_ > stats_.high_water) stats_.high_water = static_cast<uint32_t>(used_);
    return &b;
  }
  NoteFull();
  return Status::ResourceExhausted();
}

void LocationTable::NoteFull() {
  ++stats_.refused_full;
  GW_LOG_WARN("reg", "location table full (%u bindings): refused a binding",
              static_cast<unsigned>(kCapacity));
}

void LocationTable::Remove(Binding& b) {
  if (!b.in_use) return;
  b.in_use = false;
  --used_;
}

size_t LocationTable::RemoveAll(std::string_view aor) {
  size_t n = 0;
  for (Binding& b : slots_) {
    if (b.in_use && b.aor.view() == aor) {
      Remove(b);
      ++n;
    }
  }
  return n;
}

void LocationTable::Clear() {
  for (Binding& b : slots_) Remove(b);
}

size_t LocationTable::Expire(uint32_t now_ms) {
  size_t n = 0;
  for (Binding& b : slots_) {
    if (b.in_use && static_cast<int32_t>(b.expires_at_ms - now_ms) <= 0) {
      GW_LOG_INFO("reg", "binding of %s expired: %s", b.aor.c_str(), b.contact.c_str());
      Remove(b);
      ++n;
    }
  }
  stats_.expired += static_cast<uint32_t>(n);
  return n;
}

size_t LocationTable::CountFor(std::string_view aor) const {
  size_t n = 0;
  for (const Binding& b : slots_) n += (b.in_use && b.aor.view() == aor) ? 1 : 0;
  return n;
}

}  // namespace gw::registrar

#include "gw/registrar/registrar.h"

#include "gw/core/log.h"
#include "gw/core/text.h"
#include "gw/sip/via.h"

namespace gw::registrar {
namespace {

// delta-seconds (RFC 3261 20.19): digits only, however many, saturating at
// 2^32-1. False (out unchanged) when malformed.
bool ParseSeconds(std::string_view s, uint32_t& out) {
  s = sip::Trim(s);
  if (s.empty()) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    if (v < 0xFFFFFFFFull) v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  out = v > 0xFFFFFFFFull ? 0xFFFFFFFFu : static_cast<uint32_t>(v);
  return true;
}

// q-value "0", "0.5", "1.000" -> 0..1000.
bool ParseQ(std::string_view s, uint16_t& out) {
  s = sip::Trim(s);
  if (s.empty() || (s[0] != '0' && s[0] != '1')) return false;
  uint32_t v = static_cast<uint32_t>(s[0] - '0') * 1000;
  if (s.size() > 1) {
    if (s[1] != '.' || s.size() > 5) return false;
    uint32_t scale = 100;
    for (size_t i = 2; i < s.size(); ++i, scale /= 10) {
      if (s[i] < '0' || s[i] > '9') return false;
      v += static_cast<uint32_t>(s[i] - '0') * scale;
    }
  }
  if (v > 1000) return false;
  out = static_cast<uint16_t>(v);
  return true;
}

// A contact the phone cannot be reached on: a private address other than
// the one the REGISTER came from.
bool IsNatContact(std::string_view uri, const net::Endpoint& source) {
  sip::Uri parsed;
  uint32_t host = 0;
  return sip::ParseUri(uri, parsed).ok() && net::ParseIp4(parsed.host, host) &&
         host != source.addr && IsPrivateIp4(host);
}

std::string_view Unquote(std::string_view s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') return s.substr(1, s.size() - 2);
  return s;
}

int Fail(RegisterResult& r, int code, std::string_view reason) {
  r.code = code;
  r.reason = reason;
  return code;
}

struct ContactEntry {
  ContactKey key;  // key.contact is the URI
  uint32_t expires = 0;
  uint16_t q = 1000;
  Binding* existing = nullptr;
  bool duplicate = false;  // the same new contact earlier in this request
};

bool SameNewContact(const ContactEntry& a, const ContactEntry& b) {
  return a.existing == nullptr && a.key.contact == b.key.contact &&
         a.key.instance == b.key.instance && a.key.reg_id == b.key.reg_id;
}

}  // namespace

struct Registrar::Pending {
  std::string_view aor;
  net::Endpoint source;
  uint32_t now_ms = 0;
  std::string_view call_id;
  uint32_t cseq = 0;
  uint32_t header_expires = 0;
  bool expires_zero = false;  // an Expires header that reads 0
  std::string_view user_agent;
  String<Binding::kMaxPath> path;
  ContactEntry entries[kMaxContacts];
  size_t count = 0;
  bool star = false;
  // Bindings this request refreshes or wrote: never given up for another.
  Binding* keep[2 * kMaxContacts] = {};
  size_t kept = 0;
};

RegisterResult Registrar::Handle(const sip::Message& req, std::string_view aor,
                                 const net::Endpoint& source, uint32_t now_ms) {
  RegisterResult r;
  Pending p;
  p.aor = aor;
  p.source = source;
  p.now_ms = now_ms;
  if (ReadRequest(req, p, r) != 0) return r;
  if (p.star) {
    (void)RemoveAll(p, r);
    return r;
  }
  if (MatchAndCheck(p, r) != 0) return r;
  Commit(p, r);
  if (r.added + r.removed > 0) {
    GW_LOG_INFO("reg", "%.*s: %u added, %u refreshed, %u removed, %u replaced",
                static_cast<int>(aor.size()), aor.data(), static_cast<unsigned>(r.added),
                static_cast<unsigned>(r.refreshed), static_cast<unsigned>(r.removed),
                static_cast<unsigned>(r.replaced));
  }
  return r;
}

// Pass 1: parse and check the request and every contact; nothing changes.
int Registrar::ReadRequest(const sip::Message& req, Pending& p, RegisterResult& r) {
  p.header_expires = config_.default_expires;
  if (const sip::Header* e = req.Find(sip::HeaderId::kExpires)) {
    uint32_t v = 0;
    if (ParseSeconds(e->value, v)) {
      p.header_expires = v;
      p.expires_zero = v == 0;
    }
  }
  const sip::Header* call_id = req.Find(sip::HeaderId::kCallId);
  p.call_id = call_id != nullptr ? call_id->value : std::string_view();
  if (p.call_id.size() > Binding::kMaxCallId) return Fail(r, 400, "Call-ID Too Long");
  p.cseq = req.cseq_number();
  const sip::Header* ua = req.Find(sip::HeaderId::kUserAgent);
  if (ua != nullptr) p.user_agent = ua->value;
  for (size_t i = 0; i < req.header_count(); ++i) {
    const sip::Header& h = req.header(i);
    if (h.id != sip::HeaderId::kPath && h.id != sip::HeaderId::kContact) continue;
    sip::ValueSplitter split(h.value);
    std::string_view value;
    while (split.Next(value)) {
      if (h.id == sip::HeaderId::kContact) {
        if (ReadContact(value, p, r) != 0) return r.code;
        continue;
      }
      sip::Uri hop;
      if (!sip::ParseUri(sip::AddrSpecOf(value), hop).ok()) return Fail(r, 400, "Malformed Path");
      if ((!p.path.empty() && !p.path.append(", ").ok()) || !p.path.append(value).ok()) {
        GW_LOG_INFO("reg", "Path of %.*s over %u characters: refused",
                    static_cast<int>(p.aor.size()), p.aor.data(),
                    static_cast<unsigned>(Binding::kMaxPath));
        return Fail(r, 400, "Path Too Long");
      }
    }
  }
  return 0;
}

int Registrar::ReadContact(std::string_view value, Pending& p, RegisterResult& r) {
  if (value == "*") {
    p.star = true;
    return 0;
  }
  if (p.count == kMaxContacts) return Fail(r, 503, "Too Many Contacts");
  ContactEntry& c = p.entries[p.count++];
  c.key.contact = sip::AddrSpecOf(value);
  sip::Uri parsed;
  if (c.key.contact.empty() || !sip::ParseUri(c.key.contact, parsed).ok()) {
    return Fail(r, 400, "Malformed Contact");
  }
  if (c.key.contact.size() > Binding::kMaxContact) return Fail(r, 400, "Contact Too Long");
  bool found = false;
  c.expires = p.header_expires;
  std::string_view exp = sip::HeaderParam(value, "expires", found);
  if (found) (void)ParseSeconds(exp, c.expires);  // malformed: as if absent
  std::string_view q = sip::HeaderParam(value, "q", found);
  if (found && !ParseQ(q, c.q)) return Fail(r, 400, "Malformed Contact q");
  c.key.instance = Unquote(sip::HeaderParam(value, "+sip.instance", found));
  if (c.key.instance.size() > Binding::kMaxInstance) return Fail(r, 400, "Instance Too Long");
  std::string_view reg_id = sip::HeaderParam(value, "reg-id", found);
  if (found && !c.key.instance.empty()) (void)ParseSeconds(reg_id, c.key.reg_id);
  c.key.source = p.source;
  c.key.call_id = p.call_id;
  c.key.nat = IsNatContact(c.key.contact, p.source);
  if (c.expires != 0 && c.expires < config_.min_expires) {
    r.min_expires = config_.min_expires;
    return Fail(r, 423, "Interval Too Brief");
  }
  if (c.expires > config_.max_expires) c.expires = config_.max_expires;
  return 0;
}

// RFC 3261 10.3 step 6: '*' only alone and with Expires: 0.
int Registrar::RemoveAll(Pending& p, RegisterResult& r) {
  if (p.count != 0 || !p.expires_zero) return Fail(r, 400, "Invalid Wildcard Contact");
  bool out_of_order = false;
  table_.ForEach(p.aor, [&](Binding& b) {
    if (b.call_id.view() == p.call_id && p.cseq <= b.cseq) out_of_order = true;
  });
  if (out_of_order) return Fail(r, 500, "Out Of Order CSeq");
  r.removed = table_.RemoveAll(p.aor);
  GW_LOG_INFO("reg", "%.*s unregistered all (%u bindings)", static_cast<int>(p.aor.size()),
              p.aor.data(), static_cast<unsigned>(r.removed));
  return 0;
}

// Pass 1b: which binding each contact refers to, CSeq ordering (step 7),
// and room for the new ones: a free slot, or a binding of the AOR that this
// request does not refresh, to give up.
int Registrar::MatchAndCheck(Pending& p, RegisterResult& r) {
  size_t removals = 0, fresh = 0, matched = 0;
  for (size_t i = 0; i < p.count; ++i) {
    ContactEntry& c = p.entries[i];
    c.existing = table_.Match(p.aor, c.key);
    bool seen = false;  // another contact of this request matched it too
    for (size_t k = 0; k < i; ++k)
      seen = seen || (c.existing && p.entries[k].existing == c.existing);
    if (c.existing != nullptr) {
      if (c.existing->call_id.view() == p.call_id && p.cseq <= c.existing->cseq) {
        return Fail(r, 500, "Out Of Order CSeq");
      }
      if (!seen) ++matched;
      if (!seen && c.expires == 0) ++removals;
      if (c.expires != 0 && p.kept < sizeof(p.keep) / sizeof(p.keep[0])) {
        p.keep[p.kept++] = c.existing;
      }
    } else if (c.expires != 0) {
      for (size_t k = 0; k < i; ++k) c.duplicate = c.duplicate || SameNewContact(p.entries[k], c);
      if (!c.duplicate) ++fresh;
    }
  }
  const size_t own = table_.CountFor(p.aor);
  const size_t free_slots = LocationTable::kCapacity - table_.size() + removals;
  const size_t user_room = LocationTable::kMaxPerAor - (own - removals);
  const size_t direct = free_slots < user_room ? free_slots : user_room;
  if (fresh > direct + (own - matched)) {
    table_.NoteFull();
    return Fail(r, 503, "Location Table Full");
  }
  return 0;
}

// Pass 2: removals first (their slots serve the new contacts), then
// refreshes and new bindings.
void Registrar::Commit(Pending& p, RegisterResult& r) {
  for (size_t i = 0; i < p.count; ++i) {
    Binding* b = p.entries[i].existing;
    if (p.entries[i].expires == 0 && b != nullptr && b->in_use) {
      table_.Remove(*b);
      ++r.removed;
    }
  }
  for (size_t i = 0; i < p.count; ++i) {
    ContactEntry& c = p.entries[i];
    if (c.expires == 0) continue;
    Binding* b = c.existing;
    if (b != nullptr) {
      ++r.refreshed;
    } else if (c.duplicate) {
      b = table_.Match(p.aor, c.key);  // the one an earlier contact wrote
    } else {
      const bool room = table_.CountFor(p.aor) < LocationTable::kMaxPerAor &&
                        table_.size() < LocationTable::kCapacity;
      if (!room) {
        Binding* victim = table_.Oldest(p.aor, p.now_ms, {p.keep, p.kept});
        if (victim == nullptr) continue;  // MatchAndCheck made sure there is one
        GW_LOG_INFO("reg", "%.*s: binding %s given up for a new one",
                    static_cast<int>(p.aor.size()), p.aor.data(), victim->contact.c_str());
        table_.Remove(*victim);
        ++r.replaced;
      }
      Result<Binding*> slot = table_.Allocate(p.aor);
      if (!slot.ok()) continue;  // checked above
      b = *slot;
      ++r.added;
    }
    if (b == nullptr) continue;
    Store(*b, i, p);
    if (p.kept < sizeof(p.keep) / sizeof(p.keep[0])) p.keep[p.kept++] = b;
  }
}

void Registrar::Store(Binding& b, size_t entry, const Pending& p) {
  const ContactEntry& c = p.entries[entry];
  (void)b.contact.assign(c.key.contact);
  b.source = p.source;
  b.nat = c.key.nat;
  b.expires_at_ms = p.now_ms + c.expires * 1000u;
  b.updated_ms = p.now_ms;
  b.next_keepalive_ms = 0;  // the keep-alive schedule restarts
  (void)b.call_id.assign(p.call_id);
  b.cseq = p.cseq;
  b.q = c.q;
  (void)b.instance.assign(c.key.instance);
  b.reg_id = c.key.reg_id;
  (void)b.path.assign(p.path.view());
  b.user_agent.clear();
  b.user_agent.AppendTruncated(p.user_agent);
}

Status Registrar::AppendContacts(std::string_view aor, uint32_t now_ms, StringBase& out) {
  Status status = Status::Ok();
  table_.ForEach(aor, [&](Binding& b) {
    if (!status.ok()) return;
    int32_t left_ms = static_cast<int32_t>(b.expires_at_ms - now_ms);
    unsigned left = left_ms <= 0 ? 0u : static_cast<unsigned>((left_ms + 999) / 1000);
    status = out.Format("Contact: <%s>;expires=%u", b.contact.c_str(), left);
    if (status.ok() && b.q != 1000) {
      status = out.Format(";q=%u.%03u", static_cast<unsigned>(b.q / 1000),
                          static_cast<unsigned>(b.q % 1000));
    }
    if (status.ok() && !b.instance.empty()) {
      status = out.Format(";+sip.instance=\"%s\"", b.instance.c_str());
    }
    if (status.ok() && b.reg_id != 0) {
      status = out.Format(";reg-id=%u", static_cast<unsigned>(b.reg_id));
    }
    if (status.ok()) status = out.append("\r\n");
  });
  return status;
}

}  // namespace gw::registrar

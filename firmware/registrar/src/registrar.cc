#include "gw/registrar/registrar.h"

#include "gw/core/log.h"
#include "gw/core/text.h"
#include "gw/sip/via.h"

namespace gw::registrar {
namespace {

// delta-seconds: 0..2^32-1 (RFC 3261 20.19, 20.10).
bool ParseSeconds(std::string_view s, uint32_t& out) {
  return ParseDecimal(sip::Trim(s), out);
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

struct ContactEntry {
  std::string_view uri;
  uint32_t expires = 0;
  uint16_t q = 1000;
  Binding* existing = nullptr;
};

}  // namespace

RegisterResult Registrar::Handle(const sip::Message& req, std::string_view aor,
                                 const net::Endpoint& source, uint32_t now_ms) {
  RegisterResult r;
  auto fail = [&r](int code, std::string_view reason) {
    r.code = code;
    r.reason = reason;
    return r;
  };

  uint32_t header_expires = config_.default_expires;
  if (const sip::Header* e = req.Find(sip::HeaderId::kExpires)) {
    if (!ParseSeconds(e->value, header_expires)) return fail(400, "Malformed Expires");
  }
  const sip::Header* call_id_h = req.Find(sip::HeaderId::kCallId);
  std::string_view call_id = call_id_h != nullptr ? call_id_h->value : std::string_view();
  if (call_id.size() > Binding::kMaxCallId) return fail(400, "Call-ID Too Long");
  const uint32_t cseq = req.cseq_number();

  // Pass 1: parse and check every contact; nothing changes yet.
  ContactEntry entries[kMaxContacts];
  size_t count = 0;
  bool star = false;
  for (size_t i = 0; i < req.header_count(); ++i) {
    const sip::Header& h = req.header(i);
    if (h.id != sip::HeaderId::kContact) continue;
    sip::ValueSplitter split(h.value);
    std::string_view value;
    while (split.Next(value)) {
      if (value == "*") {
        star = true;
        continue;
      }
      if (count == kMaxContacts) return fail(503, "Too Many Contacts");
      ContactEntry& c = entries[count++];
      c.uri = sip::AddrSpecOf(value);
      sip::Uri parsed;
      if (c.uri.empty() || !sip::ParseUri(c.uri, parsed).ok()) {
        return fail(400, "Malformed Contact");
      }
      if (c.uri.size() > Binding::kMaxContact) return fail(400, "Contact Too Long");
      bool found = false;
      std::string_view exp = sip::HeaderParam(value, "expires", found);
      c.expires = header_expires;
      if (found && !ParseSeconds(exp, c.expires)) return fail(400, "Malformed Contact Expires");
      std::string_view q = sip::HeaderParam(value, "q", found);
      if (found && !ParseQ(q, c.q)) return fail(400, "Malformed Contact q");
      if (c.expires != 0 && c.expires < config_.min_expires) {
        r.min_expires = config_.min_expires;
        return fail(423, "Interval Too Brief");
      }
      if (c.expires > config_.max_expires) c.expires = config_.max_expires;
    }
  }

  if (star) {
    // RFC 3261 10.3 step 6: '*' only alone and with Expires: 0.
    if (count != 0 || req.Find(sip::HeaderId::kExpires) == nullptr || header_expires != 0) {
      return fail(400, "Invalid Wildcard Contact");
    }
    bool out_of_order = false;
    table_.ForEach(aor, [&](Binding& b) {
      if (b.call_id.view() == call_id && cseq <= b.cseq) out_of_order = true;
    });
    if (out_of_order) return fail(500, "Out Of Order CSeq");
    r.removed = table_.RemoveAll(aor);
    GW_LOG_INFO("reg", "%.*s unregistered all (%u bindings)", static_cast<int>(aor.size()),
                aor.data(), static_cast<unsigned>(r.removed));
    return r;
  }

  // Pass 1b: ordering and room.
  size_t new_bindings = 0;
  for (size_t i = 0; i < count; ++i) {
    ContactEntry& c = entries[i];
    c.existing = table_.Find(aor, c.uri);
    if (c.existing != nullptr) {
      if (c.existing->call_id.view() == call_id && cseq <= c.existing->cseq) {
        return fail(500, "Out Of Order CSeq");
      }
    } else if (c.expires != 0) {
      // The same new contact twice in one request counts once.
      bool dup = false;
      for (size_t k = 0; k < i; ++k)
        dup = dup || (entries[k].existing == nullptr && entries[k].uri == c.uri);
      if (!dup) ++new_bindings;
    }
  }
  if (table_.CountFor(aor) + new_bindings > LocationTable::kMaxPerAor ||
      table_.size() + new_bindings > LocationTable::kCapacity) {
    return fail(503, "Location Table Full");
  }

  // Pass 2: commit.
  const sip::Header* ua = req.Find(sip::HeaderId::kUserAgent);
  for (size_t i = 0; i < count; ++i) {
    ContactEntry& c = entries[i];
    Binding* b = c.existing != nullptr ? c.existing : table_.Find(aor, c.uri);
    if (c.expires == 0) {
      if (b != nullptr) {
        table_.Remove(*b);
        ++r.removed;
      }
      continue;
    }
    if (b == nullptr) {
      Result<Binding*> slot = table_.Allocate(aor);
      if (!slot.ok()) return fail(503, "Location Table Full");  // checked above
      b = *slot;
      ++r.added;
    } else {
      ++r.refreshed;
    }
    (void)b->contact.assign(c.uri);
    b->source = source;
    sip::Uri parsed;
    uint32_t host = 0;
    b->nat = sip::ParseUri(c.uri, parsed).ok() && net::ParseIp4(parsed.host, host) &&
             host != source.addr && IsPrivateIp4(host);
    b->expires_at_ms = now_ms + c.expires * 1000u;
    b->next_keepalive_ms = 0;  // the keep-alive schedule restarts
    (void)b->call_id.assign(call_id);
    b->cseq = cseq;
    b->q = c.q;
    b->user_agent.clear();
    if (ua != nullptr) b->user_agent.AppendTruncated(ua->value);
  }
  if (r.added + r.removed > 0) {
    GW_LOG_INFO("reg", "%.*s: %u added, %u refreshed, %u removed", static_cast<int>(aor.size()),
                aor.data(), static_cast<unsigned>(r.added), static_cast<unsigned>(r.refreshed),
                static_cast<unsigned>(r.removed));
  }
  return r;
}

Status Registrar::AppendContacts(std::string_view aor, uint32_t now_ms, StringBase& out) {
  Status status = Status::Ok();
  table_.ForEach(aor, [&](Binding& b) {
    if (!status.ok()) return;
    int32_t left_ms = static_cast<int32_t>(b.expires_at_ms - now_ms);
    unsigned left = left_ms <= 0 ? 0u : static_cast<unsigned>((left_ms + 999) / 1000);
    status = out.Format("Contact: <%s>;expires=%u\r\n", b.contact.c_str(), left);
  });
  return status;
}

}  // namespace gw::registrar

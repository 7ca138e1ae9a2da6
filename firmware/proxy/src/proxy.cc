// The stateful proxy of RFC 3261 section 16, as part of the Core TU.
//
// A forwarded request is the received one with edits written into the Core's
// fixed TX buffer: a new request line, our Via and Record-Route on top, the
// received/rport of the previous hop filled in its Via (RFC 3581), Max-Forwards
// decremented, Route values that named us taken out. Every other header line
// is copied byte for byte.
#include "gw/auth/credentials.h"
#include "gw/core/log.h"
#include "gw/proxy/core.h"
#include "gw/sip/response.h"
#include "gw/sip/via.h"
#include "self.h"

namespace gw::proxy {
namespace internal {

void AppendSelf(const sip::LocalIdentity& id, StringBase& out) {
  (void)net::AppendIp4(out, id.advertised_address != 0 ? id.advertised_address : id.address);
  (void)out.Format(":%u",
                   static_cast<unsigned>(id.advertised_port != 0 ? id.advertised_port : id.port));
}

}  // namespace internal
namespace {

using internal::AppendSelf;

using sip::Header;
using sip::HeaderId;
using sip::Message;
using sip::Method;

// Our branches: the magic cookie, a mark, the loop-detection hash of the
// request (RFC 3261 16.6 step 8) and a part unique per branch.
constexpr std::string_view kBranchPrefix = "z9hG4bKgw";
constexpr size_t kMaxRoutes = 16;

uint32_t Fnv(uint32_t h, std::string_view s) {
  for (char c : s) {
    h ^= static_cast<uint8_t>(c);
    h *= 16777619u;
  }
  h ^= 0xFF;
  return h * 16777619u;
}

std::string_view TagOf(const Message& m, HeaderId id) {
  const Header* h = m.Find(id);
  if (h == nullptr) return {};
  bool found = false;
  return sip::HeaderParam(h->value, "tag", found);
}

// The loop-detection value: what stays the same when a request comes back
// unchanged (R-URI as received, tags, Call-ID, CSeq number).
uint32_t LoopHash(const Message& req) {
  uint32_t h = Fnv(2166136261u, req.request_uri());
  h = Fnv(h, TagOf(req, HeaderId::kFrom));
  h = Fnv(h, TagOf(req, HeaderId::kTo));
  const Header* call_id = req.Find(HeaderId::kCallId);
  if (call_id != nullptr) h = Fnv(h, call_id->value);
  String<12> cseq;
  (void)cseq.Format("%lu", static_cast<unsigned long>(req.cseq_number()));
  return Fnv(h, cseq.view());
}

// Where a URI with an IPv4 host goes (port 5060 when absent). No DNS.
bool UriEndpoint(std::string_view uri_text, net::Endpoint& out) {
  sip::Uri uri;
  if (!sip::ParseUri(uri_text, uri).ok()) return false;
  uint32_t addr = 0;
  if (!net::ParseIp4(uri.host, addr)) return false;
  out = {addr, uri.port != 0 ? uri.port : uint16_t{5060}};
  return true;
}

bool DialogCreating(Method m) {
  return m == Method::kInvite || m == Method::kSubscribe || m == Method::kRefer;
}

// The bytes of header i's line(s) in the raw message, line end included.
std::string_view RawLine(const Message& m, size_t i) {
  const Header& h = m.header(i);
  std::string_view raw = m.raw();
  const char* from =
      h.value.empty() ? h.name.data() + h.name.size() : h.value.data() + h.value.size();
  size_t pos = static_cast<size_t>(from - raw.data());
  size_t lf = raw.find('\n', pos);
  size_t end = lf == std::string_view::npos ? raw.size() : lf + 1;
  size_t start = static_cast<size_t>(h.name.data() - raw.data());
  return raw.substr(start, end - start);
}

// The first line up to and including its LF.
std::string_view StartLine(const Message& m) {
  std::string_view raw = m.raw();
  size_t lf = raw.find('\n');
  return raw.substr(0, lf == std::string_view::npos ? raw.size() : lf + 1);
}

// Appends a Via value with received (when the sent-by is not the source)
// and a valueless rport filled with the source port (RFC 3581).
Status AppendStampedVia(StringBase& out, std::string_view via_text, const net::Endpoint& from) {
  sip::Via via;
  if (!sip::ParseVia(via_text, via).ok()) return out.append(via_text);
  size_t pos = 0;
  bool done = false;
  if (via.has_rport && via.rport.empty()) {
    while ((pos = via_text.find(';', pos)) != std::string_view::npos) {
      size_t start = pos + 1;
      size_t end = via_text.find(';', start);
      if (end == std::string_view::npos) end = via_text.size();
      std::string_view param = via_text.substr(start, end - start);
      if (sip::EqualsIgnoreCase(sip::Trim(param), "rport")) {
        size_t name_end = start + param.find_first_not_of(" \t") + 5;
        GW_TRY(out.append(via_text.substr(0, name_end)));
        GW_TRY(out.Format("=%u", static_cast<unsigned>(from.port)));
        GW_TRY(out.append(via_text.substr(name_end)));
        done = true;
        break;
      }
      pos = end;
    }
  }
  if (!done) GW_TRY(out.append(via_text));
  String<16> src;
  GW_TRY(net::AppendIp4(src, from.addr));
  if (via.received.empty() && via.host != src.view()) {
    GW_TRY(out.Format(";received=%s", src.c_str()));
  }
  return Status::Ok();
}

// The Route values of a request, in order, with what routing takes out.
struct RoutePlan {
  struct Value {
    size_t header;
    std::string_view text;
    bool removed;
  };
  Value values[kMaxRoutes];
  size_t count = 0;
  std::string_view ruri;   // the Request-URI to send with
  bool popped_us = false;  // a Route naming us was taken out
  bool strict = false;     // the previous hop was a strict router

  // The first value left, or nullptr.
  const Value* Top() const {
    for (size_t i = 0; i < count; ++i)
      if (!values[i].removed) return &values[i];
    return nullptr;
  }
};

// RFC 3261 16.4. False when there are more Route values than we keep.
bool PlanRoutes(const Message& req, const sip::LocalIdentity& id, RoutePlan& plan) {
  plan.ruri = req.request_uri();
  for (size_t i = 0; i < req.header_count(); ++i) {
    if (req.header(i).id != HeaderId::kRoute) continue;
    sip::ValueSplitter split(req.header(i).value);
    std::string_view v;
    while (split.Next(v)) {
      if (plan.count == kMaxRoutes) return false;
      plan.values[plan.count++] = {i, v, false};
    }
  }
  if (plan.count == 0) return true;
  // A strict router put our Record-Route URI (no user part) in the R-URI:
  // the real R-URI is the last Route value.
  sip::Uri uri;
  if (sip::IsLocalUri(id, req.request_uri()) && sip::ParseUri(req.request_uri(), uri).ok() &&
      uri.user.empty()) {
    RoutePlan::Value& last = plan.values[plan.count - 1];
    plan.ruri = sip::AddrSpecOf(last.text);
    last.removed = true;
    plan.strict = true;
    plan.popped_us = true;
  }
  // Loose routing: a top Route naming us is ours to take out.
  for (size_t i = 0; i < plan.count; ++i) {
    RoutePlan::Value& v = plan.values[i];
    if (v.removed) continue;
    if (!sip::IsLocalUri(id, sip::AddrSpecOf(v.text))) break;
    v.removed = true;
    plan.popped_us = true;
  }
  return true;
}

}  // namespace

size_t Core::active_contexts() const {
  size_t n = 0;
  for (const ResponseContext& c : contexts_) n += c.in_use;
  return n;
}

// Whether a Via value is ours (sent-by us, with our branch mark); its loop
// hash then goes to *hash.
static bool OurVia(const sip::LocalIdentity& id, std::string_view text, uint32_t* hash) {
  sip::Via via;
  if (!sip::ParseVia(text, via).ok()) return false;
  if (via.branch.substr(0, kBranchPrefix.size()) != kBranchPrefix) return false;
  uint32_t addr = 0;
  if (!net::ParseIp4(via.host, addr)) return false;
  uint16_t port = via.port != 0 ? via.port : 5060;
  bool addr_ok =
      addr == id.address || (id.advertised_address != 0 && addr == id.advertised_address);
  bool port_ok = port == id.port || (id.advertised_port != 0 && port == id.advertised_port);
  if (!addr_ok || !port_ok) return false;
  if (hash != nullptr) {
    std::string_view hex = via.branch.substr(kBranchPrefix.size(), 8);
    uint32_t h = 0;
    for (char c : hex) {
      h <<= 4;
      if (c >= '0' && c <= '9')
        h |= static_cast<uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f')
        h |= static_cast<uint32_t>(c - 'a' + 10);
      else
        return false;
    }
    *hash = h;
  }
  return true;
}

// Writes the forwarded request (see the file comment) into out.
// Proxy-Authorization for own_realm is consumed here (RFC 3261 22.3): the
// next hop has no use for our digest.
static Status BuildForward(const Message& req, const RoutePlan& plan, std::string_view ruri,
                           std::string_view branch, bool record_route, const net::Endpoint& from,
                           const sip::LocalIdentity& id, std::string_view own_realm,
                           StringBase& out) {
  out.clear();
  GW_TRY(out.append(req.method_text()));
  GW_TRY(out.append(" "));
  GW_TRY(out.append(ruri));
  GW_TRY(out.append(" SIP/2.0\r\nVia: SIP/2.0/UDP "));
  AppendSelf(id, out);
  GW_TRY(out.append(";branch="));
  GW_TRY(out.append(branch));
  GW_TRY(out.append("\r\n"));
  if (record_route) {
    GW_TRY(out.append("Record-Route: <sip:"));
    AppendSelf(id, out);
    GW_TRY(out.append(";lr>\r\n"));
  }
  bool first_via = true;
  bool has_max_forwards = false;
  for (size_t i = 0; i < req.header_count(); ++i) {
    const Header& h = req.header(i);
    if (h.id == HeaderId::kVia && first_via) {
      first_via = false;
      sip::ValueSplitter split(h.value);
      std::string_view v;
      GW_TRY(out.append(h.name));
      GW_TRY(out.append(": "));
      bool first = true;
      while (split.Next(v)) {
        if (!first) GW_TRY(out.append(", "));
        GW_TRY(first ? AppendStampedVia(out, v, from) : out.append(v));
        first = false;
      }
      GW_TRY(out.append("\r\n"));
      continue;
    }
    if (h.id == HeaderId::kProxyAuthorization && !own_realm.empty()) {
      auth::Credentials c;
      if (auth::ParseCredentials(h.value, c).ok() && c.realm.Equals(own_realm)) continue;
    }
    if (h.id == HeaderId::kMaxForwards) {
      has_max_forwards = true;
      const unsigned n = req.max_forwards().value_or(0);  // 0..255, checked by Parse
      GW_TRY(out.Format("%.*s: %u\r\n", static_cast<int>(h.name.size()), h.name.data(),
                        n > 0 ? n - 1 : 0));
      continue;
    }
    if (h.id == HeaderId::kRoute) {
      bool edited = false;
      for (size_t k = 0; k < plan.count; ++k)
        edited = edited || (plan.values[k].header == i && plan.values[k].removed);
      if (edited) {
        bool any = false;
        for (size_t k = 0; k < plan.count; ++k) {
          const RoutePlan::Value& v = plan.values[k];
          if (v.header != i || v.removed) continue;
          GW_TRY(out.append(any ? ", " : "Route: "));
          GW_TRY(out.append(v.text));
          any = true;
        }
        if (any) GW_TRY(out.append("\r\n"));
        continue;
      }
    }
    GW_TRY(out.append(RawLine(req, i)));
  }
  if (!has_max_forwards) GW_TRY(out.append("Max-Forwards: 70\r\n"));
  GW_TRY(out.append("\r\n"));
  return out.append(req.body());
}

// A response without its top Via (ours): status line, the other headers
// and the body as received.
// extra: header lines (each ending in CRLF) added after the response's own.
static Status BuildUpstream(const Message& resp, StringBase& out, std::string_view extra = {}) {
  out.clear();
  GW_TRY(out.append(StartLine(resp)));
  bool first_via = true;
  for (size_t i = 0; i < resp.header_count(); ++i) {
    const Header& h = resp.header(i);
    if (h.id == HeaderId::kVia && first_via) {
      first_via = false;
      sip::ValueSplitter split(h.value);
      std::string_view v;
      (void)split.Next(v);
      bool any = false;
      while (split.Next(v)) {
        GW_TRY(out.append(any ? ", " : "Via: "));
        GW_TRY(out.append(v));
        any = true;
      }
      if (any) GW_TRY(out.append("\r\n"));
      continue;
    }
    GW_TRY(out.append(RawLine(resp, i)));
  }
  GW_TRY(out.append(extra));
  GW_TRY(out.append("\r\n"));
  return out.append(resp.body());
}

// ---------------------------------------------------------------------------
// Requests

void Core::HandleProxy(sip::Transaction& txn, const Message& req) {
  const sip::LocalIdentity& id = deps_.identity;
  // RFC 3261 16.3 step 3: Max-Forwards.
  if (const Header* mf = req.Find(HeaderId::kMaxForwards); mf != nullptr) {
    bool digits = !mf->value.empty() && mf->value.size() <= 3;
    for (char c : mf->value) digits = digits && c >= '0' && c <= '9';
    if (!digits) {
      Reply(txn, req, 400, "Bad Max-Forwards");
      return;
    }
    if (mf->value.find_first_not_of('0') == std::string_view::npos) {
      ++stats_.too_many_hops;
      Reply(txn, req, 483, "Too Many Hops");
      return;
    }
  }
  // Step 4: loop detection. One of our Vias with this request's hash: it
  // came back unchanged (a spiral changes the R-URI, hence the hash).
  const uint32_t loop = LoopHash(req);
  for (size_t i = 0; i < req.header_count(); ++i) {
    if (req.header(i).id != HeaderId::kVia) continue;
    sip::ValueSplitter split(req.header(i).value);
    std::string_view v;
    uint32_t h = 0;
    while (split.Next(v)) {
      if (OurVia(id, v, &h) && h == loop) {
        ++stats_.loops;
        Reply(txn, req, 482, "Loop Detected");
        return;
      }
    }
  }
  // Step 5: we implement no extension a proxy could be required to know.
  if (const Header* pr = req.Find(HeaderId::kProxyRequire); pr != nullptr) {
    headers_.clear();
    for (size_t i = 0; i < req.header_count(); ++i) {
      const Header& h = req.header(i);
      if (h.id != HeaderId::kProxyRequire) continue;
      (void)headers_.Format("Unsupported: %.*s\r\n", static_cast<int>(h.value.size()),
                            h.value.data());
    }
    Reply(txn, req, 420, "Bad Extension", headers_.view());
    return;
  }
  RoutePlan plan;
  if (!PlanRoutes(req, id, plan)) {
    Reply(txn, req, 400, "Too Many Routes");
    return;
  }
  const bool initial = TagOf(req, HeaderId::kTo).empty();
  if (initial && !ProxyAuthorized(txn, req)) return;
  if (!initial) SeeInDialog(req);
  const bool track = initial && req.method() == Method::kInvite;

  // Targets (16.5): the next Route, the R-URI of a request routed through
  // us, or the bindings of a local user.
  const RoutePlan::Value* top = plan.Top();
  net::Endpoint to;
  const bool local = sip::IsLocalUri(id, plan.ruri);
  if (top != nullptr || !local) {
    std::string_view next = top != nullptr ? sip::AddrSpecOf(top->text) : plan.ruri;
    if (top == nullptr && !plan.popped_us) {
      ++stats_.foreign;
      Reply(txn, req, 403, "Not Our Domain");
      return;
    }
    if (!UriEndpoint(next, to)) {
      ++stats_.foreign;
      Reply(txn, req, 403, "Not Our Domain");
      return;
    }
    // A NATed phone's contact is reached at the binding's source.
    deps_.location.ForEach({}, [&](registrar::Binding& b) {
      if (b.nat && b.contact.view() == next) to = b.source;
    });
    ResponseContext* ctx = NewContext(txn, req);
    if (ctx == nullptr) return;
    if (track && !StartCall(txn, req, ctx)) {
      ReleaseIfDone(*ctx);
      return;
    }
    AddBranch(*ctx, req, &plan, plan.ruri, to);
    MaybeFinish(*ctx);
    ReleaseIfDone(*ctx);
    return;
  }
  sip::Uri uri;
  if (!sip::ParseUri(plan.ruri, uri).ok() || uri.user.empty()) {
    ++stats_.unknown_users;
    Reply(txn, req, 404, "Not Found");
    return;
  }
  if (deps_.users.Find(uri.user) == nullptr) {
    ++stats_.unknown_users;
    Reply(txn, req, 404, "Not Found");
    return;
  }
  if (deps_.location.CountFor(uri.user) == 0) {
    ++stats_.unavailable;
    Reply(txn, req, 480, "Temporarily Unavailable");
    return;
  }
  ResponseContext* ctx = NewContext(txn, req);
  if (ctx == nullptr) return;
  if (track && !StartCall(txn, req, ctx)) {
    ReleaseIfDone(*ctx);
    return;
  }
  deps_.location.ForEach(uri.user, [&](registrar::Binding& b) {
    if (ctx->branch_count == ResponseContext::kMaxBranches) return;
    net::Endpoint dest = b.source;
    if (!b.nat) (void)UriEndpoint(b.contact.view(), dest);
    AddBranch(*ctx, req, &plan, b.contact.view(), dest);
  });
  MaybeFinish(*ctx);
  ReleaseIfDone(*ctx);
}

ResponseContext* Core::NewContext(sip::Transaction& txn, const Message& req) {
  ResponseContext* ctx = nullptr;
  for (ResponseContext& c : contexts_) {
    if (!c.in_use) {
      ctx = &c;
      break;
    }
  }
  // The request's own server transaction is at work already; its first
  // branch needs one more.
  if (ctx != nullptr &&
      layer_->in_progress() + 1 > sip::TransactionLayer::kCapacity - kLocalReserve) {
    ctx = nullptr;
  }
  if (ctx == nullptr) {
    ++stats_.contexts_full;
    Reply(txn, req, 503, "Service Unavailable", "Retry-After: 5\r\n");
    return nullptr;
  }
  sip::ResponseExtras extras{};
  if (!sip::BuildResponse(req, txn.source(), 100, "Trying", extras, ctx->skeleton).ok()) {
    Reply(txn, req, 513, "Message Too Large");
    return nullptr;
  }
  ctx->in_use = true;
  if (const auto n = static_cast<uint32_t>(active_contexts()); n > stats_.contexts_high_water) {
    stats_.contexts_high_water = n;
  }
  ctx->invite = req.method() == Method::kInvite;
  ctx->final_sent = false;
  ctx->branch_count = 0;
  ctx->best_code = 0;
  ctx->best_local = false;
  ctx->call = -1;
  ctx->best_reason.clear();
  ctx->challenges.clear();
  ctx->server = &txn;
  txn.set_user(ctx);
  // RFC 3261 16.2: a 100 Trying for an INVITE at once (never for others:
  // RFC 4320).
  if (ctx->invite) (void)layer_->SendResponse(txn, ctx->skeleton.view());
  return ctx;
}

void Core::AddBranch(ResponseContext& ctx, const Message& req, const void* plan_ptr,
                     std::string_view ruri, const net::Endpoint& to) {
  const auto& plan = *static_cast<const RoutePlan*>(plan_ptr);
  Branch& b = ctx.branches[ctx.branch_count++];
  b = Branch{};
  const uint32_t loop = LoopHash(req);
  String<40> branch;
  (void)branch.append(kBranchPrefix);
  (void)branch.Format("%08lx.%08lx", static_cast<unsigned long>(loop),
                      static_cast<unsigned long>(
                          Fnv(deps_.proxy.branch_salt ^ ++branch_counter_, ctx.server->branch())));
  const bool rr = DialogCreating(req.method()) && TagOf(req, HeaderId::kTo).empty();
  if (!BuildForward(req, plan, ruri, branch.view(), rr, ctx.server->source(), deps_.identity,
                    deps_.verifier.realm(), tx_)
           .ok()) {
    // Too large to forward once our Via and Record-Route are in: 413 when a
    // body is what makes it large, 513 otherwise (RFC 3261 21.4.11, 21.5.14).
    ++stats_.too_large;
    GW_LOG_INFO("proxy", "%u-byte request too large to forward (limit %u)",
                static_cast<unsigned>(req.raw().size()),
                static_cast<unsigned>(sip::Transaction::kMaxMessage));
    if (req.body().empty()) {
      SettleLocally(ctx, b, 513, "Message Too Large");
    } else {
      SettleLocally(ctx, b, 413, "Request Entity Too Large");
    }
    return;
  }
  Result<sip::Transaction*> sent = layer_->SendRequest(tx_.view(), to, &ctx);
  if (!sent.ok()) {
    GW_LOG_INFO("proxy", "branch not sent: %s", sent.status().str());
    if (sent.status() == Status::Unavailable()) {
      SettleLocally(ctx, b, 480, "Temporarily Unavailable");
    } else {
      SettleLocally(ctx, b, 503, "Service Unavailable");
    }
    return;
  }
  b.txn = *sent;
  ++stats_.forwarded;
  if (ctx.invite) (void)layer_->ArmTimerC(*b.txn);
}

void Core::HandleCancel(sip::Transaction& txn, const Message& req) {
  sip::Transaction* target = layer_->FindCancelTarget(req);
  if (target == nullptr) {
    Reply(txn, req, 481, "Call/Transaction Does Not Exist");
    return;
  }
  // 9.2: the INVITE transaction exists: the CANCEL gets 200 even when the
  // INVITE was answered already (then there is nothing left to cancel).
  Reply(txn, req, 200, "OK");
  auto* ctx = static_cast<ResponseContext*>(target->user());
  if (ctx == nullptr) return;
  ++stats_.cancels_received;
  // RFC 3261 16.10: CANCEL every pending branch; the INVITE gets its 487
  // now (a 2xx racing it is still forwarded).
  if (!ctx->final_sent) SendFinal(*ctx, 487, "Request Terminated");
  CancelPending(*ctx);
}

// ---------------------------------------------------------------------------
// Responses

Branch* Core::BranchOf(ResponseContext& ctx, const sip::Transaction& txn) {
  for (size_t i = 0; i < ctx.branch_count; ++i)
    if (ctx.branches[i].txn == &txn) return &ctx.branches[i];
  return nullptr;
}

void Core::DoOnResponse(sip::Transaction& txn, const Message& resp) {
  auto* ctx = static_cast<ResponseContext*>(txn.user());
  if (ctx == nullptr) return;  // our CANCELs
  Branch* b = BranchOf(*ctx, txn);
  if (b == nullptr) return;
  const int code = resp.status_code();
  if (code < 200) {
    if (ctx->invite && b->code == 0) (void)layer_->ArmTimerC(txn);  // 16.7 step 2
    if (b->cancel_wanted) SendCancel(*b);
    if (code > 100 && !ctx->final_sent && ctx->server != nullptr) ForwardUpstream(*ctx, resp);
    return;
  }
  if (code < 300) {
    // Every 2xx goes upstream, retransmissions and other forks included.
    b->code = static_cast<int16_t>(code);
    if (ctx->invite) ConfirmCall(*ctx, resp, txn);
    ForwardUpstream(*ctx, resp);
    if (!ctx->final_sent) {
      ctx->final_sent = true;
      CancelPending(*ctx);
    }
    return;
  }
  OnBranchFinal(*ctx, *b, code, resp.reason(), &resp);
}

// 4xx that tell the caller how to retry (RFC 3261 16.7 step 6).
static bool Informative(int code) {
  return code == 401 || code == 407 || code == 415 || code == 420 || code == 484;
}

// RFC 3261 16.7 step 6: a 6xx beats everything, then the lowest class, and
// within 4xx one that tells how to retry.
static bool Better(int code, int best) {
  if (best == 0) return true;
  if (best >= 600) return false;
  if (code >= 600) return true;
  if (code / 100 == 4 && best / 100 == 4) return Informative(code) && !Informative(best);
  return code / 100 < best / 100;
}

void Core::SettleLocally(ResponseContext& ctx, Branch& b, int code, std::string_view reason) {
  b.code = static_cast<int16_t>(code);
  if (!Better(code, ctx.best_code)) return;
  ctx.best_code = static_cast<int16_t>(code);
  ctx.best_local = true;
  (void)ctx.best_reason.assign(reason);
}

void Core::OnBranchFinal(ResponseContext& ctx, Branch& b, int code, std::string_view reason,
                         const Message* resp) {
  if (b.code != 0) return;  // already settled (Timer C stood in for it)
  b.code = static_cast<int16_t>(code);
  if (ctx.final_sent) return;
  const bool best = Better(code, ctx.best_code);
  if (best) {
    ctx.best_code = static_cast<int16_t>(code);
    ctx.best_local = false;
    if (!ctx.best_reason.assign(reason).ok()) (void)ctx.best_reason.assign("Failed");
  }
  if (code >= 600) CancelPending(ctx);
  bool pending = false;
  for (size_t i = 0; i < ctx.branch_count; ++i) pending = pending || ctx.branches[i].code == 0;
  const bool forward_now = best && (!pending || code >= 600) && resp != nullptr && code != 503;
  if (resp != nullptr && (code == 401 || code == 407) && !forward_now) {
    KeepChallenges(ctx, *resp);
  }
  if (pending && code < 600) return;
  if (forward_now) {
    ctx.final_sent = true;
    ForwardUpstream(ctx, *resp);
    return;
  }
  MaybeFinish(ctx);
}

// RFC 3261 16.7 step 7: a 401/407 sent upstream carries the challenges of
// every 401/407 of the context. Those not forwarded as they arrive are kept
// here (what does not fit is left out, logged).
void Core::KeepChallenges(ResponseContext& ctx, const Message& resp) {
  for (size_t i = 0; i < resp.header_count(); ++i) {
    const HeaderId id = resp.header(i).id;
    if (id != HeaderId::kWwwAuthenticate && id != HeaderId::kProxyAuthenticate) continue;
    if (!ctx.challenges.append(RawLine(resp, i)).ok()) {  // all or nothing per line
      GW_LOG_INFO("proxy", "a %d challenge did not fit (%u bytes kept)", resp.status_code(),
                  static_cast<unsigned>(ctx.challenges.capacity()));
      return;
    }
  }
}

void Core::MaybeFinish(ResponseContext& ctx) {
  if (ctx.final_sent) return;
  bool pending = false;
  for (size_t i = 0; i < ctx.branch_count; ++i) pending = pending || ctx.branches[i].code == 0;
  if (pending && ctx.best_code < 600) return;
  int code = ctx.best_code != 0 ? ctx.best_code : 408;
  // Our own overload (no transaction for the branch): 503, back off.
  if (code == 503 && ctx.best_local) {
    SendFinal(ctx, 503, "Service Unavailable", "Retry-After: 5\r\n");
    return;
  }
  // 16.7 step 6: a 503 from downstream must not make the upstream back off.
  if (code == 503) {
    SendFinal(ctx, 500, "Server Internal Error");
  } else if (code == 401 || code == 407) {
    SendFinal(ctx, code, ctx.best_reason.view(), ctx.challenges.view());
  } else {
    SendFinal(ctx, code, ctx.best_code != 0 ? ctx.best_reason.view() : "Request Timeout");
  }
}

void Core::SendFinal(ResponseContext& ctx, int code, std::string_view reason,
                     std::string_view headers) {
  ctx.final_sent = true;
  if (code >= 300) FailCall(ctx);
  if (ctx.server == nullptr) return;
  Message sk;
  if (!sk.Parse(ctx.skeleton.view()).ok()) return;
  String<8> tag;
  sip::MakeToTag(ctx.server->call_id(), ++tag_salt_, tag);
  tx_.clear();
  Status s =
      tx_.Format("SIP/2.0 %d %.*s\r\n", code, static_cast<int>(reason.size()), reason.data());
  for (size_t i = 0; s.ok() && i < sk.header_count(); ++i) {
    const Header& h = sk.header(i);
    if (h.id == HeaderId::kContentLength) continue;
    s = tx_.Format("%.*s: %.*s", static_cast<int>(h.name.size()), h.name.data(),
                   static_cast<int>(h.value.size()), h.value.data());
    if (s.ok() && h.id == HeaderId::kTo && TagOf(sk, HeaderId::kTo).empty()) {
      s = tx_.Format(";tag=%s", tag.c_str());
    }
    if (s.ok()) s = tx_.append("\r\n");
  }
  if (s.ok()) s = tx_.append(headers);
  if (s.ok() && !deps_.server.empty()) {
    s = tx_.Format("Server: %.*s\r\n", static_cast<int>(deps_.server.size()), deps_.server.data());
  }
  if (s.ok()) s = tx_.append("Content-Length: 0\r\n\r\n");
  if (!s.ok()) return;
  Status sent = layer_->SendResponse(*ctx.server, tx_.view());
  if (!sent.ok()) GW_LOG_DEBUG("proxy", "%d not sent: %s", code, sent.str());
}

void Core::ForwardUpstream(ResponseContext& ctx, const Message& resp) {
  if (resp.status_code() >= 300) FailCall(ctx);
  const int code = resp.status_code();
  std::string_view others = code == 401 || code == 407 ? ctx.challenges.view() : "";
  if (!BuildUpstream(resp, tx_, others).ok()) {
    ++stats_.too_large;
    GW_LOG_WARN("proxy", "%u-byte %d too large to forward (limit %u)",
                static_cast<unsigned>(resp.raw().size()), resp.status_code(),
                static_cast<unsigned>(sip::Transaction::kMaxMessage));
    // A final answer still reaches the caller, as ours.
    if (resp.status_code() >= 200 && ctx.server != nullptr) {
      SendFinal(ctx, 502, "Response Too Large");
    }
    return;
  }
  if (ctx.server != nullptr) {
    ++stats_.responses_forwarded;
    Status s = layer_->SendResponse(*ctx.server, tx_.view());
    if (!s.ok()) GW_LOG_DEBUG("proxy", "response not forwarded: %s", s.str());
    return;
  }
  SendUpstreamStateless();
}

void Core::SendUpstreamStateless() {
  // The server transaction is gone (a late 2xx): statelessly, 16.7 / 16.11,
  // to the Via now on top of tx_.
  Message up;
  std::string_view top;
  sip::Via via;
  if (!up.Parse(tx_.view()).ok() || !sip::TopViaValue(up, top) || !sip::ParseVia(top, via).ok()) {
    return;
  }
  net::Endpoint dest;
  uint32_t addr = 0;
  if (!net::ParseIp4(via.received.empty() ? via.host : via.received, addr)) return;
  unsigned port = via.port != 0 ? via.port : 5060;
  if (via.rport_port != 0) port = via.rport_port;  // 1..65535, checked by ParseVia
  dest = {addr, static_cast<uint16_t>(port)};
  if (layer_->SendStateless(tx_.view(), dest).ok()) ++stats_.responses_forwarded;
}

void Core::CancelPending(ResponseContext& ctx) {
  for (size_t i = 0; i < ctx.branch_count; ++i) {
    Branch& b = ctx.branches[i];
    if (b.code != 0 || b.txn == nullptr || !ctx.invite) continue;
    if (b.txn->state() == sip::TransactionState::kProceeding) {
      SendCancel(b);
    } else {
      b.cancel_wanted = true;  // no provisional yet: no CANCEL yet (9.1)
    }
  }
}

void Core::SendCancel(Branch& b) {
  b.cancel_wanted = false;
  if (b.txn == nullptr || !layer_->BuildCancel(*b.txn, tx_).ok()) return;
  Result<sip::Transaction*> sent = layer_->SendRequest(tx_.view(), b.txn->peer(), nullptr);
  if (sent.ok()) ++stats_.cancels_sent;
}

void Core::DoOnTimeout(sip::Transaction& txn, sip::Timeout which) {
  auto* ctx = static_cast<ResponseContext*>(txn.user());
  if (ctx == nullptr || !txn.is_client()) return;
  Branch* b = BranchOf(*ctx, txn);
  if (b == nullptr) return;
  if (which == sip::Timeout::kTimerC) {
    // 16.8: CANCEL a branch that answered provisionally, else act as if 408.
    ++stats_.timer_c;
    if (txn.state() == sip::TransactionState::kProceeding) SendCancel(*b);
  }
  OnBranchFinal(*ctx, *b, 408, "Request Timeout", nullptr);
}

void Core::DoOnTransportError(sip::Transaction& txn) {
  auto* ctx = static_cast<ResponseContext*>(txn.user());
  if (ctx == nullptr || !txn.is_client()) return;
  if (Branch* b = BranchOf(*ctx, txn); b != nullptr) {
    OnBranchFinal(*ctx, *b, 480, "Temporarily Unavailable", nullptr);
  }
}

void Core::DoOnTerminated(sip::Transaction& txn) {
  auto* ctx = static_cast<ResponseContext*>(txn.user());
  if (ctx == nullptr) return;
  txn.set_user(nullptr);
  if (&txn == ctx->server) {
    ctx->server = nullptr;
  } else if (Branch* b = BranchOf(*ctx, txn); b != nullptr) {
    if (b->code == 0) OnBranchFinal(*ctx, *b, 408, "Request Timeout", nullptr);
    b->txn = nullptr;
  }
  ReleaseIfDone(*ctx);
}

void Core::ReleaseIfDone(ResponseContext& ctx) {
  if (!ctx.in_use || ctx.server != nullptr) return;
  for (size_t i = 0; i < ctx.branch_count; ++i)
    if (ctx.branches[i].txn != nullptr) return;
  FailCall(ctx);  // an early call whose INVITE ended without a final: gone too
  ctx.in_use = false;
}

// ---------------------------------------------------------------------------
// Stateless paths

void Core::DoOnStrayResponse(const Message& resp, const net::Endpoint&) {
  // 16.7 / 17.1.3: a 2xx to an INVITE whose transactions are gone (a
  // retransmission) goes upstream statelessly when the top Via is ours.
  std::string_view top;
  const bool two_xx = resp.status_code() >= 200 && resp.status_code() < 300;
  if (!two_xx || resp.cseq_method() != "INVITE" || !sip::TopViaValue(resp, top) ||
      !OurVia(deps_.identity, top, nullptr)) {
    ++stats_.dropped;
    return;
  }
  if (BuildUpstream(resp, tx_).ok()) SendUpstreamStateless();
}

void Core::DoOnAck(const Message& ack, const net::Endpoint& from) {
  // The ACK for a 2xx is end to end: routed like any in-dialog request,
  // without state (16.11).
  RoutePlan plan;
  const Header* mf = ack.Find(HeaderId::kMaxForwards);
  if ((mf != nullptr && mf->value.find_first_not_of('0') == std::string_view::npos) ||
      !PlanRoutes(ack, deps_.identity, plan)) {
    ++stats_.dropped;
    return;
  }
  const RoutePlan::Value* top = plan.Top();
  std::string_view next = top != nullptr ? sip::AddrSpecOf(top->text) : plan.ruri;
  net::Endpoint to;
  bool routed = (top != nullptr || plan.popped_us) && UriEndpoint(next, to);
  if (!routed && sip::IsLocalUri(deps_.identity, plan.ruri)) {
    // An ACK to the AOR (the UAS sent no Contact): its first binding.
    sip::Uri uri;
    if (sip::ParseUri(plan.ruri, uri).ok() && !uri.user.empty()) {
      deps_.location.ForEach(uri.user, [&](registrar::Binding& b) {
        if (routed) return;
        to = b.source;
        if (!b.nat) (void)UriEndpoint(b.contact.view(), to);
        routed = true;
      });
    }
  }
  if (!routed) {
    ++stats_.dropped;
    return;
  }
  deps_.location.ForEach({}, [&](registrar::Binding& b) {
    if (b.nat && b.contact.view() == next) to = b.source;
  });
  std::string_view ack_top;
  (void)sip::TopViaValue(ack, ack_top);
  String<40> branch;
  (void)branch.append(kBranchPrefix);
  (void)branch.Format("%08lx.%08lx", static_cast<unsigned long>(LoopHash(ack)),
                      static_cast<unsigned long>(Fnv(deps_.proxy.branch_salt, ack_top)));
  if (!BuildForward(ack, plan, plan.ruri, branch.view(), false, from, deps_.identity,
                    deps_.verifier.realm(), tx_)
           .ok()) {
    ++stats_.dropped;
    return;
  }
  ++stats_.acks_forwarded;
  (void)layer_->SendStateless(tx_.view(), to);
}

// ---------------------------------------------------------------------------
// Proxy authentication (RFC 3261 22.3): the registrar's flow with 407.

bool Core::ProxyAuthorized(sip::Transaction& txn, const Message& req) {
  if (req.method() != Method::kInvite && req.method() != Method::kMessage) return true;
  const Header* from = req.Find(HeaderId::kFrom);
  sip::Uri uri;
  if (from == nullptr || !sip::ParseUri(sip::AddrSpecOf(from->value), uri).ok() ||
      uri.user.empty()) {
    return true;
  }
  String<80> from_uri;
  (void)from_uri.Format("sip:x@%.*s", static_cast<int>(uri.host.size()), uri.host.data());
  if (!sip::IsLocalUri(deps_.identity, from_uri.view())) return true;  // from outside
  const users::Subscriber* user = deps_.users.Find(uri.user);
  if (user == nullptr) return true;  // not ours to vouch for
  if (deps_.proxy.proxy_auth && !Authenticated(txn, req, *user, uri.user, /*proxy=*/true)) {
    return false;
  }
  return Active(txn, req, *user);
}

}  // namespace gw::proxy

// The stateful proxy of RFC 3261 section 16, as part of the Core TU.
//
// A forwarded request is the received one with edits written into the Core's
// fixed TX buffer: a new request line, our Via and Record-Route on top, the
// received/rport of the previous hop filled in its Via (RFC 3581), Max-Forwards
// decremented, Route values that named us taken out. Every other header line
// is copied byte for byte.
#include "gw/auth/credentials.h"
#include "gw/core/hash.h"
#include "gw/core/log.h"
#include "gw/proxy/core.h"
#include "gw/sip/response.h"
#include "gw/sip/via.h"

namespace gw::proxy {

constexpr size_t kMaxRoutes = 16;

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
  // The next hop is a strict router (its URI has no lr): the R-URI to put
  // last in Route (16.6 step 6); empty otherwise.
  std::string_view last_route;

  // The first value left, or nullptr.
  const Value* Top() const {
    for (size_t i = 0; i < count; ++i)
      if (!values[i].removed) return &values[i];
    return nullptr;
  }
};

namespace {

using sip::Header;
using sip::HeaderId;
using sip::Message;
using sip::Method;

// Our branches: the magic cookie, a mark, the loop-detection hash of the
// request (RFC 3261 16.6 step 8) and a part unique per branch.
constexpr std::string_view kBranchPrefix = "z9hG4bKgw";

// The loop-detection value: what stays the same when a request comes back
// unchanged (R-URI as received, tags, Call-ID, CSeq number).
uint32_t LoopHash(const Message& req) {
  uint32_t h = Fnv1a32Field(kFnv32Offset, req.request_uri());
  h = Fnv1a32Field(h, sip::TagOf(req, HeaderId::kFrom));
  h = Fnv1a32Field(h, sip::TagOf(req, HeaderId::kTo));
  const Header* call_id = req.Find(HeaderId::kCallId);
  if (call_id != nullptr) h = Fnv1a32Field(h, call_id->value);
  String<12> cseq;
  (void)cseq.Format("%lu", static_cast<unsigned long>(req.cseq_number()));
  return Fnv1a32Field(h, cseq.view());
}

// Where a URI with an IPv4 host goes (the default port when absent). No DNS.
bool UriEndpoint(std::string_view uri_text, net::Endpoint& out) {
  sip::Uri uri;
  if (!sip::ParseUri(uri_text, uri).ok()) return false;
  uint32_t addr = 0;
  if (!net::ParseIp4(uri.host, addr)) return false;
  out = {addr, uri.port != 0 ? uri.port : sip::kDefaultPort};
  return true;
}

// A Route URI with the lr parameter (RFC 3261 19.1.1): a loose router.
bool LooseRouter(std::string_view uri_text) {
  sip::Uri uri;
  if (!sip::ParseUri(uri_text, uri).ok()) return true;  // nothing to rewrite by
  std::string_view params = uri.params;
  while (!params.empty()) {
    const size_t semi = params.find(';');
    std::string_view p = sip::Trim(params.substr(0, semi));
    const size_t eq = p.find('=');
    if (sip::EqualsIgnoreCase(sip::Trim(p.substr(0, eq)), "lr")) return true;
    params = semi == std::string_view::npos ? std::string_view{} : params.substr(semi + 1);
  }
  return false;
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

void Core::Attach(sip::TransactionLayer& layer) {
  layer_ = &layer;
  deps_.registrar.Attach(layer);  // REGISTER is answered through the same layer
  retry_after_.clear();
  (void)retry_after_.Format("Retry-After: %u\r\n",
                            static_cast<unsigned>(layer.config().retry_after_s));
}

// One To tag per server transaction, the same for every response we make
// for it: the 200 to a CANCEL (same branch as its INVITE) and the INVITE's
// 487 share it (RFC 3261 9.2), and a retransmission matches the first.
void Core::LocalTag(const sip::Transaction& txn, String<8>& out) const {
  sip::MakeToTag(txn.call_id(), Fnv1a32Field(deps_.proxy.branch_salt, txn.branch()), out);
}

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
  if (!net::ParseIp4(via.host, addr) || !id.IsOwnAddress(addr) || !id.IsOwnPort(via.port)) {
    return false;
  }
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

// The previous hop's Via header, its top value stamped (RFC 3581).
static Status AppendPreviousHop(const Header& h, const net::Endpoint& from, StringBase& out) {
  sip::ValueSplitter split(h.value);
  std::string_view v;
  GW_TRY(out.append(h.name));
  GW_TRY(out.append(": "));
  bool first = true;
  while (split.Next(v)) {
    if (!first) GW_TRY(out.append(", "));
    GW_TRY(first ? sip::AppendStampedVia(out, v, from) : out.append(v));
    first = false;
  }
  return out.append("\r\n");
}

// Max-Forwards one less (16.6 step 3; a value checked by Forwardable).
static Status AppendDecremented(const Message& req, const Header& h, StringBase& out) {
  const unsigned n = req.max_forwards().value_or(0);  // 0..255, checked by Parse
  return out.Format("%.*s: %u\r\n", static_cast<int>(h.name.size()), h.name.data(),
                    n > 0 ? n - 1 : 0);
}

// Route header i as routing left it: as received, or without the values
// taken out (the header dropped when none is left).
static Status AppendRoutesOf(const RoutePlan& plan, size_t i, std::string_view raw,
                             StringBase& out) {
  bool edited = false;
  for (size_t k = 0; k < plan.count; ++k)
    edited = edited || (plan.values[k].header == i && plan.values[k].removed);
  if (!edited) return out.append(raw);
  bool any = false;
  for (size_t k = 0; k < plan.count; ++k) {
    const RoutePlan::Value& v = plan.values[k];
    if (v.header != i || v.removed) continue;
    GW_TRY(out.append(any ? ", " : "Route: "));
    GW_TRY(out.append(v.text));
    any = true;
  }
  return any ? out.append("\r\n") : Status::Ok();
}

// Proxy-Authorization for our realm is consumed here (RFC 3261 22.3): the
// next hop has no use for our digest.
static bool OwnCredentials(const Header& h, std::string_view own_realm) {
  if (h.id != HeaderId::kProxyAuthorization || own_realm.empty()) return false;
  auth::Credentials c;
  return auth::ParseCredentials(h.value, c).ok() && c.realm.Equals(own_realm);
}

// The blank line and the body; with a replacement body, its Content-Length
// first (the message's own line was left out).
static Status AppendBody(StringBase& out, std::string_view body, const StringBase* new_body) {
  if (new_body != nullptr) {
    GW_TRY(out.Format("Content-Length: %u\r\n", static_cast<unsigned>(new_body->size())));
    body = new_body->view();
  }
  GW_TRY(out.append("\r\n"));
  return out.append(body);
}

// Writes the forwarded request (see the file comment) into out.
// new_body: when set, the body to send instead of the request's (a
// BodyRewriter's), with its own Content-Length.
static Status BuildForward(const Message& req, const RoutePlan& plan, std::string_view ruri,
                           std::string_view branch, bool record_route, const net::Endpoint& from,
                           const sip::LocalIdentity& id, std::string_view own_realm,
                           StringBase& out, const StringBase* new_body = nullptr) {
  out.clear();
  GW_TRY(out.Format("%.*s %.*s SIP/2.0\r\nVia: SIP/2.0/UDP ",
                    static_cast<int>(req.method_text().size()), req.method_text().data(),
                    static_cast<int>(ruri.size()), ruri.data()));
  GW_TRY(id.AppendHostPort(out));
  GW_TRY(out.Format(";branch=%.*s\r\n", static_cast<int>(branch.size()), branch.data()));
  if (record_route) {
    GW_TRY(out.append("Record-Route: <sip:"));
    GW_TRY(id.AppendHostPort(out));
    GW_TRY(out.append(";lr>\r\n"));
  }
  bool first_via = true;
  bool has_max_forwards = false;
  for (size_t i = 0; i < req.header_count(); ++i) {
    const Header& h = req.header(i);
    if (h.id == HeaderId::kVia && first_via) {
      first_via = false;
      GW_TRY(AppendPreviousHop(h, from, out));
    } else if (h.id == HeaderId::kMaxForwards) {
      has_max_forwards = true;
      GW_TRY(AppendDecremented(req, h, out));
    } else if (h.id == HeaderId::kRoute) {
      GW_TRY(AppendRoutesOf(plan, i, RawLine(req, i), out));
    } else if (!(h.id == HeaderId::kContentLength && new_body != nullptr) &&
               !OwnCredentials(h, own_realm)) {
      GW_TRY(out.append(RawLine(req, i)));
    }
  }
  if (!plan.last_route.empty()) {
    // 16.6 step 6: toward a strict router, our R-URI goes last in Route.
    GW_TRY(out.Format("Route: <%.*s>\r\n", static_cast<int>(plan.last_route.size()),
                      plan.last_route.data()));
  }
  if (!has_max_forwards) GW_TRY(out.Format("Max-Forwards: %u\r\n", sip::kInitialMaxForwards));
  return AppendBody(out, req.body(), new_body);
}

// The Via lines of the skeleton (the 100 built from the proxied request).
static Status AppendRequestVias(std::string_view skeleton, StringBase& out) {
  Message sk;
  GW_TRY(sk.Parse(skeleton));
  for (size_t i = 0; i < sk.header_count(); ++i)
    if (sk.header(i).id == HeaderId::kVia) GW_TRY(out.append(RawLine(sk, i)));
  return Status::Ok();
}

// A response without its top Via (ours): status line, the other headers
// and the body as received.
// extra: header lines (each ending in CRLF) added after the response's own.
// skeleton: when the response holds no Via but ours (a UAS that answered
// with the Via of our CANCEL, which has only ours), the request's Vias are
// taken from it: the response must still find its way up.
static Status BuildUpstream(const Message& resp, StringBase& out, std::string_view extra = {},
                            std::string_view skeleton = {}, const StringBase* new_body = nullptr) {
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
      bool more = false;
      for (size_t k = i + 1; k < resp.header_count() && !more; ++k)
        more = resp.header(k).id == HeaderId::kVia;
      if (!any && !more && !skeleton.empty()) GW_TRY(AppendRequestVias(skeleton, out));
      continue;
    }
    if (h.id == HeaderId::kContentLength && new_body != nullptr) continue;
    GW_TRY(out.append(RawLine(resp, i)));
  }
  GW_TRY(out.append(extra));
  return AppendBody(out, resp.body(), new_body);
}

// ---------------------------------------------------------------------------
// Requests

void Core::HandleProxy(sip::Transaction& txn, const Message& req) {
  if (!Forwardable(txn, req)) return;
  RoutePlan plan;
  if (!PlanRoutes(req, deps_.identity, plan)) {
    Reply(txn, req, 400, "Too Many Routes");
    return;
  }
  const bool initial = sip::TagOf(req, HeaderId::kTo).empty();
  if (initial && !ProxyAuthorized(txn, req)) return;
  // Targets (16.5): the next Route, the R-URI of a request routed through
  // us, or the bindings of a local user.
  if (plan.Top() == nullptr && sip::IsLocalUri(deps_.identity, plan.ruri)) {
    if (!initial) SeeInDialog(req);
    ForwardToUser(txn, req, plan);
  } else {
    ForwardRouted(txn, req, plan, initial);
  }
}

// RFC 3261 16.3 steps 3 to 5. False when req was answered (400, 483, 482, 420).
bool Core::Forwardable(sip::Transaction& txn, const Message& req) {
  // Step 3: Max-Forwards.
  if (const Header* mf = req.Find(HeaderId::kMaxForwards); mf != nullptr) {
    bool digits = !mf->value.empty() && mf->value.size() <= 3;
    for (char c : mf->value) digits = digits && c >= '0' && c <= '9';
    if (!digits) {
      Reply(txn, req, 400, "Bad Max-Forwards");
      return false;
    }
    if (mf->value.find_first_not_of('0') == std::string_view::npos) {
      ++stats_.too_many_hops;
      Reply(txn, req, 483, "Too Many Hops");
      return false;
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
      if (OurVia(deps_.identity, v, &h) && h == loop) {
        ++stats_.loops;
        Reply(txn, req, 482, "Loop Detected");
        return false;
      }
    }
  }
  // Step 5: we implement no extension a proxy could be required to know.
  if (req.Find(HeaderId::kProxyRequire) != nullptr) {
    headers_.clear();
    for (size_t i = 0; i < req.header_count(); ++i) {
      const Header& h = req.header(i);
      if (h.id != HeaderId::kProxyRequire) continue;
      (void)headers_.Format("Unsupported: %.*s\r\n", static_cast<int>(h.value.size()),
                            h.value.data());
    }
    Reply(txn, req, 420, "Bad Extension", headers_.view());
    return false;
  }
  return true;
}

// Where a URI leads: its IPv4 host and port, or for the contact of a NATed
// binding, the binding's source. False when the host is no IPv4 literal.
bool Core::NextHop(std::string_view uri, net::Endpoint& to) {
  if (!UriEndpoint(uri, to)) return false;
  deps_.location.ForEach({}, [&](registrar::Binding& b) {
    if (b.nat && b.contact.view() == uri) to = b.source;
  });
  return true;
}

// The relay policy: the gateway serves its own domain and is nobody's open
// relay (toll fraud). A request may leave toward an address that is not one
// of our phones only when
//   - the address is in SIP.TRUNK_NETS (a trunk or peer the operator named), or
//   - it is in dialog (To tag) and goes to a registered phone or to a peer of
//     a call we route (its Contact or source, Call-ID matched).
// A Route naming us proves nothing: anyone can write one. Kamailio's default
// configuration makes the same choice ("403 Not relaying" unless the R-URI
// or the From is local and authenticated; we also refuse the latter, since a
// phone has no business reaching foreign addresses through the site gateway
// without a trunk). One case it refuses that a stateless relay would pass:
// both sides hanging up at once toward a caller from outside, the second
// BYE arriving after the first ended the call record (a BYE glare; the
// caller's own BYE already ended the dialog).
bool Core::MayRelay(const Message& req, bool initial, const net::Endpoint& to) {
  if (deps_.proxy.trunks.Contains(to.addr)) return true;
  if (initial) return false;
  bool known = false;
  deps_.location.ForEach({}, [&](registrar::Binding& b) {
    net::Endpoint contact;
    known = known || b.source == to || (UriEndpoint(b.contact.view(), contact) && contact == to);
  });
  if (known) return true;
  const Header* call_id = req.Find(HeaderId::kCallId);
  if (call_id == nullptr) return false;
  for (const CallRecord& c : calls_) {
    if (!c.in_use || c.call_id.view() != call_id->value) continue;
    net::Endpoint caller, callee;
    return to == c.caller_addr || to == c.callee_addr ||
           (UriEndpoint(c.caller_contact.view(), caller) && caller == to) ||
           (UriEndpoint(c.callee_contact.view(), callee) && callee == to);
  }
  return false;
}

// Counted, and logged for the first refusal and every 100th after it.
void Core::RefuseRelay(const Message& req, const net::Endpoint& to, const net::Endpoint& from) {
  if (++stats_.relay_refused % 100 != 1) return;
  String<16> dst, src;
  (void)net::AppendIp4(dst, to.addr);
  (void)net::AppendIp4(src, from.addr);
  GW_LOG_WARN("proxy", "%.*s from %s to %s:%u refused: not a local target (%lu refused)",
              static_cast<int>(req.method_text().size()), req.method_text().data(), src.c_str(),
              dst.c_str(), static_cast<unsigned>(to.port),
              static_cast<unsigned long>(stats_.relay_refused));
}

// A request whose next hop is a Route or an R-URI that is not ours.
void Core::ForwardRouted(sip::Transaction& txn, const Message& req, const RoutePlan& plan,
                         bool initial) {
  const RoutePlan::Value* top = plan.Top();
  const std::string_view next = top != nullptr ? sip::AddrSpecOf(top->text) : plan.ruri;
  net::Endpoint to;
  // Not routed through us (no Route of ours) and not for our domain, or a
  // host we cannot resolve (no DNS).
  if ((top == nullptr && !plan.popped_us) || !NextHop(next, to)) {
    ++stats_.foreign;
    Reply(txn, req, 403, "Not Our Domain");
    return;
  }
  if (!MayRelay(req, initial, to)) {
    RefuseRelay(req, to, txn.source());
    Reply(txn, req, 403, "Not Relaying");
    return;
  }
  if (!initial) SeeInDialog(req);
  ResponseContext* ctx = NewContext(txn, req);
  if (ctx == nullptr) return;
  if (initial && req.method() == Method::kInvite && !StartCall(txn, req, ctx)) {
    ReleaseIfDone(*ctx);
    return;
  }
  if (top != nullptr && !LooseRouter(next)) {
    // 16.6 step 6: a strict router next: its URI becomes the R-URI, ours
    // goes last in Route.
    RoutePlan strict = plan;
    strict.values[top - plan.values].removed = true;
    strict.last_route = plan.ruri;
    AddBranch(*ctx, req, strict, next, to);
  } else {
    AddBranch(*ctx, req, plan, plan.ruri, to);
  }
  MaybeFinish(*ctx);
  ReleaseIfDone(*ctx);
}

// A request for a user of our domain: forked to every binding (16.5, 16.6).
void Core::ForwardToUser(sip::Transaction& txn, const Message& req, const RoutePlan& plan) {
  sip::Uri uri;
  if (!sip::ParseUri(plan.ruri, uri).ok() || uri.user.empty() ||
      deps_.users.Find(uri.user) == nullptr) {
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
  const bool initial = sip::TagOf(req, HeaderId::kTo).empty();
  if (initial && req.method() == Method::kInvite && !StartCall(txn, req, ctx)) {
    ReleaseIfDone(*ctx);
    return;
  }
  deps_.location.ForEach(uri.user, [&](registrar::Binding& b) {
    if (ctx->branch_count == ResponseContext::kMaxBranches) return;
    net::Endpoint dest = b.source;
    if (!b.nat) (void)UriEndpoint(b.contact.view(), dest);
    AddBranch(*ctx, req, plan, b.contact.view(), dest);
  });
  MaybeFinish(*ctx);
  ReleaseIfDone(*ctx);
}

// The body a BodyRewriter wants msg of a call to carry instead of its own,
// or nullptr (no rewriter, no body, no call, or no change).
const StringBase* Core::NewBody(const Message& msg, Direction dir) {
  if (rewriter_ == nullptr || msg.body().empty()) return nullptr;
  const CallRecord* call = CallOf(msg);
  if (call == nullptr) return nullptr;
  body_.clear();
  return rewriter_->Rewrite(*call, msg, dir, body_) ? &body_ : nullptr;
}

void Core::NoteMessageUsers(ResponseContext& ctx, const Message& req) {
  const Header* from = req.Find(HeaderId::kFrom);
  std::string_view from_user = from != nullptr ? sip::UserOf(sip::AddrSpecOf(from->value)) : "";
  std::string_view to_user = sip::UserOf(req.request_uri());
  (void)ctx.message_from.assign(from_user.substr(0, ctx.message_from.capacity()));
  (void)ctx.message_to.assign(to_user.substr(0, ctx.message_to.capacity()));
}

// A MESSAGE's final answer, reported once.
void Core::MessageDone(ResponseContext& ctx, int code) {
  if (!ctx.message) return;
  ctx.message = false;
  for (size_t i = 0; i < observer_count_; ++i) {
    observers_[i]->OnMessageDone(ctx.message_from.view(), ctx.message_to.view(), code);
  }
}

// A MESSAGE answered before it reached a context (404, 480, 403, 416...).
void Core::MessageRefused(const Message& req, int code) {
  if (req.method() != Method::kMessage || code < 200 || code == 401 || code == 407) return;
  if (observer_count_ == 0) return;
  const Header* from = req.Find(HeaderId::kFrom);
  std::string_view from_user = from != nullptr ? sip::UserOf(sip::AddrSpecOf(from->value)) : "";
  for (size_t i = 0; i < observer_count_; ++i) {
    observers_[i]->OnMessageDone(from_user, sip::UserOf(req.request_uri()), code);
  }
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
    Reply(txn, req, 503, "Service Unavailable", retry_after_.view());
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
  ctx->cancelled = false;
  ctx->branch_count = 0;
  ctx->best_code = 0;
  ctx->best_local = false;
  ctx->call = -1;
  ctx->best_reason.clear();
  ctx->challenges.clear();
  ctx->server = &txn;
  ctx->dir = Direction::kToCallee;
  if (const CallRecord* call = CallOf(req);
      call != nullptr && !sip::TagOf(req, HeaderId::kTo).empty()) {
    ctx->dir = DirectionOf(*call, req);
  }
  ctx->message = req.method() == Method::kMessage;
  if (ctx->message) NoteMessageUsers(*ctx, req);
  txn.set_user(ctx);
  // RFC 3261 16.2: a 100 Trying for an INVITE at once (never for others:
  // RFC 4320).
  if (ctx->invite) (void)layer_->SendResponse(txn, ctx->skeleton.view());
  return ctx;
}

void Core::AddBranch(ResponseContext& ctx, const Message& req, const RoutePlan& plan,
                     std::string_view ruri, const net::Endpoint& to) {
  Branch& b = ctx.branches[ctx.branch_count++];
  b = Branch{};
  const uint32_t loop = LoopHash(req);
  String<40> branch;
  (void)branch.append(kBranchPrefix);
  (void)branch.Format("%08lx.%08lx", static_cast<unsigned long>(loop),
                      static_cast<unsigned long>(Fnv1a32Field(
                          deps_.proxy.branch_salt ^ ++branch_counter_, ctx.server->branch())));
  const bool rr = DialogCreating(req.method()) && sip::TagOf(req, HeaderId::kTo).empty();
  if (!BuildForward(req, plan, ruri, branch.view(), rr, ctx.server->source(), deps_.identity,
                    deps_.verifier.realm(), tx_, NewBody(req, ctx.dir))
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
      // 16.9: no route to the target is a transport error: as a 503
      // received, not our overload.
      OnBranchFinal(ctx, b, 503, "Service Unavailable", nullptr);
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
  // RFC 3261 16.10: CANCEL every pending branch and let their answers (487,
  // or a 2xx that crossed the CANCEL) make the final response as any other
  // (16.7). A branch that never answers ends by its own timers (Timer B, or
  // 64*T1 after our CANCEL): it then stands for a 487, not a 408.
  ctx->cancelled = true;
  CancelPending(*ctx);
  MaybeFinish(*ctx);
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
    // 16.7 step 2: a provisional other than 100 restarts Timer C (a 100 is
    // hop by hop and says nothing of the callee still ringing).
    if (ctx->invite && b->code == 0 && code > 100 && !b->timed_out) (void)layer_->ArmTimerC(txn);
    if (b->cancel_wanted) SendCancel(*b);
    if (code > 100 && !ctx->final_sent && ctx->server != nullptr) ForwardUpstream(*ctx, resp);
    return;
  }
  if (code < 300) {
    // Every 2xx goes upstream, retransmissions and other forks included.
    b->code = static_cast<int16_t>(code);
    if (ctx->invite) ConfirmCall(*ctx, resp, txn);
    ReleaseHeld(*ctx);
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

static bool AnyPending(const ResponseContext& ctx) {
  for (size_t i = 0; i < ctx.branch_count; ++i)
    if (ctx.branches[i].code == 0) return true;
  return false;
}

void Core::OnBranchFinal(ResponseContext& ctx, Branch& b, int code, std::string_view reason,
                         const Message* resp) {
  if (b.code != 0) return;  // already settled (Timer C stood in for it)
  if (b.timed_out && code == 487) {
    // Our CANCEL after Timer C (16.8): for the caller this is no answer.
    code = 408;
    reason = "Request Timeout";
    resp = nullptr;
  }
  b.code = static_cast<int16_t>(code);
  if (ctx.final_sent) return;
  const bool pending = AnyPending(ctx);
  const bool best = Better(code, ctx.best_code);
  bool held = false;
  if (best) {
    ctx.best_code = static_cast<int16_t>(code);
    ctx.best_local = false;
    if (!ctx.best_reason.assign(reason).ok()) (void)ctx.best_reason.assign("Failed");
    // A received 503 goes up as 500 (16.7 step 6), a 408 to a non-INVITE
    // not at all (RFC 4320): nothing of them to keep.
    if (resp != nullptr && code != 503 && (ctx.invite || code != 408)) {
      if (!pending) {
        ReleaseHeld(ctx);
        ctx.final_sent = true;
        ForwardUpstream(ctx, *resp);
        return;
      }
      held = Hold(ctx, *resp);
    } else {
      ReleaseHeld(ctx);
    }
  }
  if (resp != nullptr && (code == 401 || code == 407) && !held) KeepChallenges(ctx, *resp);
  // 16.7 step 5: a 6xx ends the search (the other branches are CANCELled)
  // but the answer is still chosen once they are all done.
  if (code >= 600) CancelPending(ctx);
  if (!pending) MaybeFinish(ctx);
}

// Keeps resp whole, to forward if it stays the best once every branch is
// done (16.7 step 6: Contact of a 3xx, Unsupported, Retry-After, Warning,
// body and all). False when no buffer is free: the answer is then rebuilt
// from its code and reason (counted).
bool Core::Hold(ResponseContext& ctx, const Message& resp) {
  if (ctx.held == nullptr) ctx.held = held_.Acquire();
  if (ctx.held == nullptr) {
    if (++stats_.held_refused % 100 == 1) {
      GW_LOG_WARN("proxy", "no buffer to hold a %d (%u in use): it goes up rebuilt",
                  resp.status_code(), static_cast<unsigned>(kHeldResponses));
    }
    return false;
  }
  if (!ctx.held->assign(resp.raw()).ok()) {
    ReleaseHeld(ctx);
    return false;
  }
  return true;
}

void Core::ReleaseHeld(ResponseContext& ctx) {
  if (ctx.held == nullptr) return;
  if (!held_.Release(ctx.held)) GW_LOG_ERROR("proxy", "held response not of the pool");
  ctx.held = nullptr;
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
  if (ctx.final_sent || AnyPending(ctx)) return;
  if (ctx.held != nullptr) {
    Message best;
    const bool parsed = best.Parse(ctx.held->view()).ok();
    if (parsed) {
      ctx.final_sent = true;
      ForwardUpstream(ctx, best);
    }
    ReleaseHeld(ctx);
    if (parsed) return;
  }
  int code = ctx.best_code != 0 ? ctx.best_code : 408;
  // Our own overload (no transaction for the branch): 503, back off.
  if (code == 503 && ctx.best_local) {
    SendFinal(ctx, 503, "Service Unavailable", retry_after_.view());
    return;
  }
  if (code == 408 && !ctx.invite) {
    // RFC 4320 4.2: no 408 to a non-INVITE; the caller has given up by
    // now (its Timer F runs as long as our branches' did).
    ctx.final_sent = true;
    ++stats_.no_answer_non_invite;
    MessageDone(ctx, 408);
    if (ctx.server != nullptr) (void)layer_->Abandon(*ctx.server);
    return;
  }
  if (code == 408 && ctx.cancelled) {
    // Branches that ended unanswered after the caller's CANCEL (16.10).
    SendFinal(ctx, 487, "Request Terminated");
  } else if (code == 503) {
    // 16.7 step 6: a 503 from downstream must not make the upstream back off.
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
  if (code >= 300) FailCall(ctx, code);
  MessageDone(ctx, code);
  if (ctx.server == nullptr) return;
  Message sk;
  if (!sk.Parse(ctx.skeleton.view()).ok()) return;
  String<8> tag;
  LocalTag(*ctx.server, tag);
  tx_.clear();
  Status s =
      tx_.Format("SIP/2.0 %d %.*s\r\n", code, static_cast<int>(reason.size()), reason.data());
  for (size_t i = 0; s.ok() && i < sk.header_count(); ++i) {
    const Header& h = sk.header(i);
    if (h.id == HeaderId::kContentLength) continue;
    s = tx_.Format("%.*s: %.*s", static_cast<int>(h.name.size()), h.name.data(),
                   static_cast<int>(h.value.size()), h.value.data());
    if (s.ok() && h.id == HeaderId::kTo && sip::TagOf(sk, HeaderId::kTo).empty()) {
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
  if (resp.status_code() >= 300) FailCall(ctx, resp.status_code());
  const int code = resp.status_code();
  if (code >= 200) MessageDone(ctx, code);
  std::string_view others = code == 401 || code == 407 ? ctx.challenges.view() : "";
  const Direction up =
      ctx.dir == Direction::kToCallee ? Direction::kToCaller : Direction::kToCallee;
  if (!BuildUpstream(resp, tx_, others, ctx.skeleton.view(), NewBody(resp, up)).ok()) {
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
    Status s = layer_->SendResponse(*ctx.server, tx_.view());
    // A 2xx after our final answer (a 6xx, Timer C, RMV CALL or a CANCEL
    // crossed it) still goes up at once (16.7 step 5), without the server
    // transaction, which is past its final response.
    if (s == Status::FailedPrecondition() && code >= 200 && code < 300) {
      SendUpstreamStateless();
      return;
    }
    ++stats_.responses_forwarded;
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
  unsigned port = via.port != 0 ? via.port : sip::kDefaultPort;
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
    // 16.8: a branch that answered provisionally is CANCELled and its
    // answer waited for (64*T1 at most, then Timer B); one that did not
    // counts as a 408 at once (its transaction goes on until Timer B).
    ++stats_.timer_c;
    if (txn.state() == sip::TransactionState::kProceeding) {
      b->timed_out = true;
      SendCancel(*b);
      return;
    }
  }
  OnBranchFinal(*ctx, *b, 408, "Request Timeout", nullptr);
}

void Core::DoOnTransportError(sip::Transaction& txn) {
  auto* ctx = static_cast<ResponseContext*>(txn.user());
  if (ctx == nullptr || !txn.is_client()) return;
  // 16.9: a transport error counts as a 503 received on the branch.
  if (Branch* b = BranchOf(*ctx, txn); b != nullptr) {
    OnBranchFinal(*ctx, *b, 503, "Service Unavailable", nullptr);
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
  FailCall(ctx, 408);  // an early call whose INVITE ended without a final: gone too
  ReleaseHeld(ctx);
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
  if (!MayRelay(ack, /*initial=*/false, to)) {
    RefuseRelay(ack, to, from);
    return;
  }
  std::string_view ack_top;
  (void)sip::TopViaValue(ack, ack_top);
  String<40> branch;
  (void)branch.append(kBranchPrefix);
  (void)branch.Format("%08lx.%08lx", static_cast<unsigned long>(LoopHash(ack)),
                      static_cast<unsigned long>(Fnv1a32Field(deps_.proxy.branch_salt, ack_top)));
  const CallRecord* call = CallOf(ack);
  const Direction dir = call != nullptr ? DirectionOf(*call, ack) : Direction::kToCallee;
  if (!BuildForward(ack, plan, plan.ruri, branch.view(), false, from, deps_.identity,
                    deps_.verifier.realm(), tx_, NewBody(ack, dir))
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
  if (!deps_.identity.IsOwnHost(uri.host)) return true;  // from outside
  const users::Subscriber* user = deps_.users.Find(uri.user);
  if (user == nullptr) return true;  // not ours to vouch for
  ReplyAnswer answer(*this, txn, req);
  if (deps_.proxy.proxy_auth &&
      !deps_.digest.Authorize(req, *user, uri.user, auth::Challenger::kProxy, txn.source(),
                              answer)) {
    return false;
  }
  return deps_.digest.Active(*user, answer);
}

}  // namespace gw::proxy

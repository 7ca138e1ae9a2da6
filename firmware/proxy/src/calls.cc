// Call tracking for the proxy: one record per proxied INVITE dialog, class
// limits, and the BYEs RMV CALL sends from the dialog state.
#include "gw/core/log.h"
#include "gw/proxy/call_events.h"
#include "gw/proxy/core.h"
#include "gw/sip/via.h"

namespace gw::proxy {
namespace {

using sip::Header;
using sip::HeaderId;
using sip::Message;

// The route sets of the BYEs RMV CALL sends, from the 2xx's Record-Route
// (RFC 3261 12.1, seen from where we stand): the values above ours lead to
// the callee (nearest first: reversed), those below ours to the caller (in
// order). Empty when we are the only record-routing hop, or when a set does
// not fit (the BYE then goes without it, logged).
void SplitRecordRoute(const Message& resp, const sip::LocalIdentity& id, CallRecord& rec) {
  constexpr size_t kMaxValues = 16;
  std::string_view values[kMaxValues];
  size_t n = 0;
  for (size_t i = 0; i < resp.header_count(); ++i) {
    if (resp.header(i).id != HeaderId::kRecordRoute) continue;
    sip::ValueSplitter split(resp.header(i).value);
    std::string_view v;
    while (n < kMaxValues && split.Next(v)) values[n++] = v;
  }
  size_t self = n;
  for (size_t i = 0; i < n && self == n; ++i) {
    const std::string_view uri = sip::AddrSpecOf(values[i]);
    if (sip::IsLocalUri(id, uri) && sip::UserOf(uri).empty()) self = i;
  }
  if (self == n) return;  // not record-routed by us: nothing to go by
  bool fits = true;
  for (size_t i = self; i-- > 0;) {
    if (!rec.callee_route.empty()) fits = rec.callee_route.append(", ").ok() && fits;
    fits = rec.callee_route.append(values[i]).ok() && fits;
  }
  for (size_t i = self + 1; i < n; ++i) {
    if (!rec.caller_route.empty()) fits = rec.caller_route.append(", ").ok() && fits;
    fits = rec.caller_route.append(values[i]).ok() && fits;
  }
  if (!fits) {
    GW_LOG_WARN("call", "call of %s: route set too long to keep", rec.caller.c_str());
    rec.callee_route.clear();
    rec.caller_route.clear();
  }
}

}  // namespace

const char* CallStateName(CallState state) {
  return state == CallState::kConfirmed ? "CONFIRMED" : "EARLY";
}

const char* CallEndReasonName(CallEndReason reason) {
  switch (reason) {
    case CallEndReason::kByeCaller:
      return "BYE_CALLER";
    case CallEndReason::kByeCallee:
      return "BYE_CALLEE";
    case CallEndReason::kCancel:
      return "CANCEL";
    case CallEndReason::kFailure:
      return "FAILURE";
    case CallEndReason::kTimeout:
      return "TIMEOUT";
    case CallEndReason::kOperator:
      return "OPERATOR";
  }
  return "?";
}

Status Core::AddObserver(CallObserver& observer) {
  if (observer_count_ == kMaxObservers) return Status::ResourceExhausted();
  observers_[observer_count_++] = &observer;
  return Status::Ok();
}

CallRecord* Core::CallOf(const Message& msg) {
  const Header* call_id = msg.Find(HeaderId::kCallId);
  if (call_id == nullptr) return nullptr;
  for (CallRecord& c : calls_)
    if (c.in_use && c.call_id.view() == call_id->value) return &c;
  return nullptr;
}

Direction Core::DirectionOf(const CallRecord& call, const Message& req) {
  return sip::TagOf(req, HeaderId::kFrom) == call.from_tag.view() ? Direction::kToCallee
                                                                  : Direction::kToCaller;
}

size_t Core::active_calls() const {
  size_t n = 0;
  for (const CallRecord& c : calls_) n += c.in_use;
  return n;
}

bool Core::StartCall(sip::Transaction& txn, const Message& req, ResponseContext* ctx) {
  std::string_view from_uri = sip::AddrOf(req, HeaderId::kFrom);
  std::string_view caller = sip::UserOf(from_uri);
  // A local caller's class caps its concurrent calls.
  sip::Uri from;
  if (sip::ParseUri(from_uri, from).ok() && !from.user.empty()) {
    const users::Subscriber* user =
        deps_.identity.IsOwnHost(from.host) ? deps_.users.Find(from.user) : nullptr;
    if (user != nullptr) {
      size_t open = 0;
      for (const CallRecord& c : calls_) open += c.in_use && c.caller.view() == caller;
      if (open >= deps_.proxy.call_limits.For(user->user_class)) {
        ++call_stats_.refused_limit;
        GW_LOG_INFO("call", "%.*s is at its limit of %u calls", static_cast<int>(caller.size()),
                    caller.data(), static_cast<unsigned>(open));
        SendFinal(*ctx, 486, "Busy Here");
        return false;
      }
    }
  }
  CallRecord* rec = nullptr;
  for (CallRecord& c : calls_) {
    if (!c.in_use) {
      rec = &c;
      break;
    }
  }
  if (rec == nullptr) {
    ++call_stats_.refused_full;
    if (call_stats_.refused_full == 1 || call_stats_.refused_full % 100 == 0) {
      GW_LOG_WARN("call", "calls table full (%u): answering 503", static_cast<unsigned>(kMaxCalls));
    }
    SendFinal(*ctx, 503, "Service Unavailable", retry_after_.view());
    return false;
  }
  *rec = CallRecord{};
  rec->in_use = true;
  rec->state = CallState::kEarly;
  (void)rec->caller.assign(caller.substr(0, rec->caller.capacity()));
  std::string_view callee = sip::UserOf(req.request_uri());
  if (callee.empty()) callee = sip::UserOf(sip::AddrOf(req, HeaderId::kTo));
  (void)rec->callee.assign(callee.substr(0, rec->callee.capacity()));
  // Fields a BYE needs: a call whose values do not fit is tracked but
  // cannot be hung up from the console (logged).
  bool fits = rec->call_id.assign(req.Find(HeaderId::kCallId)->value).ok();
  fits = rec->from_tag.assign(sip::TagOf(req, HeaderId::kFrom)).ok() && fits;
  fits = rec->from_uri.assign(from_uri).ok() && fits;
  fits = rec->to_uri.assign(sip::AddrOf(req, HeaderId::kTo)).ok() && fits;
  fits = rec->caller_contact.assign(sip::AddrOf(req, HeaderId::kContact)).ok() && fits;
  if (!fits) GW_LOG_WARN("call", "call of %s: dialog fields too long to keep", rec->caller.c_str());
  rec->caller_addr = txn.source();
  rec->caller_cseq = req.cseq_number();
  rec->start_ms = deps_.clock.NowMs();
  rec->context = ctx;
  ctx->call = static_cast<int16_t>(rec - calls_);
  ++call_stats_.started;
  size_t n = active_calls();
  if (n > call_stats_.high_water) call_stats_.high_water = static_cast<uint32_t>(n);
  for (size_t i = 0; i < observer_count_; ++i) observers_[i]->OnCallCreated(*rec, req);
  return true;
}

void Core::ConfirmCall(ResponseContext& ctx, const Message& resp, const sip::Transaction& branch) {
  if (ctx.call < 0) return;
  CallRecord& rec = calls_[ctx.call];
  if (!rec.in_use || rec.context != &ctx || rec.state != CallState::kEarly) return;
  rec.state = CallState::kConfirmed;
  rec.answer_ms = deps_.clock.NowMs();
  (void)rec.to_tag.assign(sip::TagOf(resp, HeaderId::kTo));
  (void)rec.callee_contact.assign(sip::AddrOf(resp, HeaderId::kContact));
  SplitRecordRoute(resp, deps_.identity, rec);
  rec.callee_addr = branch.peer();
  rec.context = nullptr;
  ++call_stats_.answered;
  for (size_t i = 0; i < observer_count_; ++i) {
    observers_[i]->OnCallAnswered(rec, resp, branch.message());
  }
}

void Core::FailCall(ResponseContext& ctx, int code) {
  if (ctx.call < 0) return;
  CallRecord& rec = calls_[ctx.call];
  ctx.call = -1;
  if (!rec.in_use || rec.context != &ctx || rec.state != CallState::kEarly) return;
  CallEndReason reason = CallEndReason::kFailure;
  if (hanging_up_) {
    reason = CallEndReason::kOperator;
  } else if (code == 487 && ctx.cancelled) {
    reason = CallEndReason::kCancel;
  } else if (code == 408) {
    reason = CallEndReason::kTimeout;
  }
  EndCall(rec, reason, code);
}

void Core::SeeInDialog(const Message& req) {
  CallRecord* c = CallOf(req);
  if (c == nullptr) return;
  const Direction dir = DirectionOf(*c, req);
  if (dir == Direction::kToCallee) {
    if (req.cseq_number() > c->caller_cseq) c->caller_cseq = req.cseq_number();
  } else if (req.cseq_number() > c->callee_cseq) {
    c->callee_cseq = req.cseq_number();
  }
  const sip::Method m = req.method();
  if ((m == sip::Method::kInvite || m == sip::Method::kUpdate) && !req.body().empty()) {
    for (size_t i = 0; i < observer_count_; ++i) observers_[i]->OnCallReoffered(*c, req, dir);
  }
  if (m == sip::Method::kBye && c->state == CallState::kConfirmed) {
    EndCall(*c, dir == Direction::kToCallee ? CallEndReason::kByeCaller : CallEndReason::kByeCallee,
            0);
  }
}

void Core::EndCall(CallRecord& call, CallEndReason reason, int code) {
  if (call.context != nullptr && call.context->call >= 0 && &calls_[call.context->call] == &call) {
    call.context->call = -1;
  }
  for (size_t i = 0; i < observer_count_; ++i) observers_[i]->OnCallEnded(call, reason, code);
  call = CallRecord{};
}

void Core::SendBye(const CallRecord& call, bool to_callee) {
  const std::string_view target =
      to_callee ? call.callee_contact.view() : call.caller_contact.view();
  if (target.empty()) return;
  tx_.clear();
  Status s = tx_.Format("BYE %.*s SIP/2.0\r\nVia: SIP/2.0/UDP ", static_cast<int>(target.size()),
                        target.data());
  (void)deps_.identity.AppendHostPort(tx_);
  if (s.ok()) {
    s = tx_.Format(";branch=z9hG4bKgwbye%08lx%lx\r\nMax-Forwards: %u\r\n",
                   static_cast<unsigned long>(deps_.proxy.branch_salt),
                   static_cast<unsigned long>(++branch_counter_), sip::kInitialMaxForwards);
  }
  const std::string_view route = to_callee ? call.callee_route.view() : call.caller_route.view();
  if (s.ok() && !route.empty()) {
    s = tx_.Format("Route: %.*s\r\n", static_cast<int>(route.size()), route.data());
  }
  // Toward the callee we speak as the caller, and the other way round.
  const CallRecord& c = call;
  std::string_view from_uri = to_callee ? c.from_uri.view() : c.to_uri.view();
  std::string_view from_tag = to_callee ? c.from_tag.view() : c.to_tag.view();
  std::string_view to_uri = to_callee ? c.to_uri.view() : c.from_uri.view();
  std::string_view to_tag = to_callee ? c.to_tag.view() : c.from_tag.view();
  uint32_t cseq = (to_callee ? c.caller_cseq : c.callee_cseq) + 1;
  if (s.ok()) {
    s = tx_.Format("From: <%.*s>;tag=%.*s\r\nTo: <%.*s>;tag=%.*s\r\n",
                   static_cast<int>(from_uri.size()), from_uri.data(),
                   static_cast<int>(from_tag.size()), from_tag.data(),
                   static_cast<int>(to_uri.size()), to_uri.data(), static_cast<int>(to_tag.size()),
                   to_tag.data());
  }
  if (s.ok()) {
    s = tx_.Format(
        "Call-ID: %s\r\nCSeq: %lu BYE\r\nReason: Q.850;cause=16;text=\"Released by operator\"\r\n"
        "Content-Length: 0\r\n\r\n",
        c.call_id.c_str(), static_cast<unsigned long>(cseq));
  }
  if (!s.ok()) return;
  Result<sip::Transaction*> sent =
      layer_->SendRequest(tx_.view(), to_callee ? c.callee_addr : c.caller_addr, nullptr);
  if (!sent.ok()) GW_LOG_INFO("call", "BYE not sent: %s", sent.status().str());
}

Status Core::HangUp(std::string_view call_id) {
  for (CallRecord& c : calls_) {
    if (!c.in_use || c.call_id.view() != call_id) continue;
    ++call_stats_.hung_up;
    hanging_up_ = true;  // what ends the call now is the operator's doing
    if (c.state == CallState::kConfirmed) {
      SendBye(c, /*to_callee=*/true);
      SendBye(c, /*to_callee=*/false);
    } else if (c.context != nullptr) {
      ResponseContext& ctx = *c.context;
      if (!ctx.final_sent) SendFinal(ctx, 487, "Request Terminated");
      CancelPending(ctx);
    }
    if (c.in_use) EndCall(c, CallEndReason::kOperator, 0);
    hanging_up_ = false;
    return Status::Ok();
  }
  return Status::NotFound();
}

size_t Core::HangUpAll() {
  size_t n = 0;
  for (CallRecord& c : calls_) {
    if (!c.in_use) continue;
    String<CallRecord::kMaxCallId> id(c.call_id.view());
    if (HangUp(id.view()).ok()) ++n;
  }
  return n;
}

}  // namespace gw::proxy

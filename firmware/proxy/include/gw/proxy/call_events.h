#pragma once
// The seam between the call table and what follows calls: the media relay
// and the CDR writer. The proxy reports each call's life through
// CallObserver (created, answered, re-offered, ended with its reason) and
// the outcome of every MESSAGE it proxies; a BodyRewriter may replace the
// body (SDP) of any message the proxy forwards for a call, in either
// direction, with Content-Length recomputed.
//
// Lifetimes: the CallRecord and the messages are valid only during the
// call; what an observer needs later it copies. Observers run inside the
// proxy's handling of a message: they must not call back into the proxy.
#include <cstdint>
#include <string_view>

#include "gw/core/fixed_string.h"
#include "gw/proxy/calls.h"
#include "gw/sip/message.h"

namespace gw::proxy {

enum class CallEndReason : uint8_t {
  kByeCaller,  // a BYE from the caller's side
  kByeCallee,  // a BYE from the callee's side
  kCancel,     // the caller CANCELled before an answer
  kFailure,    // a final response >= 300 (its code is given)
  kTimeout,    // no answer (Timer C, Timer B): 408
  kOperator,   // RMV CALL / CLR CALL
};
const char* CallEndReasonName(CallEndReason reason);

// Which way a forwarded message travels.
enum class Direction : uint8_t {
  kToCallee,  // from the caller (the INVITE, the caller's in-dialog requests)
  kToCaller,  // from the callee (its responses, its in-dialog requests)
};

class CallObserver {
 public:
  virtual ~CallObserver() = default;

  // An initial INVITE was accepted for forwarding: the call is EARLY.
  // `invite` is the request as received (its body is the caller's offer).
  void OnCallCreated(const CallRecord& call, const sip::Message& invite) {
    DoOnCallCreated(call, invite);
  }
  // The first 2xx went upstream: CONFIRMED. `answer` is the 2xx as
  // received (the callee's SDP); `forwarded_offer` the INVITE as it was sent
  // to that callee (with the offer as it left, after any rewrite).
  void OnCallAnswered(const CallRecord& call, const sip::Message& answer,
                      std::string_view forwarded_offer) {
    DoOnCallAnswered(call, answer, forwarded_offer);
  }
  // A re-INVITE or UPDATE with a body passed through (a new offer).
  void OnCallReoffered(const CallRecord& call, const sip::Message& request, Direction from) {
    DoOnCallReoffered(call, request, from);
  }
  // The call is over; `code` is the final status the caller got when the
  // call ended before an answer (kFailure, kTimeout 408, kCancel 487,
  // kOperator 487), 0 for a call that was answered. The record is cleared
  // right after.
  void OnCallEnded(const CallRecord& call, CallEndReason reason, int code) {
    DoOnCallEnded(call, reason, code);
  }
  // A MESSAGE got its final answer `code` (ours or forwarded; 408 when it
  // was left unanswered, RFC 4320). The users are the From user and the
  // Request-URI user as received (either may be empty).
  void OnMessageDone(std::string_view from_user, std::string_view to_user, int code) {
    DoOnMessageDone(from_user, to_user, code);
  }

 private:
  virtual void DoOnCallCreated(const CallRecord& call, const sip::Message& invite) = 0;
  virtual void DoOnCallAnswered(const CallRecord& call, const sip::Message& answer,
                                std::string_view forwarded_offer) = 0;
  virtual void DoOnCallReoffered(const CallRecord& call, const sip::Message& request,
                                 Direction from) = 0;
  virtual void DoOnCallEnded(const CallRecord& call, CallEndReason reason, int code) = 0;
  virtual void DoOnMessageDone(std::string_view from_user, std::string_view to_user, int code) = 0;
};

class BodyRewriter {
 public:
  virtual ~BodyRewriter() = default;
  // msg is about to be forwarded for call (a request toward its next hop,
  // or a response upstream) and carries a body. Writes the body to send
  // instead into out and returns true, or returns false to send it as it
  // is. The proxy writes Content-Length for the new body.
  bool Rewrite(const CallRecord& call, const sip::Message& msg, Direction dir, StringBase& out) {
    return DoRewrite(call, msg, dir, out);
  }

 private:
  virtual bool DoRewrite(const CallRecord& call, const sip::Message& msg, Direction dir,
                         StringBase& out) = 0;
};

}  // namespace gw::proxy

#pragma once
// Fakes of the proxy's call-event seam (gw/proxy/call_events.h): an
// observer that records every event as a line of text, and a rewriter that
// replaces each body with a fixed one per direction.
#include <string>
#include <vector>

#include "gw/proxy/call_events.h"

namespace gw::testing {

class RecordingCallObserver : public proxy::CallObserver {
 public:
  // "created 1001>1002 call-1", "answered call-1 offer=<..> answer=<..>",
  // "reoffer call-1 to-callee", "ended call-1 BYE_CALLER 0",
  // "message 1001>1002 200".
  std::vector<std::string> events;

 private:
  static std::string Body(std::string_view datagram) {
    const size_t blank = datagram.find("\r\n\r\n");
    return blank == std::string_view::npos ? "" : std::string(datagram.substr(blank + 4));
  }
  void DoOnCallCreated(const proxy::CallRecord& call, const sip::Message& invite) override {
    events.push_back("created " + std::string(call.caller.view()) + ">" +
                     std::string(call.callee.view()) + " " + std::string(call.call_id.view()) +
                     " offer=" + std::string(invite.body()));
  }
  void DoOnCallAnswered(const proxy::CallRecord& call, const sip::Message& answer,
                        std::string_view forwarded_offer) override {
    events.push_back("answered " + std::string(call.call_id.view()) +
                     " offer=" + Body(forwarded_offer) + " answer=" + std::string(answer.body()));
  }
  void DoOnCallReoffered(const proxy::CallRecord& call, const sip::Message& request,
                         proxy::Direction from) override {
    events.push_back("reoffer " + std::string(call.call_id.view()) +
                     (from == proxy::Direction::kToCallee ? " to-callee " : " to-caller ") +
                     std::string(request.body()));
  }
  void DoOnCallEnded(const proxy::CallRecord& call, proxy::CallEndReason reason,
                     int code) override {
    events.push_back("ended " + std::string(call.call_id.view()) + " " +
                     proxy::CallEndReasonName(reason) + " " + std::to_string(code));
  }
  void DoOnMessageDone(std::string_view from_user, std::string_view to_user, int code) override {
    events.push_back("message " + std::string(from_user) + ">" + std::string(to_user) + " " +
                     std::to_string(code));
  }
};

class FixedBodyRewriter : public proxy::BodyRewriter {
 public:
  std::string to_callee = "v=0\r\nc=IN IP4 198.51.100.2\r\n";  // what the callee gets
  std::string to_caller = "v=0\r\nc=IN IP4 198.51.100.2\r\nm=audio 10002 RTP/AVP 0\r\n";
  int calls = 0;

 private:
  bool DoRewrite(const proxy::CallRecord&, const sip::Message&, proxy::Direction dir,
                 StringBase& out) override {
    ++calls;
    return out.assign(dir == proxy::Direction::kToCallee ? to_callee : to_caller).ok();
  }
};

}  // namespace gw::testing

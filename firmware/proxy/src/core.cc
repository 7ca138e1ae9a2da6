#include "gw/proxy/core.h"

#include "gw/core/log.h"
#include "gw/sip/option_tags.h"
#include "gw/sip/response.h"
#include "gw/sip/via.h"

namespace gw::proxy {

void Core::Reply(sip::Transaction& txn, const sip::Message& req, int code, std::string_view reason,
                 std::string_view headers) {
  String<8> tag;
  LocalTag(txn, tag);
  tx_.clear();
  sip::ResponseExtras extras{tag.view(), headers, deps_.server};
  Status built = sip::BuildResponse(req, txn.source(), code, reason, extras, tx_);
  if (!built.ok()) {
    GW_LOG_WARN("sip", "%d response to %.*s not built: %s", code,
                static_cast<int>(req.method_text().size()), req.method_text().data(), built.str());
    return;
  }
  Status sent = layer_->SendResponse(txn, tx_.view());
  if (!sent.ok()) GW_LOG_DEBUG("sip", "response %d not sent: %s", code, sent.str());
  MessageRefused(req, code);
}

// RFC 3261 8.2.2.1 / 16.3 step 1: the Request-URI schemes the gateway
// serves: sip alone (sips needs TLS, which it does not speak; tel and the
// rest would need a number translation it does not have).
static bool SchemeServed(std::string_view ruri) {
  const size_t colon = ruri.find(':');
  return colon != std::string_view::npos && sip::EqualsIgnoreCase(ruri.substr(0, colon), "sip");
}

// OPTIONS answered here: those for the gateway itself (no user part). One
// for a user's AOR goes to the user's phones like any request (404/480).
bool Core::ForGateway(const sip::Message& req) const {
  sip::Uri uri;
  return sip::IsLocalUri(deps_.identity, req.request_uri()) &&
         sip::ParseUri(req.request_uri(), uri).ok() && uri.user.empty();
}

void Core::DoOnRequest(sip::Transaction& txn, const sip::Message& req) {
  if (!SchemeServed(req.request_uri())) {
    Reply(txn, req, 416, "Unsupported URI Scheme");
    return;
  }
  switch (req.method()) {
    case sip::Method::kOptions:
      if (ForGateway(req)) {
        AnswerOptions(txn, req);
        return;
      }
      break;
    case sip::Method::kRegister:
      deps_.registrar.Handle(txn, req);
      return;
    case sip::Method::kCancel:
      HandleCancel(txn, req);
      return;
    default:
      break;
  }
  HandleProxy(txn, req);
}

void Core::AnswerOptions(sip::Transaction& txn, const sip::Message& req) {
  headers_.clear();
  if (!sip::RequireSupported(req, sip::kSupportedOptionTags, headers_)) {
    ++stats_.bad_extension;
    Reply(txn, req, 420, "Bad Extension", headers_.view());
    return;
  }
  (void)headers_.Format("Allow: %.*s\r\nAccept: application/sdp\r\nSupported: %.*s\r\n",
                        static_cast<int>(kAllow.size()), kAllow.data(),
                        static_cast<int>(sip::kSupportedOptionTags.size()),
                        sip::kSupportedOptionTags.data());
  Reply(txn, req, 200, "OK", headers_.view());
}

}  // namespace gw::proxy

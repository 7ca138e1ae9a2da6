#include "gw/proxy/core.h"

#include "gw/core/log.h"
#include "gw/sip/option_tags.h"
#include "gw/sip/response.h"
#include "gw/sip/via.h"

namespace gw::proxy {

void Core::Reply(sip::Transaction& txn, const sip::Message& req, int code, std::string_view reason,
                 std::string_view headers) {
  String<8> tag;
  sip::MakeToTag(req.Find(sip::HeaderId::kCallId)->value, ++tag_salt_, tag);
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
}

void Core::DoOnRequest(sip::Transaction& txn, const sip::Message& req) {
  switch (req.method()) {
    case sip::Method::kOptions:
      if (sip::IsLocalUri(deps_.identity, req.request_uri())) {
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

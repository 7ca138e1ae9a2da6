#include "gw/registrar/register_handler.h"

#include "gw/core/log.h"
#include "gw/sip/option_tags.h"
#include "gw/sip/response.h"
#include "gw/sip/via.h"

namespace gw::registrar {
namespace {

// The user and host of the To URI: the AOR being registered.
bool ToUser(const sip::Message& req, std::string_view& user, std::string_view& host) {
  const sip::Header* to = req.Find(sip::HeaderId::kTo);
  if (to == nullptr) return false;
  sip::Uri uri;
  if (!sip::ParseUri(sip::AddrSpecOf(to->value), uri).ok() || uri.user.empty()) return false;
  user = uri.user;
  host = uri.host;
  return true;
}

}  // namespace

class RegisterHandler::Answer final : public auth::Answerer {
 public:
  Answer(RegisterHandler& handler, sip::Transaction& txn, const sip::Message& req)
      : handler_(handler), txn_(txn), req_(req) {}

 private:
  void DoAnswer(int code, std::string_view reason, std::string_view headers) override {
    handler_.Reply(txn_, req_, code, reason, headers);
  }
  RegisterHandler& handler_;
  sip::Transaction& txn_;
  const sip::Message& req_;
};

void RegisterHandler::Reply(sip::Transaction& txn, const sip::Message& req, int code,
                            std::string_view reason, std::string_view headers) {
  (void)replier_.Reply(txn, req, code, reason, headers);  // logged there
  Done(txn, req, code);
}

void RegisterHandler::Done(const sip::Transaction& txn, const sip::Message& req, int code) {
  if (observer_ == nullptr || code == 401) return;
  std::string_view aor, host;
  if (!ToUser(req, aor, host)) aor = {};
  observer_->OnRegisterDone(req, aor, txn.source(), code);
}

void RegisterHandler::Handle(sip::Transaction& txn, const sip::Message& req) {
  headers_.clear();
  if (!sip::RequireSupported(req, sip::kSupportedOptionTags, headers_)) {
    ++stats_.bad_extension;
    Reply(txn, req, 420, "Bad Extension", headers_.view());
    return;
  }
  std::string_view aor, to_host;
  if (!ToUser(req, aor, to_host)) {
    Reply(txn, req, 400, "Malformed To");
    return;
  }
  if (!sip::IsLocalUri(deps_.identity, req.request_uri()) || !deps_.identity.IsOwnHost(to_host)) {
    ++stats_.foreign;
    Reply(txn, req, 403, "Not Our Domain");
    return;
  }
  const users::Subscriber* user = deps_.users.Find(aor);
  if (user == nullptr) {
    ++stats_.unknown_users;
    GW_LOG_INFO("reg", "REGISTER for unknown user %.*s from port %u", static_cast<int>(aor.size()),
                aor.data(), static_cast<unsigned>(txn.source().port));
    Reply(txn, req, 404, "Not Found");
    return;
  }
  Answer answer(*this, txn, req);
  if (!deps_.digest.Authorize(req, *user, aor, auth::Challenger::kRegistrar, txn.source(),
                              answer) ||
      !deps_.digest.Active(*user, answer)) {
    return;
  }
  const uint32_t now = deps_.clock.NowMs();
  RegisterResult r = deps_.registrar.Handle(req, aor, txn.source(), now);
  if (r.code == 200) {
    ReplyOk(txn, req, aor, now);
    return;
  }
  ++stats_.refused;
  headers_.clear();
  if (r.code == 423) {
    (void)headers_.Format("Min-Expires: %u\r\n", static_cast<unsigned>(r.min_expires));
  } else if (r.code == 503) {
    (void)headers_.append("Retry-After: 30\r\n");
  }
  Reply(txn, req, r.code, r.reason, headers_.view());
}

void RegisterHandler::ReplyOk(sip::Transaction& txn, const sip::Message& req, std::string_view aor,
                              uint32_t now_ms) {
  headers_.clear();
  Status listed = deps_.registrar.AppendContacts(aor, now_ms, headers_);
  if (listed.ok()) AppendOkExtras(req);
  if (listed.ok()) listed = replier_.Reply(txn, req, 200, "OK", headers_.view());
  if (listed == Status::ResourceExhausted()) {
    // The bindings were applied; the phone learns the list on its next
    // REGISTER once fewer or shorter contacts remain.
    ++stats_.too_large;
    GW_LOG_WARN("reg", "200 to %.*s does not fit with every contact: 500 sent instead",
                static_cast<int>(aor.size()), aor.data());
    Reply(txn, req, 500, "Contact List Too Large");
    return;
  }
  ++stats_.registered;
  Done(txn, req, 200);
}

void RegisterHandler::AppendOkExtras(const sip::Message& req) {
  if (deps_.wall_clock.Synced()) {
    (void)sip::AppendDateHeader(headers_, deps_.wall_clock.NowUnixSeconds());
  }
  (void)headers_.Format("Supported: %.*s\r\n", static_cast<int>(sip::kSupportedOptionTags.size()),
                        sip::kSupportedOptionTags.data());
  // RFC 3327 5.3: the Path of the request is echoed only to a UA that
  // said it supports path.
  if (!sip::HasOptionTag(req, sip::HeaderId::kSupported, "path")) return;
  bool first = true;
  for (size_t i = 0; i < req.header_count(); ++i) {
    const sip::Header& h = req.header(i);
    if (h.id != sip::HeaderId::kPath) continue;
    (void)headers_.append(first ? "Path: " : ", ");
    (void)headers_.append(h.value);
    first = false;
  }
  if (!first) (void)headers_.append("\r\n");
}

}  // namespace gw::registrar

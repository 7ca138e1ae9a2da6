#include "gw/proxy/core.h"

#include "gw/auth/credentials.h"
#include "gw/core/log.h"
#include "gw/sip/response.h"
#include "gw/sip/via.h"

namespace gw::proxy {
namespace {

// The user part of the To URI: the AOR being registered.
bool ToUser(const sip::Message& req, std::string_view& user, std::string_view& host) {
  const sip::Header* to = req.Find(sip::HeaderId::kTo);
  if (to == nullptr) return false;
  sip::Uri uri;
  if (!sip::ParseUri(sip::AddrSpecOf(to->value), uri).ok() || uri.user.empty()) return false;
  user = uri.user;
  host = uri.host;
  return true;
}

bool IsLocalHost(const sip::LocalIdentity& id, std::string_view host) {
  uint32_t addr = 0;
  if (net::ParseIp4(host, addr)) {
    return addr == id.address || (id.advertised_address != 0 && addr == id.advertised_address);
  }
  return !id.domain.empty() && sip::EqualsIgnoreCase(host, id.domain.view());
}

}  // namespace

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
        headers_.clear();
        (void)headers_.Format("Allow: %.*s\r\nAccept: application/sdp\r\nSupported: \r\n",
                              static_cast<int>(kAllow.size()), kAllow.data());
        Reply(txn, req, 200, "OK", headers_.view());
        return;
      }
      break;
    case sip::Method::kRegister:
      HandleRegister(txn, req);
      return;
    case sip::Method::kCancel:
      HandleCancel(txn, req);
      return;
    default:
      break;
  }
  HandleProxy(txn, req);
}

void Core::Challenge(sip::Transaction& txn, const sip::Message& req, bool stale, bool proxy) {
  char buf[2 * auth::kChallengeChars];
  Result<auth::Challenges> ch = deps_.verifier.BuildChallenges(stale, buf);
  if (!ch.ok()) {
    GW_LOG_ERROR("auth", "no challenge: %s", ch.status().str());
    Reply(txn, req, 500, "Server Internal Error");
    return;
  }
  const AuthPolicy& policy = deps_.auth_policy;
  std::string_view first = policy.md5_first ? ch->md5 : ch->sha256;
  std::string_view second = policy.md5_first ? ch->sha256 : ch->md5;
  if (policy.md5_first ? !policy.sha256 : !policy.md5) second = {};
  if (policy.md5_first ? !policy.md5 : !policy.sha256) first = {};
  const char* header = proxy ? "Proxy-Authenticate" : "WWW-Authenticate";
  headers_.clear();
  for (std::string_view c : {first, second}) {
    if (!c.empty()) {
      (void)headers_.Format("%s: %.*s\r\n", header, static_cast<int>(c.size()), c.data());
    }
  }
  if (proxy) {
    ++stats_.proxy_challenges;
    Reply(txn, req, 407, "Proxy Authentication Required", headers_.view());
  } else {
    ++stats_.challenges;
    Reply(txn, req, 401, "Unauthorized", headers_.view());
  }
}

// RFC 3261 22: credentials for our realm in Authorization (REGISTER, 401)
// or Proxy-Authorization (proxied INVITE/MESSAGE, 407) that prove username
// with user's HA1. False when they do not; the answer has then been sent.
bool Core::Authenticated(sip::Transaction& txn, const sip::Message& req,
                         const users::Subscriber& user, std::string_view username, bool proxy) {
  // A request may carry credentials for other realms too.
  const sip::HeaderId id =
      proxy ? sip::HeaderId::kProxyAuthorization : sip::HeaderId::kAuthorization;
  auth::Credentials creds;
  bool found = false;
  for (size_t i = 0; i < req.header_count() && !found; ++i) {
    const sip::Header& h = req.header(i);
    if (h.id != id) continue;
    auth::Credentials c;
    if (!auth::ParseCredentials(h.value, c).ok()) {
      Reply(txn, req, 400, auth::CredentialsErrorText(c.error));
      return false;
    }
    if (c.realm.Equals(deps_.verifier.realm())) {
      creds = c;
      found = true;
    }
  }
  if (!found) {
    Challenge(txn, req, false, proxy);
    return false;
  }
  if (!creds.username.Equals(username)) {
    ++stats_.refused_users;
    Reply(txn, req, 403, proxy ? "Username Does Not Match From" : "Username Does Not Match To");
    return false;
  }
  const bool sha256 = creds.algorithm == auth::Algorithm::kSha256;
  if (sha256 ? !deps_.auth_policy.sha256 : !deps_.auth_policy.md5) {
    Challenge(txn, req, false, proxy);  // an algorithm we did not offer
    return false;
  }
  std::string_view ha1 = sha256 ? user.Ha1Sha256() : user.Ha1Md5();
  auth::VerifyResult v = deps_.verifier.Verify(creds, ha1, req.method_text(), req.request_uri());
  switch (v) {
    case auth::VerifyResult::kOk:
      return true;
    case auth::VerifyResult::kStale:
      Challenge(txn, req, true, proxy);
      return false;
    case auth::VerifyResult::kMalformed:
      Reply(txn, req, 400, "Malformed Credentials");
      return false;
    case auth::VerifyResult::kBadResponse:
      ++stats_.auth_failures;
      GW_LOG_WARN("auth", "wrong password for %.*s from port %u", static_cast<int>(username.size()),
                  username.data(), static_cast<unsigned>(txn.source().port));
      Reply(txn, req, 403, "Wrong Credentials");
      return false;
    default:  // replay, foreign nonce, realm or uri mismatch: try again
      ++stats_.auth_failures;
      GW_LOG_INFO("auth", "%.*s of %.*s refused: %.*s", static_cast<int>(req.method_text().size()),
                  req.method_text().data(), static_cast<int>(username.size()), username.data(),
                  static_cast<int>(auth::VerifyResultName(v).size()),
                  auth::VerifyResultName(v).data());
      Challenge(txn, req, false, proxy);
      return false;
  }
}

// Inactive and suspended subscribers may neither register nor call: 403.
bool Core::Active(sip::Transaction& txn, const sip::Message& req, const users::Subscriber& user) {
  if (user.status == users::UserStatus::kActive) return true;
  ++stats_.refused_users;
  Reply(txn, req, 403,
        user.status == users::UserStatus::kSuspended ? "Account Suspended" : "Account Inactive");
  return false;
}

void Core::HandleRegister(sip::Transaction& txn, const sip::Message& req) {
  std::string_view aor, to_host;
  if (!ToUser(req, aor, to_host)) {
    Reply(txn, req, 400, "Malformed To");
    return;
  }
  if (!sip::IsLocalUri(deps_.identity, req.request_uri()) ||
      !IsLocalHost(deps_.identity, to_host)) {
    ++stats_.refused_users;
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

  if (!Authenticated(txn, req, *user, aor, /*proxy=*/false) || !Active(txn, req, *user)) return;

  const uint32_t now = deps_.clock.NowMs();
  registrar::RegisterResult r = deps_.registrar.Handle(req, aor, txn.source(), now);
  headers_.clear();
  if (r.code == 200) {
    if (!deps_.registrar.AppendContacts(aor, now, headers_).ok()) {
      GW_LOG_WARN("reg", "contact list of %.*s cut to fit the response",
                  static_cast<int>(aor.size()), aor.data());
    }
    ++stats_.registers_ok;
  } else if (r.code == 423) {
    (void)headers_.Format("Min-Expires: %u\r\n", static_cast<unsigned>(r.min_expires));
  } else if (r.code == 503) {
    (void)headers_.append("Retry-After: 30\r\n");
  }
  Reply(txn, req, r.code, r.reason, headers_.view());
}

}  // namespace gw::proxy

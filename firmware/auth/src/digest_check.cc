#include "gw/auth/digest_check.h"

#include "gw/core/log.h"

namespace gw::auth {
namespace {

// The credentials of req for `realm` in the header `who` reads. A request
// may carry credentials for other realms too (RFC 3261 22.3).
// InvalidArgument: a header of that kind does not parse (out.error says
// why); NotFound: none for our realm.
Status FindCredentials(const sip::Message& req, Challenger who, std::string_view realm,
                       Credentials& out) {
  const sip::HeaderId id = who == Challenger::kProxy ? sip::HeaderId::kProxyAuthorization
                                                     : sip::HeaderId::kAuthorization;
  for (size_t i = 0; i < req.header_count(); ++i) {
    const sip::Header& h = req.header(i);
    if (h.id != id) continue;
    Credentials c;
    if (!ParseCredentials(h.value, c).ok()) {
      out = c;
      return Status::InvalidArgument();
    }
    if (c.realm.Equals(realm)) {
      out = c;
      return Status::Ok();
    }
  }
  return Status::NotFound();
}

}  // namespace

void DigestCheck::Challenge(bool stale, Challenger who, Answerer& answer) {
  char buf[2 * kChallengeChars];
  Result<Challenges> ch = verifier_.BuildChallenges(stale, buf);
  if (!ch.ok()) {
    GW_LOG_ERROR("auth", "no challenge: %s", ch.status().str());
    answer.Answer(500, "Server Internal Error");
    return;
  }
  std::string_view first = policy_.md5_first ? ch->md5 : ch->sha256;
  std::string_view second = policy_.md5_first ? ch->sha256 : ch->md5;
  if (policy_.md5_first ? !policy_.sha256 : !policy_.md5) second = {};
  if (policy_.md5_first ? !policy_.md5 : !policy_.sha256) first = {};
  const bool proxy = who == Challenger::kProxy;
  const char* header = proxy ? "Proxy-Authenticate" : "WWW-Authenticate";
  headers_.clear();
  for (std::string_view c : {first, second}) {
    if (!c.empty()) {
      (void)headers_.Format("%s: %.*s\r\n", header, static_cast<int>(c.size()), c.data());
    }
  }
  if (proxy) {
    ++stats_.proxy_challenges;
    answer.Answer(407, "Proxy Authentication Required", headers_.view());
  } else {
    ++stats_.challenges;
    answer.Answer(401, "Unauthorized", headers_.view());
  }
}

bool DigestCheck::Authorize(const sip::Message& req, const users::Subscriber& user,
                            std::string_view username, Challenger who, const net::Endpoint& source,
                            Answerer& answer) {
  Credentials creds;
  Status found = FindCredentials(req, who, verifier_.realm(), creds);
  if (found == Status::InvalidArgument()) {
    ++stats_.malformed;
    answer.Answer(400, CredentialsErrorText(creds.error));
    return false;
  }
  if (!found.ok()) {
    Challenge(false, who, answer);
    return false;
  }
  if (!creds.username.Equals(username)) {
    ++stats_.refused;
    answer.Answer(403, who == Challenger::kProxy ? "Username Does Not Match From"
                                                 : "Username Does Not Match To");
    return false;
  }
  const bool sha256 = creds.algorithm == Algorithm::kSha256;
  if (sha256 ? !policy_.sha256 : !policy_.md5) {
    Challenge(false, who, answer);  // an algorithm we did not offer
    return false;
  }
  std::string_view ha1 = sha256 ? user.Ha1Sha256() : user.Ha1Md5();
  VerifyResult v = verifier_.Verify(creds, ha1, req.method_text(), req.request_uri());
  if (v == VerifyResult::kOk) return true;
  Refuse(v, req, username, who, source, answer);
  return false;
}

void DigestCheck::Refuse(VerifyResult v, const sip::Message& req, std::string_view username,
                         Challenger who, const net::Endpoint& source, Answerer& answer) {
  switch (v) {
    case VerifyResult::kStale:
      Challenge(true, who, answer);
      return;
    case VerifyResult::kMalformed:
      ++stats_.malformed;
      answer.Answer(400, "Malformed Credentials");
      return;
    case VerifyResult::kBadResponse:
      ++stats_.failures;
      GW_LOG_WARN("auth", "wrong password for %.*s from port %u", static_cast<int>(username.size()),
                  username.data(), static_cast<unsigned>(source.port));
      answer.Answer(403, "Wrong Credentials");
      return;
    default:  // replay, foreign nonce, realm or uri mismatch: try again
      ++stats_.failures;
      GW_LOG_INFO("auth", "%.*s of %.*s refused: %.*s", static_cast<int>(req.method_text().size()),
                  req.method_text().data(), static_cast<int>(username.size()), username.data(),
                  static_cast<int>(VerifyResultName(v).size()), VerifyResultName(v).data());
      Challenge(false, who, answer);
      return;
  }
}

bool DigestCheck::Active(const users::Subscriber& user, Answerer& answer) {
  if (user.status == users::UserStatus::kActive) return true;
  ++stats_.refused;
  answer.Answer(
      403, user.status == users::UserStatus::kSuspended ? "Account Suspended" : "Account Inactive");
  return false;
}

}  // namespace gw::auth

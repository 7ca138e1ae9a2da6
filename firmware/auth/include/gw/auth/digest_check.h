#pragma once
// The digest check one request must pass before the gateway serves it: the
// registrar's (401, WWW-Authenticate / Authorization, RFC 3261 22.2) and the
// proxy's (407, Proxy-Authenticate / Proxy-Authorization, RFC 3261 22.3).
// Given the request, the subscriber it claims to be and a way to answer,
// Authorize() says "authorized" or has answered the request itself:
//
//   no credentials for our realm, an algorithm not offered,
//   a replayed/foreign nonce              -> 401/407 with fresh challenges
//   right password on an expired nonce    -> 401/407 with stale=true
//   credentials that do not parse         -> 400 with the parser's reason
//   username other than the one claimed   -> 403
//   wrong password                        -> 403
//
// Active() refuses inactive and suspended subscribers with 403.
#include <cstdint>
#include <string_view>

#include "gw/auth/verifier.h"
#include "gw/net/address.h"
#include "gw/sip/message.h"
#include "gw/users/subscriber.h"

namespace gw::auth {

// Which digest algorithms are offered, and which comes first (AUTH.ALGORITHMS).
struct AlgorithmPolicy {
  bool md5 = true;
  bool sha256 = true;
  bool md5_first = true;
};

// Who asks for the credentials: the header names and the status differ.
enum class Challenger : uint8_t {
  kRegistrar,  // 401, WWW-Authenticate, Authorization
  kProxy,      // 407, Proxy-Authenticate, Proxy-Authorization
};

// How the check answers a request it does not let through.
class Answerer {
 public:
  // headers: extra header lines, each ending in CRLF.
  void Answer(int code, std::string_view reason, std::string_view headers = {}) {
    DoAnswer(code, reason, headers);
  }

 protected:
  ~Answerer() = default;

 private:
  virtual void DoAnswer(int code, std::string_view reason, std::string_view headers) = 0;
};

struct DigestCheckStats {
  uint32_t challenges = 0;        // 401 sent (no or stale credentials)
  uint32_t proxy_challenges = 0;  // 407 sent
  uint32_t failures = 0;          // wrong password, replay, foreign nonce
  uint32_t refused = 0;           // 403: inactive/suspended, username mismatch
  uint32_t malformed = 0;         // 400: credentials that do not parse
};

class DigestCheck {
 public:
  DigestCheck(Verifier& verifier, const AlgorithmPolicy& policy)
      : verifier_(verifier), policy_(policy) {}

  // True when req carries credentials for our realm that prove `username`
  // with user's HA1; otherwise the request has been answered through
  // `answer` and false is returned. `source` only names the sender in logs.
  [[nodiscard]] bool Authorize(const sip::Message& req, const users::Subscriber& user,
                               std::string_view username, Challenger who,
                               const net::Endpoint& source, Answerer& answer);
  // True for an active subscriber; otherwise answers 403 and returns false.
  [[nodiscard]] bool Active(const users::Subscriber& user, Answerer& answer);

  const DigestCheckStats& stats() const { return stats_; }

 private:
  // Fresh challenges in AUTH.ALGORITHMS order (stale=true when the
  // credentials were right on an expired nonce); 500 if none can be built.
  void Challenge(bool stale, Challenger who, Answerer& answer);
  // The answer to credentials Verify() refused.
  void Refuse(VerifyResult v, const sip::Message& req, std::string_view username, Challenger who,
              const net::Endpoint& source, Answerer& answer);

  Verifier& verifier_;
  const AlgorithmPolicy& policy_;
  DigestCheckStats stats_;
  String<2 * (kChallengeChars + 24)> headers_;
};

}  // namespace gw::auth

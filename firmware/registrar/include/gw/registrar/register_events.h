#pragma once
// The registrar's side of the event seam: what the CDR writer hears of
// registrations. One event per REGISTER answered with a final response,
// except the 401 that only asks for credentials (the phone retries at once;
// a wrong password or a replay, 403, is reported).
//
// The message is valid only during the call. Observers must not call back
// into the registrar.
#include <string_view>

#include "gw/net/address.h"
#include "gw/sip/message.h"

namespace gw::registrar {

class RegisterObserver {
 public:
  virtual ~RegisterObserver() = default;
  // `aor` is the To user (empty when the To did not parse), `code` the final
  // status sent to `source`.
  void OnRegisterDone(const sip::Message& request, std::string_view aor,
                      const net::Endpoint& source, int code) {
    DoOnRegisterDone(request, aor, source, code);
  }

 private:
  virtual void DoOnRegisterDone(const sip::Message& request, std::string_view aor,
                                const net::Endpoint& source, int code) = 0;
};

}  // namespace gw::registrar

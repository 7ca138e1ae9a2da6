#pragma once
// REGISTER processing (RFC 3261 10.3 steps 5-8) over the location table.
// Authentication, the domain check and the subscriber lookup (steps 1-4) are
// the caller's: it passes an AOR it has authorised.
#include <cstdint>
#include <string_view>

#include "gw/core/fixed_string.h"
#include "gw/net/address.h"
#include "gw/registrar/location.h"
#include "gw/sip/message.h"

namespace gw::registrar {

struct RegistrarConfig {
  uint32_t min_expires = 60;        // shorter requests get 423 (Min-Expires)
  uint32_t max_expires = 7200;      // longer ones are shortened
  uint32_t default_expires = 3600;  // no expires parameter and no Expires
};

struct RegisterResult {
  int code = 200;
  std::string_view reason = "OK";
  uint32_t min_expires = 0;  // set with 423
  size_t added = 0, refreshed = 0, removed = 0;
};

class Registrar {
 public:
  // Contacts one REGISTER may carry (and one AOR may hold).
  static constexpr size_t kMaxContacts = LocationTable::kMaxPerAor;

  Registrar(LocationTable& table, const RegistrarConfig& config) : table_(table), config_(config) {}

  // Applies req's Contact headers to aor's bindings, all or nothing:
  //   200 applied (also a query: no Contact);
  //   400 malformed Contact/Expires, '*' with other contacts or Expires != 0;
  //   423 an expiry under Min-Expires (min_expires set);
  //   500 a CSeq not above the binding's for the same Call-ID (out of order);
  //   503 the table (or the AOR's contact limit) is full.
  RegisterResult Handle(const sip::Message& req, std::string_view aor, const net::Endpoint& source,
                        uint32_t now_ms);

  // Appends "Contact: <uri>;expires=N\r\n" for each current binding of aor.
  // ResourceExhausted if out cannot hold them all.
  Status AppendContacts(std::string_view aor, uint32_t now_ms, StringBase& out);

 private:
  LocationTable& table_;
  const RegistrarConfig& config_;
};

}  // namespace gw::registrar

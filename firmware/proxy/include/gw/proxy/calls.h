#pragma once
// Calls the proxy tracks (DSP CALL, class limits, RMV CALL): one record per
// proxied INVITE dialog, in a fixed table of GW_CAP_CALLS. What a BYE to
// either side needs after the INVITE is gone is copied into fixed fields.
#include <cstdint>
#include <string_view>

#include "gw/core/fixed_string.h"
#include "gw/net/address.h"
#include "gw/users/subscriber.h"
#include "gw_profile.h"

namespace gw::proxy {

struct ResponseContext;  // core.h

enum class CallState : uint8_t {
  kEarly,      // INVITE forwarded, no 2xx yet
  kConfirmed,  // a 2xx went upstream
};
const char* CallStateName(CallState state);

struct CallRecord {
  static constexpr size_t kMaxCallId = 96;
  static constexpr size_t kMaxTag = 48;
  static constexpr size_t kMaxUri = 96;
  static constexpr size_t kMaxRoute = 160;

  bool in_use = false;
  CallState state = CallState::kEarly;
  String<users::kMaxUsername> caller;  // From user (may not be a subscriber)
  String<users::kMaxUsername> callee;  // R-URI (or To) user
  String<kMaxCallId> call_id;
  String<kMaxTag> from_tag;
  String<kMaxTag> to_tag;          // of the 2xx that confirmed the dialog
  String<kMaxUri> from_uri;        // From addr-spec
  String<kMaxUri> to_uri;          // To addr-spec
  String<kMaxUri> caller_contact;  // Contact of the INVITE: the caller's target
  String<kMaxUri> callee_contact;  // Contact of the 2xx: the callee's target
  // Route sets toward each side (the other proxies that record-routed;
  // loose routers: the BYE goes to the stored address, the next hop).
  String<kMaxRoute> callee_route;
  String<kMaxRoute> caller_route;
  net::Endpoint caller_addr;  // where the INVITE came from
  net::Endpoint callee_addr;  // where the INVITE went (a NATed binding's source)
  uint32_t caller_cseq = 0;   // highest CSeq seen from each side
  uint32_t callee_cseq = 0;
  uint32_t start_ms = 0;
  uint32_t answer_ms = 0;
  ResponseContext* context = nullptr;  // the INVITE's response context while EARLY
};

struct CallStats {
  uint32_t started = 0;
  uint32_t answered = 0;
  uint32_t refused_limit = 0;  // the caller's class limit reached: 486
  uint32_t refused_full = 0;   // the table was full: 503
  uint32_t hung_up = 0;        // by RMV/CLR CALL
  uint32_t high_water = 0;
};

}  // namespace gw::proxy

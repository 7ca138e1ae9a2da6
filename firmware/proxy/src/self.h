#pragma once
// What proxy.cc and calls.cc share inside the module.
#include "gw/core/fixed_string.h"
#include "gw/sip/stack.h"

namespace gw::proxy::internal {

// "ADDR:PORT" of the gateway as others must reach it: the advertised
// address and port when set. Our Via sent-by and Record-Route.
void AppendSelf(const sip::LocalIdentity& id, StringBase& out);

}  // namespace gw::proxy::internal

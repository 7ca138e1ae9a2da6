#pragma once
// The boot-argument block: a fixed RAM address (see mps2_an386.ld) that
// tools/qemu fills with QEMU's generic loader before the CPU starts:
//   "GWBA" (4 bytes) then NUL-terminated text, e.g.
//   "SIP.ADVERTISE_ADDR=127.0.0.1 SIP.ADVERTISE_PORT=5060".
#include <string_view>

namespace gw::board {

inline constexpr char kBootArgsMagic[4] = {'G', 'W', 'B', 'A'};

// Copies the text out of the block into static storage. Empty when the
// block is absent (no magic), unterminated or holds non-printable bytes.
std::string_view ReadBootArgs();

}  // namespace gw::board

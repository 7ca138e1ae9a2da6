#include "gw/auth/nonce.h"

#include <cstring>
#include <span>

#include "hasher.h"
#include "mbedtls/platform_util.h"

namespace gw::auth {
namespace {

constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// in.size() must be a multiple of 3 (no padding is ever produced).
void Base64Encode(std::span<const uint8_t> in, char* out) {
  for (size_t i = 0, o = 0; i + 2 < in.size(); i += 3, o += 4) {
    uint32_t v = (uint32_t{in[i]} << 16) | (uint32_t{in[i + 1]} << 8) | in[i + 2];
    out[o] = kBase64[(v >> 18) & 63];
    out[o + 1] = kBase64[(v >> 12) & 63];
    out[o + 2] = kBase64[(v >> 6) & 63];
    out[o + 3] = kBase64[v & 63];
  }
}

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// in.size() must be 4/3 of out.size(); false on a character outside the set.
bool Base64Decode(std::string_view in, std::span<uint8_t> out) {
  for (size_t i = 0, o = 0; i + 3 < in.size(); i += 4, o += 3) {
    uint32_t v = 0;
    for (size_t k = 0; k < 4; ++k) {
      int d = Base64Value(in[i + k]);
      if (d < 0) return false;
      v = (v << 6) | static_cast<uint32_t>(d);
    }
    out[o] = static_cast<uint8_t>(v >> 16);
    out[o + 1] = static_cast<uint8_t>(v >> 8);
    out[o + 2] = static_cast<uint8_t>(v);
  }
  return true;
}

void PutBe(uint8_t* p, uint64_t v, size_t n) {
  for (size_t i = 0; i < n; ++i) p[i] = static_cast<uint8_t>(v >> (8 * (n - 1 - i)));
}

uint64_t GetBe(const uint8_t* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = (v << 8) | p[i];
  return v;
}

}  // namespace

NonceManager::NonceManager(hal::MonotonicClock& clock, uint32_t lifetime_s)
    : clock_(clock),
      lifetime_ms_(lifetime_s > UINT32_MAX / 1000 ? UINT32_MAX : lifetime_s * 1000) {}

NonceManager::~NonceManager() {
  mbedtls_platform_zeroize(key_, sizeof(key_));
}

Status NonceManager::Init(Drbg& drbg) {
  GW_TRY(drbg.Generate(std::as_writable_bytes(std::span(key_))));
  ready_ = true;
  return Status::Ok();
}

uint64_t NonceManager::NowMs64() {
  uint32_t raw = clock_.NowMs();
  if (raw < last_raw_ms_) ++wraps_;
  last_raw_ms_ = raw;
  return (uint64_t{wraps_} << 32) | raw;
}

Status NonceManager::Mac(NonceId id, std::string_view realm, uint8_t (&mac)[kMacBytes]) const {
  uint8_t head[12];
  PutBe(head, id.issued_ms, 8);
  PutBe(head + 8, id.serial, 4);
  // The realm goes last and unframed: head has a fixed size, so
  // (head, realm) splits one way only.
  const std::span<const uint8_t> parts[] = {
      std::span<const uint8_t>(head, sizeof(head)),
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(realm.data()), realm.size()),
  };
  uint8_t full[32];
  GW_TRY(internal::HmacSha256(std::span<const uint8_t, kKeyBytes>(key_), parts, full));
  std::memcpy(mac, full, kMacBytes);
  return Status::Ok();
}

Result<NonceText> NonceManager::Issue(std::string_view realm) {
  if (!ready_) return Status::FailedPrecondition();
  NonceId id{NowMs64(), next_serial_++};
  uint8_t payload[kPayloadBytes];
  PutBe(payload, id.issued_ms, 8);
  PutBe(payload + 8, id.serial, 4);
  uint8_t mac[kMacBytes];
  GW_TRY(Mac(id, realm, mac));
  std::memcpy(payload + 12, mac, kMacBytes);
  char text[kNonceChars];
  Base64Encode(payload, text);
  return NonceText(std::string_view(text, kNonceChars));
}

NonceCheck NonceManager::Check(std::string_view nonce, std::string_view realm) {
  NonceCheck out;
  if (!ready_ || nonce.size() != kNonceChars) return out;
  uint8_t payload[kPayloadBytes];
  if (!Base64Decode(nonce, payload)) return out;
  NonceId id{GetBe(payload, 8), static_cast<uint32_t>(GetBe(payload + 8, 4))};
  uint8_t mac[kMacBytes];
  if (!Mac(id, realm, mac).ok()) return out;
  uint8_t diff = 0;  // constant time: the MAC is the secret-dependent part
  for (size_t i = 0; i < kMacBytes; ++i) diff |= static_cast<uint8_t>(mac[i] ^ payload[12 + i]);
  if (diff != 0) return out;
  uint64_t now = NowMs64();
  if (id.issued_ms > now) return out;  // cannot be ours: never issued yet
  out.id = id;
  out.state = now - id.issued_ms > lifetime_ms_ ? NonceState::kStale : NonceState::kFresh;
  return out;
}

}  // namespace gw::auth

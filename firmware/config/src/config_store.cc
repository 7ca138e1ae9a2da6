#include "gw/config/config_store.h"

#include <cstdio>
#include <cstring>

#include "cJSON.h"
#include "gw/config/text.h"
#include "gw/core/log.h"
#include "gw/net/address.h"
#include "mbedtls/sha256.h"

namespace gw::config {
namespace {

constexpr const char* kTag = "config";
constexpr std::string_view kHashPrefix = "sha256$";
constexpr size_t kSaltBytes = 16;
constexpr size_t kHashBytes = 32;
constexpr std::string_view kMask = "********";
constexpr int kMaxJsonDepth = 4;

void PutU32(std::byte* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::byte>(v >> (8 * i));
}
uint32_t GetU32(const std::byte* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool DecodeHex(std::string_view hex, uint8_t* out, size_t n) {
  if (hex.size() != 2 * n) return false;
  for (size_t i = 0; i < n; ++i) {
    int hi = HexDigit(hex[2 * i]);
    int lo = HexDigit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<uint8_t>(hi * 16 + lo);
  }
  return true;
}

void AppendHex(StringBase& out, const uint8_t* data, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kDigits[data[i] >> 4]).IgnoreError();
    out.push_back(kDigits[data[i] & 15]).IgnoreError();
  }
}

// Splits "sha256$<salt>$<hash>"; false if the text is not of that shape.
bool SplitHash(std::string_view text, uint8_t* salt, uint8_t* hash) {
  if (text.substr(0, kHashPrefix.size()) != kHashPrefix) return false;
  text.remove_prefix(kHashPrefix.size());
  size_t dollar = text.find('$');
  if (dollar == std::string_view::npos) return false;
  return DecodeHex(text.substr(0, dollar), salt, kSaltBytes) &&
         DecodeHex(text.substr(dollar + 1), hash, kHashBytes);
}

void Digest(const uint8_t* salt, std::string_view password, uint8_t* out) {
  mbedtls_sha256_context ctx;
  mbedtls_sha256_init(&ctx);
  // The one-shot calls cannot fail for SHA-256 in software.
  (void)mbedtls_sha256_starts_ret(&ctx, 0);
  (void)mbedtls_sha256_update_ret(&ctx, salt, kSaltBytes);
  (void)mbedtls_sha256_update_ret(&ctx, reinterpret_cast<const unsigned char*>(password.data()),
                                  password.size());
  (void)mbedtls_sha256_finish_ret(&ctx, out);
  mbedtls_sha256_free(&ctx);
}

bool Printable(std::string_view text) {
  for (char c : text) {
    if (c < 0x20 || c > 0x7E) return false;
  }
  return true;
}

void Explain(Violation* why, Rule rule, const char* fmt, ...) __attribute__((format(printf, 3, 4)));
void Explain(Violation* why, Rule rule, const char* fmt, ...) {
  if (why == nullptr) return;
  why->rule = rule;
  why->detail.clear();
  va_list args;
  va_start(args, fmt);
  char line[161];
  std::vsnprintf(line, sizeof(line), fmt, args);
  va_end(args);
  why->detail.AppendTruncated(line);
}

// "a, b, c" for an enum's values.
void JoinValues(std::span<const std::string_view> values, char* out, size_t n) {
  size_t used = 0;
  out[0] = '\0';
  for (size_t i = 0; i < values.size(); ++i) {
    int w = std::snprintf(out + used, n - used, "%s%.*s", i ? ", " : "",
                          static_cast<int>(values[i].size()), values[i].data());
    if (w < 0 || static_cast<size_t>(w) >= n - used) return;
    used += static_cast<size_t>(w);
  }
}

}  // namespace

ConfigStore::ConfigStore(hal::StorageRegion& storage, hal::Entropy& entropy, JsonArena& arena)
    : storage_(storage), entropy_(entropy), arena_(arena) {
  // No hashing here (entropy may not be up yet): a default password with an
  // empty hash is checked against the default text until Load/Reset runs.
  for (const KeySpec& spec : Schema()) {
    Value& v = values_[Index(spec.key)];
    if (!spec.secret) {
      Check(spec, spec.default_text, v.text, v.number, nullptr).IgnoreError();
    }
  }
}

Status ConfigStore::Check(const KeySpec& spec, std::string_view text,
                          String<kMaxValueChars>& canonical, int32_t& number,
                          Violation* why) const {
  canonical.clear();
  number = 0;
  const int name_len = static_cast<int>(spec.name.size());
  const char* name = spec.name.data();
  switch (spec.type) {
    case Type::kInt: {
      int64_t n = 0;
      if (!ParseInt(text, n)) {
        Explain(why, Rule::kNotInteger, "%.*s must be an integer in %ld..%ld", name_len, name,
                static_cast<long>(spec.min), static_cast<long>(spec.max));
        return Status::InvalidArgument();
      }
      if (n < spec.min || n > spec.max) {
        Explain(why, Rule::kOutOfRange, "%.*s out of range: %lld (allowed %ld..%ld)", name_len,
                name, static_cast<long long>(n), static_cast<long>(spec.min),
                static_cast<long>(spec.max));
        return Status::OutOfRange();
      }
      number = static_cast<int32_t>(n);
      return canonical.Format("%ld", static_cast<long>(number));
    }
    case Type::kString: {
      if (!Printable(text)) {
        Explain(why, Rule::kBadCharacter, "%.*s may hold printable ASCII characters only", name_len,
                name);
        return Status::InvalidArgument();
      }
      if (text.size() < static_cast<size_t>(spec.min)) {
        Explain(why, Rule::kTooShort, "%.*s too short: %zu characters (min %ld)", name_len, name,
                text.size(), static_cast<long>(spec.min));
        return Status::OutOfRange();
      }
      if (text.size() > static_cast<size_t>(spec.max)) {
        Explain(why, Rule::kTooLong, "%.*s too long: %zu characters (max %ld)", name_len, name,
                text.size(), static_cast<long>(spec.max));
        return Status::OutOfRange();
      }
      return canonical.assign(text);
    }
    case Type::kBool: {
      bool b = false;
      if (!ParseBool(text, b)) {
        Explain(why, Rule::kBadBool, "%.*s must be TRUE or FALSE", name_len, name);
        return Status::InvalidArgument();
      }
      number = b ? 1 : 0;
      return canonical.assign(b ? "TRUE" : "FALSE");
    }
    case Type::kEnum: {
      for (size_t i = 0; i < spec.values.size(); ++i) {
        if (EqualsIgnoreCase(text, spec.values[i])) {
          number = static_cast<int32_t>(i);
          return canonical.assign(spec.values[i]);
        }
      }
      char list[96];
      JoinValues(spec.values, list, sizeof(list));
      Explain(why, Rule::kBadEnum, "%.*s must be one of: %s", name_len, name, list);
      return Status::InvalidArgument();
    }
    case Type::kIp4: {
      if (text.empty()) return Status::Ok();
      uint32_t addr = 0;
      if (!ParseIp4(text, addr)) {
        Explain(why, Rule::kBadIp4, "%.*s must be an IPv4 address a.b.c.d (or empty)", name_len,
                name);
        return Status::InvalidArgument();
      }
      number = static_cast<int32_t>(addr);
      return canonical.Format("%u.%u.%u.%u", static_cast<unsigned>(addr >> 24),
                              static_cast<unsigned>((addr >> 16) & 255),
                              static_cast<unsigned>((addr >> 8) & 255),
                              static_cast<unsigned>(addr & 255));
    }
    case Type::kNetList: {
      net::Ip4NetList list;
      if (text.size() > static_cast<size_t>(spec.max)) {
        Explain(why, Rule::kTooLong, "%.*s too long: %zu characters (max %ld)", name_len, name,
                text.size(), static_cast<long>(spec.max));
        return Status::OutOfRange();
      }
      if (!net::ParseIp4NetList(text, list)) {
        Explain(why, Rule::kBadNetList,
                "%.*s must be up to %zu networks a.b.c.d[/len] separated by commas (or empty)",
                name_len, name, net::Ip4NetList::kMax);
        return Status::InvalidArgument();
      }
      number = static_cast<int32_t>(list.count);
      // The canonical form is never longer than the text that parsed.
      return net::AppendIp4NetList(canonical, list);
    }
  }
  return Status::Internal();
}

Status ConfigStore::Validate(std::string_view name, std::string_view text, Violation* why) const {
  const KeySpec* spec = FindKey(name);
  if (spec == nullptr) {
    Explain(why, Rule::kUnknownKey, "unknown key %.*s (DSP CFG lists the keys)",
            static_cast<int>(name.size() > 40 ? 40 : name.size()), name.data());
    return Status::NotFound();
  }
  String<kMaxValueChars> canonical;
  int32_t number = 0;
  GW_TRY(Check(*spec, text, canonical, number, why));
  if (spec->key == Key::kMediaPortMin || spec->key == Key::kMediaPortMax) {
    bool is_min = spec->key == Key::kMediaPortMin;
    int32_t lo = is_min ? number : GetInt(Key::kMediaPortMin);
    int32_t hi = is_min ? GetInt(Key::kMediaPortMax) : number;
    if (lo > hi) {
      Explain(why, Rule::kInconsistent, "MEDIA.PORT_MIN (%ld) must not exceed MEDIA.PORT_MAX (%ld)",
              static_cast<long>(lo), static_cast<long>(hi));
      return Status::OutOfRange();
    }
  }
  return Status::Ok();
}

Status ConfigStore::HashPassword(std::string_view password, StringBase& out) {
  uint8_t salt[kSaltBytes];
  if (!entropy_.Fill(std::as_writable_bytes(std::span(salt))).ok()) {
    // Still salted and unique per store, just predictable: log it once here.
    static uint32_t fallback = 0x9E3779B9u;
    for (size_t i = 0; i < kSaltBytes; ++i) {
      fallback = fallback * 1664525u + 1013904223u;
      salt[i] = static_cast<uint8_t>(fallback >> 24);
    }
    GW_LOG_WARN(kTag, "entropy unavailable, weak password salt");
  }
  uint8_t hash[kHashBytes];
  Digest(salt, password, hash);
  out.clear();
  GW_TRY(out.append(kHashPrefix));
  AppendHex(out, salt, kSaltBytes);
  GW_TRY(out.push_back('$'));
  AppendHex(out, hash, kHashBytes);
  return Status::Ok();
}

Status ConfigStore::Apply(const KeySpec& spec, std::string_view text, bool override,
                          bool hashed_secret, Violation* why) {
  Value& v = values_[Index(spec.key)];
  String<kMaxValueChars> canonical;
  int32_t number = 0;
  if (spec.secret && hashed_secret) {
    uint8_t salt[kSaltBytes];
    uint8_t hash[kHashBytes];
    if (!SplitHash(text, salt, hash)) {
      Explain(why, Rule::kBadCharacter, "%.*s is not a sha256$salt$hash value",
              static_cast<int>(spec.name.size()), spec.name.data());
      return Status::InvalidArgument();
    }
    GW_TRY(canonical.assign(text));
  } else {
    GW_TRY(Check(spec, text, canonical, number, why));
    if (spec.secret) GW_TRY(HashPassword(text, canonical));
  }
  bool is_default = !spec.secret && canonical.view() == spec.default_text;
  if (override && !v.overridden) {
    v.saved = v.text;
    v.saved_default = v.is_default;
    v.overridden = true;
  } else if (!override) {
    v.overridden = false;
  }
  v.text = canonical;
  v.number = number;
  v.is_default = is_default;
  Changed(spec.key);
  return Status::Ok();
}

void ConfigStore::SetDefault(const KeySpec& spec) {
  Value& v = values_[Index(spec.key)];
  v.overridden = false;
  v.is_default = true;
  if (spec.secret) {
    if (!HashPassword(spec.default_text, v.text).ok()) v.text.clear();
    v.number = 0;
  } else {
    Check(spec, spec.default_text, v.text, v.number, nullptr).IgnoreError();
  }
}

void ConfigStore::ResetToDefaults() {
  for (const KeySpec& spec : Schema()) SetDefault(spec);
  for (const KeySpec& spec : Schema()) Changed(spec.key);
}

void ConfigStore::Changed(Key key) {
  if (hook_ != nullptr) hook_(hook_ctx_, key);
}

Result<Applied> ConfigStore::Set(std::string_view name, std::string_view text, Violation* why) {
  const KeySpec* spec = FindKey(name);
  if (spec == nullptr) {
    return Validate(name, text, why);  // NotFound with the explanation
  }
  GW_TRY(Validate(name, text, why));  // adds the cross-key rules
  Value& slot = values_[Index(spec->key)];
  Value before;
  before.text = slot.text;
  before.saved = slot.saved;
  before.number = slot.number;
  before.is_default = slot.is_default;
  before.saved_default = slot.saved_default;
  before.overridden = slot.overridden;
  GW_TRY(Apply(*spec, text, /*override=*/false, /*hashed_secret=*/false, why));
  Status saved = Save();
  if (!saved.ok()) {
    // All or nothing: a value that cannot be persisted is not kept either.
    slot.text = before.text;
    slot.saved = before.saved;
    slot.number = before.number;
    slot.is_default = before.is_default;
    slot.saved_default = before.saved_default;
    slot.overridden = before.overridden;
    Changed(spec->key);
    GW_LOG_ERROR(kTag, "save after SET %.*s failed: %s", static_cast<int>(spec->name.size()),
                 spec->name.data(), saved.str());
    return saved;
  }
  return Applied{spec->restart};
}

Status ConfigStore::ApplyOverrides(std::string_view list, Violation* why) {
  size_t i = 0;
  while (i < list.size()) {
    while (i < list.size() && (list[i] == ' ' || list[i] == '\t')) ++i;
    if (i >= list.size()) break;
    size_t start = i;
    while (i < list.size() && list[i] != ' ' && list[i] != '\t') ++i;
    std::string_view pair = list.substr(start, i - start);
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      Explain(why, Rule::kBadCharacter, "override \"%.*s\" is not KEY=VALUE",
              static_cast<int>(pair.size() > 60 ? 60 : pair.size()), pair.data());
      return Status::InvalidArgument();
    }
    std::string_view key = pair.substr(0, eq);
    std::string_view value = pair.substr(eq + 1);
    const KeySpec* spec = FindKey(key);
    if (spec == nullptr) return Validate(key, value, why);
    GW_TRY(Apply(*spec, value, /*override=*/true, /*hashed_secret=*/false, why));
  }
  return Status::Ok();
}

std::string_view ConfigStore::DisplayText(Key key) const {
  if (SpecOf(key).secret) return kMask;
  return GetString(key);
}

net::Ip4NetList ConfigStore::GetNetList(Key key) const {
  net::Ip4NetList list;
  // The stored text passed ParseIp4NetList when it was set.
  if (!net::ParseIp4NetList(GetString(key), list)) list.count = 0;
  return list;
}

bool ConfigStore::VerifyPassword(std::string_view text) const {
  const Value& v = values_[Index(Key::kMmlPassword)];
  uint8_t salt[kSaltBytes] = {};
  uint8_t want[kHashBytes] = {};
  if (!SplitHash(v.text.view(), salt, want)) {
    if (!v.is_default) return false;
    // Default password not hashed yet (Load not run): hash it with a zero salt.
    uint8_t zero_salt[kSaltBytes] = {};
    Digest(zero_salt, SpecOf(Key::kMmlPassword).default_text, want);
  }
  uint8_t got[kHashBytes];
  Digest(salt, text, got);
  uint8_t diff = 0;
  for (size_t i = 0; i < kHashBytes; ++i) diff |= static_cast<uint8_t>(got[i] ^ want[i]);
  return diff == 0;
}

Result<size_t> ConfigStore::Render(bool formatted) {
  JsonArenaScope scope(arena_);
  if (!scope.active()) return Status::FailedPrecondition();
  cJSON* root = cJSON_CreateObject();
  if (root == nullptr) return Status::ResourceExhausted();
  for (const KeySpec& spec : Schema()) {
    const Value& v = values_[Index(spec.key)];
    bool is_default = v.overridden ? v.saved_default : v.is_default;
    if (is_default) continue;
    std::string_view text = v.overridden ? v.saved.view() : v.text.view();
    String<48> name(spec.name);
    cJSON* item = nullptr;
    if (spec.type == Type::kInt) {
      int64_t n = 0;
      if (!ParseInt(text, n)) return Status::Internal();
      item = cJSON_CreateNumber(static_cast<double>(n));
    } else if (spec.type == Type::kBool) {
      item = cJSON_CreateBool(text == "TRUE");
    } else {
      String<kMaxValueChars> copy(text);
      item = cJSON_CreateString(copy.c_str());
    }
    if (item == nullptr) return Status::ResourceExhausted();
    cJSON_AddItemToObject(root, name.c_str(), item);
    if (arena_.exhausted()) return Status::ResourceExhausted();
  }
  if (!cJSON_PrintPreallocated(root, doc_, static_cast<int>(kMaxDocument), formatted ? 1 : 0)) {
    return Status::ResourceExhausted();
  }
  doc_[kMaxDocument] = '\0';
  return std::strlen(doc_);
}

Result<std::string_view> ConfigStore::ExportJson() {
  GW_TRY_ASSIGN(size_t n, Render(/*formatted=*/true));
  return std::string_view(doc_, n);
}

size_t ConfigStore::SlotSize() const {
  return (storage_.SectorCount() / 2) * storage_.SectorSize();
}

Status ConfigStore::Save() {
  if (storage_.SectorCount() < 2) return Status::FailedPrecondition();
  GW_TRY_ASSIGN(size_t length, Render(/*formatted=*/false));
  size_t slot_size = SlotSize();
  if (length + kHeaderSize > slot_size) {
    GW_LOG_ERROR(kTag, "document of %zu bytes exceeds the %zu-byte slot", length, slot_size);
    return Status::ResourceExhausted();
  }
  int target = active_slot_ == 0 ? 1 : 0;
  uint32_t seq = sequence_ + 1;
  size_t sectors = storage_.SectorCount() / 2;
  for (size_t s = 0; s < sectors; ++s) {
    GW_TRY(storage_.EraseSector(static_cast<size_t>(target) * sectors + s));
  }
  size_t base = static_cast<size_t>(target) * slot_size;
  GW_TRY(storage_.Program(base + kHeaderSize, std::as_bytes(std::span(doc_, length))));
  std::byte header[kHeaderSize];
  PutU32(header, kMagic);
  PutU32(header + 4, seq);
  PutU32(header + 8, static_cast<uint32_t>(length));
  PutU32(header + 12, Crc32(doc_, length));
  // The header goes last: until it is complete the slot does not count.
  GW_TRY(storage_.Program(base, header));
  active_slot_ = target;
  sequence_ = seq;
  return Status::Ok();
}

bool ConfigStore::ReadSlot(size_t slot, uint32_t& seq, uint32_t& length) {
  std::byte header[kHeaderSize];
  size_t base = slot * SlotSize();
  if (!storage_.Read(base, header).ok()) return false;
  if (GetU32(header) != kMagic) return false;
  seq = GetU32(header + 4);
  length = GetU32(header + 8);
  if (length > kMaxDocument || length + kHeaderSize > SlotSize()) return false;
  auto payload = std::as_writable_bytes(std::span(doc_, length));
  if (!storage_.Read(base + kHeaderSize, payload).ok()) return false;
  doc_[length] = '\0';
  return Crc32(doc_, length) == GetU32(header + 12);
}

Status ConfigStore::Load() {
  ResetToDefaults();
  active_slot_ = -1;
  sequence_ = 0;
  if (storage_.SectorCount() < 2) {
    GW_LOG_ERROR(kTag, "storage region too small for two slots, defaults");
    return Status::FailedPrecondition();
  }
  uint32_t seq[2] = {};
  uint32_t len[2] = {};
  bool valid[2] = {ReadSlot(0, seq[0], len[0]), ReadSlot(1, seq[1], len[1])};
  int best = -1;
  if (valid[0] && valid[1]) {
    // Serial-number order (RFC 1982): Save writes sequence + 1, which must
    // win even when the sequence wraps (a slot holding 0xFFFFFFFF).
    best = static_cast<int32_t>(seq[1] - seq[0]) > 0 ? 1 : 0;
  } else if (valid[0] || valid[1]) {
    best = valid[0] ? 0 : 1;
  }
  if (best < 0) {
    std::byte probe[kHeaderSize];
    bool blank = true;
    for (size_t slot = 0; slot < 2 && blank; ++slot) {
      if (!storage_.Read(slot * SlotSize(), probe).ok()) blank = false;
      for (std::byte b : probe) blank = blank && b == std::byte{0xFF};
    }
    if (blank) {
      GW_LOG_INFO(kTag, "no stored configuration, factory defaults");
      return Status::Ok();
    }
    ++load_failures_;
    GW_LOG_WARN(kTag, "stored configuration corrupt, factory defaults");
    return Status::DataLoss();
  }
  if (!valid[1 - best] && len[1 - best] != 0) {
    GW_LOG_WARN(kTag, "config slot %d invalid, using slot %d", 1 - best, best);
  }
  // Re-read the chosen slot (the buffer holds the last one read).
  if (!ReadSlot(static_cast<size_t>(best), seq[best], len[best])) {
    ++load_failures_;
    return Status::DataLoss();
  }
  active_slot_ = best;
  sequence_ = seq[best];
  Status parsed = ParseDocument(std::string_view(doc_, len[best]));
  if (!parsed.ok()) {
    ++load_failures_;
    ResetToDefaults();
    GW_LOG_WARN(kTag, "stored configuration unreadable (%s), factory defaults", parsed.str());
  }
  return parsed;
}

Status ConfigStore::ParseDocument(std::string_view doc) {
  if (!JsonNestingWithin(doc, kMaxJsonDepth)) return Status::DataLoss();
  JsonArenaScope scope(arena_);
  if (!scope.active()) return Status::FailedPrecondition();
  cJSON* root = cJSON_ParseWithLength(doc.data(), doc.size());
  if (root == nullptr) {
    return arena_.exhausted() ? Status::ResourceExhausted() : Status::DataLoss();
  }
  if (!cJSON_IsObject(root)) return Status::DataLoss();
  for (cJSON* item = root->child; item != nullptr; item = item->next) {
    const char* key_name = item->string != nullptr ? item->string : "";
    const KeySpec* spec = FindKey(key_name);
    if (spec == nullptr) {
      GW_LOG_WARN(kTag, "ignoring unknown stored key %.40s", key_name);
      continue;
    }
    String<kMaxValueChars> text;
    if (cJSON_IsString(item) && item->valuestring != nullptr) {
      text.AppendTruncated(item->valuestring);
    } else if (cJSON_IsBool(item)) {
      text.AppendTruncated(cJSON_IsTrue(item) ? "TRUE" : "FALSE");
    } else if (cJSON_IsNumber(item) && item->valuedouble >= -2147483648.0 &&
               item->valuedouble <= 2147483647.0) {
      text.Format("%ld", static_cast<long>(item->valuedouble)).IgnoreError();
    } else {
      GW_LOG_WARN(kTag, "ignoring stored %.40s: wrong JSON type", key_name);
      continue;
    }
    Violation why;
    if (!Apply(*spec, text.view(), false, spec->secret, &why).ok()) {
      GW_LOG_WARN(kTag, "ignoring stored value: %s", why.detail.c_str());
    }
  }
  return Status::Ok();
}

}  // namespace gw::config

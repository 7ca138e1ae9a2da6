#pragma once
// ConfigStore: the typed, validated configuration of the gateway, persisted
// as a JSON document of the non-default values in a two-slot (A/B) layout on
// a flash-like StorageRegion, so that a power cut during a save never loses
// the previous configuration.
//
// Slot layout: the region's sectors are split in two halves. Each slot holds
// a 16-byte header {magic, sequence, length, crc32 of the payload} followed
// by the JSON payload. Load picks the valid slot with the higher sequence;
// Save erases and programs the other slot (payload first, header last).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gw/config/json_arena.h"
#include "gw/config/schema.h"
#include "gw/core/fixed_string.h"
#include "gw/core/status.h"
#include "gw/hal/entropy.h"
#include "gw/hal/storage.h"
#include "gw/net/address.h"

namespace gw::config {

// Which rule a rejected value broke (for the operator's error message).
enum class Rule : uint8_t {
  kNone,
  kUnknownKey,
  kNotInteger,
  kOutOfRange,
  kTooShort,
  kTooLong,
  kBadEnum,
  kBadBool,
  kBadIp4,
  kBadNetList,
  kBadCharacter,
  kInconsistent,  // e.g. MEDIA.PORT_MIN > MEDIA.PORT_MAX
};

// Why Set refused a value: the rule and a one-line human explanation that
// names the key and the allowed range/values.
struct Violation {
  Rule rule = Rule::kNone;
  String<160> detail;
};

struct Applied {
  bool restart_required = false;
};

class ConfigStore {
 public:
  static constexpr uint32_t kMagic = 0x46434747;  // "GGCF"
  static constexpr size_t kHeaderSize = 16;
  static constexpr size_t kMaxDocument = 4096;

  using ChangeHook = void (*)(void* ctx, Key key);

  // The store keeps references: storage, entropy (password salts) and the
  // shared JSON arena must outlive it. Starts with defaults; call Load().
  ConfigStore(hal::StorageRegion& storage, hal::Entropy& entropy, JsonArena& arena);
  ConfigStore(const ConfigStore&) = delete;
  ConfigStore& operator=(const ConfigStore&) = delete;

  // Reads the newest valid slot. Ok also when storage is blank (defaults).
  // DataLoss if no slot is valid but storage was not blank, or the document
  // does not parse (defaults are kept, a log line says why);
  // ResourceExhausted if the JSON arena ran out (counted by the arena).
  // Never leaves the store half-loaded with garbage: bad values are skipped.
  Status Load();

  // Writes the non-default, non-override values to the older slot.
  // ResourceExhausted if the document exceeds the slot or kMaxDocument;
  // DataLoss/OutOfRange from the storage; FailedPrecondition if the region
  // has fewer than two sectors.
  Status Save();

  // Validates `text` for key `name`, applies it and saves at once.
  // NotFound for an unknown key, InvalidArgument/OutOfRange for a value that
  // breaks a rule (details in *why), or a Save() status (then the old value
  // is restored: a SET is applied and persisted, or not at all). Clears a
  // runtime override of that key.
  Result<Applied> Set(std::string_view name, std::string_view text, Violation* why = nullptr);

  // Validates without applying (same statuses as Set, minus storage).
  Status Validate(std::string_view name, std::string_view text, Violation* why = nullptr) const;

  // Factory defaults in RAM (call Save() to persist); drops overrides.
  void ResetToDefaults();

  // Applies "KEY=VALUE KEY=VALUE" for this run only (never persisted).
  // InvalidArgument/NotFound/OutOfRange on the first bad pair (earlier
  // pairs stay applied; details in *why).
  Status ApplyOverrides(std::string_view list, Violation* why = nullptr);

  int32_t GetInt(Key key) const { return values_[Index(key)].number; }
  bool GetBool(Key key) const { return values_[Index(key)].number != 0; }
  // IP4 keys: the address in host order, 0 when empty.
  uint32_t GetIp4(Key key) const { return static_cast<uint32_t>(values_[Index(key)].number); }
  // NETLIST keys: the networks (count 0 for the empty list).
  net::Ip4NetList GetNetList(Key key) const;
  // For ENUM keys the canonical spelling; for secrets the stored hash.
  std::string_view GetString(Key key) const { return values_[Index(key)].text.view(); }
  // What an operator may see: secrets are masked as "********".
  std::string_view DisplayText(Key key) const;
  bool IsDefault(Key key) const { return values_[Index(key)].is_default; }
  bool IsOverridden(Key key) const { return values_[Index(key)].overridden; }

  // Constant-time check of `text` against MML.PASSWORD's salted hash.
  bool VerifyPassword(std::string_view text) const;

  // Called after each key changes (Set, override, load, reset).
  void SetChangeHook(ChangeHook hook, void* ctx) {
    hook_ = hook;
    hook_ctx_ = ctx;
  }

  // Renders the persisted document (non-default values) as formatted JSON
  // into an internal buffer valid until the next call of any method.
  // ResourceExhausted if it does not fit.
  Result<std::string_view> ExportJson();

  uint32_t sequence() const { return sequence_; }
  uint32_t load_failures() const { return load_failures_; }

 private:
  struct Value {
    String<kMaxValueChars> text;   // canonical text (the hash for secrets)
    String<kMaxValueChars> saved;  // the persisted text while overridden
    int32_t number = 0;
    bool is_default = true;
    bool saved_default = true;
    bool overridden = false;
  };

  static size_t Index(Key key) { return static_cast<size_t>(key); }
  Status Check(const KeySpec& spec, std::string_view text, String<kMaxValueChars>& canonical,
               int32_t& number, Violation* why) const;
  Status Apply(const KeySpec& spec, std::string_view text, bool override, bool hashed_secret,
               Violation* why);
  Status HashPassword(std::string_view password, StringBase& out);
  void SetDefault(const KeySpec& spec);
  Result<size_t> Render(bool formatted);
  Status ParseDocument(std::string_view doc);
  size_t SlotSize() const;
  bool ReadSlot(size_t slot, uint32_t& seq, uint32_t& length);
  void Changed(Key key);

  hal::StorageRegion& storage_;
  hal::Entropy& entropy_;
  JsonArena& arena_;
  Value values_[kKeyCount];
  ChangeHook hook_ = nullptr;
  void* hook_ctx_ = nullptr;
  uint32_t sequence_ = 0;
  int active_slot_ = -1;
  uint32_t load_failures_ = 0;
  char doc_[kMaxDocument + 1] = {};
};

// CRC-32 (IEEE 802.3, reflected), continuing from `crc` (0 to start).
uint32_t Crc32(const void* data, size_t size, uint32_t crc = 0);

}  // namespace gw::config

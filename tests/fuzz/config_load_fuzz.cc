// libFuzzer target: ConfigStore::Load over arbitrary flash contents, and
// ConfigStore::ApplyOverrides over arbitrary text.
//
// Input: byte 0 is a flag byte: bit 0 (bit 1) rewrites the CRC of slot A (B)
// to match its payload as the header declares it, so that the fuzzer gets
// past the CRC to the JSON. The rest is the flash image (kSectorSize x
// kSectors bytes, padded with 0xFF erased bytes) and also the override text.
//
// Invariants:
//  - Load returns Ok, DataLoss or ResourceExhausted and leaves every key
//    holding a value its own rules accept (secrets: a sha256$ hash).
//  - Save then Load gives back the same values (the persisted form is
//    lossless), and a SET after that survives a reload (the newest slot
//    wins, whatever sequence number the image held).
//  - Overrides obey the same rules and are never persisted.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "config_seed.h"
#include "fuzz_check.h"
#include "gw/config/config_store.h"
#include "gw/config/json_arena.h"
#include "gw/config/schema.h"
#include "gw/testing/fake_hal.h"

namespace gw::fuzz {
namespace {

using config::ConfigStore;
using config::Key;
using config::KeySpec;
using config::Schema;

config::JsonArena g_arena;

struct Snapshot {
  std::string text[config::kKeyCount];
  bool is_default[config::kKeyCount] = {};
};

Snapshot Take(const ConfigStore& store) {
  Snapshot s;
  for (const KeySpec& spec : Schema()) {
    auto i = static_cast<size_t>(spec.key);
    s.text[i] = std::string(store.GetString(spec.key));
    s.is_default[i] = store.IsDefault(spec.key);
  }
  return s;
}

// A default secret is hashed with a fresh salt by every store, so only a
// stored (non-default) hash has to match.
bool Same(const Snapshot& a, const Snapshot& b) {
  for (size_t i = 0; i < config::kKeyCount; ++i) {
    bool fresh_salt = Schema()[i].secret && a.is_default[i] && b.is_default[i];
    if ((a.text[i] != b.text[i] && !fresh_salt) || a.is_default[i] != b.is_default[i]) {
      std::fprintf(stderr, "%.*s differs: \"%s\"%s vs \"%s\"%s\n",
                   static_cast<int>(Schema()[i].name.size()), Schema()[i].name.data(),
                   a.text[i].c_str(), a.is_default[i] ? " (default)" : "", b.text[i].c_str(),
                   b.is_default[i] ? " (default)" : "");
      return false;
    }
  }
  return true;
}

// Every key holds a value its own rules accept. The cross-key rule
// (MEDIA.PORT_MIN <= MEDIA.PORT_MAX) is checked by SET only.
void CheckValues(const ConfigStore& store) {
  for (const KeySpec& spec : Schema()) {
    std::string_view text = store.GetString(spec.key);
    GW_FUZZ_CHECK(text.size() <= config::kMaxValueChars);
    if (spec.secret) {
      GW_FUZZ_CHECK(text.substr(0, 7) == "sha256$");
      GW_FUZZ_CHECK(store.DisplayText(spec.key) != text);
      continue;
    }
    config::Violation why;
    Status valid = store.Validate(spec.name, text, &why);
    GW_FUZZ_CHECK(valid.ok() || why.rule == config::Rule::kInconsistent);
    GW_FUZZ_CHECK(store.IsDefault(spec.key) == (text == spec.default_text) ||
                  store.IsOverridden(spec.key));
  }
}

// Rewrites a slot's CRC field to match the payload its header declares.
void FixCrc(testing::RamStorage& storage, size_t slot) {
  std::vector<uint8_t>& bytes = storage.bytes();
  size_t slot_size = bytes.size() / 2;
  uint8_t* header = bytes.data() + slot * slot_size;
  uint32_t length = GetLe32(header + 8);
  if (length > slot_size - ConfigStore::kHeaderSize) return;
  PutLe32(header + 12, config::Crc32(header + ConfigStore::kHeaderSize, length));
}

}  // namespace
}  // namespace gw::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gw;
  using namespace gw::fuzz;
  static FuzzLog log;
  log.Install();
  log.Reset();
  if (size == 0) return 0;
  uint8_t flags = data[0];
  std::string_view image(reinterpret_cast<const char*>(data + 1), size - 1);

  testing::RamStorage storage(kSeedSectorSize, kSeedSectors);
  std::vector<uint8_t>& bytes = storage.bytes();
  size_t n = image.size() < bytes.size() ? image.size() : bytes.size();
  if (n > 0) std::memcpy(bytes.data(), image.data(), n);
  if (flags & 1) FixCrc(storage, 0);
  if (flags & 2) FixCrc(storage, 1);

  testing::FakeEntropy entropy;
  ConfigStore store(storage, entropy, g_arena);
  Status loaded = store.Load();
  GW_FUZZ_CHECK(loaded.ok() || loaded == Status::DataLoss() ||
                loaded == Status::ResourceExhausted());
  CheckValues(store);
  Snapshot stored = Take(store);
  Result<std::string_view> json = store.ExportJson();
  GW_FUZZ_CHECK(json.ok() || json.status() == Status::ResourceExhausted());

  // Lossless: what is saved loads back the same.
  if (store.Save().ok()) {
    ConfigStore reloaded(storage, entropy, g_arena);
    GW_FUZZ_CHECK(reloaded.Load().ok());
    GW_FUZZ_CHECK(Same(Take(reloaded), stored));
    // A SET is persisted at once and is what the next boot sees.
    bool port_5070 = store.GetInt(config::Key::kSipPort) == 5070;
    if (store.Set("SIP.PORT", port_5070 ? "5071" : "5070").ok()) {
      ConfigStore after_set(storage, entropy, g_arena);
      GW_FUZZ_CHECK(after_set.Load().ok());
      GW_FUZZ_CHECK(after_set.GetInt(config::Key::kSipPort) == (port_5070 ? 5071 : 5070));
      stored = Take(after_set);
    }
  }

  // Overrides: validated like any value, applied for this run only.
  Snapshot before = Take(store);
  config::Violation why;
  Status applied = store.ApplyOverrides(image, &why);
  GW_FUZZ_CHECK(applied.ok() || !why.detail.empty());
  CheckValues(store);
  for (const config::KeySpec& spec : config::Schema()) {
    if (!store.IsOverridden(spec.key)) {
      GW_FUZZ_CHECK(store.GetString(spec.key) == before.text[static_cast<size_t>(spec.key)]);
    }
  }
  if (store.Save().ok()) {
    ConfigStore reloaded(storage, entropy, g_arena);
    GW_FUZZ_CHECK(reloaded.Load().ok());
    GW_FUZZ_CHECK(Same(Take(reloaded), stored));
  }
  return 0;
}

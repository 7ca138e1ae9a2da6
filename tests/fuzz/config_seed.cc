// Writes seed inputs for config_load_fuzz into the directory given as the
// only argument: flash images produced by a real ConfigStore::Save (one slot
// written, then both), and an override list. Each file is the target's flag
// byte followed by the image (see config_load_fuzz.cc).
#include "config_seed.h"

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "gw/config/config_store.h"
#include "gw/config/json_arena.h"
#include "gw/testing/fake_hal.h"

namespace {

gw::config::JsonArena g_arena;

bool WriteSeed(const std::string& path, uint8_t flags, const std::vector<uint8_t>& image) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return false;
  bool ok =
      std::fputc(flags, f) != EOF && std::fwrite(image.data(), 1, image.size(), f) == image.size();
  return std::fclose(f) == 0 && ok;
}

// Trailing erased bytes add nothing to a seed: the target pads with 0xFF.
std::vector<uint8_t> Trimmed(std::vector<uint8_t> image) {
  while (!image.empty() && image.back() == 0xFF) image.pop_back();
  return image;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s SEED_DIR\n", argv[0]);
    return 2;
  }
  std::string dir = argv[1];
  gw::testing::RamStorage storage(gw::fuzz::kSeedSectorSize, gw::fuzz::kSeedSectors);
  gw::testing::FakeEntropy entropy;
  gw::config::ConfigStore store(storage, entropy, g_arena);
  bool ok = store.Load().ok();
  ok = ok && store.Set("SIP.DOMAIN", "gw.example.net").ok();
  ok = ok && store.Set("MEDIA.PORT_MAX", "20000").ok();
  ok = ok && WriteSeed(dir + "/one-slot", 0, Trimmed(storage.bytes()));
  ok = ok && store.Set("LOG.LEVEL", "DEBUG").ok();
  ok = ok && store.Set("MML.PASSWORD", "s3cret").ok();
  ok = ok && store.Set("SIP.ADVERTISE_ADDR", "203.0.113.9").ok();
  ok = ok && store.Set("MML.CONSOLE_LOGIN", "TRUE").ok();
  ok = ok && WriteSeed(dir + "/two-slots", 0, Trimmed(storage.bytes()));
  std::string_view overrides = "SIP.PORT=5070 LOG.LEVEL=debug MEDIA.PORT_MIN=12000 MML.USER=op";
  ok = ok &&
       WriteSeed(dir + "/overrides", 0, std::vector<uint8_t>(overrides.begin(), overrides.end()));
  if (!ok) {
    std::fprintf(stderr, "config_seed: could not write the seeds into %s\n", dir.c_str());
    return 1;
  }
  return 0;
}

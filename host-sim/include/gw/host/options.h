#pragma once
// host-sim's command line. Parsed once before the loop starts (heap is fine
// here); the result feeds hal instances and Platform.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gw::host {

struct Options {
  std::string tap = "imsgw0";
  std::array<uint8_t, 6> mac{};  // all zero: derived from the TAP name
  std::array<uint8_t, 4> ip{198, 51, 100, 2};
  std::array<uint8_t, 4> netmask{255, 255, 255, 0};
  std::array<uint8_t, 4> gateway{198, 51, 100, 1};
  std::string state_dir;    // empty: default (see DefaultStateDir)
  std::string config_file;  // JSON overrides, empty: none
  // KEY=VALUE overrides in order (--config first, then each --set); a later
  // value for the same key replaces the earlier one in place.
  std::vector<std::pair<std::string, std::string>> overrides;
  bool exit_on_eof = false;
  bool help = false;
  bool version = false;
};

struct ParseOutcome {
  bool ok = false;
  std::string error;  // when !ok: one line for the user
};

// Parses argv (without argv[0]). Accepts "--opt VALUE" and "--opt=VALUE".
// Does not read the --config file: see LoadConfigFile.
ParseOutcome ParseArgs(int argc, const char* const* argv, Options& options);

// Adds or replaces one override. Rejects an empty key, a key with '=' or
// whitespace, and a value with whitespace (the override text is
// space-separated).
ParseOutcome AddOverride(Options& options, std::string_view key, std::string_view value);

// Reads a flat JSON object {"SIP.DOMAIN": "x", "SIP.PORT": 5060, "X": true}
// and adds each member as an override (before the --set ones).
ParseOutcome LoadConfigJson(std::string_view json, Options& options);
ParseOutcome LoadConfigFile(const std::string& path, Options& options);

// "KEY=VALUE KEY=VALUE": Platform::overrides.
std::string OverridesText(const Options& options);

// $XDG_STATE_HOME/imsgw, else $HOME/.local/state/imsgw.
std::string DefaultStateDir();

// mkdir -p. Returns an error message, empty on success.
std::string MakeDirs(const std::string& path);

// Usage text for --help.
const char* UsageText();

}  // namespace gw::host

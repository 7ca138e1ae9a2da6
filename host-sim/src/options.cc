#include "gw/host/options.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "cJSON.h"

namespace gw::host {
namespace {

ParseOutcome Fail(std::string message) {
  return {false, std::move(message)};
}
ParseOutcome Ok() {
  return {true, {}};
}

bool ParseIp(std::string_view text, std::array<uint8_t, 4>& out) {
  std::string s(text);
  in_addr a{};
  if (inet_pton(AF_INET, s.c_str(), &a) != 1) return false;
  memcpy(out.data(), &a.s_addr, 4);  // network order: out[0] is the first octet
  return true;
}

bool ParseMac(std::string_view text, std::array<uint8_t, 6>& out) {
  std::string s(text);
  unsigned v[6];
  char tail = 0;
  if (sscanf(s.c_str(), "%x:%x:%x:%x:%x:%x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &tail) !=
      6) {
    return false;
  }
  for (int i = 0; i < 6; ++i) {
    if (v[i] > 0xFF) return false;
    out[i] = static_cast<uint8_t>(v[i]);
  }
  return true;
}

bool IsContiguousMask(const std::array<uint8_t, 4>& m) {
  uint32_t v = (uint32_t{m[0]} << 24) | (uint32_t{m[1]} << 16) | (uint32_t{m[2]} << 8) | m[3];
  uint32_t inv = ~v;
  return (inv & (inv + 1)) == 0;  // ones then zeros
}

bool HasSpace(std::string_view s) {
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') return true;
  }
  return false;
}

}  // namespace

const char* UsageText() {
  return "usage: imsgw-host-sim [options]\n"
         "\n"
         "The imsgw SIP/IMS gateway on Linux, networking over a TAP device.\n"
         "\n"
         "  --tap NAME        TAP interface to attach to (default imsgw0); create it\n"
         "                    with: sudo tools/net-setup.sh up --user $USER\n"
         "  --mac MAC         gateway MAC (default 02:.. derived from the TAP name)\n"
         "  --ip A.B.C.D      gateway address (default 198.51.100.2)\n"
         "  --netmask MASK    (default 255.255.255.0)\n"
         "  --gw A.B.C.D      default route (default 198.51.100.1)\n"
         "  --state DIR       state directory: config.bin, users.bin, cdr.bin\n"
         "                    (default $XDG_STATE_HOME/imsgw or ~/.local/state/imsgw)\n"
         "  --config FILE     JSON object of config overrides applied at start,\n"
         "                    e.g. {\"SIP.DOMAIN\": \"example.org\", \"SIP.PORT\": 5060}\n"
         "  --set KEY=VALUE   one config override (repeatable; wins over --config)\n"
         "  --exit-on-eof     stop when stdin reaches EOF (default: keep serving)\n"
         "  --help            this text\n"
         "  --version         print the version\n"
         "\n"
         "Overrides are not persisted. Ctrl-C or SIGTERM stops the gateway.\n"
         "Exit codes: 0 stopped, 1 start-up error, 2 bad option, 3 restart asked.\n";
}

ParseOutcome AddOverride(Options& options, std::string_view key, std::string_view value) {
  if (key.empty()) return Fail("empty config key");
  if (HasSpace(key) || key.find('=') != std::string_view::npos) {
    return Fail("bad config key '" + std::string(key) + "'");
  }
  if (HasSpace(value)) {
    return Fail("value of " + std::string(key) +
                " contains whitespace, which overrides cannot carry");
  }
  for (auto& [k, v] : options.overrides) {
    if (k == key) {
      v = std::string(value);
      return Ok();
    }
  }
  options.overrides.emplace_back(std::string(key), std::string(value));
  return Ok();
}

ParseOutcome ParseArgs(int argc, const char* const* argv, Options& options) {
  for (int i = 0; i < argc; ++i) {
    std::string_view arg = argv[i];
    std::string_view name = arg;
    std::string_view inline_value;
    bool has_inline = false;
    if (arg.starts_with("--")) {
      if (size_t eq = arg.find('='); eq != std::string_view::npos) {
        name = arg.substr(0, eq);
        inline_value = arg.substr(eq + 1);
        has_inline = true;
      }
    }
    auto flag = [&](bool& out) -> ParseOutcome {
      if (has_inline) return Fail(std::string(name) + " takes no value");
      out = true;
      return Ok();
    };
    std::string_view value;
    auto need_value = [&]() -> bool {
      if (has_inline) {
        value = inline_value;
        return true;
      }
      if (i + 1 >= argc) return false;
      value = argv[++i];
      return true;
    };

    ParseOutcome r = Ok();
    if (name == "--help" || name == "-h") {
      r = flag(options.help);
    } else if (name == "--version") {
      r = flag(options.version);
    } else if (name == "--exit-on-eof") {
      r = flag(options.exit_on_eof);
    } else if (name == "--tap" || name == "--mac" || name == "--ip" || name == "--netmask" ||
               name == "--gw" || name == "--state" || name == "--config" || name == "--set") {
      if (!need_value()) return Fail(std::string(name) + " needs a value");
      if (name == "--tap") {
        if (value.empty() || value.size() > 15 || HasSpace(value) ||
            value.find('/') != std::string_view::npos) {
          return Fail("bad interface name '" + std::string(value) +
                      "' (1 to 15 characters, no '/' or spaces)");
        }
        options.tap = std::string(value);
      } else if (name == "--mac") {
        if (!ParseMac(value, options.mac) || (options.mac[0] & 1) != 0) {
          return Fail("bad --mac '" + std::string(value) + "' (want a unicast xx:xx:xx:xx:xx:xx)");
        }
      } else if (name == "--ip") {
        if (!ParseIp(value, options.ip)) {
          return Fail("bad --ip '" + std::string(value) + "' (want A.B.C.D)");
        }
      } else if (name == "--netmask") {
        if (!ParseIp(value, options.netmask) || !IsContiguousMask(options.netmask)) {
          return Fail("bad --netmask '" + std::string(value) + "'");
        }
      } else if (name == "--gw") {
        if (!ParseIp(value, options.gateway)) {
          return Fail("bad --gw '" + std::string(value) + "' (want A.B.C.D)");
        }
      } else if (name == "--state") {
        if (value.empty()) return Fail("--state needs a directory");
        options.state_dir = std::string(value);
      } else if (name == "--config") {
        if (value.empty()) return Fail("--config needs a file");
        options.config_file = std::string(value);
      } else {  // --set
        size_t eq = value.find('=');
        if (eq == std::string_view::npos) {
          return Fail("--set wants KEY=VALUE, got '" + std::string(value) + "'");
        }
        r = AddOverride(options, value.substr(0, eq), value.substr(eq + 1));
      }
    } else {
      return Fail("unknown option '" + std::string(arg) + "' (see --help)");
    }
    if (!r.ok) return r;
  }
  return Ok();
}

ParseOutcome LoadConfigJson(std::string_view json, Options& options) {
  cJSON* root = cJSON_ParseWithLength(json.data(), json.size());
  if (root == nullptr) {
    const char* where = cJSON_GetErrorPtr();
    std::string near = where != nullptr ? std::string(where).substr(0, 20) : "";
    return Fail("config is not valid JSON" +
                (near.empty() ? std::string() : " near '" + near + "'"));
  }
  ParseOutcome result = Ok();
  if (!cJSON_IsObject(root)) {
    result = Fail("config must be a JSON object of \"KEY\": value");
  }
  // Members go in front of the existing (--set) ones, in file order, so that
  // --set wins whatever the argument order was.
  Options from_file;
  for (cJSON* item = root->child; result.ok && item != nullptr; item = item->next) {
    std::string key = item->string != nullptr ? item->string : "";
    std::string value;
    if (cJSON_IsString(item)) {
      value = item->valuestring;
    } else if (cJSON_IsBool(item)) {
      value = cJSON_IsTrue(item) ? "true" : "false";
    } else if (cJSON_IsNumber(item)) {
      double d = item->valuedouble;
      char buf[64];
      if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e15) {
        snprintf(buf, sizeof buf, "%lld", static_cast<long long>(d));
      } else {
        snprintf(buf, sizeof buf, "%.17g", d);
      }
      value = buf;
    } else {
      result = Fail("config key " + key + ": value must be a string, number or boolean");
      break;
    }
    result = AddOverride(from_file, key, value);
  }
  cJSON_Delete(root);
  if (!result.ok) return result;
  for (auto& kv : options.overrides) {
    ParseOutcome r = AddOverride(from_file, kv.first, kv.second);
    if (!r.ok) return r;
  }
  options.overrides = std::move(from_file.overrides);
  return Ok();
}

ParseOutcome LoadConfigFile(const std::string& path, Options& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail("cannot read config file " + path + ": " + strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  ParseOutcome r = LoadConfigJson(text.str(), options);
  if (!r.ok) r.error = path + ": " + r.error;
  return r;
}

std::string OverridesText(const Options& options) {
  std::string out;
  for (const auto& [k, v] : options.overrides) {
    if (!out.empty()) out += ' ';
    out += k;
    out += '=';
    out += v;
  }
  return out;
}

std::string DefaultStateDir() {
  const char* xdg = getenv("XDG_STATE_HOME");
  if (xdg != nullptr && xdg[0] == '/') return std::string(xdg) + "/imsgw";
  const char* home = getenv("HOME");
  if (home == nullptr || home[0] == '\0') home = ".";
  return std::string(home) + "/.local/state/imsgw";
}

std::string MakeDirs(const std::string& path) {
  if (path.empty()) return "empty path";
  for (size_t pos = 1; pos <= path.size(); ++pos) {
    if (pos != path.size() && path[pos] != '/') continue;
    std::string part = path.substr(0, pos);
    if (mkdir(part.c_str(), 0700) != 0 && errno != EEXIST) {
      return "cannot create " + part + ": " + strerror(errno);
    }
  }
  struct stat st;
  if (stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return path + " is not a directory";
  }
  return {};
}

}  // namespace gw::host

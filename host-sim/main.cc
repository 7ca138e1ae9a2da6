// imsgw-host-sim: the gateway on Linux. Parses the command line, opens the
// host HAL (TAP, stdin console, state files), hands them to gw::app::Run and
// puts the terminal back however the process ends.
#include <stdio.h>
#include <string.h>

#include <string>

#include "gw/app/platform.h"
#include "gw/host/file_storage.h"
#include "gw/host/host_clocks.h"
#include "gw/host/options.h"
#include "gw/host/poll_idler.h"
#include "gw/host/signals.h"
#include "gw/host/stdio_console.h"
#include "gw/host/tap_device.h"
#include "gw/host/terminal.h"

#ifndef GW_VERSION
#define GW_VERSION "unknown"
#endif

namespace gw::host {
namespace {

constexpr int kExitStartup = 1;
constexpr int kExitUsage = 2;

void StopOnEof() {
  gw::app::RequestStop();
}

Status OpenRegion(FileStorage& region, const std::string& dir, const char* file) {
  std::string path = dir + "/" + file;
  Status s = region.Open(path.c_str());
  if (s == Status::FailedPrecondition()) {
    fprintf(stderr,
            "imsgw-host-sim: %s is in use: another host-sim runs on state "
            "directory %s\n",
            path.c_str(), dir.c_str());
  } else if (!s.ok()) {
    fprintf(stderr, "imsgw-host-sim: cannot open %s: %s (%s)\n", path.c_str(), strerror(errno),
            s.str());
  }
  return s;
}

int Main(int argc, char** argv) {
  Options options;
  ParseOutcome parsed = ParseArgs(argc - 1, argv + 1, options);
  if (!parsed.ok) {
    fprintf(stderr, "imsgw-host-sim: %s\n", parsed.error.c_str());
    return kExitUsage;
  }
  if (options.help) {
    fputs(UsageText(), stdout);
    return 0;
  }
  if (options.version) {
    printf("imsgw-host-sim %s\n", GW_VERSION);
    return 0;
  }
  if (!options.config_file.empty()) {
    parsed = LoadConfigFile(options.config_file, options);
    if (!parsed.ok) {
      fprintf(stderr, "imsgw-host-sim: %s\n", parsed.error.c_str());
      return kExitUsage;
    }
  }
  if (options.state_dir.empty()) options.state_dir = DefaultStateDir();
  if (std::string err = MakeDirs(options.state_dir); !err.empty()) {
    fprintf(stderr, "imsgw-host-sim: state directory: %s\n", err.c_str());
    return kExitStartup;
  }

  // Everything the loop touches lives here, for the life of the process.
  static FileStorage config_storage(StorageLayout::kSectorSize, StorageLayout::kConfigSectors);
  static FileStorage user_storage(StorageLayout::kSectorSize, StorageLayout::kUserSectors);
  static FileStorage cdr_storage(StorageLayout::kSectorSize, StorageLayout::kCdrSectors);
  if (!OpenRegion(config_storage, options.state_dir, "config.bin").ok() ||
      !OpenRegion(user_storage, options.state_dir, "users.bin").ok() ||
      !OpenRegion(cdr_storage, options.state_dir, "cdr.bin").ok()) {
    return kExitStartup;
  }

  static TapDevice tap(options.tap, options.mac);
  if (!tap.Start().ok()) {
    fprintf(stderr, "imsgw-host-sim: %s\n", tap.error());
    return kExitStartup;
  }

  static const std::string overrides = OverridesText(options);
  static HostMonotonicClock clock;
  static HostWallClock wall_clock;
  static HostEntropy entropy;
  static StdioConsole console;

  InstallCrashHandlers();
  const int wake_fd = InstallStopSignals(&gw::app::RequestStop);
  static PollIdler idler(tap, console, wake_fd, options.exit_on_eof ? &StopOnEof : nullptr);

  const auto& ip = options.ip;
  const auto mac = tap.Mac();
  fprintf(stderr,
          "imsgw-host-sim %s: tap %s mac %02x:%02x:%02x:%02x:%02x:%02x ip "
          "%u.%u.%u.%u state %s%s%s\n",
          GW_VERSION, tap.name(), mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], ip[0], ip[1],
          ip[2], ip[3], options.state_dir.c_str(), overrides.empty() ? "" : " overrides ",
          overrides.c_str());

  static gw::app::Platform platform{
      .clock = clock,
      .wall_clock = wall_clock,
      .idler = idler,
      .console = console,
      .entropy = entropy,
      .net = tap,
      .config_storage = config_storage,
      .user_storage = user_storage,
      .cdr_storage = cdr_storage,
      .net_config = {.address = options.ip, .netmask = options.netmask, .gateway = options.gateway},
      .overrides = overrides,
  };

  EnterRawMode();
  const int rc = gw::app::Run(platform);
  RestoreTerminal();
  fflush(stdout);
  return rc;
}

}  // namespace
}  // namespace gw::host

int main(int argc, char** argv) {
  return gw::host::Main(argc, argv);
}

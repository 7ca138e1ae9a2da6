#pragma once
// The composition root: owns every static instance of the firmware and wires
// them. One Gateway per process, built in static storage by Run(); tests
// build their own over fake HAL parts and step it with RunOnce().
#include <cstdint>

#include "gw/app/platform.h"
#include "gw/app/system_info.h"
#include "gw/auth/digest_check.h"
#include "gw/auth/drbg.h"
#include "gw/auth/nonce.h"
#include "gw/auth/nonce_count.h"
#include "gw/auth/verifier.h"
#include "gw/config/config_store.h"
#include "gw/config/json_arena.h"
#include "gw/core/event_loop.h"
#include "gw/core/log.h"
#include "gw/core/timer_wheel.h"
#include "gw/mml/builtin_commands.h"
#include "gw/mml/command.h"
#include "gw/mml/login_guard.h"
#include "gw/mml/session.h"
#include "gw/net/net_stack.h"
#include "gw/net/telnet_server.h"
#include "gw/net/udp.h"
#include "gw/proxy/call_commands.h"
#include "gw/proxy/core.h"
#include "gw/registrar/keepalive.h"
#include "gw/registrar/reg_commands.h"
#include "gw/registrar/register_handler.h"
#include "gw/registrar/registrar.h"
#include "gw/sip/stack.h"
#include "gw/sip/transaction.h"
#include "gw/users/user_commands.h"
#include "gw/users/user_store.h"

namespace gw::app {

class Gateway {
 public:
  explicit Gateway(Platform& platform);
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;
  ~Gateway();

  // Loads the config, brings the network up, binds SIP and telnet, prints
  // the banner. Each failure is logged where it is known; the status says
  // which step failed.
  Status Start();
  void RunOnce() { loop_.RunOnce(); }
  EventLoop& loop() { return loop_; }

  const sip::SipStats& sip_stats() const { return sip_.stats(); }
  const proxy::CoreStats& core_stats() const { return core_.stats(); }
  const proxy::Core& core() const { return core_; }
  const registrar::RegisterStats& register_stats() const { return register_.stats(); }
  const auth::DigestCheckStats& digest_stats() const { return digest_.stats(); }
  const sip::TransactionStats& transaction_stats() const { return transactions_.stats(); }
  registrar::LocationTable& location() { return location_; }
  const net::NetStats& net_stats() const { return net_.stats(); }
  log::LogRing& log_ring() { return log_; }
  config::ConfigStore& config() { return config_; }
  users::UserStore& users() { return users_; }

 private:
  friend class SystemInfo;
  class ConsolePoller : public Poller {
   public:
    explicit ConsolePoller(Gateway& gw) : gw_(gw) {}

   private:
    void DoPoll() override;
    Gateway& gw_;
  };
  class ConsoleOutput : public mml::Output {
   public:
    explicit ConsoleOutput(hal::Console& c)
        : mml::Output(c.Interactive() ? "\r\n" : "\n"), console_(c) {}

   private:
    void DoWrite(std::string_view text) override;
    hal::Console& console_;
  };
  class TelnetOutput : public mml::Output {
   public:
    TelnetOutput(net::TelnetServer& server, size_t id) : server_(server), id_(id) {}

    // A Session's close hook: closes this output's connection.
    static void Close(void* ctx);

   private:
    void DoWrite(std::string_view text) override;
    net::TelnetServer& server_;
    size_t id_;
  };
  class TelnetGlue : public net::TelnetHandler {
   public:
    explicit TelnetGlue(Gateway& gw) : gw_(gw) {}

   private:
    net::Admission DoAdmit(uint32_t peer) override;
    void DoOnOpen(size_t id) override;
    void DoOnData(size_t id, std::span<const std::byte> data) override;
    void DoOnClosed(size_t id) override;
    Gateway& gw_;
  };
  class ConsoleLogSink : public log::Sink {
   public:
    explicit ConsoleLogSink(Gateway& gw) : gw_(gw) {}

   private:
    void DoEmit(const log::Line& line) override;
    Gateway& gw_;
  };

  static uint32_t LogNow(void* ctx);
  static void OnHousekeeping(void* ctx);
  void ApplyAuth();
  static void OnConfigChanged(void* ctx, config::Key key);
  void ApplyIdentity();
  void ApplyRateLimit();

  Platform& platform_;
  uint32_t boot_ms_;
  log::LogRing log_;
  ConsoleLogSink log_sink_;
  TimerWheel timers_;
  EventLoop loop_;
  config::JsonArena json_arena_;
  config::ConfigStore config_;
  users::UserStore users_;
  net::NetStack net_;
  net::UdpSocket sip_socket_;
  sip::LocalIdentity identity_;
  sip::Stack sip_;
  sip::RateLimiter rate_limiter_;
  auth::Drbg drbg_;
  auth::NonceManager nonces_;
  auth::NonceCountTable nonce_counts_;
  auth::Verifier verifier_;
  auth::AlgorithmPolicy auth_policy_;
  auth::DigestCheck digest_;
  registrar::LocationTable location_;
  registrar::RegistrarConfig registrar_config_;
  registrar::Registrar registrar_;
  registrar::RegisterDeps register_deps_;
  registrar::RegisterHandler register_;
  registrar::Keepalive keepalive_;
  proxy::ProxyPolicy proxy_policy_;
  proxy::CoreDeps core_deps_;
  proxy::Core core_;
  sip::TransactionLayer transactions_;
  // Once a second: binding expiry, the nonce clock's wrap tracking.
  Timer housekeeping_;
  net::TelnetServer telnet_;
  TelnetGlue telnet_glue_;
  SystemInfo system_info_;
  mml::LoginGuard login_guard_;
  mml::CommandTable commands_;
  mml::BuiltinDeps builtin_deps_;
  users::UserCommandDeps user_deps_;
  registrar::RegCommandDeps reg_deps_;
  proxy::CallCommandDeps call_deps_;
  ConsoleOutput console_out_;
  mml::Session console_session_;
  ConsolePoller console_poller_;
  TelnetOutput telnet_out_[net::TelnetServer::kSessions];
  mml::Session* telnet_sessions_[net::TelnetServer::kSessions] = {};
  // Session objects live here; constructed on open, destroyed on close.
  alignas(mml::Session) std::byte
      telnet_storage_[net::TelnetServer::kSessions][sizeof(mml::Session)];
};

}  // namespace gw::app

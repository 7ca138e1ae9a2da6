#include "gw/app/gateway.h"

#include <cstdio>
#include <new>

#include "gw/app/version.h"
#include "gw/hal/cpu.h"

namespace gw::app {
namespace {

net::Ip4Config ToNet(const NetConfig& c) {
  return {c.address, c.netmask, c.gateway};
}

uint32_t ToU32(const Ip4& a) {
  return net::MakeIp4(a[0], a[1], a[2], a[3]);
}

constexpr std::string_view kBanner = "imsgw MML shell. LST CMD lists the commands.";

constexpr std::string_view kLockedOut =
    "Too many failed logins from this address; try again later.\r\n";

mml::SessionOptions ConsoleOptions(hal::Console& console, mml::LoginGuard& guard,
                                   TimerWheel& timers) {
  mml::SessionOptions o;
  o.interactive = console.Interactive();
  o.login = mml::LoginPolicy::kFromConfig;
  o.banner = kBanner;
  o.guard = &guard;
  o.timers = &timers;
  o.source = mml::LoginGuard::kConsole;
  return o;
}

mml::SessionOptions TelnetOptions(mml::LoginGuard& guard, TimerWheel& timers, uint32_t peer,
                                  void (*close)(void*), void* close_ctx) {
  mml::SessionOptions o;
  o.interactive = true;
  o.login = mml::LoginPolicy::kAlways;
  o.close_on_logout = true;
  o.banner = kBanner;
  o.guard = &guard;
  o.timers = &timers;
  o.source = peer;
  o.close_hook = close;
  o.close_ctx = close_ctx;
  return o;
}

sip::TransactionConfig MakeTransactionConfig() {
  sip::TransactionConfig c;
  c.server = kServerHeader;
  return c;
}

std::span<const std::byte> Bytes(std::string_view s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

}  // namespace

uint32_t Gateway::LogNow(void* ctx) {
  auto* self = static_cast<Gateway*>(ctx);
  return self->platform_.clock.NowMs() - self->boot_ms_;
}

Gateway::Gateway(Platform& platform)
    : platform_(platform),
      boot_ms_(platform.clock.NowMs()),
      log_(&Gateway::LogNow, this),
      log_sink_(*this),
      timers_(platform.clock.NowMs()),
      loop_(platform.clock, platform.idler, timers_),
      config_(platform.config_storage, platform.entropy, json_arena_),
      users_(platform.user_storage, json_arena_),
      net_(platform.net, platform.clock),
      sip_(sip_socket_, transactions_, kServerHeader),
      rate_limiter_(platform.clock),
      drbg_(platform.entropy),
      nonces_(platform.clock),
      verifier_(nonces_, nonce_counts_),
      digest_(verifier_, auth_policy_),
      registrar_(location_, registrar_config_),
      register_deps_{identity_,           users_,       digest_, registrar_, platform.clock,
                     platform.wall_clock, kServerHeader},
      register_(register_deps_),
      keepalive_(location_, sip_socket_, identity_),
      core_deps_{digest_,        identity_,     users_,        register_, verifier_,
                 platform.clock, kServerHeader, proxy_policy_, location_},
      core_(core_deps_),
      transactions_(sip_socket_, timers_, core_, MakeTransactionConfig()),
      housekeeping_(&Gateway::OnHousekeeping, this),
      telnet_glue_(*this),
      system_info_(*this),
      login_guard_(platform.clock),
      builtin_deps_{config_, log_, system_info_},
      user_deps_{users_, config_, proxy_policy_.call_limits},
      reg_deps_{location_, platform.clock},
      call_deps_{core_, platform.clock},
      console_out_(platform.console),
      console_session_(commands_, config_, console_out_,
                       ConsoleOptions(platform.console, login_guard_, timers_)),
      console_poller_(*this),
      telnet_out_{{telnet_, 0}, {telnet_, 1}} {
  log::Install(&log_);
}

void Gateway::OnHousekeeping(void* ctx) {
  auto* self = static_cast<Gateway*>(ctx);
  const uint32_t now = self->platform_.clock.NowMs();
  self->location_.Expire(now);
  self->keepalive_.Tick(now,
                        static_cast<uint32_t>(self->config_.GetInt(config::Key::kNatKeepalive)));
  (void)self->nonces_.NowMs64();  // keeps the nonce clock's wrap count
  self->timers_.Schedule(self->housekeeping_, 1000);
}

void Gateway::ApplyAuth() {
  std::string_view algs = config_.GetString(config::Key::kAuthAlgorithms);
  auth_policy_.md5 = algs.find("MD5") != std::string_view::npos;
  auth_policy_.sha256 = algs.find("SHA-256") != std::string_view::npos;
  auth_policy_.md5_first = algs.substr(0, 3) == "MD5";
  auth::VerifierConfig vc;
  vc.offer_md5 = auth_policy_.md5;
  vc.realm = config_.GetString(config::Key::kAuthRealm);
  Status s = verifier_.Init(vc);
  if (!s.ok()) GW_LOG_ERROR("auth", "realm not usable for digest: %s", s.str());
}

Gateway::~Gateway() {
  timers_.Cancel(housekeeping_);
  for (mml::Session*& s : telnet_sessions_) {
    if (s != nullptr) {
      s->~Session();
      s = nullptr;
    }
  }
  log::Install(nullptr);
}

void Gateway::ConsoleLogSink::DoEmit(const log::Line& line) {
  char text[GW_CAP_LOG_LINE_CHARS + 48];
  int n = std::snprintf(
      text, sizeof(text), "[%lu.%03lu] %s %s: %s\r\n", static_cast<unsigned long>(line.ms / 1000),
      static_cast<unsigned long>(line.ms % 1000), log::LevelName(line.level), line.tag, line.text);
  if (n > 0) {
    size_t len = static_cast<size_t>(n) < sizeof(text) ? static_cast<size_t>(n) : sizeof(text) - 1;
    gw_.platform_.console.Write(Bytes({text, len}));
  }
}

void Gateway::OnConfigChanged(void* ctx, config::Key key) {
  auto* self = static_cast<Gateway*>(ctx);
  switch (key) {
    case config::Key::kLogLevel: {
      log::Level level = log::Level::kInfo;
      if (log::ParseLevel(self->config_.GetString(key), level)) self->log_.set_level(level);
      break;
    }
    case config::Key::kAuthAlgorithms:
      self->ApplyAuth();
      break;
    case config::Key::kAuthProxyAuth:
      self->proxy_policy_.proxy_auth = self->config_.GetBool(key);
      break;
    case config::Key::kAuthRealm: {
      self->ApplyAuth();
      size_t stale = self->users_.RealmMismatches(self->config_.GetString(key));
      if (stale > 0) {
        GW_LOG_WARN("app",
                    "%u users have passwords hashed for another realm: set them again "
                    "(MOD USER PASSWORD=...)",
                    static_cast<unsigned>(stale));
      }
      break;
    }
    case config::Key::kSipTimerC:
      self->transactions_.set_timer_c_ms(static_cast<uint32_t>(self->config_.GetInt(key)) * 1000);
      break;
    case config::Key::kSipDomain:
    case config::Key::kSipAdvertiseAddr:
    case config::Key::kSipAdvertisePort:
      self->ApplyIdentity();
      break;
    case config::Key::kMmlAllow:
      self->telnet_.SetAllowed(self->config_.GetNetList(key));
      break;
    case config::Key::kSipTrunkNets:
      self->proxy_policy_.trunks = self->config_.GetNetList(key);
      break;
    case config::Key::kCallLimitBasic:
    case config::Key::kCallLimitPremium:
    case config::Key::kCallLimitVip:
    case config::Key::kCallLimitEnterprise: {
      const size_t i = static_cast<size_t>(key) - static_cast<size_t>(config::Key::kCallLimitBasic);
      self->proxy_policy_.call_limits.per_class[i] =
          static_cast<uint32_t>(self->config_.GetInt(key));
      break;
    }
    case config::Key::kSipRateLimit:
    case config::Key::kSipRateBurst:
    case config::Key::kSipRateAction:
      self->ApplyRateLimit();
      break;
    default:
      break;
  }
}

void Gateway::ApplyIdentity() {
  identity_.address = ToU32(platform_.net_config.address);
  identity_.port = static_cast<uint16_t>(config_.GetInt(config::Key::kSipPort));
  uint32_t adv = 0;
  std::string_view adv_text = config_.GetString(config::Key::kSipAdvertiseAddr);
  identity_.advertised_address = net::ParseIp4(adv_text, adv) ? adv : 0;
  identity_.advertised_port = static_cast<uint16_t>(config_.GetInt(config::Key::kSipAdvertisePort));
  if (!identity_.domain.assign(config_.GetString(config::Key::kSipDomain)).ok()) {
    GW_LOG_ERROR("app", "SIP.DOMAIN longer than %u characters; ignored",
                 static_cast<unsigned>(identity_.domain.capacity()));
  }
}

void Gateway::ApplyRateLimit() {
  sip::RateLimitConfig c = rate_limiter_.config();
  c.rate = static_cast<uint32_t>(config_.GetInt(config::Key::kSipRateLimit));
  c.burst = static_cast<uint32_t>(config_.GetInt(config::Key::kSipRateBurst));
  c.action = config_.GetString(config::Key::kSipRateAction) == "DROP" ? sip::RateAction::kDrop
                                                                      : sip::RateAction::kReply;
  rate_limiter_.Configure(c);
}

Status Gateway::Start() {
  log_.set_sink(&log_sink_, log::Level::kWarn);
  GW_LOG_INFO("app", "imsgw %.*s on %.*s, profile %s", static_cast<int>(kVersion.size()),
              kVersion.data(), static_cast<int>(hal::BoardName().size()), hal::BoardName().data(),
              GW_PROFILE_NAME);

  Status loaded = config_.Load();
  if (!loaded.ok()) {
    GW_LOG_WARN("app", "config not loaded (%s): running on defaults", loaded.str());
  }
  if (!platform_.overrides.empty()) {
    config::Violation why;
    Status s = config_.ApplyOverrides(platform_.overrides, &why);
    if (!s.ok()) GW_LOG_ERROR("app", "override refused: %s", why.detail.c_str());
  }
  Status users = users_.Load(config_.GetString(config::Key::kAuthRealm));
  if (!users.ok()) GW_LOG_ERROR("app", "subscribers not loaded: %s", users.str());
  config_.SetChangeHook(&Gateway::OnConfigChanged, this);
  OnConfigChanged(this, config::Key::kLogLevel);
  ApplyIdentity();

  Status up = net_.Start(ToNet(platform_.net_config));
  if (!up.ok()) {
    GW_LOG_ERROR("app", "network device did not start: %s", up.str());
    return up;
  }
  // The DRBG is personalised with the MAC so boards with a weak entropy
  // source still differ; it keys the nonces.
  hal::MacAddress mac = platform_.net.Mac();
  Status seeded = drbg_.Init(std::as_bytes(std::span(mac)));
  if (seeded.ok()) seeded = nonces_.Init(drbg_);
  if (!seeded.ok()) {
    GW_LOG_ERROR("app", "random generator not seeded: %s", seeded.str());
    return seeded;
  }
  ApplyAuth();
  OnConfigChanged(this, config::Key::kAuthProxyAuth);
  OnConfigChanged(this, config::Key::kSipTimerC);
  uint32_t salt = 0;
  if (drbg_.Generate(std::as_writable_bytes(std::span(&salt, 1))).ok()) {
    proxy_policy_.branch_salt = salt;
  }
  core_.Attach(transactions_);
  ApplyRateLimit();
  sip_.AttachRateLimiter(rate_limiter_);
  timers_.Schedule(housekeeping_, 1000);

  GW_TRY(loop_.AddPoller(net_));
  GW_TRY(loop_.AddPoller(console_poller_));

  Status sip = sip_socket_.Bind(identity_.port, sip_);
  if (!sip.ok()) {
    GW_LOG_ERROR("app", "SIP port %u: %s", identity_.port, sip.str());
    return sip;
  }
  OnConfigChanged(this, config::Key::kMmlAllow);
  OnConfigChanged(this, config::Key::kSipTrunkNets);
  for (config::Key k : {config::Key::kCallLimitBasic, config::Key::kCallLimitPremium,
                        config::Key::kCallLimitVip, config::Key::kCallLimitEnterprise}) {
    OnConfigChanged(this, k);
  }
  auto telnet_port = static_cast<uint16_t>(config_.GetInt(config::Key::kTelnetPort));
  Status tl = telnet_.Listen(telnet_port, telnet_glue_);
  if (!tl.ok()) {
    GW_LOG_ERROR("app", "telnet port %u: %s", telnet_port, tl.str());
    return tl;
  }

  GW_TRY(mml::RegisterBuiltinCommands(commands_, builtin_deps_));
  GW_TRY(users::RegisterUserCommands(commands_, user_deps_));
  GW_TRY(registrar::RegisterRegCommands(commands_, reg_deps_));
  GW_TRY(proxy::RegisterCallCommands(commands_, call_deps_));

  String<24> ip;
  (void)net::AppendIp4(ip, identity_.address);
  GW_LOG_INFO("app", "SIP on udp %s:%u, MML on telnet port %u", ip.c_str(), identity_.port,
              telnet_port);
  console_session_.Start();
  return Status::Ok();
}

void Gateway::ConsoleOutput::DoWrite(std::string_view text) {
  console_.Write(Bytes(text));
}

void Gateway::ConsolePoller::DoPoll() {
  std::byte buf[128];
  size_t n = gw_.platform_.console.Read(buf);
  if (n > 0) gw_.console_session_.Feed(std::span<const std::byte>(buf, n));
  // The console never closes: after LOGOUT or failed logins, start over.
  if (gw_.console_session_.WantsClose()) gw_.console_session_.Start();
}

void Gateway::TelnetOutput::DoWrite(std::string_view text) {
  // A full queue is counted by the server (output truncated).
  server_.Send(id_, text).IgnoreError();
}

void Gateway::TelnetOutput::Close(void* ctx) {
  auto* self = static_cast<TelnetOutput*>(ctx);
  self->server_.Close(self->id_);
}

net::Admission Gateway::TelnetGlue::DoAdmit(uint32_t peer) {
  if (gw_.login_guard_.LockedMs(peer) == 0) return {};
  gw_.login_guard_.Refused(peer);  // counted, logged once per lockout
  return {false, kLockedOut};
}

void Gateway::TelnetGlue::DoOnOpen(size_t id) {
  mml::Session* s = new (gw_.telnet_storage_[id])
      mml::Session(gw_.commands_, gw_.config_, gw_.telnet_out_[id],
                   TelnetOptions(gw_.login_guard_, gw_.timers_, gw_.telnet_.peer(id),
                                 &TelnetOutput::Close, &gw_.telnet_out_[id]));
  GW_LOG_INFO("telnet", "session %u opened", static_cast<unsigned>(id));
  gw_.telnet_sessions_[id] = s;
  s->Start();
}

void Gateway::TelnetGlue::DoOnData(size_t id, std::span<const std::byte> data) {
  mml::Session* s = gw_.telnet_sessions_[id];
  if (s == nullptr) return;
  s->Feed(data);
  if (s->WantsClose()) gw_.telnet_.Close(id);
}

void Gateway::TelnetGlue::DoOnClosed(size_t id) {
  mml::Session*& s = gw_.telnet_sessions_[id];
  if (s != nullptr) {
    GW_LOG_INFO("telnet", "session %u closed", static_cast<unsigned>(id));
    s->~Session();
    s = nullptr;
  }
}

}  // namespace gw::app

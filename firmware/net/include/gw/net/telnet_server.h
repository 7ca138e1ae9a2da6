#pragma once
// A minimal telnet server over lwIP's raw TCP API: options negotiated so the
// client works in character mode with the server echoing (WILL ECHO, WILL
// SUPPRESS-GO-AHEAD), IAC sequences stripped from the input, CR NUL folded,
// output queued per connection and drained as the peer acknowledges.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "gw/core/ring.h"
#include "gw/core/status.h"
#include "gw/net/address.h"
#include "gw_profile.h"
#include "lwip/tcp.h"

namespace gw::net {

// A handler's answer to a new connection: open it, or close it at once
// after sending `text` (which may be empty).
struct Admission {
  bool open = true;
  std::string_view text;
};

class TelnetHandler {
 public:
  virtual ~TelnetHandler() = default;
  // A connection from peer (IPv4, host order) that the allow-list let in,
  // before it takes a slot.
  Admission Admit(uint32_t peer) { return DoAdmit(peer); }
  // A connection opened in slot id.
  void OnOpen(size_t id) { DoOnOpen(id); }
  // Input bytes with telnet commands removed.
  void OnData(size_t id, std::span<const std::byte> data) { DoOnData(id, data); }
  // The connection is gone (peer closed, error, or our Close completed).
  void OnClosed(size_t id) { DoOnClosed(id); }

 private:
  virtual Admission DoAdmit(uint32_t) { return {}; }
  virtual void DoOnOpen(size_t id) = 0;
  virtual void DoOnData(size_t id, std::span<const std::byte> data) = 0;
  virtual void DoOnClosed(size_t id) = 0;
};

struct TelnetStats {
  uint32_t accepted = 0;
  uint32_t refused = 0;          // all session slots busy
  uint32_t refused_network = 0;  // peer outside the allowed networks: reset
  uint32_t refused_handler = 0;  // the handler said no (e.g. a login lockout)
  uint32_t tx_truncated = 0;     // output that did not fit the queue
  uint32_t closed = 0;
};

class TelnetServer {
 public:
  static constexpr size_t kSessions = GW_CAP_TELNET_SESSIONS;
  static constexpr size_t kTxQueue = GW_CAP_TELNET_TX_QUEUE;

  TelnetServer() = default;
  TelnetServer(const TelnetServer&) = delete;
  TelnetServer& operator=(const TelnetServer&) = delete;
  // Aborts open connections and closes the listener.
  ~TelnetServer();

  // ResourceExhausted if no PCB is free; AlreadyExists if the port is taken.
  Status Listen(uint16_t port, TelnetHandler& handler);
  // Queues text, turning bare LF into CR LF. ResourceExhausted if the queue
  // could not take all of it (what fits is sent; the cut is counted).
  // NotFound for a slot that is not open.
  Status Send(size_t id, std::string_view text);
  // Closes the connection once its queued output is sent.
  void Close(size_t id);
  // Connections are accepted from these networks only (an empty list:
  // from anywhere); others are reset at once, counted and logged. Applies
  // to connections accepted from now on.
  void SetAllowed(const Ip4NetList& nets) { allowed_ = nets; }
  // The peer address of an open slot (host order), 0 if it is not open.
  uint32_t peer(size_t id) const { return IsOpen(id) ? conns_[id].peer : 0; }
  bool IsOpen(size_t id) const { return id < kSessions && conns_[id].pcb != nullptr; }
  const TelnetStats& stats() const { return stats_; }
  size_t open_count() const;

 private:
  enum class RxState : uint8_t { kData, kIac, kOption, kSub, kSubIac, kCr };
  struct Conn {
    struct tcp_pcb* pcb = nullptr;
    TelnetServer* server = nullptr;
    size_t id = 0;
    uint32_t peer = 0;
    RxState rx = RxState::kData;
    bool closing = false;
    Ring<char, kTxQueue> tx;
  };

  static err_t Accept(void* arg, struct tcp_pcb* pcb, err_t err);
  static err_t Recv(void* arg, struct tcp_pcb* pcb, struct pbuf* p, err_t err);
  static err_t Sent(void* arg, struct tcp_pcb* pcb, u16_t len);
  static err_t PollCb(void* arg, struct tcp_pcb* pcb);
  static void Error(void* arg, err_t err);

  static void WriteNow(struct tcp_pcb* pcb, std::string_view text);
  bool Allowed(uint32_t peer);
  void Input(Conn& c, const uint8_t* data, size_t len);
  bool Queue(Conn& c, const char* data, size_t len);
  void Drain(Conn& c);
  void Release(Conn& c, bool abort);

  struct tcp_pcb* listener_ = nullptr;
  TelnetHandler* handler_ = nullptr;
  Conn conns_[kSessions];
  TelnetStats stats_;
  Ip4NetList allowed_;
  // The last address refused by the allow-list and when: a peer that keeps
  // knocking is logged once per kRefusalLogMs, not once per connection.
  uint32_t refused_peer_ = 0;
  uint32_t refused_log_ms_ = 0;
  static constexpr uint32_t kRefusalLogMs = 10000;
};

}  // namespace gw::net

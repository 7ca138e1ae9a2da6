#include "gw/net/telnet_server.h"

#include "gw/core/fixed_string.h"
#include "gw/core/log.h"
#include "lwip/def.h"
#include "lwip/sys.h"

namespace gw::net {
namespace {

constexpr uint8_t kIac = 255, kDont = 254, kDo = 253, kWont = 252, kWill = 251;
constexpr uint8_t kSb = 250, kSe = 240;
constexpr uint8_t kOptEcho = 1, kOptSga = 3;
constexpr char kBusy[] = "All MML sessions are busy; try again later.\r\n";

}  // namespace

TelnetServer::~TelnetServer() {
  for (Conn& c : conns_) {
    if (c.pcb != nullptr) {
      tcp_arg(c.pcb, nullptr);
      tcp_err(c.pcb, nullptr);
      tcp_abort(c.pcb);
      c.pcb = nullptr;
    }
  }
  if (listener_ != nullptr) tcp_close(listener_);
}

Status TelnetServer::Listen(uint16_t port, TelnetHandler& handler) {
  struct tcp_pcb* pcb = tcp_new();
  if (pcb == nullptr) return Status::ResourceExhausted();
  if (tcp_bind(pcb, IP_ADDR_ANY, port) != ERR_OK) {
    tcp_close(pcb);
    return Status::AlreadyExists();
  }
  listener_ = tcp_listen(pcb);  // frees pcb on success
  if (listener_ == nullptr) {
    tcp_close(pcb);
    return Status::ResourceExhausted();
  }
  handler_ = &handler;
  tcp_arg(listener_, this);
  tcp_accept(listener_, &TelnetServer::Accept);
  return Status::Ok();
}

size_t TelnetServer::open_count() const {
  size_t n = 0;
  for (const Conn& c : conns_) n += c.pcb != nullptr ? 1 : 0;
  return n;
}

bool TelnetServer::Allowed(uint32_t peer) {
  if (allowed_.count == 0 || allowed_.Contains(peer)) return true;
  ++stats_.refused_network;
  const uint32_t now = sys_now();
  if (peer != refused_peer_ || now - refused_log_ms_ >= kRefusalLogMs) {
    String<16> text;
    (void)AppendIp4(text, peer);
    GW_LOG_WARN("telnet", "refused a connection from %s: not in MML.ALLOW", text.c_str());
    refused_peer_ = peer;
    refused_log_ms_ = now;
  }
  return false;
}

// Pushes text (if any) out on a connection that is about to be closed.
void TelnetServer::WriteNow(struct tcp_pcb* pcb, std::string_view text) {
  if (!text.empty()) {
    tcp_write(pcb, text.data(), static_cast<u16_t>(text.size()), TCP_WRITE_FLAG_COPY);
    tcp_output(pcb);
  }
}

err_t TelnetServer::Accept(void* arg, struct tcp_pcb* pcb, err_t err) {
  auto* self = static_cast<TelnetServer*>(arg);
  if (err != ERR_OK || pcb == nullptr) return ERR_VAL;
  const uint32_t peer = lwip_ntohl(ip4_addr_get_u32(ip_2_ip4(&pcb->remote_ip)));
  if (!self->Allowed(peer)) {
    tcp_abort(pcb);  // a reset: the peer learns nothing but "refused"
    return ERR_ABRT;
  }
  const Admission admission = self->handler_->Admit(peer);
  if (!admission.open) {
    ++self->stats_.refused_handler;
    WriteNow(pcb, admission.text);
    if (tcp_close(pcb) != ERR_OK) {
      tcp_abort(pcb);
      return ERR_ABRT;
    }
    return ERR_OK;
  }
  Conn* slot = nullptr;
  for (size_t i = 0; i < kSessions; ++i) {
    if (self->conns_[i].pcb == nullptr) {
      slot = &self->conns_[i];
      slot->id = i;
      break;
    }
  }
  if (slot == nullptr) {
    ++self->stats_.refused;
    GW_LOG_WARN("telnet", "refused a connection: %u sessions busy",
                static_cast<unsigned>(kSessions));
    WriteNow(pcb, {kBusy, sizeof(kBusy) - 1});
    if (tcp_close(pcb) != ERR_OK) {
      tcp_abort(pcb);
      return ERR_ABRT;
    }
    return ERR_OK;
  }
  ++self->stats_.accepted;
  slot->pcb = pcb;
  slot->peer = peer;
  slot->server = self;
  slot->rx = RxState::kData;
  slot->closing = false;
  slot->tx.clear();
  tcp_arg(pcb, slot);
  tcp_recv(pcb, &TelnetServer::Recv);
  tcp_sent(pcb, &TelnetServer::Sent);
  tcp_err(pcb, &TelnetServer::Error);
  tcp_poll(pcb, &TelnetServer::PollCb, 2);
  static const char kNegotiate[] = {static_cast<char>(kIac),     static_cast<char>(kWill),
                                    static_cast<char>(kOptEcho), static_cast<char>(kIac),
                                    static_cast<char>(kWill),    static_cast<char>(kOptSga)};
  self->Queue(*slot, kNegotiate, sizeof(kNegotiate));
  self->handler_->OnOpen(slot->id);
  self->Drain(*slot);
  return ERR_OK;
}

err_t TelnetServer::Recv(void* arg, struct tcp_pcb* pcb, struct pbuf* p, err_t err) {
  auto* c = static_cast<Conn*>(arg);
  if (p == nullptr) {  // peer closed
    c->server->Release(*c, false);
    return ERR_OK;
  }
  if (err != ERR_OK) {
    pbuf_free(p);
    return err;
  }
  tcp_recved(pcb, p->tot_len);
  for (struct pbuf* q = p; q != nullptr; q = q->next) {
    c->server->Input(*c, static_cast<const uint8_t*>(q->payload), q->len);
    if (c->pcb == nullptr) break;  // the handler closed it
  }
  pbuf_free(p);
  if (c->pcb != nullptr) c->server->Drain(*c);
  return ERR_OK;
}

void TelnetServer::Input(Conn& c, const uint8_t* data, size_t len) {
  // Data bytes go to the handler in runs between telnet commands.
  size_t run = 0;
  auto flush = [&](size_t end) {
    if (end > run) {
      handler_->OnData(c.id, {reinterpret_cast<const std::byte*>(data + run), end - run});
    }
  };
  for (size_t i = 0; i < len; ++i) {
    const uint8_t b = data[i];
    switch (c.rx) {
      case RxState::kData:
        if (b == kIac) {
          flush(i);
          c.rx = RxState::kIac;
        } else if (b == '\r') {
          c.rx = RxState::kCr;
        }
        continue;
      case RxState::kCr:
        c.rx = RxState::kData;
        if (b == 0) {  // CR NUL is a bare CR: drop the NUL
          flush(i);
          run = i + 1;
        } else if (b == kIac) {
          flush(i);
          c.rx = RxState::kIac;
        } else if (b == '\r') {
          c.rx = RxState::kCr;
        }
        continue;
      case RxState::kIac:
        if (b == kIac) {  // escaped 0xFF data byte
          run = i;
          c.rx = RxState::kData;
        } else if (b == kWill || b == kWont || b == kDo || b == kDont) {
          c.rx = RxState::kOption;
        } else if (b == kSb) {
          c.rx = RxState::kSub;
        } else {
          run = i + 1;
          c.rx = RxState::kData;
        }
        continue;
      case RxState::kOption:
        // We offered ECHO and SGA and accept whatever the client answers.
        run = i + 1;
        c.rx = RxState::kData;
        continue;
      case RxState::kSub:
        if (b == kIac) c.rx = RxState::kSubIac;
        continue;
      case RxState::kSubIac:
        if (b == kSe) {
          run = i + 1;
          c.rx = RxState::kData;
        } else {
          c.rx = RxState::kSub;
        }
        continue;
    }
  }
  if (c.rx == RxState::kData || c.rx == RxState::kCr)
    flush(len);
  else
    run = len;
}

bool TelnetServer::Queue(Conn& c, const char* data, size_t len) {
  for (size_t i = 0; i < len; ++i) {
    if (!c.tx.Push(data[i]).ok()) return false;
  }
  return true;
}

Status TelnetServer::Send(size_t id, std::string_view text) {
  if (!IsOpen(id)) return Status::NotFound();
  Conn& c = conns_[id];
  bool ok = true;
  char prev = 0;
  for (char ch : text) {
    if (ch == '\n' && prev != '\r') ok = ok && c.tx.Push('\r').ok();
    ok = ok && c.tx.Push(ch).ok();
    if (!ok) break;
    prev = ch;
  }
  Drain(c);
  if (!ok) {
    ++stats_.tx_truncated;
    return Status::ResourceExhausted();
  }
  return Status::Ok();
}

void TelnetServer::Drain(Conn& c) {
  if (c.pcb == nullptr) return;
  bool wrote = false;
  while (!c.tx.empty()) {
    u16_t room = tcp_sndbuf(c.pcb);
    if (room == 0 || tcp_sndqueuelen(c.pcb) >= TCP_SND_QUEUELEN - 1) break;
    // Copy a chunk out of the ring; pop it only once lwIP has taken it, so
    // a refusal (out of segments) leaves it queued for the next Sent/Poll.
    char chunk[256];
    size_t n = 0;
    while (n < sizeof(chunk) && n < room && n < c.tx.size()) {
      chunk[n] = c.tx[n];
      ++n;
    }
    if (tcp_write(c.pcb, chunk, static_cast<u16_t>(n), TCP_WRITE_FLAG_COPY) != ERR_OK) break;
    for (size_t k = 0; k < n; ++k) c.tx.Pop().IgnoreError();
    wrote = true;
  }
  if (wrote) tcp_output(c.pcb);
  if (c.closing && c.tx.empty()) Release(c, false);
}

void TelnetServer::Close(size_t id) {
  if (!IsOpen(id)) return;
  conns_[id].closing = true;
  Drain(conns_[id]);
}

void TelnetServer::Release(Conn& c, bool abort) {
  struct tcp_pcb* pcb = c.pcb;
  if (pcb == nullptr) return;
  c.pcb = nullptr;
  c.tx.clear();
  ++stats_.closed;
  if (!abort) {
    tcp_arg(pcb, nullptr);
    tcp_recv(pcb, nullptr);
    tcp_sent(pcb, nullptr);
    tcp_err(pcb, nullptr);
    tcp_poll(pcb, nullptr, 0);
    if (tcp_close(pcb) != ERR_OK) tcp_abort(pcb);
  }
  handler_->OnClosed(c.id);
}

err_t TelnetServer::Sent(void* arg, struct tcp_pcb* pcb, u16_t len) {
  (void)pcb;
  (void)len;
  auto* c = static_cast<Conn*>(arg);
  c->server->Drain(*c);
  return ERR_OK;
}

err_t TelnetServer::PollCb(void* arg, struct tcp_pcb* pcb) {
  (void)pcb;
  auto* c = static_cast<Conn*>(arg);
  c->server->Drain(*c);
  return ERR_OK;
}

void TelnetServer::Error(void* arg, err_t err) {
  (void)err;
  auto* c = static_cast<Conn*>(arg);
  if (c == nullptr) return;
  // lwIP has already freed the pcb.
  c->server->Release(*c, true);
}

}  // namespace gw::net

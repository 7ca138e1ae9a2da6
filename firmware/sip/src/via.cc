#include "gw/sip/via.h"

#include "gw/core/text.h"
#include "gw/sip/message.h"

namespace gw::sip {
namespace {

// port = 1*DIGIT, and 0 is no port a datagram can come from or go to.
bool ParsePort(std::string_view s, uint16_t& out) {
  uint16_t v = 0;
  if (!ParseDecimal(s, v) || v == 0) return false;
  out = v;
  return true;
}

// host[:port] with IPv6 references in brackets.
bool SplitHostPort(std::string_view hp, std::string_view& host, uint16_t& port) {
  port = 0;
  if (hp.empty()) return false;
  if (hp.front() == '[') {
    size_t close = hp.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    host = hp.substr(1, close - 1);
    std::string_view rest = hp.substr(close + 1);
    if (rest.empty()) return true;
    return rest.front() == ':' && ParsePort(rest.substr(1), port);
  }
  size_t colon = hp.find(':');
  host = hp.substr(0, colon);
  if (host.empty()) return false;
  for (char c : host) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-';
    if (!ok) return false;
  }
  if (colon == std::string_view::npos) return true;
  return ParsePort(hp.substr(colon + 1), port);
}

// Next '/'-separated protocol element, allowing LWS around the slash.
std::string_view TakeUntilSlash(std::string_view& s) {
  size_t slash = s.find('/');
  std::string_view part = Trim(s.substr(0, slash));
  s = slash == std::string_view::npos ? std::string_view() : s.substr(slash + 1);
  return part;
}

// Where the header parameters of a name-addr or addr-spec value begin (at
// their first ';'): after the '>' that closes the URI of a name-addr (a
// quoted display name may hold '<' and ';'), else at the first ';' of the
// addr-spec. npos when there are none.
size_t ParamsStart(std::string_view v) {
  bool quoted = false;
  for (size_t i = 0; i < v.size(); ++i) {
    const char c = v[i];
    if (quoted) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        quoted = false;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == '<') {
      size_t gt = v.find('>', i);
      return gt == std::string_view::npos ? gt : v.find(';', gt);
    } else if (c == ';') {
      return i;
    }
  }
  return std::string_view::npos;
}

// The length of one parameter: up to the next ';' outside a quoted string
// (a quoted value such as +sip.instance="<urn:uuid:...>" may hold ';', '<'
// and '>').
size_t ParamEnd(std::string_view s) {
  bool quoted = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (quoted) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        quoted = false;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ';') {
      return i;
    }
  }
  return s.size();
}

}  // namespace

Status ParseVia(std::string_view value, Via& out) {
  out = Via();
  std::string_view s = Trim(value);
  std::string_view name = TakeUntilSlash(s);
  std::string_view version = TakeUntilSlash(s);
  if (!EqualsIgnoreCase(name, "SIP") || version != "2.0") return Status::InvalidArgument();
  s = Trim(s);
  size_t ws = s.find_first_of(" \t\r\n");
  if (ws == std::string_view::npos) return Status::InvalidArgument();
  out.transport = s.substr(0, ws);
  s = Trim(s.substr(ws));
  size_t semi = s.find(';');
  std::string_view sent_by = Trim(s.substr(0, semi));
  if (!SplitHostPort(sent_by, out.host, out.port)) return Status::InvalidArgument();
  std::string_view params =
      semi == std::string_view::npos ? std::string_view() : s.substr(semi + 1);
  while (!params.empty()) {
    size_t next = params.find(';');
    std::string_view p = Trim(params.substr(0, next));
    params = next == std::string_view::npos ? std::string_view() : params.substr(next + 1);
    size_t eq = p.find('=');
    std::string_view key = Trim(p.substr(0, eq));
    std::string_view val =
        eq == std::string_view::npos ? std::string_view() : Trim(p.substr(eq + 1));
    if (EqualsIgnoreCase(key, "branch"))
      out.branch = val;
    else if (EqualsIgnoreCase(key, "received"))
      out.received = val;
    else if (EqualsIgnoreCase(key, "rport")) {
      // RFC 3581: "rport" [EQUAL 1*DIGIT]; a value is where the response
      // goes, so it must be a port.
      uint16_t port = 0;
      if (!val.empty() && !ParsePort(val, port)) return Status::InvalidArgument();
      out.has_rport = true;
      out.rport = val;
      out.rport_port = port;
    }
  }
  return Status::Ok();
}

Status ParseUri(std::string_view text, Uri& out) {
  out = Uri();
  size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0) return Status::InvalidArgument();
  out.scheme = text.substr(0, colon);
  if (!EqualsIgnoreCase(out.scheme, "sip") && !EqualsIgnoreCase(out.scheme, "sips")) {
    return Status::Unimplemented();
  }
  std::string_view rest = text.substr(colon + 1);
  size_t q = rest.find('?');
  if (q != std::string_view::npos) rest = rest.substr(0, q);
  // userinfo ends at the last '@' before any ';' of uri-parameters is
  // ambiguous with escaped user parts; RFC 3261 forbids a raw '@' in user.
  size_t at = rest.find('@');
  std::string_view hostpart = rest;
  if (at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    size_t pw = userinfo.find(':');
    out.user = userinfo.substr(0, pw);
    if (out.user.empty()) return Status::InvalidArgument();
    hostpart = rest.substr(at + 1);
  }
  size_t semi = hostpart.find(';');
  if (semi != std::string_view::npos) {
    out.params = hostpart.substr(semi + 1);
    hostpart = hostpart.substr(0, semi);
  }
  if (!SplitHostPort(hostpart, out.host, out.port)) return Status::InvalidArgument();
  return Status::Ok();
}

std::string_view AddrSpecOf(std::string_view v) {
  v = Trim(v);
  size_t lt = std::string_view::npos;
  bool quoted = false;
  for (size_t i = 0; i < v.size(); ++i) {
    if (quoted) {
      if (v[i] == '\\')
        ++i;
      else if (v[i] == '"')
        quoted = false;
    } else if (v[i] == '"') {
      quoted = true;
    } else if (v[i] == '<') {
      lt = i;
      break;
    }
  }
  if (lt != std::string_view::npos) {
    size_t gt = v.find('>', lt);
    if (gt == std::string_view::npos) return {};
    return v.substr(lt + 1, gt - lt - 1);
  }
  return v.substr(0, v.find(';'));
}

std::string_view HeaderParam(std::string_view value, std::string_view name, bool& found) {
  found = false;
  size_t at = ParamsStart(value);
  if (at == std::string_view::npos) return {};
  std::string_view params = value.substr(at);
  while (!params.empty() && params.front() == ';') {
    params = params.substr(1);
    const size_t end = ParamEnd(params);
    std::string_view p = Trim(params.substr(0, end));
    params = params.substr(end);
    size_t eq = p.find('=');
    if (EqualsIgnoreCase(Trim(p.substr(0, eq)), name)) {
      found = true;
      return eq == std::string_view::npos ? std::string_view() : Trim(p.substr(eq + 1));
    }
  }
  return {};
}

Status AppendStampedVia(StringBase& out, std::string_view via_text, const net::Endpoint& from) {
  Via via;
  if (!ParseVia(via_text, via).ok()) return out.append(via_text);
  bool done = false;
  size_t pos = 0;
  while (via.has_rport && via.rport.empty() && !done &&
         (pos = via_text.find(';', pos)) != std::string_view::npos) {
    const size_t start = pos + 1;
    size_t end = via_text.find(';', start);
    if (end == std::string_view::npos) end = via_text.size();
    const std::string_view param = via_text.substr(start, end - start);
    if (EqualsIgnoreCase(Trim(param), "rport")) {
      const size_t name_end = start + param.find_first_not_of(" \t") + 5;
      GW_TRY(out.append(via_text.substr(0, name_end)));
      GW_TRY(out.Format("=%u", static_cast<unsigned>(from.port)));
      GW_TRY(out.append(via_text.substr(name_end)));
      done = true;
    }
    pos = end;
  }
  if (!done) GW_TRY(out.append(via_text));
  String<16> src;
  GW_TRY(net::AppendIp4(src, from.addr));
  if (via.received.empty() && (via.host != src.view() || via.has_rport)) {
    GW_TRY(out.Format(";received=%s", src.c_str()));
  }
  return Status::Ok();
}

std::string_view TagOf(const Message& m, HeaderId id) {
  const Header* h = m.Find(id);
  if (h == nullptr) return {};
  bool found = false;
  return HeaderParam(h->value, "tag", found);
}

std::string_view AddrOf(const Message& m, HeaderId id) {
  const Header* h = m.Find(id);
  return h == nullptr ? std::string_view{} : AddrSpecOf(h->value);
}

std::string_view UserOf(std::string_view uri_text) {
  Uri uri;
  return ParseUri(uri_text, uri).ok() ? uri.user : std::string_view{};
}

}  // namespace gw::sip

#include "gw/sip/response.h"

#include "gw/core/civil_time.h"
#include "gw/core/hash.h"
#include "gw/sip/local_identity.h"

namespace gw::sip {
namespace {

// Appends a Via value with its valueless rport parameter set to port.

// Appends "Name: value\r\n"; value may be empty or a null view.
Status AppendHeader(StringBase& out, std::string_view name, std::string_view value) {
  GW_TRY(out.append(name));
  GW_TRY(out.append(": "));
  GW_TRY(out.append(value));
  return out.append("\r\n");
}

}  // namespace

bool TopViaValue(const Message& msg, std::string_view& out) {
  const Header* h = msg.Find(HeaderId::kVia);
  if (h == nullptr) return false;
  ValueSplitter split(h->value);
  return split.Next(out);
}

net::Endpoint ResponseDestination(const Via& top_via, const net::Endpoint& from) {
  if (top_via.has_rport) return from;
  return {from.addr, top_via.port != 0 ? top_via.port : kDefaultPort};
}

Status AppendDateHeader(StringBase& out, int64_t unix_seconds) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const CivilTime c = CivilFromUnix(unix_seconds);
  if (unix_seconds < 0 || c.year > 9999) return Status::OutOfRange();
  return out.Format("Date: %s, %02u %s %04u %02u:%02u:%02u GMT\r\n", kDays[c.weekday], c.day,
                    kMonths[c.month - 1], static_cast<unsigned>(c.year), c.hour, c.minute,
                    c.second);
}

void MakeToTag(std::string_view call_id, uint32_t salt, String<8>& out) {
  out.clear();
  (void)out.Format("%08x", static_cast<unsigned>(Fnv1a32(call_id, kFnv32Offset ^ salt)));
}

Status BuildResponse(const Message& req, const net::Endpoint& from, int code,
                     std::string_view reason, const ResponseExtras& extras, StringBase& out) {
  const Header* from_h = req.Find(HeaderId::kFrom);
  const Header* to_h = req.Find(HeaderId::kTo);
  const Header* call_id = req.Find(HeaderId::kCallId);
  const Header* cseq = req.Find(HeaderId::kCSeq);
  if (from_h == nullptr || to_h == nullptr || call_id == nullptr || cseq == nullptr ||
      req.Find(HeaderId::kVia) == nullptr) {
    return Status::InvalidArgument();
  }
  // Each Via value becomes a line of its own: a request within
  // Message::kMaxHeaders lines may fan out into a response beyond it, which
  // a parser like ours refuses. Such a response is not built.
  size_t lines = 4 + 1 + (extras.server.empty() ? 0 : 1);  // From To Call-ID CSeq, C-L
  for (size_t at = extras.headers.find('\n'); at != std::string_view::npos;
       at = extras.headers.find('\n', at + 1)) {
    ++lines;
  }
  for (size_t i = 0; i < req.header_count(); ++i) {
    if (req.header(i).id != HeaderId::kVia) continue;
    ValueSplitter split(req.header(i).value);
    std::string_view one;
    while (split.Next(one)) ++lines;
  }
  if (lines > Message::kMaxHeaders) return Status::ResourceExhausted();
  out.clear();
  GW_TRY(out.Format("SIP/2.0 %d ", code));
  GW_TRY(out.append(reason));
  GW_TRY(out.append("\r\n"));
  bool top = true;
  for (size_t i = 0; i < req.header_count(); ++i) {
    const Header& h = req.header(i);
    if (h.id != HeaderId::kVia) continue;
    ValueSplitter split(h.value);
    std::string_view one;
    while (split.Next(one)) {
      GW_TRY(out.append("Via: "));
      if (top) {
        GW_TRY(AppendStampedVia(out, one, from));
      } else {
        GW_TRY(out.append(one));
      }
      top = false;
      GW_TRY(out.append("\r\n"));
    }
  }
  GW_TRY(AppendHeader(out, "From", from_h->value));
  GW_TRY(out.append("To: "));
  GW_TRY(out.append(to_h->value));
  bool has_tag = false;
  (void)HeaderParam(to_h->value, "tag", has_tag);
  if (!has_tag && code > 100 && !extras.to_tag.empty()) {
    GW_TRY(out.append(";tag="));
    GW_TRY(out.append(extras.to_tag));
  }
  GW_TRY(out.append("\r\n"));
  GW_TRY(AppendHeader(out, "Call-ID", call_id->value));
  GW_TRY(AppendHeader(out, "CSeq", cseq->value));
  GW_TRY(out.append(extras.headers));
  if (!extras.server.empty()) GW_TRY(AppendHeader(out, "Server", extras.server));
  return out.append("Content-Length: 0\r\n\r\n");
}

}  // namespace gw::sip

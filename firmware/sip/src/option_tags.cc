#include "gw/sip/option_tags.h"

namespace gw::sip {
namespace {

bool Listed(std::string_view list, std::string_view tag) {
  ValueSplitter split(list);
  std::string_view t;
  while (split.Next(t)) {
    if (EqualsIgnoreCase(t, tag)) return true;
  }
  return false;
}

}  // namespace

bool HasOptionTag(const Message& msg, HeaderId id, std::string_view tag) {
  for (size_t i = 0; i < msg.header_count(); ++i) {
    if (msg.header(i).id == id && Listed(msg.header(i).value, tag)) return true;
  }
  return false;
}

bool RequireSupported(const Message& req, std::string_view supported, StringBase& headers) {
  if (req.method() == Method::kAck || req.method() == Method::kCancel) return true;
  bool refused = false;
  bool listed = false;  // the Unsupported line is started
  for (size_t i = 0; i < req.header_count(); ++i) {
    const Header& h = req.header(i);
    if (h.id != HeaderId::kRequire) continue;
    ValueSplitter split(h.value);
    std::string_view tag;
    while (split.Next(tag)) {
      if (tag.empty() || Listed(supported, tag)) continue;
      refused = true;
      const std::string_view sep = listed ? ", " : "Unsupported: ";
      // Room for the separator, the tag and the closing CRLF.
      if (sep.size() + tag.size() + 2 > headers.capacity() - headers.size()) continue;
      (void)headers.append(sep);
      (void)headers.append(tag);
      listed = true;
    }
  }
  if (listed) (void)headers.append("\r\n");
  return !refused;
}

}  // namespace gw::sip

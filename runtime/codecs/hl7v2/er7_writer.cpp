// er7_writer.cpp — Message ─► ER7 text, the last step of the codec. Writes each segment with the
// message's own separators and a `\r` terminator. In Escaping::preserve mode each leaf goes out
// as it was read; in Escaping::canonical mode it is re-escaped from its decoded text.
#include "runtime/codecs/hl7v2/detail.h"
#include "runtime/codecs/hl7v2/er7.h"

namespace suture::runtime::hl7 {
namespace {

void write_value(std::string& out, const Value& v, const Separators& seps, Escaping escaping) {
  if (escaping == Escaping::preserve) {
    out.append(v.raw);
  } else if (v.null) {
    out.append("\"\"");
  } else if (v.text == "\"\"") {
    // Text that is two quotes but not a null must not read back as one.
    out.push_back(seps.escape), out.append("X22"), out.push_back(seps.escape), out.push_back('"');
  } else {
    detail::append_escaped(out, v.text, seps);
  }
}

void write_field(std::string& out, const Message& m, const Field& f, Escaping escaping) {
  const Separators& seps = m.separators();
  bool first_rep = true;
  for (const Repetition& r : m.repetitions(f)) {
    if (!first_rep) out.push_back(seps.repetition);
    first_rep = false;
    bool first_comp = true;
    for (const Component& c : m.components(r)) {
      if (!first_comp) out.push_back(seps.component);
      first_comp = false;
      bool first_sub = true;
      for (const Value& v : m.values(c)) {
        if (!first_sub) out.push_back(seps.subcomponent);
        first_sub = false;
        write_value(out, v, seps, escaping);
      }
    }
  }
}

}  // namespace

std::string encode(const Message& message, Escaping escaping) {
  std::string out;
  if (message.has_bom()) out.append("\xEF\xBB\xBF");
  const Separators& seps = message.separators();
  for (const Segment& seg : message.segments()) {
    out.append(seg.name);
    auto fields = message.fields(seg);
    std::size_t i = 0;
    if (seg.name == "MSH" && fields.size() >= 2) {
      // MSH-1 is the field separator itself; MSH-2 is written as read.
      out.push_back(seps.field);
      out.append(message.values(message.components(message.repetitions(fields[1])[0])[0])[0].raw);
      i = 2;
    }
    for (; i < fields.size(); ++i) {
      out.push_back(seps.field);
      write_field(out, message, fields[i], escaping);
    }
    out.push_back('\r');
  }
  return out;
}

}  // namespace suture::runtime::hl7

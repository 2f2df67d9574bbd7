// path.cpp — reading a Message by HL7 path (`PID-5[2].1`, `OBX[3]-5.1.2`): the accessor layer
// mappings use on a parsed message. Paths are parsed by hand, once per call, without allocating.
#include <cctype>

#include "runtime/codecs/hl7v2/detail.h"
#include "runtime/codecs/hl7v2/er7.h"

namespace suture::runtime::hl7 {
namespace {

struct Path {
  std::string_view segment;
  std::size_t occurrence = 1, field = 0, repetition = 1, component = 1, subcomponent = 1;
};

class PathReader {
 public:
  explicit PathReader(std::string_view s) : s_(s) {}

  std::optional<std::string> read(Path& p) {
    if (s_.size() < 3) return "a path starts with a segment id, e.g. PID-5";
    p.segment = s_.substr(0, 3);
    for (char c : p.segment)
      if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return "a segment id is three capital letters or digits";
    i_ = 3;
    if (peek('[') && !bracket(p.occurrence)) return "expected `[n]` with n ≥ 1 after the segment id";
    if (!eat('-') || !number(p.field)) return "expected `-field` (a number ≥ 1) after the segment";
    if (peek('[') && !bracket(p.repetition)) return "expected `[n]` with n ≥ 1 after the field";
    if (eat('.') && !number(p.component)) return "expected a component number ≥ 1 after `.`";
    if (eat('.') && !number(p.subcomponent)) return "expected a subcomponent number ≥ 1 after `.`";
    if (i_ != s_.size()) return "unexpected text at the end of the path";
    return std::nullopt;
  }

 private:
  bool peek(char c) const { return i_ < s_.size() && s_[i_] == c; }
  bool eat(char c) {
    if (!peek(c)) return false;
    ++i_;
    return true;
  }
  bool number(std::size_t& out) {
    std::size_t start = i_, v = 0;
    while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9' && i_ - start < 7) v = v * 10 + (s_[i_++] - '0');
    out = v;
    return i_ > start && v >= 1;
  }
  bool bracket(std::size_t& out) { return eat('[') && number(out) && eat(']'); }

  std::string_view s_;
  std::size_t i_ = 0;
};

}  // namespace

Result<Lookup> lookup(const Message& message, std::string_view path) {
  Path p;
  if (auto problem = PathReader(path).read(p))
    return Error{ErrorCode::BadPath, Position{0, std::string(path), 0}, *problem};
  Lookup none;
  const Segment* seg = message.find(p.segment, p.occurrence);
  if (!seg) return none;
  auto fields = message.fields(*seg);
  if (p.field > fields.size()) return none;
  auto reps = message.repetitions(fields[p.field - 1]);
  if (p.repetition > reps.size()) return none;
  auto comps = message.components(reps[p.repetition - 1]);
  if (p.component > comps.size()) return none;
  auto values = message.values(comps[p.component - 1]);
  if (p.subcomponent > values.size()) return none;
  const Value& v = values[p.subcomponent - 1];
  if (v.null) return Lookup{Lookup::Kind::null, {}};
  if (v.absent()) return none;
  return Lookup{Lookup::Kind::value, v.text};
}

std::optional<std::string_view> get(const Message& message, std::string_view path) {
  auto r = lookup(message, path);
  if (!r.ok() || r->kind == Lookup::Kind::absent) return std::nullopt;
  return r->text;
}

}  // namespace suture::runtime::hl7

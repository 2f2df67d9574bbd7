// typed_encode.cpp — typed abi::Record ─► ER7 text (typed.h). Walks the structure's members in
// declaration order; each segment record is written field by field at its schema positions,
// with the unknown members the decoder kept put back in place (extra fields and repetitions in
// the segment, extra components in their composite, unknown segments right after the segment
// they followed). Separators come from the record's MSH-1/MSH-2.
#include <charconv>
#include <string>
#include <vector>

#include "runtime/codecs/hl7v2/detail.h"
#include "runtime/codecs/hl7v2/typed.h"

namespace suture::runtime::hl7 {
namespace {

using abi::FieldDesc;
using abi::Kind;
using abi::RecordDesc;
using abi::TypeDesc;

std::string_view key_of(const abi::UnknownMember& u) {
  return {u.key, u.key_size};
}
std::string_view raw_of(const abi::UnknownMember& u) {
  return {u.raw, u.raw_size};
}

// "12" → 12; anything else → 0.
std::size_t number(std::string_view s) {
  std::size_t n = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  return (ec == std::errc() && p == s.data() + s.size()) ? n : 0;
}

// A segment id kept as an unknown member (vs. "PID-40" extra fields).
bool is_segment_key(std::string_view k) {
  return !k.empty() && k.find('-') == std::string_view::npos && number(k) == 0;
}

const abi::Record* find_msh(const abi::Record& r, int depth = 0) {
  if (r.desc == nullptr || depth > 32) return nullptr;
  if (r.desc->segment == "MSH") return &r;
  if (!r.desc->segment.empty()) return nullptr;
  for (const FieldDesc& f : r.desc->fields) {
    if (f.slot >= r.slot_count) continue;
    const abi::Value& v = r.slots[f.slot];
    if (v.kind == Kind::Record && v.record) {
      if (auto* m = find_msh(*v.record, depth + 1)) return m;
    } else if (v.kind == Kind::List) {
      for (std::uint32_t i = 0; i < v.aux; ++i)
        if (v.items[i].kind == Kind::Record && v.items[i].record)
          if (auto* m = find_msh(*v.items[i].record, depth + 1)) return m;
    }
  }
  return nullptr;
}

void trim(std::vector<std::string>& parts) {
  while (!parts.empty() && parts.back().empty()) parts.pop_back();
}

class Encoder {
 public:
  std::string run(const abi::Record& root) {
    std::string msh1 = "|", msh2 = "^~\\&";
    if (const abi::Record* msh = find_msh(root)) {
      for (const FieldDesc& f : msh->desc->fields) {
        const abi::Value& v = msh->slots[f.slot];
        if (v.kind != Kind::String || v.aux == 0) continue;
        if (f.position == 1) msh1 = std::string(v.str());
        if (f.position == 2) msh2 = std::string(v.str());
      }
    }
    seps_.field = msh1[0];
    if (msh2.size() > 0) seps_.component = msh2[0];
    if (msh2.size() > 1) seps_.repetition = msh2[1];
    if (msh2.size() > 2) seps_.escape = msh2[2];
    if (msh2.size() > 3) seps_.subcomponent = msh2[3];
    if (msh2.size() > 4) seps_.truncation = msh2[4];
    msh2_ = msh2;
    member(root, 0);
    return std::move(out_);
  }

 private:
  void member(const abi::Record& r, int depth) {
    if (r.desc == nullptr || depth > 64) return;
    if (!r.desc->segment.empty()) return segment(r);
    for (std::uint32_t i = 0; i < r.unknown_count; ++i)  // segments that came before any known one
      if (is_segment_key(key_of(r.unknown[i]))) out_.append(raw_of(r.unknown[i])).push_back('\r');
    for (const FieldDesc& f : r.desc->fields) {
      if (f.slot >= r.slot_count) continue;
      const abi::Value& v = r.slots[f.slot];
      if (v.kind == Kind::Record && v.record) {
        member(*v.record, depth + 1);
      } else if (v.kind == Kind::List) {
        for (std::uint32_t i = 0; i < v.aux; ++i)
          if (v.items[i].kind == Kind::Record && v.items[i].record) member(*v.items[i].record, depth + 1);
      }
    }
  }

  void segment(const abi::Record& r) {
    const RecordDesc& d = *r.desc;
    bool msh = d.segment == "MSH";
    std::vector<std::string> fields(1);  // fields[n] is field n; [0] unused
    auto at = [&](std::size_t n) -> std::string& {
      if (fields.size() <= n) fields.resize(n + 1);
      return fields[n];
    };
    for (const FieldDesc& f : d.fields) {
      if (f.position == 0 || f.slot >= r.slot_count) continue;
      if (msh && f.position <= 2) continue;
      at(f.position) = field(f.type, r.slots[f.slot]);
    }
    std::vector<std::string_view> trailing;
    for (std::uint32_t i = 0; i < r.unknown_count; ++i) {
      std::string_view k = key_of(r.unknown[i]), raw = raw_of(r.unknown[i]);
      if (is_segment_key(k)) {
        trailing.push_back(raw);
        continue;
      }
      auto dash = k.rfind('-');
      std::size_t n = dash == std::string_view::npos ? 0 : number(k.substr(dash + 1));
      if (n == 0 || (msh && n <= 2)) continue;
      bool known = false;
      for (const FieldDesc& f : d.fields) known = known || f.position == n;
      std::string& s = at(n);
      if (known) {  // repetitions beyond the first of a non-repeating field
        s.push_back(seps_.repetition);
        s.append(raw);
      } else {
        s.assign(raw);
      }
    }
    trim(fields);
    out_.append(d.segment);
    std::size_t n = 1;
    if (msh) {
      out_.push_back(seps_.field);
      out_.append(msh2_);
      n = 3;
    }
    for (; n < fields.size(); ++n) {
      out_.push_back(seps_.field);
      out_.append(fields[n]);
    }
    out_.push_back('\r');
    for (std::string_view raw : trailing) out_.append(raw).push_back('\r');
  }

  std::string field(const TypeDesc& t, const abi::Value& v) {
    if (v.kind == Kind::List) {
      std::vector<std::string> reps;
      for (std::uint32_t i = 0; i < v.aux; ++i) reps.push_back(repetition(t, v.items[i]));
      trim(reps);
      return join(reps, seps_.repetition);
    }
    return repetition(t, v);
  }

  std::string repetition(const TypeDesc& t, const abi::Value& v) {
    if (v.kind != Kind::Record || !v.record || !v.record->desc) return leaf(v);
    const abi::Record& r = *v.record;
    std::vector<std::string> comps;
    auto at = [&](std::size_t n) -> std::string& {
      if (comps.size() < n) comps.resize(n);
      return comps[n - 1];
    };
    for (const FieldDesc& f : r.desc->fields)
      if (f.position != 0 && f.slot < r.slot_count) at(f.position) = component(f.type, r.slots[f.slot]);
    for (std::uint32_t i = 0; i < r.unknown_count; ++i)
      if (std::size_t n = number(key_of(r.unknown[i]))) at(n) = std::string(raw_of(r.unknown[i]));
    trim(comps);
    (void)t;
    return join(comps, seps_.component);
  }

  std::string component(const TypeDesc& t, const abi::Value& v) {
    if (v.kind != Kind::Record || !v.record || !v.record->desc) return leaf(v);
    const abi::Record& r = *v.record;
    std::vector<std::string> subs;
    auto at = [&](std::size_t n) -> std::string& {
      if (subs.size() < n) subs.resize(n);
      return subs[n - 1];
    };
    for (const FieldDesc& f : r.desc->fields)
      if (f.position != 0 && f.slot < r.slot_count) at(f.position) = deep_leaf(r.slots[f.slot], 0);
    for (std::uint32_t i = 0; i < r.unknown_count; ++i)
      if (std::size_t n = number(key_of(r.unknown[i]))) at(n) = std::string(raw_of(r.unknown[i]));
    trim(subs);
    (void)t;
    return join(subs, seps_.subcomponent);
  }

  // A record below the subcomponent level: its first member is the leaf.
  std::string deep_leaf(const abi::Value& v, int depth) {
    if (v.kind != Kind::Record || !v.record || !v.record->desc) return leaf(v);
    const abi::Record& r = *v.record;
    for (const FieldDesc& f : r.desc->fields)
      if (f.position == 1 && f.slot < r.slot_count && depth < 8) return deep_leaf(r.slots[f.slot], depth + 1);
    for (std::uint32_t i = 0; i < r.unknown_count; ++i)
      if (number(key_of(r.unknown[i])) == 1) return std::string(raw_of(r.unknown[i]));
    return {};
  }

  std::string leaf(const abi::Value& v) {
    std::string s;
    switch (v.kind) {
      case Kind::Absent: return s;
      case Kind::Null: return "\"\"";
      case Kind::Bool: return v.boolean ? "Y" : "N";
      case Kind::Int: return std::to_string(v.integer);
      case Kind::Duration: return std::to_string(v.integer);
      case Kind::Record:
      case Kind::List: return s;  // not representable at this level
      default: break;
    }
    if (v.text == nullptr) return s;
    std::string_view text = v.str();
    if (v.flags & kEr7Text) return std::string(text);
    if (text == "\"\"") {  // two quotes that are not a null must not read back as one
      s.push_back(seps_.escape), s.append("X22"), s.push_back(seps_.escape), s.push_back('"');
      return s;
    }
    detail::append_escaped(s, text, seps_);
    return s;
  }

  static std::string join(const std::vector<std::string>& parts, char sep) {
    std::string s;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      if (i) s.push_back(sep);
      s.append(parts[i]);
    }
    return s;
  }

  Separators seps_;
  std::string msh2_;
  std::string out_;
};

}  // namespace

std::string encode_typed(const abi::Record& structure) {
  return Encoder().run(structure);
}

}  // namespace suture::runtime::hl7

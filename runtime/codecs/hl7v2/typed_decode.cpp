// typed_decode.cpp — Message ─► typed abi::Record (typed.h). Two walks: the structure walk
// matches the message's segments, in order, against the structure's segment and group members
// (a stack of open groups; a segment goes to the deepest open group that can still take it,
// closing the groups above; a segment nobody can take is kept as an unknown member), and the
// segment walk maps fields / repetitions / components / subcomponents onto the segment and
// data-type records by position.
#include <charconv>
#include <new>
#include <unordered_map>
#include <vector>

#include "runtime/codecs/hl7v2/detail.h"
#include "runtime/codecs/hl7v2/er7.h"
#include "runtime/codecs/hl7v2/typed.h"

namespace suture::runtime::hl7 {
namespace {

using abi::FieldDesc;
using abi::Kind;
using abi::RecordDesc;
using abi::TypeDesc;

bool is_record(const TypeDesc& t) {
  return t.kind == Kind::Record && t.record != nullptr;
}
bool is_segment(const TypeDesc& t) {
  return is_record(t) && !t.record->segment.empty();
}
bool is_required(const FieldDesc& f) {
  return !f.type.list && !f.type.optional;
}

// Can `name` start (or be the first present segment of) member `f`?
bool starts(const FieldDesc& f, std::string_view name, int depth = 0) {
  if (!is_record(f.type) || depth > 32) return false;
  if (!f.type.record->segment.empty()) return f.type.record->segment == name;
  for (const FieldDesc& g : f.type.record->fields) {
    if (starts(g, name, depth + 1)) return true;
    if (is_required(g)) return false;
  }
  return false;
}

bool valid_nm(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  bool digits = false, point = false;
  for (; i < s.size(); ++i) {
    if (s[i] >= '0' && s[i] <= '9')
      digits = true;
    else if (s[i] == '.' && !point)
      point = true;
    else
      return false;
  }
  return digits;
}

// Where a leaf is, for error messages: OBX[1]-5[2].1.1
struct Where {
  std::string_view segment;
  std::size_t occurrence = 0;
  std::size_t ordinal = 0;  // 1-based segment number in the message
  std::size_t offset = 0;
  std::size_t field = 0, repetition = 0, component = 0, subcomponent = 0;
  std::string path() const {
    std::string s(segment);
    s += '[' + std::to_string(occurrence) + "]-" + std::to_string(field);
    if (repetition > 1) s += '[' + std::to_string(repetition) + ']';
    if (component != 0) s += '.' + std::to_string(component);
    if (subcomponent != 0) s += '.' + std::to_string(subcomponent);
    return s;
  }
};

class Decoder {
 public:
  Decoder(const Message& m, Arena& arena) : m_(m), arena_(arena), seps_(m.separators()) {}

  TypedResult run(const RecordDesc& structure) {
    auto segs = m_.segments();
    std::unordered_map<std::string_view, std::size_t> seen;
    frames_.push_back(Frame{&structure, -1, {}, {}, std::string(structure.name)});
    frames_.back().init();
    for (std::size_t i = 0; i < segs.size() && !error_; ++i) {
      const Segment& seg = segs[i];
      Where w{seg.name, ++seen[seg.name], i + 1, seg.offset};
      int level = static_cast<int>(frames_.size()) - 1, g = -1;
      for (; level >= 0; --level)
        if ((g = find_in(frames_[level], seg.name)) >= 0) break;
      if (g < 0) {
        keep_unknown_segment(seg);
        continue;
      }
      while (static_cast<int>(frames_.size()) - 1 > level && !error_) close_frame(w);
      if (error_) break;
      frames_.back().cur = g;
      while (!is_segment(frames_.back().desc->fields[g].type)) {
        Frame& parent = frames_.back();
        const FieldDesc& fd = parent.desc->fields[g];
        std::string path = parent.path + "." + fd.name;
        if (fd.type.list) path += "[" + std::to_string(parent.items[g].size() + 1) + "]";
        frames_.push_back(Frame{fd.type.record, -1, {}, {}, std::move(path)});
        frames_.back().init();
        g = find_in(frames_.back(), seg.name);
        if (g < 0) {  // cannot happen: starts() said so
          fail(ErrorCode::MissingSegment, w, "", "internal: group does not start with " + std::string(seg.name));
          return finish();
        }
        frames_.back().cur = g;
      }
      const FieldDesc& fd = frames_.back().desc->fields[g];
      abi::Record* rec = decode_segment(*fd.type.record, seg, w);
      if (error_) break;
      last_segment_ = rec;
      abi::Value v;
      v.kind = Kind::Record;
      v.record = rec;
      put(frames_.back(), g, v);
    }
    Where end{};
    end.ordinal = segs.size();
    end.offset = segs.empty() ? 0 : segs.back().offset;
    while (!error_ && frames_.size() > 1) close_frame(end);
    if (!error_) close_frame(end);
    return finish();
  }

 private:
  struct Frame {
    const RecordDesc* desc;
    int cur;
    std::vector<std::vector<abi::Value>> items;  // per member: list elements, or the one value
    std::vector<bool> filled;
    std::string path;
    void init() {
      items.resize(desc->fields.size());
      filled.resize(desc->fields.size());
    }
  };

  // The member of `f` that can take segment `name` now: the current one again when it repeats,
  // else the first later one that it can start.
  static int find_in(const Frame& f, std::string_view name) {
    int n = static_cast<int>(f.desc->fields.size());
    for (int g = f.cur < 0 ? 0 : f.cur; g < n; ++g) {
      const FieldDesc& fd = f.desc->fields[g];
      if (g == f.cur && !fd.type.list) continue;
      if (starts(fd, name)) return g;
      // A required member still missing is a barrier: what comes after it cannot be reached
      // before it (the segment is kept as unknown, and the member may still follow).
      if (g != f.cur && is_required(fd) && !f.filled[g]) break;
    }
    return -1;
  }

  static void put(Frame& f, int g, const abi::Value& v) {
    f.items[g].push_back(v);
    f.filled[g] = true;
  }

  void close_frame(const Where& w) {
    Frame f = std::move(frames_.back());
    frames_.pop_back();
    for (std::size_t i = 0; i < f.desc->fields.size(); ++i) {
      const FieldDesc& fd = f.desc->fields[i];
      if (!is_required(fd) || f.filled[i]) continue;
      std::string seg = is_segment(fd.type) ? fd.type.record->segment : "group " + fd.type.record->name;
      fail(ErrorCode::MissingSegment, w, f.path + "." + fd.name,
           "required " + (is_segment(fd.type) ? "segment " + seg : seg) + " is missing in " + f.path);
      return;
    }
    abi::Record* rec = new_record(*f.desc);
    for (std::size_t i = 0; i < f.desc->fields.size(); ++i) {
      const FieldDesc& fd = f.desc->fields[i];
      auto& vals = f.items[i];
      if (vals.empty()) continue;
      if (fd.type.list)
        rec->slots[fd.slot] = list_value(vals);
      else
        rec->slots[fd.slot] = vals.front();
    }
    if (frames_.empty()) {
      root_ = rec;
      return;
    }
    abi::Value v;
    v.kind = Kind::Record;
    v.record = rec;
    put(frames_.back(), frames_.back().cur, v);
  }

  void keep_unknown_segment(const Segment& seg) {
    std::string raw(seg.name);
    auto fields = m_.fields(seg);
    std::size_t i = 0;
    if (seg.name == "MSH" && fields.size() >= 2) {
      raw += seps_.field;
      raw += leaf(fields[1]).raw;
      i = 2;
    }
    for (; i < fields.size(); ++i) {
      raw += seps_.field;
      raw += field_raw(fields[i]);
    }
    // Anchored on the segment it follows, so the encoder puts it back right there.
    abi::Record* anchor = last_segment_ ? last_segment_ : nullptr;
    if (anchor == nullptr) {
      leading_.push_back(member(seg.name, raw));
    } else {
      pending_[anchor].push_back(member(seg.name, raw));
    }
  }

  TypedResult finish() {
    TypedResult r;
    if (error_) {
      r.error = std::move(error_);
      return r;
    }
    for (auto& [rec, members] : pending_) attach(rec, members);
    if (!leading_.empty()) attach(root_, leading_);
    r.record = root_;
    return r;
  }

  void attach(abi::Record* rec, std::vector<abi::UnknownMember>& members) {
    std::size_t n = rec->unknown_count + members.size();
    auto* all = arena_.make_array<abi::UnknownMember>(n);
    for (std::uint32_t i = 0; i < rec->unknown_count; ++i) all[i] = rec->unknown[i];
    for (std::size_t i = 0; i < members.size(); ++i) all[rec->unknown_count + i] = members[i];
    rec->unknown = all;
    rec->unknown_count = static_cast<std::uint32_t>(n);
  }

  // ── segments ──

  const std::vector<int>& positions(const RecordDesc& d) {
    auto it = positions_.find(&d);
    if (it != positions_.end()) return it->second;
    std::vector<int> p;
    for (std::size_t i = 0; i < d.fields.size(); ++i) {
      std::size_t pos = d.fields[i].position;
      if (pos == 0) continue;
      if (p.size() <= pos) p.resize(pos + 1, -1);
      p[pos] = static_cast<int>(i);
    }
    return positions_.emplace(&d, std::move(p)).first->second;
  }
  int field_at(const RecordDesc& d, std::size_t pos) {
    const auto& p = positions(d);
    return pos < p.size() ? p[pos] : -1;
  }

  abi::Record* decode_segment(const RecordDesc& d, const Segment& seg, Where w) {
    abi::Record* rec = new_record(d);
    auto fields = m_.fields(seg);
    std::vector<abi::UnknownMember> unknown;
    for (std::size_t i = 0; i < fields.size() && !error_; ++i) {
      std::size_t n = i + 1;
      w.field = n;
      int idx = field_at(d, n);
      if (seg.name == "MSH" && n <= 2) {  // separators: text as written, never split or unescaped
        std::string_view raw = leaf(fields[i]).raw;
        if (idx >= 0 && !raw.empty())
          rec->slots[d.fields[idx].slot] = text_value(Kind::String, raw);
        else if (!raw.empty())
          unknown.push_back(member(std::string(seg.name) + "-" + std::to_string(n), raw));
        continue;
      }
      if (idx < 0) {
        if (!m_.absent(fields[i]))
          unknown.push_back(member(std::string(seg.name) + "-" + std::to_string(n), field_raw(fields[i])));
        continue;
      }
      const FieldDesc& fd = d.fields[idx];
      auto reps = trimmed(m_.repetitions(fields[i]));
      if (reps.empty()) continue;
      if (reps.size() == 1 && single_null(reps[0])) {
        rec->slots[fd.slot].kind = Kind::Null;
        continue;
      }
      if (fd.type.list) {
        std::vector<abi::Value> items;
        for (std::size_t r = 0; r < reps.size() && !error_; ++r) {
          w.repetition = r + 1;
          items.push_back(decode_rep(fd.type, reps[r], w));
        }
        rec->slots[fd.slot] = list_value(items);
      } else {
        w.repetition = 1;
        rec->slots[fd.slot] = decode_rep(fd.type, reps[0], w);
        if (reps.size() > 1) {
          std::string raw;
          for (std::size_t r = 1; r < reps.size(); ++r) {
            if (r > 1) raw += seps_.repetition;
            raw += rep_raw(reps[r]);
          }
          unknown.push_back(member(std::string(seg.name) + "-" + std::to_string(n), raw));
        }
      }
      w.repetition = 0;
    }
    if (!unknown.empty()) attach(rec, unknown);
    return rec;
  }

  abi::Value decode_rep(const TypeDesc& t, const Repetition& rep, Where w) {
    auto comps = trimmed(m_.components(rep));
    if (comps.empty()) return {};
    if (comps.size() == 1 && single_null(comps[0])) return null_value();
    if (!is_record(t)) {
      if (comps.size() == 1) return decode_comp(t, comps[0], w);
      std::string raw;
      for (std::size_t c = 0; c < comps.size(); ++c) {
        if (c) raw += seps_.component;
        raw += comp_raw(comps[c]);
      }
      return wire_value(raw);
    }
    const RecordDesc& d = *t.record;
    abi::Record* rec = new_record(d);
    std::vector<abi::UnknownMember> unknown;
    for (std::size_t c = 0; c < comps.size() && !error_; ++c) {
      int idx = field_at(d, c + 1);
      if (idx < 0) {
        if (!comp_absent(comps[c])) unknown.push_back(member(std::to_string(c + 1), comp_raw(comps[c])));
        continue;
      }
      w.component = c + 1;
      rec->slots[d.fields[idx].slot] = decode_comp(d.fields[idx].type, comps[c], w);
    }
    if (!unknown.empty()) attach(rec, unknown);
    return record_value(rec);
  }

  abi::Value decode_comp(const TypeDesc& t, const Component& comp, Where w) {
    auto vals = trimmed(m_.values(comp));
    if (vals.empty()) return {};
    if (vals.size() == 1 && vals[0].null) return null_value();
    if (!is_record(t)) {
      if (vals.size() == 1) return decode_leaf(t, vals[0], w);
      std::string raw;
      for (std::size_t s = 0; s < vals.size(); ++s) {
        if (s) raw += seps_.subcomponent;
        raw += vals[s].raw;
      }
      return wire_value(raw);
    }
    const RecordDesc& d = *t.record;
    abi::Record* rec = new_record(d);
    std::vector<abi::UnknownMember> unknown;
    for (std::size_t s = 0; s < vals.size() && !error_; ++s) {
      int idx = field_at(d, s + 1);
      if (idx < 0) {
        if (!vals[s].absent()) unknown.push_back(member(std::to_string(s + 1), vals[s].raw));
        continue;
      }
      if (w.component != 0) w.subcomponent = s + 1;
      rec->slots[d.fields[idx].slot] = decode_leaf(d.fields[idx].type, vals[s], w);
    }
    if (!unknown.empty()) attach(rec, unknown);
    return record_value(rec);
  }

  abi::Value decode_leaf(const TypeDesc& t, const Value& v, const Where& w, int depth = 0) {
    if (v.null) return null_value();
    if (v.absent()) return {};
    if (is_record(t)) {  // a record below the subcomponent level: the leaf is its first member
      abi::Record* rec = new_record(*t.record);
      int idx = field_at(*t.record, 1);
      if (idx >= 0 && depth < 8) {
        rec->slots[t.record->fields[idx].slot] = decode_leaf(t.record->fields[idx].type, v, w, depth + 1);
      } else {
        std::vector<abi::UnknownMember> unknown{member("1", v.raw)};
        attach(rec, unknown);
      }
      return record_value(rec);
    }
    switch (t.kind) {
      case Kind::Decimal:
        if (!valid_nm(v.text)) {
          fail(ErrorCode::BadNumber, w, w.path(), "not a number (NM): \"" + std::string(v.text) + "\"");
          return {};
        }
        return text_value(Kind::Decimal, v.text);
      case Kind::Int: {
        std::int64_t n = 0;
        std::string_view s = v.text;
        std::size_t skip = (!s.empty() && s[0] == '+') ? 1 : 0;
        auto [p, ec] = std::from_chars(s.data() + skip, s.data() + s.size(), n);
        if (ec != std::errc() || p != s.data() + s.size() || s.size() == skip) {
          fail(ErrorCode::BadNumber, w, w.path(), "not an integer (SI): \"" + std::string(v.text) + "\"");
          return {};
        }
        if (std::to_string(n) != s) return wire_value(v.raw);  // "01", "+1": keep the text as written
        abi::Value out;
        out.kind = Kind::Int;
        out.integer = n;
        return out;
      }
      default: return text_value(Kind::String, v.text);
    }
  }

  // ── helpers ──

  bool leaf_absent(const Value& v) const { return v.absent(); }
  bool comp_absent(const Component& c) const {
    for (const Value& v : m_.values(c))
      if (!v.absent()) return false;
    return true;
  }
  bool rep_absent(const Repetition& r) const {
    for (const Component& c : m_.components(r))
      if (!comp_absent(c)) return false;
    return true;
  }
  bool single_null(const Repetition& r) const {
    auto comps = trimmed(m_.components(r));
    return comps.size() == 1 && single_null(comps[0]);
  }
  bool single_null(const Component& c) const {
    auto vals = trimmed(m_.values(c));
    return vals.size() == 1 && vals[0].null;
  }
  std::span<const Value> trimmed(std::span<const Value> s) const {
    while (!s.empty() && s.back().absent()) s = s.first(s.size() - 1);
    return s;
  }
  std::span<const Component> trimmed(std::span<const Component> s) const {
    while (!s.empty() && comp_absent(s.back())) s = s.first(s.size() - 1);
    return s;
  }
  std::span<const Repetition> trimmed(std::span<const Repetition> s) const {
    while (!s.empty() && rep_absent(s.back())) s = s.first(s.size() - 1);
    return s;
  }
  const Value& leaf(const Field& f) const {
    static const Value empty{};
    auto reps = m_.repetitions(f);
    if (reps.empty()) return empty;
    auto comps = m_.components(reps[0]);
    if (comps.empty()) return empty;
    auto vals = m_.values(comps[0]);
    return vals.empty() ? empty : vals[0];
  }
  std::string comp_raw(const Component& c) const {
    std::string s;
    auto vals = trimmed(m_.values(c));
    for (std::size_t i = 0; i < vals.size(); ++i) {
      if (i) s += seps_.subcomponent;
      s += vals[i].raw;
    }
    return s;
  }
  std::string rep_raw(const Repetition& r) const {
    std::string s;
    auto comps = trimmed(m_.components(r));
    for (std::size_t i = 0; i < comps.size(); ++i) {
      if (i) s += seps_.component;
      s += comp_raw(comps[i]);
    }
    return s;
  }
  std::string field_raw(const Field& f) const {
    std::string s;
    auto reps = trimmed(m_.repetitions(f));
    for (std::size_t i = 0; i < reps.size(); ++i) {
      if (i) s += seps_.repetition;
      s += rep_raw(reps[i]);
    }
    return s;
  }

  abi::Record* new_record(const RecordDesc& d) {
    void* p = arena_.allocate(abi::record_size(d.slot_count), alignof(abi::Record));
    auto* r = static_cast<abi::Record*>(p);
    r->desc = &d;
    r->unknown = nullptr;
    r->unknown_count = 0;
    r->slot_count = d.slot_count;
    for (std::uint32_t i = 0; i < (d.slot_count == 0 ? 1u : d.slot_count); ++i) new (&r->slots[i]) abi::Value();
    return r;
  }
  abi::Value list_value(const std::vector<abi::Value>& items) {
    abi::Value v;
    v.kind = Kind::List;
    v.aux = static_cast<std::uint32_t>(items.size());
    v.items = arena_.make_array<abi::Value>(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) v.items[i] = items[i];
    return v;
  }
  static abi::Value record_value(abi::Record* r) {
    abi::Value v;
    v.kind = Kind::Record;
    v.record = r;
    return v;
  }
  static abi::Value null_value() {
    abi::Value v;
    v.kind = Kind::Null;
    return v;
  }
  abi::Value text_value(Kind k, std::string_view text) {
    abi::Value v;
    v.kind = k;
    v.text = arena_.copy(text.data(), text.size());
    v.aux = static_cast<std::uint32_t>(text.size());
    return v;
  }
  abi::Value wire_value(std::string_view raw) {
    abi::Value v = text_value(Kind::String, raw);
    v.flags |= kEr7Text;
    return v;
  }
  abi::UnknownMember member(std::string_view key, std::string_view raw) {
    abi::UnknownMember u;
    u.key = arena_.copy(key.data(), key.size());
    u.key_size = static_cast<std::uint32_t>(key.size());
    u.raw = arena_.copy(raw.data(), raw.size());
    u.raw_size = static_cast<std::uint32_t>(raw.size());
    return u;
  }

  void fail(ErrorCode code, const Where& w, std::string path, std::string message) {
    if (error_) return;
    error_ = Error{code, Position{w.ordinal, std::move(path), w.offset}, std::move(message)};
  }

  const Message& m_;
  Arena& arena_;
  Separators seps_;
  std::vector<Frame> frames_;
  std::optional<Error> error_;
  abi::Record* root_ = nullptr;
  abi::Record* last_segment_ = nullptr;
  std::vector<abi::UnknownMember> leading_;
  std::unordered_map<abi::Record*, std::vector<abi::UnknownMember>> pending_;
  std::unordered_map<const RecordDesc*, std::vector<int>> positions_;
};

}  // namespace

TypedResult decode_typed_as(const Message& message, const abi::RecordDesc& structure, runtime::Arena& arena) {
  try {
    return Decoder(message, arena).run(structure);
  } catch (const std::bad_alloc&) {
    TypedResult r;
    r.error = Error{ErrorCode::TooComplex, Position{}, "out of memory while decoding"};
    return r;
  }
}

TypedResult decode_typed(const Message& message, const abi::SchemaSet& schemas, runtime::Arena& arena) {
  auto text = [&](std::string_view path) { return get(message, path).value_or(std::string_view{}); };
  std::string type(text("MSH-9.1")), event(text("MSH-9.2")), structure(text("MSH-9.3"));
  std::string full = event.empty() ? type : type + "^" + event;
  const abi::RecordDesc* by_event = nullptr;
  const abi::RecordDesc* by_structure = nullptr;
  const abi::RecordDesc* by_type = nullptr;
  for (const abi::RecordDesc& r : schemas.records()) {
    if (r.messages.empty()) continue;
    for (const std::string& m : r.messages) {
      if (!by_event && m == full) by_event = &r;
      if (!by_type && m == type) by_type = &r;
    }
    if (!by_structure && !structure.empty() && r.name == structure) by_structure = &r;
  }
  const abi::RecordDesc* chosen = by_event ? by_event : by_structure ? by_structure : by_type;
  if (!chosen) {
    TypedResult r;
    std::size_t offset = message.segments().empty() ? 0 : message.segments()[0].offset;
    r.error = Error{ErrorCode::UnknownStructure, Position{1, "MSH-9", offset},
                    "no message structure for \"" + full + (structure.empty() ? "" : "^" + structure) + "\""};
    return r;
  }
  return decode_typed_as(message, *chosen, arena);
}

}  // namespace suture::runtime::hl7

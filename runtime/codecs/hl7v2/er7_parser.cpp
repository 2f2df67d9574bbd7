// er7_parser.cpp — ER7 text ─► Message. After separators.cpp has read MSH-1/MSH-2, one pass over
// each segment splits it by field, repetition, component and subcomponent separators into the
// Message's flat arrays. Leaves view the input; only leaves holding the escape character are
// decoded (escape.cpp) into storage the Message owns. Work and memory are linear in the input
// and capped by ParseOptions.
#include <algorithm>
#include <cstdint>
#include <limits>

#include "runtime/codecs/hl7v2/detail.h"
#include "runtime/codecs/hl7v2/er7.h"

namespace suture::runtime::hl7 {

class Parser {
 public:
  Parser(std::string_view input, const ParseOptions& options) : in_(input), opt_(options) {}

  static Result<Message> owned(std::string input, const ParseOptions& options) {
    auto text = std::make_shared<const std::string>(std::move(input));
    Message m;
    m.owned_input_ = text;
    return Parser(*text, options).run(std::move(m));
  }

  Result<Message> run(Message msg) {
    const std::size_t max_bytes = std::min<std::size_t>(opt_.max_bytes, std::numeric_limits<std::uint32_t>::max() / 2);
    if (in_.size() > max_bytes)
      return Error{ErrorCode::TooLarge, Position{0, "", max_bytes},
                   "message is " + std::to_string(in_.size()) + " bytes; the limit is " + std::to_string(max_bytes)};
    m_ = &msg;
    std::size_t pos = 0;
    if (in_.substr(0, 3) == "\xEF\xBB\xBF") msg.bom_ = true, pos = 3;
    if (in_.substr(pos, 3) != "MSH")
      return Error{ErrorCode::NoMsh, Position{0, "", pos}, "a message must start with an MSH segment"};
    std::string_view msh2;
    if (auto err = detail::read_separators(in_, pos, msg.separators_, msh2)) return *err;
    seps_ = msg.separators_;
    msh2_ = msh2;

    msg.values_.reserve(in_.size() / 4 + 8);
    while (pos < in_.size()) {
      while (pos < in_.size() && (in_[pos] == '\r' || in_[pos] == '\n')) ++pos;
      if (pos >= in_.size()) break;
      std::size_t end = pos;
      while (end < in_.size() && in_[end] != '\r' && in_[end] != '\n') ++end;
      if (msg.segments_.size() >= opt_.max_segments)
        return Error{ErrorCode::TooComplex, Position{msg.segments_.size() + 1, "", pos},
                     "more than " + std::to_string(opt_.max_segments) + " segments"};
      if (auto err = segment(pos, end)) return *err;
      pos = end;
    }
    return Result<Message>(std::move(msg));
  }

 private:
  static bool segment_name_ok(std::string_view n) {
    if (n.size() != 3) return false;
    for (char c : n)
      if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
    return true;
  }

  std::optional<Error> segment(std::size_t begin, std::size_t end) {
    Message& m = *m_;
    const std::size_t ordinal = m.segments_.size() + 1;
    std::string_view text = in_.substr(begin, end - begin);
    std::string_view name = text.substr(0, std::min(text.find(seps_.field), text.size()));
    if (!segment_name_ok(name))
      return Error{ErrorCode::BadSegmentName, Position{ordinal, "", begin},
                   "a segment must start with a three-character id of capital letters and digits"};
    Segment seg{name, Range{static_cast<std::uint32_t>(m.fields_.size()), 0}, begin};
    std::size_t first_field = 1;
    std::size_t rest = name.size();  // offset in `text` of the field separator before field 1
    if (name == "MSH") {
      // MSH-1 and MSH-2 are kept as written: they define the separators, they are not split.
      std::string_view msh2 =
          text.size() < 4 ? std::string_view() : text.substr(4, std::min(text.find(seps_.field, 4), text.size()) - 4);
      if (text.size() < 4 || text[3] != seps_.field || msh2 != msh2_)
        return Error{ErrorCode::BadSeparators, Position{ordinal, "MSH-1", begin},
                     "a later MSH segment declares different separators"};
      leaf_field(text.substr(3, 1));
      leaf_field(msh2);
      first_field = 3;
      rest = 4 + msh2.size();
    }
    if (rest < text.size()) {
      if (auto err = fields(text.substr(rest + 1), begin + rest + 1, name, ordinal, first_field)) return err;
    }
    seg.fields.count = static_cast<std::uint32_t>(m.fields_.size() - seg.fields.first);
    m.segments_.push_back(seg);
    return std::nullopt;
  }

  // A field holding exactly one unsplit, unescaped leaf (MSH-1, MSH-2).
  void leaf_field(std::string_view raw) {
    Message& m = *m_;
    m.values_.push_back(Value{raw, raw, false});
    m.components_.push_back(Component{Range{static_cast<std::uint32_t>(m.values_.size() - 1), 1}});
    m.repetitions_.push_back(Repetition{Range{static_cast<std::uint32_t>(m.components_.size() - 1), 1}});
    m.fields_.push_back(Field{Range{static_cast<std::uint32_t>(m.repetitions_.size() - 1), 1}});
  }

  // Splits the fields of one segment (the text after the separator that precedes `first`).
  std::optional<Error> fields(std::string_view s, std::size_t base, std::string_view name, std::size_t ordinal,
                              std::size_t first) {
    Message& m = *m_;
    auto size32 = [](const auto& v) { return static_cast<std::uint32_t>(v.size()); };
    std::uint32_t comp_first = size32(m.values_), rep_first = size32(m.components_),
                  field_first = size32(m.repetitions_);
    std::size_t leaf_start = 0, field_no = first, rep_no = 1, comp_no = 1, sub_no = 1;
    for (std::size_t i = 0; i <= s.size(); ++i) {
      const bool at_end = i == s.size();
      const char c = at_end ? '\0' : s[i];
      const bool f = at_end || c == seps_.field;
      const bool r = f || c == seps_.repetition;
      const bool k = r || c == seps_.component;
      if (!(k || c == seps_.subcomponent)) continue;

      if (m.values_.size() >= opt_.max_values)
        return Error{ErrorCode::TooComplex, Position{ordinal, detail::format_path(name, field_no), base + i},
                     "more than " + std::to_string(opt_.max_values) + " values"};
      std::string_view raw = s.substr(leaf_start, i - leaf_start);
      Value v{raw, raw, raw == "\"\""};
      if (v.null) {
        v.text = {};
      } else if (raw.find(seps_.escape) != std::string_view::npos) {
        std::string& out = m.decoded_.emplace_back();
        if (auto problem = detail::decode_escapes(raw, seps_, opt_.strict_escapes, out))
          return Error{ErrorCode::BadEscape,
                       Position{ordinal, detail::format_path(name, field_no, rep_no, comp_no, sub_no),
                                base + leaf_start + problem->offset},
                       problem->message};
        v.text = out;
      }
      m.values_.push_back(v);
      leaf_start = i + 1;
      ++sub_no;
      if (k) {
        m.components_.push_back(Component{Range{comp_first, size32(m.values_) - comp_first}});
        comp_first = size32(m.values_);
        ++comp_no, sub_no = 1;
      }
      if (r) {
        m.repetitions_.push_back(Repetition{Range{rep_first, size32(m.components_) - rep_first}});
        rep_first = size32(m.components_);
        ++rep_no, comp_no = 1;
      }
      if (f) {
        m.fields_.push_back(Field{Range{field_first, size32(m.repetitions_) - field_first}});
        field_first = size32(m.repetitions_);
        ++field_no, rep_no = 1;
      }
    }
    return std::nullopt;
  }

  std::string_view in_;
  const ParseOptions& opt_;
  Message* m_ = nullptr;
  Separators seps_;
  std::string_view msh2_;
};

Result<Message> parse(std::string_view input, const ParseOptions& options) {
  return Parser(input, options).run(Message{});
}

Result<Message> parse_owned(std::string input, const ParseOptions& options) {
  return Parser::owned(std::move(input), options);
}

std::string normalize_terminators(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 1);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' || text[i] == '\n') {
      if (!out.empty() && out.back() != '\r') out.push_back('\r');
    } else {
      out.push_back(text[i]);
    }
  }
  if (!out.empty() && out.back() != '\r') out.push_back('\r');
  return out;
}

}  // namespace suture::runtime::hl7

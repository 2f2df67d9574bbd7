// er7_types.cpp — the small out-of-line parts of er7_types.h: error names and rendering, HL7
// path formatting for error positions, and Message's segment lookup.
#include "runtime/codecs/hl7v2/detail.h"

namespace suture::runtime::hl7 {

std::string_view error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::NoMsh: return "HL7_NO_MSH";
    case ErrorCode::BadSeparators: return "HL7_BAD_SEPARATORS";
    case ErrorCode::BadSegmentName: return "HL7_BAD_SEGMENT_NAME";
    case ErrorCode::BadEscape: return "HL7_BAD_ESCAPE";
    case ErrorCode::TooLarge: return "HL7_TOO_LARGE";
    case ErrorCode::TooComplex: return "HL7_TOO_COMPLEX";
    case ErrorCode::BadPath: return "HL7_BAD_PATH";
    case ErrorCode::UnknownStructure: return "HL7_UNKNOWN_STRUCTURE";
    case ErrorCode::MissingSegment: return "HL7_MISSING_SEGMENT";
    case ErrorCode::BadNumber: return "HL7_BAD_NUMBER";
  }
  return "HL7_UNKNOWN";
}

std::string Error::to_string() const {
  std::string s(error_code_name(code));
  if (where.segment != 0) s += " at segment " + std::to_string(where.segment);
  if (!where.path.empty()) s += " (" + where.path + ")";
  s += ", byte " + std::to_string(where.offset) + ": " + message;
  return s;
}

const Segment* Message::find(std::string_view name, std::size_t occurrence) const {
  for (const Segment& s : segments_)
    if (s.name == name && --occurrence == 0) return &s;
  return nullptr;
}

bool Message::absent(const Field& f) const {
  for (const Repetition& r : repetitions(f))
    for (const Component& c : components(r))
      for (const Value& v : values(c))
        if (!v.absent()) return false;
  return true;
}

namespace detail {

std::string format_path(std::string_view segment, std::size_t field, std::size_t repetition, std::size_t component,
                        std::size_t subcomponent) {
  std::string s(segment);
  s += '-' + std::to_string(field);
  if (repetition != 0) s += '[' + std::to_string(repetition) + ']';
  if (component != 0) s += '.' + std::to_string(component);
  if (subcomponent > 1) s += '.' + std::to_string(subcomponent);
  return s;
}

}  // namespace detail
}  // namespace suture::runtime::hl7

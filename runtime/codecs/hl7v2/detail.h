// detail.h — internal helpers shared by the codec's source files (not part of the API):
// separator reading (separators.cpp), escape decoding and encoding (escape.cpp) and HL7 path
// formatting for error positions (er7_types.cpp).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "runtime/codecs/hl7v2/er7_types.h"

namespace suture::runtime::hl7::detail {

/// Reads MSH-1 and MSH-2 from `text` starting at `msh` (the offset of the letters "MSH").
/// On success fills `out` and `msh2` (the unsplit encoding characters).
std::optional<Error> read_separators(std::string_view text, std::size_t msh, Separators& out, std::string_view& msh2);

/// A malformed or (in strict mode) unknown escape found while decoding.
struct EscapeProblem {
  std::size_t offset;  ///< offset of the escape character within the raw text
  std::string message;
};

/// Decodes the escape sequences of `raw` into `out` (appending). Formatting and character-set
/// escapes are kept verbatim; unknown or malformed ones are kept verbatim unless `strict`.
std::optional<EscapeProblem> decode_escapes(std::string_view raw, const Separators& seps, bool strict,
                                            std::string& out);

/// Appends `text` escaped for the wire: the inverse of decode_escapes() on its output.
void append_escaped(std::string& out, std::string_view text, const Separators& seps);

/// True for the escape bodies kept verbatim: H, N, .br, .sp<n>, .in<n>, .ti<n>, .sk<n>, .fi,
/// .nf, .ce (formatting), Cxxyy, Mxxyy[zz] (character sets) and Z… (locally defined).
bool is_kept_escape(std::string_view body);

/// "PID-5[2].1" (subcomponent shown only when > 1; repetition and component when known).
std::string format_path(std::string_view segment, std::size_t field, std::size_t repetition = 0,
                        std::size_t component = 0, std::size_t subcomponent = 0);

}  // namespace suture::runtime::hl7::detail

// names.cpp — the text names of entry-point kinds and data formats, as the manifest and
// `suture inspect` show them.
#include "runtime/pack/pack.h"

#include <array>

namespace suture::pack {
namespace {

constexpr std::array<std::string_view, 4> kKindNames = {"mapping", "policy", "route", "function"};
constexpr std::array<std::string_view, 5> kFormatNames = {"none", "fhir", "odoo", "hl7v2", "json"};

}  // namespace

std::string_view to_string(EntryKind kind) {
  return kKindNames[static_cast<std::size_t>(kind)];
}
std::string_view to_string(DataFormat format) {
  return kFormatNames[static_cast<std::size_t>(format)];
}

std::optional<EntryKind> entry_kind_from(std::string_view text) {
  for (std::size_t i = 0; i < kKindNames.size(); ++i)
    if (kKindNames[i] == text) return static_cast<EntryKind>(i);
  return std::nullopt;
}

std::optional<DataFormat> data_format_from(std::string_view text) {
  for (std::size_t i = 0; i < kFormatNames.size(); ++i)
    if (kFormatNames[i] == text) return static_cast<DataFormat>(i);
  return std::nullopt;
}

}  // namespace suture::pack

// temporal.h — validation of date and time text as FHIR and Odoo write it, and the conversion
// of a date-time to Odoo's naive UTC form. Used by the JSON codecs (runtime/codecs/json).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "runtime/abi/value.h"

namespace suture::runtime::json {

struct TemporalInfo {
  abi::Precision precision = abi::Precision::None;
  bool has_offset = false;
};

// FHIR: date YYYY[-MM[-DD]]; dateTime a date or YYYY-MM-DDThh:mm:ss[.f+](Z|±hh:mm);
// instant the full form only; time hh:mm:ss[.f+]. `kind` is Date, DateTime, Instant or Time.
std::optional<TemporalInfo> parse_fhir_temporal(abi::Kind kind, std::string_view text);
// Odoo: date YYYY-MM-DD; datetime YYYY-MM-DD HH:MM:SS[.ffffff], naive UTC.
std::optional<TemporalInfo> parse_odoo_temporal(abi::Kind kind, std::string_view text);
// A date or date-time value (either syntax) in Odoo's form: offsets applied, so the result is
// UTC. Text it cannot read is returned unchanged.
std::string to_odoo_temporal(const abi::Value& value);
// A date-time read from Odoo (naive UTC) in FHIR's form ("T", "Z"); FHIR text unchanged.
std::string to_fhir_temporal(const abi::Value& value);

}  // namespace suture::runtime::json

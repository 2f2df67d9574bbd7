// temporal.h — date, date-time, instant and time values as numbers, for the natives' ordering
// and arithmetic (internal to runtime/natives). Text is read with the runtime's one scanner
// (runtime/codecs/json/temporal.h, header-only, so nothing of the JSON codec is linked).
//
// Ordering rule (suture_rt_compare, suture_rt_equal): fields are compared from the year down to
// the coarser of the two precisions (seconds and fractions are one precision: 10:30:00 ==
// 10:30:00.000). When both values carry an offset they are first moved to UTC, so date-times
// with offsets compare as instants; when only one does, both are compared as written. Equal up
// to the common precision but of different precisions is indeterminate (FHIR).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "runtime/abi/value.h"
#include "runtime/codecs/json/temporal.h"

namespace suture::runtime::natives {

using temporal_scan::TemporalParts;

inline constexpr std::int64_t kMsPerDay = 86'400'000;

std::optional<TemporalParts> read_parts(const abi::Value& v);

enum class Order { less, equal, greater, indeterminate };
Order compare_temporal(const TemporalParts& a, const TemporalParts& b);

// Milliseconds since 1970-01-01T00:00 of the fields as written (the offset is not applied), and
// of the instant (offset applied when there is one).
std::int64_t local_millis(const TemporalParts& p);
std::int64_t utc_millis(const TemporalParts& p);

// `p` moved by `ms`, written back at its own precision and with its own offset text (`original`
// is the text it was read from). Dates move by whole days (a partial date: from its first day,
// then truncated back to its precision); times wrap around midnight; finer-than-precision parts
// of the duration are dropped, except that a date-time with seconds gains the fraction it needs.
std::string shift_temporal(abi::Kind kind, const TemporalParts& p, std::string_view original, std::int64_t ms,
                           abi::Precision& precision);

}  // namespace suture::runtime::natives

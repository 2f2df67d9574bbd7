// natives.h — the runtime side of the standard functions and of the operators generated code
// does not inline: one `extern "C"` function per builtin of compiler/sema/builtins.cpp (except
// `fail`, which is an operator here) and per operator native, all with the calling convention
// of runtime/exec/context.h. The loader registers `native_symbols()` with the JIT by name.
// Pipeline position: called from JIT-compiled pack code, per message; results live in ctx->arena.
//
// Every function returns true with *out written, or false: for the fallible ones (parse_*,
// month, day, div, mod) without touching ctx->error; for the others after ctx->fail(code, …).
// Arguments are present (generated code handles `?.`), except where a comment says otherwise.
// Nothing throws across this boundary: C++ exceptions (std::bad_alloc) become "OUT_OF_MEMORY".
#pragma once

#include <cstdint>
#include <span>

#include "runtime/abi/value.h"
#include "runtime/exec/context.h"

namespace suture::runtime::natives {

struct NativeSymbol {
  const char* name;  // "suture_rt_length"
  void* address;
};

// Every suture_rt_* function below, in declaration order.
std::span<const NativeSymbol> native_symbols();

// How many regular expressions this thread has compiled (`matches` caches per thread); tests
// use it to see the cache work.
std::uint64_t regex_compilations_on_this_thread();

}  // namespace suture::runtime::natives

extern "C" {
using suture_ctx = suture::runtime::ExecContext;
using suture_value = suture::abi::Value;

// Strings (strings.cpp, case_map.cpp, regex.cpp). Lengths and positions count code points.
bool suture_rt_length(suture_ctx* ctx, suture_value* out, const suture_value* s);
bool suture_rt_lower(suture_ctx* ctx, suture_value* out, const suture_value* s);
bool suture_rt_upper(suture_ctx* ctx, suture_value* out, const suture_value* s);
bool suture_rt_trim(suture_ctx* ctx, suture_value* out, const suture_value* s);
bool suture_rt_trim_start(suture_ctx* ctx, suture_value* out, const suture_value* s);
bool suture_rt_trim_end(suture_ctx* ctx, suture_value* out, const suture_value* s);
bool suture_rt_starts_with(suture_ctx* ctx, suture_value* out, const suture_value* s, const suture_value* prefix);
bool suture_rt_ends_with(suture_ctx* ctx, suture_value* out, const suture_value* s, const suture_value* suffix);
bool suture_rt_contains(suture_ctx* ctx, suture_value* out, const suture_value* s, const suture_value* part);
bool suture_rt_split(suture_ctx* ctx, suture_value* out, const suture_value* s, const suture_value* separator);
bool suture_rt_replace(suture_ctx* ctx, suture_value* out, const suture_value* s, const suture_value* from,
                       const suture_value* to);
bool suture_rt_substring(suture_ctx* ctx, suture_value* out, const suture_value* s, const suture_value* start,
                         const suture_value* length);
bool suture_rt_pad_left(suture_ctx* ctx, suture_value* out, const suture_value* s, const suture_value* length,
                        const suture_value* pad);
bool suture_rt_pad_right(suture_ctx* ctx, suture_value* out, const suture_value* s, const suture_value* length,
                         const suture_value* pad);
bool suture_rt_matches(suture_ctx* ctx, suture_value* out, const suture_value* s, const suture_value* regex);
bool suture_rt_join(suture_ctx* ctx, suture_value* out, const suture_value* list, const suture_value* separator);

// Conversions (convert.cpp; parse_date and parse_datetime: dates.cpp). to_string of an enum needs its descriptor:
// generated code calls suture_rt_enum_to_string with the enum's pack index as an Int (ctx->enums[index]).
bool suture_rt_to_string(suture_ctx* ctx, suture_value* out, const suture_value* a);
bool suture_rt_enum_to_string(suture_ctx* ctx, suture_value* out, const suture_value* a,
                              const suture_value* enum_index);
bool suture_rt_parse_int(suture_ctx* ctx, suture_value* out, const suture_value* s);
bool suture_rt_parse_decimal(suture_ctx* ctx, suture_value* out, const suture_value* s);
bool suture_rt_parse_date(suture_ctx* ctx, suture_value* out, const suture_value* s);
bool suture_rt_parse_datetime(suture_ctx* ctx, suture_value* out, const suture_value* s);
bool suture_rt_parse_bool(suture_ctx* ctx, suture_value* out, const suture_value* s);
// Fallible: U L M N R V as a member of the prelude's std.Confidentiality enum (Kind::Enum, aux =
// member index). Like enum_to_string, generated code passes that enum's pack index as a
// trailing Int (`enum_index`, ctx->enums[index]); the descriptor decides the member index.
bool suture_rt_confidentiality(suture_ctx* ctx, suture_value* out, const suture_value* s,
                               const suture_value* enum_index);

// Numbers (numeric.cpp): exact decimals (decimal.h).
bool suture_rt_abs(suture_ctx* ctx, suture_value* out, const suture_value* n);
bool suture_rt_round(suture_ctx* ctx, suture_value* out, const suture_value* n, const suture_value* places);
bool suture_rt_floor(suture_ctx* ctx, suture_value* out, const suture_value* n);
bool suture_rt_ceil(suture_ctx* ctx, suture_value* out, const suture_value* n);
bool suture_rt_to_decimal(suture_ctx* ctx, suture_value* out, const suture_value* i);

// Dates (dates.cpp).
bool suture_rt_year(suture_ctx* ctx, suture_value* out, const suture_value* d);
bool suture_rt_month(suture_ctx* ctx, suture_value* out, const suture_value* d);
bool suture_rt_day(suture_ctx* ctx, suture_value* out, const suture_value* d);
bool suture_rt_date_of(suture_ctx* ctx, suture_value* out, const suture_value* dt);

// Pseudonymisation and ids (crypto.cpp).
bool suture_rt_sha256(suture_ctx* ctx, suture_value* out, const suture_value* s);
bool suture_rt_hmac_sha256(suture_ctx* ctx, suture_value* out, const suture_value* key_name, const suture_value* s);
bool suture_rt_uuid_from(suture_ctx* ctx, suture_value* out, const suture_value* s);

// Healthcare vocabularies (strings.cpp). smart_permits: one SMART on FHIR scope, v1
// (`patient/Observation.read`, `user/*.write`, `system/*.*`) or v2 (`patient/Observation.rs`);
// interaction is create, read, update, delete or search (v1 read = r s, write = c u d).
// Malformed scopes, unknown interactions and restricted v2 scopes (`…?category=…`) permit
// nothing. purpose_of_use_valid: the code is in HL7 v3 PurposeOfUse (3.1.0).
bool suture_rt_smart_permits(suture_ctx* ctx, suture_value* out, const suture_value* scope,
                             const suture_value* resource_type, const suture_value* interaction);
bool suture_rt_purpose_of_use_valid(suture_ctx* ctx, suture_value* out, const suture_value* code);

// Policy obligations: generated code calls these; they are not standard functions. pseudonymise
// is suture_rt_hmac_sha256. mask (strings.cpp): a String with every code point but `keep` (Int,
// negative as 0) of them replaced by one '*' each; `last` (Int) 1 keeps the last ones, 0 the
// first. generalise (dates.cpp): `grain` a String, "year" | "month" | "day" for a Date, DateTime
// or Instant (the result is always a Date of at most that precision, in the value's own
// offset), "prefix1" … "prefix9" for a String (its first N code points; pass an enum's code as a
// String). Another grain fails with GRAIN_INVALID, another kind with TYPE_MISMATCH.
bool suture_rt_mask(suture_ctx* ctx, suture_value* out, const suture_value* value, const suture_value* keep,
                    const suture_value* last);
bool suture_rt_generalise(suture_ctx* ctx, suture_value* out, const suture_value* value, const suture_value* grain);

// Operators. fail: `code` may be nullptr or absent ("FAILED"), `path` a NUL-terminated JSON
// path (nullptr: "$"); always false. fail/concat: operators.cpp; equal/compare: compare.cpp;
// add … negate: arithmetic.cpp.
bool suture_rt_fail(suture_ctx* ctx, suture_value* out, const suture_value* code, const suture_value* reason,
                    const char* path);
bool suture_rt_equal(suture_ctx* ctx, suture_value* out, const suture_value* a, const suture_value* b);
bool suture_rt_compare(suture_ctx* ctx, suture_value* out, const suture_value* a, const suture_value* b);
bool suture_rt_add(suture_ctx* ctx, suture_value* out, const suture_value* a, const suture_value* b);
bool suture_rt_sub(suture_ctx* ctx, suture_value* out, const suture_value* a, const suture_value* b);
bool suture_rt_mul(suture_ctx* ctx, suture_value* out, const suture_value* a, const suture_value* b);
bool suture_rt_div(suture_ctx* ctx, suture_value* out, const suture_value* a, const suture_value* b);
bool suture_rt_mod(suture_ctx* ctx, suture_value* out, const suture_value* a, const suture_value* b);
bool suture_rt_negate(suture_ctx* ctx, suture_value* out, const suture_value* a);
bool suture_rt_concat(suture_ctx* ctx, suture_value* out, const suture_value* a, const suture_value* b);

// A policy called from a test: its outcome as a std Decision (policy_decision.cpp).
bool suture_rt_policy_decision(suture_ctx* ctx, suture_value* out, const suture_value* outcome,
                               const suture_value* function, const suture_value* record_index);
}

// symbols.cpp — the table of every native by name, which the pack loader hands to the JIT
// (Jit::define_runtime_symbol). A native missing here is an unresolved symbol at pack load.
#include <array>

#include "runtime/natives/natives.h"

namespace suture::runtime::natives {
namespace {

// clang-format off
#define SUTURE_NATIVE(name) NativeSymbol{#name, reinterpret_cast<void*>(&(name))}
// clang-format on

const std::array kSymbols = {
    SUTURE_NATIVE(suture_rt_length),
    SUTURE_NATIVE(suture_rt_lower),
    SUTURE_NATIVE(suture_rt_upper),
    SUTURE_NATIVE(suture_rt_trim),
    SUTURE_NATIVE(suture_rt_trim_start),
    SUTURE_NATIVE(suture_rt_trim_end),
    SUTURE_NATIVE(suture_rt_starts_with),
    SUTURE_NATIVE(suture_rt_ends_with),
    SUTURE_NATIVE(suture_rt_contains),
    SUTURE_NATIVE(suture_rt_split),
    SUTURE_NATIVE(suture_rt_replace),
    SUTURE_NATIVE(suture_rt_substring),
    SUTURE_NATIVE(suture_rt_pad_left),
    SUTURE_NATIVE(suture_rt_pad_right),
    SUTURE_NATIVE(suture_rt_matches),
    SUTURE_NATIVE(suture_rt_join),
    SUTURE_NATIVE(suture_rt_to_string),
    SUTURE_NATIVE(suture_rt_enum_to_string),
    SUTURE_NATIVE(suture_rt_parse_int),
    SUTURE_NATIVE(suture_rt_parse_decimal),
    SUTURE_NATIVE(suture_rt_parse_date),
    SUTURE_NATIVE(suture_rt_parse_datetime),
    SUTURE_NATIVE(suture_rt_parse_bool),
    SUTURE_NATIVE(suture_rt_confidentiality),
    SUTURE_NATIVE(suture_rt_abs),
    SUTURE_NATIVE(suture_rt_round),
    SUTURE_NATIVE(suture_rt_floor),
    SUTURE_NATIVE(suture_rt_ceil),
    SUTURE_NATIVE(suture_rt_to_decimal),
    SUTURE_NATIVE(suture_rt_year),
    SUTURE_NATIVE(suture_rt_month),
    SUTURE_NATIVE(suture_rt_day),
    SUTURE_NATIVE(suture_rt_date_of),
    SUTURE_NATIVE(suture_rt_sha256),
    SUTURE_NATIVE(suture_rt_hmac_sha256),
    SUTURE_NATIVE(suture_rt_uuid_from),
    SUTURE_NATIVE(suture_rt_smart_permits),
    SUTURE_NATIVE(suture_rt_purpose_of_use_valid),
    SUTURE_NATIVE(suture_rt_mask),
    SUTURE_NATIVE(suture_rt_generalise),
    SUTURE_NATIVE(suture_rt_fail),
    SUTURE_NATIVE(suture_rt_equal),
    SUTURE_NATIVE(suture_rt_compare),
    SUTURE_NATIVE(suture_rt_add),
    SUTURE_NATIVE(suture_rt_sub),
    SUTURE_NATIVE(suture_rt_mul),
    SUTURE_NATIVE(suture_rt_div),
    SUTURE_NATIVE(suture_rt_mod),
    SUTURE_NATIVE(suture_rt_negate),
    SUTURE_NATIVE(suture_rt_concat),
    SUTURE_NATIVE(suture_rt_policy_decision),
};

#undef SUTURE_NATIVE

}  // namespace

std::span<const NativeSymbol> native_symbols() {
  return kSymbols;
}

}  // namespace suture::runtime::natives

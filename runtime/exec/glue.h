// glue.h — runtime support generated code calls directly (see glue.cpp), by these names.
#pragma once

#include <cstdint>
#include <span>

#include "runtime/abi/value.h"

namespace suture::runtime {
struct ExecContext;

struct GlueSymbol {
  const char* name;
  void* address;
};
std::span<const GlueSymbol> glue_symbols();

}  // namespace suture::runtime

extern "C" {
void* suture_rt_alloc(suture::runtime::ExecContext* ctx, std::int64_t size);
suture::abi::Record* suture_rt_new_record(suture::runtime::ExecContext* ctx, std::int32_t index);
void suture_rt_error(suture::runtime::ExecContext* ctx, const char* code, const char* message, const char* path);
std::uint64_t suture_rt_hash(const char* text, std::int64_t size, std::int64_t seed);
// A policy rule's condition failed: its failure moves to ctx->skipped and the request goes on.
void suture_rt_rule_skipped(suture::runtime::ExecContext* ctx, std::int32_t rule);
// A policy rule holds: recorded in ctx->held for the decision's explanation.
void suture_rt_rule_held(suture::runtime::ExecContext* ctx, std::int32_t rule);
}

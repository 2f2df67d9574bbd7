// glue.cpp — the runtime functions generated code calls besides the natives: arena allocation,
// new records (every slot absent), errors with a static code and path, and the table hash.
#include "runtime/exec/glue.h"

#include <cstring>
#include <new>

#include "runtime/exec/context.h"
#include "runtime/exec/hash.h"

extern "C" {

void* suture_rt_alloc(suture::runtime::ExecContext* ctx, std::int64_t size) {
  return ctx->arena->allocate(static_cast<std::size_t>(size), alignof(suture::abi::Value));
}

suture::abi::Record* suture_rt_new_record(suture::runtime::ExecContext* ctx, std::int32_t index) {
  const suture::abi::RecordDesc* desc = ctx->records[index];
  void* memory = ctx->arena->allocate(suture::abi::record_size(desc->slot_count), alignof(suture::abi::Record));
  std::memset(memory, 0, suture::abi::record_size(desc->slot_count));  // every slot Kind::Absent
  auto* record = static_cast<suture::abi::Record*>(memory);
  record->desc = desc;
  record->slot_count = desc->slot_count;
  return record;
}

void suture_rt_error(suture::runtime::ExecContext* ctx, const char* code, const char* message, const char* path) {
  ctx->fail(code, message, path);
}

void suture_rt_rule_held(suture::runtime::ExecContext* ctx, std::int32_t rule) {
  ctx->held.push_back(static_cast<std::uint32_t>(rule));
}

void suture_rt_rule_skipped(suture::runtime::ExecContext* ctx, std::int32_t rule) {
  ctx->skipped.emplace_back(static_cast<std::uint32_t>(rule), std::move(ctx->error));
  ctx->failed = false;
  ctx->error = suture::runtime::ExecError{};
}

std::uint64_t suture_rt_hash(const char* text, std::int64_t size, std::int64_t seed) {
  return suture::runtime::table_hash(text, static_cast<std::size_t>(size), static_cast<std::uint64_t>(seed));
}

}  // extern "C"

namespace suture::runtime {

std::span<const GlueSymbol> glue_symbols() {
  static const GlueSymbol symbols[] = {
      {"suture_rt_alloc", reinterpret_cast<void*>(&suture_rt_alloc)},
      {"suture_rt_new_record", reinterpret_cast<void*>(&suture_rt_new_record)},
      {"suture_rt_error", reinterpret_cast<void*>(&suture_rt_error)},
      {"suture_rt_hash", reinterpret_cast<void*>(&suture_rt_hash)},
      {"suture_rt_rule_skipped", reinterpret_cast<void*>(&suture_rt_rule_skipped)},
      {"suture_rt_rule_held", reinterpret_cast<void*>(&suture_rt_rule_held)},
  };
  return symbols;
}

}  // namespace suture::runtime

// context.h — the contract between generated code and the runtime: the per-message execution
// context every entry point and every native receives, and the calling convention.
// Pipeline position: the host (or `suture run`) fills one ExecContext per message, calls a
// pack's entry point with it; generated code and natives read the arena and descriptors from
// it and record a failure in it.
//
// CALLING CONVENTION (C linkage, all pointers non-null unless said otherwise)
//  - Entry point of a mapping `m(p: In) -> Out`:
//        int32_t m(ExecContext* ctx, abi::Value* out, const abi::Value* in)
//    0: `out` holds the Record; 1: the message is rejected and ctx->error says why.
//  - Natives: bool suture_rt_<name>(ExecContext* ctx, abi::Value* out, const abi::Value* a, …)
//    true: *out is written. false: for a fallible builtin (`parse_int`, …) the result is a
//    failure the spec handles (`?? default`) and ctx->error is untouched; for any other native
//    false means the message is rejected and ctx->error has been set.
//  - Absent (`null`) is a Value of Kind::Absent or Kind::Null; a failed `T!` is Kind::Absent.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/abi/value.h"
#include "runtime/schema/descriptor.h"
#include "runtime/value/arena.h"

namespace suture::runtime {

// A key configured for `hmac_sha256(key_name, s)` and `pseudonymise … with "key"`.
struct NamedKey {
  std::string_view name;
  std::string_view bytes;
};

struct ExecError {
  std::string code;     // stable, e.g. "PATIENT_NO_ID", "DECIMAL_OVERFLOW", "REGEX_INVALID"
  std::string path;     // JSON path of the value concerned ("$.id"); "$" when unknown
  std::string message;  // for people
};

// `suture test` only: the rules of each function that is a policy (by function index), so that
// a policy called from a test becomes a std `Decision` (suture_rt_policy_decision in glue.cpp).
struct PolicyRules {
  std::vector<std::string> labels;
  std::vector<std::string> kinds;  // permit, forbid, redact, mask, generalise, pseudonymise
};

struct ExecContext {
  Arena* arena = nullptr;
  // The pack's descriptors, by the indexes generated code uses (pack order).
  const abi::RecordDesc* const* records = nullptr;
  const abi::EnumDesc* const* enums = nullptr;
  const NamedKey* keys = nullptr;
  std::uint32_t key_count = 0;
  bool failed = false;
  ExecError error;
  // Policies: the rules that hold, and the rules whose condition failed with why (the request
  // goes on), by rule index, in evaluation order.
  std::vector<std::uint32_t> held;
  std::vector<std::pair<std::uint32_t, ExecError>> skipped;
  const std::vector<PolicyRules>* policy_rules = nullptr;

  // Records a failure (the first one wins) and returns false, so natives can `return ctx->fail(…)`.
  bool fail(std::string_view code, std::string_view message, std::string_view path = "$") {
    if (!failed) {
      failed = true;
      error = ExecError{std::string(code), std::string(path), std::string(message)};
    }
    return false;
  }
  void clear() {
    failed = false;
    error = ExecError{};
    held.clear();
    skipped.clear();
  }
};

}  // namespace suture::runtime

// policy_decision.cpp — the native behind a policy called from a test: its outcome as a std
// `Decision` (permitted, the rules that decided, the obligations applied, by label), read from
// the rules the call left held in the context. Only `suture test` gives the context the rule
// labels it needs (ExecContext::policy_rules).
#include <cstring>
#include <string>
#include <vector>

#include "runtime/natives/natives.h"
#include "runtime/natives/support.h"

extern "C" {

// A policy's outcome (called from a test) as a std Decision: permitted, the rules that decided
// (the permits that held, or the forbids that held), and the obligations applied (when
// permitted), by label. Consumes the held and skipped rules of that call.
bool suture_rt_policy_decision(suture::runtime::ExecContext* ctx, suture::abi::Value* out,
                               const suture::abi::Value* outcome, const suture::abi::Value* function,
                               const suture::abi::Value* record_index) {
  using suture::abi::Kind;
  using suture::abi::Value;
  if (ctx->policy_rules == nullptr || function->integer < 0 ||
      static_cast<std::size_t>(function->integer) >= ctx->policy_rules->size() || outcome->kind != Kind::Record)
    return ctx->fail("POLICY_DECISION_UNAVAILABLE", "a policy's decision is only reported in tests");
  const suture::runtime::PolicyRules& rules = (*ctx->policy_rules)[static_cast<std::size_t>(function->integer)];
  const bool permitted = outcome->record->slots[0].kind == Kind::Bool && outcome->record->slots[0].boolean;
  std::vector<const std::string*> deciding, applied;
  for (std::uint32_t i : ctx->held) {
    if (i >= rules.kinds.size()) continue;
    const std::string& kind = rules.kinds[i];
    if ((permitted && kind == "permit") || (!permitted && kind == "forbid"))
      deciding.push_back(&rules.labels[i]);
    else if (permitted && kind != "permit" && kind != "forbid")
      applied.push_back(&rules.labels[i]);
  }
  ctx->held.clear();
  ctx->skipped.clear();
  auto list = [&](const std::vector<const std::string*>& items) {
    Value v;
    v.kind = Kind::List;
    v.aux = static_cast<std::uint32_t>(items.size());
    auto* values =
        static_cast<Value*>(ctx->arena->allocate(sizeof(Value) * (items.empty() ? 1 : items.size()), alignof(Value)));
    for (std::size_t i = 0; i < items.size(); ++i) {
      new (&values[i]) Value();
      values[i].kind = Kind::String;
      values[i].text = items[i]->data();
      values[i].aux = static_cast<std::uint32_t>(items[i]->size());
    }
    v.items = values;
    return v;
  };
  const suture::abi::RecordDesc* desc = ctx->records[record_index->integer];
  const std::size_t size = suture::abi::record_size(desc->slot_count);
  auto* decision = static_cast<suture::abi::Record*>(ctx->arena->allocate(size, alignof(suture::abi::Record)));
  std::memset(static_cast<void*>(decision), 0, size);  // every slot Kind::Absent
  decision->desc = desc;
  decision->slot_count = desc->slot_count;
  decision->slots[0].kind = Kind::Bool;
  decision->slots[0].boolean = permitted;
  decision->slots[1] = list(deciding);
  decision->slots[2] = list(applied);
  out->kind = Kind::Record;
  out->record = decision;
  return true;
}

}  // extern "C"

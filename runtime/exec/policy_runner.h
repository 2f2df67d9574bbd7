// policy_runner.h — one compiled policy from a loaded pack, deciding request by request: the
// request's members (one per policy parameter, named as declared: {"principal": {…}, "action":
// "read", "res": {…FHIR…}}) decoded into the arena, the entry point run, and the outcome read
// back as a decision that names the rules that decided it, the rules skipped because their
// condition failed, and the obligations applied (with their paths, never values).
// Pipeline position: `suture authorize`, the host's `authorize` step, benchmarks.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "runtime/exec/engine.h"
#include "runtime/exec/mapping_runner.h"
#include "runtime/pack/pack.h"

namespace suture::runtime {

struct SkippedRule {
  std::string rule;  // its label
  ExecError error;   // why its condition failed
};

struct AppliedObligation {
  std::string rule;  // its label
  std::string kind;  // redact, mask, generalise, pseudonymise
  std::string path;  // JSON path of the field ("$.telecom", "$.identifier[*].value")
};

struct DecisionReport {
  bool permitted = false;
  // Permitted: the permit rules that held. Denied: the forbid rules that held, or none when no
  // permit held (default deny).
  std::vector<std::string> deciding;
  std::vector<SkippedRule> skipped;
  std::vector<AppliedObligation> obligations;
};

class PolicyRunner {
 public:
  static std::variant<std::unique_ptr<PolicyRunner>, std::string> create(const pack::LoadedPack& pack, Engine& engine,
                                                                         std::string_view policy);

  // Decides one request. A request that cannot be decoded is a Rejection (code, path); a
  // decided one fills `report` and, when `resource_out` is given, appends the resource as the
  // obligations left it (JSON in its own format).
  std::optional<Rejection> decide(std::string_view request, bool padded, DecisionReport& report,
                                  std::string* resource_out = nullptr);

  // Benchmarks: decode a request once, then decide it again and again (report may be null).
  std::optional<Rejection> prepare(std::string_view request);
  bool decide_prepared(DecisionReport* report);

  const pack::EntryPoint& entry() const { return *entry_; }
  // Decodes a request's members into parameter values in `arena` (tests and tools).
  std::optional<Rejection> decode(std::string_view request, Arena& arena, std::vector<abi::Value>& params);
  // Keys for pseudonymise / hmac_sha256, by name (the bytes must outlive the runner's use).
  void set_keys(std::vector<NamedKey> keys);

 private:
  PolicyRunner() = default;
  bool run(const std::vector<abi::Value>& params, Arena& arena, DecisionReport* report, abi::Value& outcome);

  const pack::LoadedPack* pack_ = nullptr;
  const pack::EntryPoint* entry_ = nullptr;
  EntryPoint function_ = nullptr;
  std::vector<std::string> param_names_;
  std::vector<const abi::RecordDesc*> param_records_;  // nullptr for scalars
  std::unique_ptr<SchemaTables> tables_;
  Arena arena_, prepared_arena_, scratch_;
  std::vector<abi::Value> prepared_;
  ExecContext context_;
  std::vector<NamedKey> keys_;
  std::string request_buffer_;
  std::shared_ptr<void> parser_;  // a simdjson On-Demand parser, reused (its type stays out of this header)
};

// `{"request":N,"decision":"permit"|"deny","rules":[…],"skipped":[{"rule":…,"code":…,"path":…,
// "error":…}],"obligations":[{"rule":…,"kind":…,"path":…}]}` plus `"resource":{…}` when given.
std::string decision_line(std::uint64_t ordinal, const DecisionReport& report, const std::string* resource);

// The audit record of one decision: decision id (a UUID derived from the pack hash, the policy
// and the request's position and bytes), pack hash, policy, decision, deciding and skipped rules,
// obligations applied (paths only: never a value from the message).
std::string audit_line(std::string_view decision_id, std::string_view pack_hash, std::string_view policy,
                       const DecisionReport& report);

}  // namespace suture::runtime

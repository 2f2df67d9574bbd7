// ir.h — Suture's typed IR: what a checked mapping means, with every name resolved, every
// field read as a slot, optional chains and fallible results explicit, and user functions
// inlined. Its own types (ir::Type) refer to the runtime descriptors the pack carries, so the
// code generator, the optimiser and the reference evaluator need nothing of the front end.
// Pipeline position: sema ─► lower (ir/lower.cpp) ─► optimise (ir/optimise.cpp) ─► codegen,
// and ─► evaluate (tests only). Printed by ir/printer.cpp for golden tests.
//
// Values: every expression yields one abi::Value. `null` is Kind::Absent; a failed `T!` is
// Kind::Absent too (T? and T! never nest, so the two cannot be confused). An absent list is
// the empty list.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "runtime/pack/pack.h"
#include "runtime/schema/descriptor.h"

namespace suture::ir {

enum class TypeKind : std::uint8_t {
  Null,   // the type of `null`
  Never,  // the type of `fail(…)`
  Bool,
  Int,
  Decimal,
  String,
  Date,
  DateTime,
  Time,
  Instant,
  Duration,
  Json,
  Enum,
  Record,
  List,
};

struct Type {
  TypeKind kind = TypeKind::Json;
  bool optional = false;                    // T?
  bool fallible = false;                    // T!
  const Type* element = nullptr;            // List
  const abi::RecordDesc* record = nullptr;  // Record
  std::uint32_t record_index = 0;           // its index in the pack's SchemaSet
  const abi::EnumDesc* enumeration = nullptr;
  std::uint32_t enum_index = 0;
  bool odoo_id = false;  // an Int that is an Odoo record id
};

std::string display(const Type* t);  // "string?", "list<Patient>", "PatientGender"

enum class Op : std::uint8_t {
  // leaves
  Const,  // literal: `text` (strings, decimals, dates…), `integer` (int, bool, enum index, ms)
  Local,  // a parameter, let or lambda binding: `slot`
  // structure
  Let,       // slot = args[0] in args[1]
  If,        // args[0] ? args[1] : args[2]
  Field,     // args[0].field `index` (slot); `chain`: absent base gives absent
  Index,     // args[0][args[1]] (list, by int) → T?
  Coalesce,  // args[0] ?? args[1]
  Fail,      // rejects the message: args = [code?, reason], `text` = JSON path of the value
  // logic and arithmetic
  Not,
  And,
  Or,
  Eq,
  Ne,
  Lt,
  Le,
  Gt,
  Ge,
  Add,
  Sub,
  Mul,
  Div,  // fallible
  Mod,  // fallible
  Neg,
  Concat,  // strings or lists
  // natives
  Call,  // a standard function: `text` = its name; `fallible` from the signature
  // tables: args[0] is the key; `entries` the constant keys and their values; `index` = 1 when
  // args[1] is the default (`_`); a miss without one is a failed T!.
  Table,
  // collections; `slot` binds the element in args[1] (the lambda body)
  ListLit,    // args are the elements
  RecordLit,  // type->record; `fields[i]` is the slot args[i] goes to
  First,      // args[0].first(slot => args[1]?)
  Last,
  Any,
  All,
  Count,
  Filter,
  Map,
  FlatMap,
  Size,
  IsEmpty,
  Contains,  // args[0] (a list) contains args[1]
  Sum,
  Min,
  Max,
  Distinct,
  Take,
  Skip,
  IsPresent,  // args[0] != null, for narrowing-free tests the lowering writes
  Invoke,     // another function of the module (`index`), its parameters `args`: a mapping called from a test
  // ordering (stable: equal keys keep their order); `slot` binds the element in args[1], the key
  Sort,  // args[0] sorted by its elements
  SortBy,
  MinBy,  // the first element with the least key (absent on an empty list)
  MaxBy,  // the first element with the greatest key
};

const char* to_string(Op op);

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct TableEntry {
  std::string key;  // canonical text of the key literal (enum code for enum keys)
  std::int64_t key_int = 0;
  ExprPtr value;  // a constant
};

struct Expr {
  Op op = Op::Const;
  const Type* type = nullptr;
  std::vector<ExprPtr> args;
  std::string text;
  std::int64_t integer = 0;
  std::uint32_t slot = 0;
  std::uint32_t index = 0;
  bool chain = false;
  bool fallible = false;
  std::vector<std::uint32_t> fields;  // RecordLit
  std::vector<TableEntry> entries;    // Table
  std::uint32_t source = 0;           // id in the pack's source map (0: none)
};

// Statements of a mapping or policy body.
enum class StmtOp : std::uint8_t {
  Let,   // slot = value
  Set,   // output path = value (`path` is the slot at each level; records on the way are made)
  When,  // if value { body }
  // Policies (see Function::rules). The outcome record (Function::result) holds `permitted`
  // (Bool), then each parameter as the obligations left it. The rules that hold are reported
  // through ExecContext::held, those whose condition failed through ExecContext::skipped (in
  // that order of evaluation), so an outcome costs the same whatever the number of rules.
  Rule,    // rule `index`: its condition `value` (null: always holds), a failure isolated to it
  Decide,  // permitted = some permit holds and no forbid holds
  Apply,   // obligation `index`, when permitted and its rule holds: on the field at `path` from
           // parameter `slot` (lists on the way are stepped through; `path_types` the record at
           // each level). Redact: `value` is the `where` lambda (element bound to `lambda_slot`)
           // or null; Mask: `value` the count kept; Generalise / Pseudonymise: `text` the
           // granularity / key name.
  // Rules indexed by one key: `value` is the key (evaluated once); `groups` maps its constant
  // values to the Rule statements that can only hold for that value; `body` holds the rest.
  Index,
};

enum class RuleKind : std::uint8_t { Permit, Forbid, Redact, Mask, Generalise, Pseudonymise };
const char* to_string(RuleKind kind);

struct Stmt {
  StmtOp op = StmtOp::Let;
  std::uint32_t slot = 0;
  std::vector<std::uint32_t> path;
  std::vector<const Type*> path_types;  // the record type at each level of `path`
  ExprPtr value;
  std::vector<Stmt> body;
  std::uint32_t source = 0;
  std::uint32_t index = 0;        // Rule / Apply: the rule
  std::uint32_t lambda_slot = 0;  // Apply (redact where)
  std::string text;               // Apply: granularity or key name
  bool keep_last = true;          // Apply (mask)
  // Index: constant key (canonical text) → the rules for it, in rule order.
  std::vector<std::pair<std::string, std::vector<Stmt>>> groups;
};

// A rule of a policy as decisions name it.
struct PolicyRule {
  RuleKind kind = RuleKind::Permit;
  std::string label;      // as written, or "<kind>#<n>" (1-based among all rules) when unlabelled
  std::string path;       // obligations: the field path as written ("res.telecom")
  std::string json_path;  // obligations: "$.telecom", "$.identifier[*].value"
  std::uint32_t source = 0;
};

// One entry point: a mapping `name(params) -> output`, or a policy (`rules` non-empty) whose
// result is its outcome record.
struct Function {
  bool policy = false;
  // A `test` block: its fixtures are its parameters (files read by `suture test`, paths as the
  // spec's folder resolves them), its outcome record one Bool per `expect`, in order.
  bool test = false;
  // A route's `when` / `order by`: one parameter (the message), outcome {when: Bool, order: String?}.
  bool route = false;
  std::vector<std::string> fixtures;
  std::vector<std::uint32_t> expect_sources;
  // `expect out == fixture("expected.json")` on a record: outcome slot `expect` holds the actual
  // record, which `suture test` compares with the file, member by member.
  struct WholeExpect {
    std::uint32_t expect = 0;
    std::string file;
  };
  std::vector<WholeExpect> whole_expects;
  // `expect rejects(e, "CODE"[, "$.path"])`: the test passes only when it is rejected so.
  struct RejectionExpect {
    std::uint32_t expect = 0;
    std::string code;
    std::string path;  // "" = any
  };
  std::vector<RejectionExpect> rejection_expects;
  std::vector<PolicyRule> rules;
  std::string name;                 // as declared
  std::string symbol;               // in the generated module
  std::vector<const Type*> params;  // slots 0..n-1
  std::vector<std::string> param_names;
  std::uint32_t slot_count = 0;  // params, lets and lambda bindings
  const Type* result = nullptr;  // a Record type
  std::vector<Stmt> body;
};

struct SourceLocation {
  std::string file;
  std::uint32_t line = 0;
  std::uint32_t column = 0;
};

// The wire format a value of type `t` travels in: FHIR JSON, Odoo JSON, HL7 v2 ER7, or plain JSON.
pack::DataFormat wire_format(const Type* t);

// A lowered pack: entry points, the descriptors their types refer to, and the source map.
struct Module {
  abi::SchemaSet schemas;
  std::vector<Function> functions;
  std::vector<pack::RouteInfo> routes;  // as the manifest carries them (select entries are in functions)
  std::vector<SourceLocation> sources;  // index = Expr::source / Stmt::source; [0] unused

  const Type* type(Type t);  // interned
  const Type* scalar(TypeKind kind, bool optional = false);
  const Type* optional(const Type* t);
  const Type* plain(const Type* t);  // without ? and !
  const Type* list(const Type* element);

 private:
  std::deque<Type> types_;
  std::map<std::tuple<int, bool, bool, const void*, const void*, const void*, bool>, const Type*> interned_;
};

}  // namespace suture::ir

// optimise.cpp — constant folding, hoisting of repeated field chains, and the fields-read
// analysis (see optimise.h). Folding only evaluates what cannot fail or overflow; anything
// else stays for run time, so folded and unfolded programs reject the same messages.
#include "compiler/ir/optimise.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <set>

#include "compiler/ir/printer.h"

namespace suture::ir {
namespace {

bool is_const(const ExprPtr& e) {
  return e->op == Op::Const;
}
bool is_null(const ExprPtr& e) {
  return e->op == Op::Const && e->type->kind == TypeKind::Null;
}
// A constant whose value compares by `integer` (bool, int, enum) or by `text` (string).
bool comparable_const(const ExprPtr& e) {
  if (!is_const(e)) return false;
  TypeKind k = e->type->kind;
  return k == TypeKind::Bool || k == TypeKind::Int || k == TypeKind::Enum || k == TypeKind::String;
}

ExprPtr make_bool(Module& m, bool b) {
  auto e = std::make_unique<Expr>();
  e->op = Op::Const;
  e->type = m.scalar(TypeKind::Bool);
  e->integer = b;
  return e;
}

ExprPtr make_int(Module& m, std::int64_t n) {
  auto e = std::make_unique<Expr>();
  e->op = Op::Const;
  e->type = m.scalar(TypeKind::Int);
  e->integer = n;
  return e;
}

void replace(ExprPtr& e, ExprPtr with, OptimiseStats& stats) {
  // Keep the node's static type: a folded `x ?? "a"` is still a string, not a string?.
  if (with->type->kind != TypeKind::Null && with->op != Op::Fail) with->type = e->type;
  e = std::move(with);
  ++stats.folded;
}

}  // namespace

void fold(Module& m, ExprPtr& e, OptimiseStats& stats) {
  for (auto& a : e->args) fold(m, a, stats);
  for (auto& entry : e->entries) fold(m, entry.value, stats);
  auto& args = e->args;
  switch (e->op) {
    case Op::Not:
      if (is_const(args[0])) replace(e, make_bool(m, args[0]->integer == 0), stats);
      break;
    case Op::And:
      if (is_const(args[0])) replace(e, args[0]->integer ? std::move(args[1]) : make_bool(m, false), stats);
      break;
    case Op::Or:
      if (is_const(args[0])) replace(e, args[0]->integer ? make_bool(m, true) : std::move(args[1]), stats);
      break;
    case Op::If:
      if (is_const(args[0]) && args[0]->type->kind == TypeKind::Bool)
        replace(e, args[0]->integer ? std::move(args[1]) : std::move(args[2]), stats);
      break;
    case Op::Coalesce:
      if (is_null(args[0]))
        replace(e, std::move(args[1]), stats);
      else if (is_const(args[0]))
        replace(e, std::move(args[0]), stats);
      break;
    case Op::IsPresent:
      if (is_const(args[0])) replace(e, make_bool(m, !is_null(args[0])), stats);
      break;
    case Op::Eq:
    case Op::Ne:
      if (comparable_const(args[0]) && comparable_const(args[1]) && args[0]->type->kind == args[1]->type->kind) {
        bool same = args[0]->type->kind == TypeKind::String ? args[0]->text == args[1]->text
                                                            : args[0]->integer == args[1]->integer;
        replace(e, make_bool(m, e->op == Op::Eq ? same : !same), stats);
      } else if (is_null(args[0]) && is_null(args[1])) {
        replace(e, make_bool(m, e->op == Op::Eq), stats);
      }
      break;
    case Op::Concat:
      if (is_const(args[0]) && is_const(args[1]) && args[0]->type->kind == TypeKind::String &&
          args[1]->type->kind == TypeKind::String) {
        auto c = std::move(args[0]);
        c->text += args[1]->text;
        replace(e, std::move(c), stats);
      }
      break;
    case Op::Add:
    case Op::Sub:
    case Op::Mul:
      if (is_const(args[0]) && is_const(args[1]) && args[0]->type->kind == TypeKind::Int &&
          args[1]->type->kind == TypeKind::Int) {
        std::int64_t r = 0;
        bool overflow = e->op == Op::Add   ? __builtin_add_overflow(args[0]->integer, args[1]->integer, &r)
                        : e->op == Op::Sub ? __builtin_sub_overflow(args[0]->integer, args[1]->integer, &r)
                                           : __builtin_mul_overflow(args[0]->integer, args[1]->integer, &r);
        if (!overflow) replace(e, make_int(m, r), stats);  // an overflow stays: it rejects at run time
      }
      break;
    case Op::Neg:
      if (is_const(args[0]) && args[0]->type->kind == TypeKind::Int &&
          args[0]->integer != std::numeric_limits<std::int64_t>::min())
        replace(e, make_int(m, -args[0]->integer), stats);
      break;
    case Op::Table:
      // `table(to_string(e))` with e an enum and every key one of its codes: switch on the
      // member index instead of hashing text.
      if (args[0]->op == Op::Call && args[0]->text == "to_string" && args[0]->args.size() == 1 &&
          args[0]->args[0]->type->kind == TypeKind::Enum && !args[0]->args[0]->type->optional) {
        const auto& codes = args[0]->args[0]->type->enumeration->codes;
        bool all_codes = std::all_of(e->entries.begin(), e->entries.end(), [&](const TableEntry& entry) {
          return std::find(codes.begin(), codes.end(), entry.key) != codes.end();
        });
        if (all_codes) {
          for (auto& entry : e->entries)
            entry.key_int = std::find(codes.begin(), codes.end(), entry.key) - codes.begin();
          ExprPtr inner = std::move(args[0]->args[0]);
          args[0] = std::move(inner);
          ++stats.folded;
        }
      }
      if (comparable_const(args[0])) {
        bool by_text = args[0]->type->kind == TypeKind::String;
        if (args[0]->type->kind == TypeKind::Enum)
          for (auto& entry : e->entries) {
            const auto& codes = args[0]->type->enumeration->codes;
            entry.key_int = std::find(codes.begin(), codes.end(), entry.key) - codes.begin();
          }
        for (auto& entry : e->entries)
          if (by_text ? entry.key == args[0]->text : entry.key_int == args[0]->integer) {
            replace(e, std::move(entry.value), stats);
            return;
          }
        if (e->index == 1) replace(e, std::move(args[1]), stats);
      }
      break;
    default: break;
  }
}

namespace {

// ── hoisting: a field chain (two or more reads) rooted at a parameter, read in several
// statements, is read once into a binding at the top of the function.
bool param_chain(const Expr& e, std::size_t params) {
  const Expr* at = &e;
  int depth = 0;
  while (at->op == Op::Field) {
    at = at->args[0].get();
    ++depth;
  }
  return depth >= 2 && at->op == Op::Local && at->slot < params;
}

void count_chains(const Expr& e, std::size_t params, std::map<std::string, int>& counts) {
  if (e.op == Op::Field && param_chain(e, params)) {
    ++counts[print(e)];
    return;  // a chain's own prefix is counted through its longest occurrence only
  }
  for (const auto& a : e.args) count_chains(*a, params, counts);
  for (const auto& entry : e.entries) count_chains(*entry.value, params, counts);
}

void count_stmts(const std::vector<Stmt>& body, std::size_t params, std::map<std::string, int>& counts) {
  for (const Stmt& s : body) {
    if (s.value) count_chains(*s.value, params, counts);
    count_stmts(s.body, params, counts);
  }
}

void rewrite(ExprPtr& e, std::size_t params, const std::map<std::string, std::uint32_t>& slots,
             std::map<std::string, ExprPtr>& originals) {
  if (e->op == Op::Field && param_chain(*e, params)) {
    std::string key = print(*e);
    if (auto it = slots.find(key); it != slots.end()) {
      auto local = std::make_unique<Expr>();
      local->op = Op::Local;
      local->type = e->type;
      local->slot = it->second;
      if (!originals.count(key)) originals[key] = std::move(e);
      e = std::move(local);
    }
    return;
  }
  for (auto& a : e->args) rewrite(a, params, slots, originals);
  for (auto& entry : e->entries) rewrite(entry.value, params, slots, originals);
}

void rewrite_stmts(std::vector<Stmt>& body, std::size_t params, const std::map<std::string, std::uint32_t>& slots,
                   std::map<std::string, ExprPtr>& originals) {
  for (Stmt& s : body) {
    if (s.value) rewrite(s.value, params, slots, originals);
    rewrite_stmts(s.body, params, slots, originals);
  }
}

void fold_stmts(Module& m, std::vector<Stmt>& body, OptimiseStats& stats) {
  for (Stmt& s : body) {
    if (s.value) fold(m, s.value, stats);
    fold_stmts(m, s.body, stats);
  }
}

void hoist(Function& f, OptimiseStats& stats) {
  std::map<std::string, int> counts;
  count_stmts(f.body, f.params.size(), counts);
  std::map<std::string, std::uint32_t> slots;
  for (const auto& [key, n] : counts)
    if (n >= 2) slots[key] = f.slot_count++;
  if (slots.empty()) return;
  std::map<std::string, ExprPtr> originals;
  rewrite_stmts(f.body, f.params.size(), slots, originals);
  std::vector<Stmt> lets;
  for (auto& [key, slot] : slots) {
    Stmt let;
    let.op = StmtOp::Let;
    let.slot = slot;
    let.value = std::move(originals.at(key));
    lets.push_back(std::move(let));
    ++stats.hoisted;
  }
  // Bindings first, in key order (deterministic); field reads never fail, so reading them
  // early changes no outcome.
  for (auto& s : f.body) lets.push_back(std::move(s));
  f.body = std::move(lets);
}

// ── fields read
class ReadAnalysis {
 public:
  explicit ReadAnalysis(FieldsRead& out) : out_(out) {}

  void all(const Type* t) {
    if (t == nullptr) return;
    if (t->kind == TypeKind::List) return all(t->element);
    if (t->kind != TypeKind::Record || t->record == nullptr) return;
    auto& flags = flags_of(t);
    if (complete_.count(t->record_index)) return;
    complete_.insert(t->record_index);
    for (std::size_t i = 0; i < flags.size(); ++i) flags[i] = true;
    for (const abi::FieldDesc& f : t->record->fields)
      if (f.type.kind == abi::Kind::Record && f.type.record != nullptr) all_desc(f.type.record);
  }

  void expr(const Expr& e, bool whole) {
    switch (e.op) {
      case Op::Field: {
        const Type* base = e.args[0]->type;
        auto& flags = flags_of(base);
        if (e.index < flags.size()) flags[e.index] = true;
        expr(*e.args[0], false);
        if (whole) all(e.type);
        return;
      }
      case Op::Local:
      case Op::Const:
        if (whole) all(e.type);
        return;
      case Op::Let:
        expr(*e.args[0], false);
        expr(*e.args[1], whole);
        return;
      case Op::If:
        expr(*e.args[0], false);
        expr(*e.args[1], whole);
        expr(*e.args[2], whole);
        return;
      case Op::Coalesce:
        expr(*e.args[0], whole);
        expr(*e.args[1], whole);
        return;
      case Op::First:
      case Op::Last:
      case Op::Filter:
      case Op::Take:
      case Op::Skip:
      case Op::Index:
      case Op::SortBy:
      case Op::MinBy:
      case Op::MaxBy:
        expr(*e.args[0], whole);
        for (std::size_t i = 1; i < e.args.size(); ++i) expr(*e.args[i], false);
        return;
      case Op::Any:
      case Op::All:
      case Op::Count:
      case Op::Size:
      case Op::IsEmpty:
      case Op::IsPresent:
        expr(*e.args[0], false);
        for (std::size_t i = 1; i < e.args.size(); ++i) expr(*e.args[i], false);
        return;
      case Op::Map:
      case Op::FlatMap:
        expr(*e.args[0], false);
        expr(*e.args[1], whole);
        return;
      default:
        for (const auto& a : e.args) expr(*a, true);
        for (const auto& entry : e.entries) expr(*entry.value, true);
        return;
    }
  }

  void stmts(const std::vector<Stmt>& body) {
    for (const Stmt& s : body) {
      if (s.value) expr(*s.value, s.op == StmtOp::Set);
      stmts(s.body);
    }
  }

 private:
  std::vector<bool>& flags_of(const Type* t) {
    auto [it, added] = out_.try_emplace(t->record_index);
    if (added) it->second.assign(t->record->fields.size(), false);
    return it->second;
  }
  // Records reached through descriptors only: fields_read() finds their index.
  void all_desc(const abi::RecordDesc* desc) { pending_.push_back(desc); }

 public:
  std::vector<const abi::RecordDesc*> pending_;

 private:
  FieldsRead& out_;
  std::set<std::uint32_t> complete_;
};

}  // namespace

OptimiseStats optimise(Module& module) {
  OptimiseStats stats;
  for (Function& f : module.functions) {
    fold_stmts(module, f.body, stats);
    // A policy's rule conditions compile to functions of their own: nothing is shared between them.
    if (!f.policy) hoist(f, stats);
  }
  return stats;
}

FieldsRead fields_read(const Module& module, const Function& function) {
  FieldsRead out;
  ReadAnalysis analysis(out);
  analysis.stmts(function.body);
  // Records read whole reach nested records through descriptors: mark those by index.
  const auto& records = module.schemas.records();
  std::set<const abi::RecordDesc*> done;
  while (!analysis.pending_.empty()) {
    const abi::RecordDesc* desc = analysis.pending_.back();
    analysis.pending_.pop_back();
    if (!done.insert(desc).second) continue;
    for (std::uint32_t i = 0; i < records.size(); ++i) {
      if (&records[i] != desc) continue;
      out[i].assign(desc->fields.size(), true);
      for (const abi::FieldDesc& f : desc->fields)
        if (f.type.kind == abi::Kind::Record && f.type.record != nullptr) analysis.pending_.push_back(f.type.record);
    }
  }
  return out;
}

}  // namespace suture::ir

// checker.h — name resolution and type checking of a Program: scopes and imports, static
// types against schemas, nullability (T? must be guarded), fallibility (T! must be handled),
// and totality (no recursion among functions, mappings, tables and constants).
// Pipeline position: after parse; its results (types of every expression) feed the typed IR.
#pragma once

#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "compiler/diagnostics/diagnostic.h"
#include "compiler/sema/program.h"
#include "compiler/sema/types.h"

namespace suture::sema {

enum class SymbolKind { Const, Alias, Record, Enum, Table, Function, Mapping, Policy, Route, Test, Namespace, Broken };
const char* describe(SymbolKind kind);  // "a constant", "a mapping", …

struct Symbol {
  SymbolKind kind = SymbolKind::Broken;
  std::string name;
  const ast::Decl* decl = nullptr;
  ModuleInfo* module = nullptr;
  const ast::File* file = nullptr;
  const Type* type = nullptr;              // const value type; declared type of alias/record/enum
  ModuleInfo* namespace_module = nullptr;  // Namespace
  enum class State { Unresolved, Resolving, Resolved } state = State::Unresolved;
};

// What the checker learnt, for the phases after it.
struct CheckResult {
  std::unordered_map<const ast::Expr*, const Type*> expr_types;
  // What a name refers to when it is not a local: constants (Name, `ns.CONST` Member), enum
  // members (`Enum.member` Member) and the callee of a Call (function, mapping, table, policy).
  std::unordered_map<const ast::Expr*, const Symbol*> symbols;
  std::size_t declarations_checked = 0;
};

struct Local {
  std::string name;
  const Type* type = nullptr;
  Span span;
  bool used = false;
  bool warn_unused = false;
};

// Everything an expression can see: locals, narrowed paths, the file's imports.
struct Env {
  Env(const ast::File* f, ModuleInfo* m, Symbol* o) : file(f), module(m), owner(o) {}
  const ast::File* file = nullptr;
  ModuleInfo* module = nullptr;
  Symbol* owner = nullptr;  // the declaration being checked (for the call graph)
  std::vector<Local> locals;
  std::vector<std::string> non_null;  // paths known not to be null here ("n", "p.name")
  bool in_test = false;
  bool lambda_allowed = false;
};

class Checker {
 public:
  Checker(Program& program, DiagnosticSink& diagnostics);
  CheckResult run();
  // After run(): the records and enums a module declares, in declaration order. The types
  // stay valid as long as the Checker lives.
  std::vector<const Type*> declared_types(const std::string& module) const;
  // After run(): every declaration the program holds, for the back end.
  const std::deque<Symbol>& symbols() const { return symbols_; }
  // The type a type expression written in `symbol`'s file denotes (parameters, results).
  const Type* type_in(const ast::TypeExpr& type, const Symbol& symbol) {
    return resolve_type(type, symbol.file, symbol.module);
  }

  // ─── checker.cpp: modules, imports, declarations' types ───
 private:
  void collect_module(ModuleInfo* module);
  void resolve_imports(const ast::File* file, ModuleInfo* module);
  Symbol* lookup(const ast::File* file, ModuleInfo* module, const std::string& name, bool mark_used = true);
  std::vector<std::string> visible_names(const Env& env) const;
  void resolve_symbol(Symbol& symbol);
  void fill_record(Symbol& symbol);
  void add_choice_kinds(RecordInfo& info);
  void fill_enum(Symbol& symbol);
  const Type* resolve_type(const ast::TypeExpr& type, const ast::File* file, ModuleInfo* module);
  void check_annotations(const std::vector<ast::Annotation>& annotations);
  void check_duplicates(ModuleInfo* module);

  // ─── check_decls.cpp: bodies of declarations ───
  void check_decl(Symbol& symbol);
  void check_const(Symbol& symbol);
  void check_table(Symbol& symbol);
  void check_function(Symbol& symbol);
  void check_mapping(Symbol& symbol);
  void check_mapping_body(const std::vector<ast::MappingStmtPtr>& body, Env& env, const Type* output,
                          std::map<std::string, Span>& assigned, bool conditional,
                          std::set<std::string>& maybe_assigned);
  void check_test(Symbol& symbol);
  void bind_params(Env& env, const std::vector<ast::Param>& params);
  void check_let(Env& env, const ast::LetStmt& let);
  void pop_locals(Env& env, std::size_t mark);
  bool is_constant(const ast::Expr& expr, Env& env);

  // ─── check_policy_route.cpp ───
  void check_policy(Symbol& symbol);
  const Type* check_obligation_target(const ast::Expr& target, Env& env, ast::RuleKind kind);
  void check_route(Symbol& symbol);

  // ─── check_expr.cpp: expressions ───
 public:
  const Type* check(const ast::Expr& expr, Env& env, const Type* expected = nullptr);

 private:
  const Type* check_inner(const ast::Expr& expr, Env& env, const Type* expected);
  const Type* check_name(const ast::Expr& expr, Env& env, const Type* expected);
  const Type* check_member(const ast::Expr& expr, Env& env);
  const Type* check_binary(const ast::Expr& expr, Env& env, const Type* expected);
  const Type* check_comparison(const ast::Expr& expr, Env& env);
  const Type* check_in(const ast::Expr& expr, Env& env);
  const Type* check_coalesce(const ast::Expr& expr, Env& env, const Type* expected);
  const Type* check_arithmetic(const ast::Expr& expr, Env& env);
  const Type* check_literal(const ast::Expr& expr, const Type* expected);
  const Type* check_collection(const ast::Expr& expr, Env& env, const Type* expected);
  const Type* check_record_literal(const ast::Expr& expr, Env& env, const Type* expected);
  const Type* check_match(const ast::Expr& expr, Env& env, const Type* expected);
  const Type* check_if(const ast::Expr& expr, Env& env, const Type* expected);
  const Type* check_cast(const ast::Expr& expr, Env& env);
  const Type* field_type(const Type* base, const ast::Name& field, Span whole);
  // Requires a plain value: reports S3002 for T?, S3003 for T!, and returns the inner type.
  const Type* require_value(const Type* t, const ast::Expr& expr, const std::string& what);
  bool expect_assignable(const Type* actual, const Type* expected, const ast::Expr& expr, const std::string& what);
  const Type* require_bool(const ast::Expr& expr, Env& env, const std::string& what);
  bool enum_string_compatible(const Type* enum_type, const ast::Expr& literal_expr);

  // ─── narrowing.cpp: what a condition proves about null ───
  std::optional<std::string> path_of(const ast::Expr& expr) const;
  std::vector<std::string> facts(const ast::Expr& cond, bool when_true) const;
  bool known_non_null(const Env& env, const ast::Expr& expr) const;

  // ─── check_calls.cpp: calls, methods, builtins, collection operations ───
  const Type* check_call(const ast::Expr& expr, Env& env, const Type* expected);
  const Type* check_method(const ast::Expr& expr, Env& env, const Type* expected);
  const Type* check_collection_op(const ast::Expr& expr, const Type* receiver, Env& env);
  const Type* check_builtin(const std::string& name, const ast::Expr& expr, std::vector<const ast::Expr*> args,
                            Env& env, const Type* expected, bool& found);
  const Type* check_lambda(const ast::Expr& lambda, const std::vector<const Type*>& params, Env& env,
                           const Type* expected_result);
  const Type* call_declared(Symbol& symbol, const ast::Expr& call, Env& env, const Type* expected);
  void check_args(const std::vector<ast::Param>& params, const std::vector<ast::Arg>& args, const ast::Expr& call,
                  Env& env, const ast::File* callee_file, ModuleInfo* callee_module);
  std::vector<std::string> method_names(const Type* receiver) const;

  // ─── totality.cpp ───
  void add_edge(Symbol* from, Symbol* to, Span at);
  void check_recursion();
  void check_uninhabited_records();

  Program& program_;
  DiagnosticSink& diagnostics_;
  TypeTable types_;
  CheckResult result_;
  std::deque<Symbol> symbols_;
  std::map<ModuleInfo*, std::map<std::string, Symbol*>> module_symbols_;
  struct ImportBinding {
    Symbol* symbol = nullptr;
    Span span;
    bool used = false;
  };
  std::map<const ast::File*, std::map<std::string, ImportBinding>> imports_;
  std::map<const ast::Decl*, Symbol*> symbol_of_decl_;
  std::map<const ast::File*, ModuleInfo*> module_of_file_;  // filled as modules are collected
  ModuleInfo* prelude_ = nullptr;
  std::set<ModuleInfo*> collected_;
  struct Edge {
    Symbol* to;
    Span at;
  };
  std::map<Symbol*, std::vector<Edge>> calls_;
};

}  // namespace suture::sema

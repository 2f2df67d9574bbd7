// ast.h — the untyped syntax tree of a Suture file, as the parser builds it.
// Pipeline position: built by compiler/parse, read by compiler/sema. Knows nothing of ANTLR.
// Every node carries a span; spans never take part in equality (see equality.h).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compiler/source/source.h"

namespace suture::ast {

struct Name {
  std::string text;
  Span span;
};

struct QualifiedName {
  std::vector<Name> parts;
  Span span;
  std::string joined() const;  // "fhir.r4.Patient"
};

// ───────────────────────────── literals and annotations ─────────────────────────────

enum class LiteralKind { String, Int, Decimal, Bool, Null, Date, DateTime, Time, Duration };

// `text` is the literal's value in canonical text: the decoded string, the digits of a number,
// "true"/"false", the date without its `@`, a duration's digits and unit ("500ms").
struct Literal {
  LiteralKind kind = LiteralKind::Null;
  std::string text;
  Span span;
};

struct Annotation {
  Name name;
  std::vector<Literal> args;
  Span span;
};

// ───────────────────────────── types ─────────────────────────────

struct TypeExpr;
using TypeExprPtr = std::unique_ptr<TypeExpr>;

enum class TypeExprKind { Named, Optional, Fallible, List, Set, Map, Record };

struct RecordTypeField;

struct TypeExpr {
  TypeExprKind kind = TypeExprKind::Named;
  Span span;
  QualifiedName name;                   // Named
  std::vector<TypeExprPtr> args;        // Named generics, Optional/Fallible/List/Set (1), Map (2)
  std::vector<RecordTypeField> fields;  // Record
};

struct RecordTypeField {
  Name name;
  TypeExprPtr type;
};

// ───────────────────────────── expressions ─────────────────────────────

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

enum class ExprKind {
  Literal,     // 42, "x", @2024-01-02
  Name,        // p
  Member,      // p.name, p?.name
  MethodCall,  // xs.first(x => …), s?.lower()
  Call,        // join(xs, " "), fixture("f.json")
  Index,       // xs[0], m["k"]
  Unary,       // -x, not x
  Binary,      // a + b, a == b, a and b, a ?? b, a in b
  If,          // if c then a else b
  Let,         // let x = e in body
  Lambda,      // x => e, (a, b) => e
  List,        // [a, b]
  Set,         // {a, b}
  Map,         // {k => v}
  Record,      // {name: e}
  Match,       // match e { p => v, _ => w }
  Cast,        // entry.resource as Patient
};

enum class UnaryOp { Negate, Not };
enum class BinaryOp { Add, Sub, Mul, Div, Mod, Concat, Eq, Ne, Lt, Le, Gt, Ge, And, Or, Coalesce, In, NotIn };

const char* to_string(BinaryOp op);

struct Arg {
  std::optional<Name> name;  // named argument `key: e`
  ExprPtr value;
};

struct RecordEntry {
  Name name;
  ExprPtr value;
};

struct MapEntry {
  ExprPtr key;
  ExprPtr value;
};

struct MatchArm {
  std::vector<ExprPtr> patterns;  // empty with `wildcard` set means `_`
  bool wildcard = false;
  ExprPtr value;
  Span span;
};

struct Expr {
  ExprKind kind;
  Span span;

  Literal literal;              // Literal
  Name name;                    // Name; Member/MethodCall member; Let binder
  bool optional_chain = false;  // Member/MethodCall via `?.`
  UnaryOp unary_op = UnaryOp::Not;
  BinaryOp binary_op = BinaryOp::Add;
  ExprPtr lhs, rhs;                         // Binary; Unary (lhs); Member/MethodCall/Index target (lhs), Index (rhs)
  ExprPtr callee;                           // Call
  std::vector<Arg> args;                    // Call, MethodCall
  ExprPtr cond, then_branch, else_branch;   // If; Let uses cond = value, then_branch = body
  TypeExprPtr let_type;                     // Let with annotation; Cast: the target type
  std::vector<Name> params;                 // Lambda
  ExprPtr body;                             // Lambda
  std::vector<ExprPtr> elements;            // List, Set
  std::vector<MapEntry> map_entries;        // Map
  std::vector<RecordEntry> record_entries;  // Record
  ExprPtr subject;                          // Match (null for a condition match)
  std::vector<MatchArm> arms;               // Match

  explicit Expr(ExprKind k, Span s) : kind(k), span(s) {}
};

// ───────────────────────────── declarations ─────────────────────────────

struct Param {
  Name name;
  TypeExprPtr type;
};

struct LetStmt {
  Name name;
  TypeExprPtr type;  // optional annotation
  ExprPtr value;
  Span span;
};

enum class DeclKind { Const, TypeAlias, Record, Enum, Table, Function, Mapping, Policy, Route, Test };
const char* to_string(DeclKind kind);  // "const", "type", …

struct Decl {
  DeclKind kind;
  Name name;  // a test's name is its description string
  std::vector<Annotation> annotations;
  Span span;
  explicit Decl(DeclKind k) : kind(k) {}
  virtual ~Decl() = default;
};
using DeclPtr = std::unique_ptr<Decl>;

struct ConstDecl : Decl {
  TypeExprPtr type;
  ExprPtr value;
  ConstDecl() : Decl(DeclKind::Const) {}
};

struct TypeAliasDecl : Decl {
  TypeExprPtr type;
  TypeAliasDecl() : Decl(DeclKind::TypeAlias) {}
};

struct FieldDecl {
  std::vector<Annotation> annotations;
  bool readonly = false;
  Name name;
  TypeExprPtr type;
  Span span;
};

struct RecordDecl : Decl {
  std::vector<FieldDecl> fields;
  RecordDecl() : Decl(DeclKind::Record) {}
};

struct EnumMember {
  std::vector<Annotation> annotations;
  Name name;  // the member's code ("entered-in-error" for string members)
  Span span;
};

struct EnumDecl : Decl {
  TypeExprPtr base;  // optional underlying type
  std::vector<EnumMember> members;
  EnumDecl() : Decl(DeclKind::Enum) {}
};

struct TableEntry {
  std::optional<Literal> key;  // none for the `_` default
  ExprPtr value;
  Span span;
};

struct TableDecl : Decl {
  TypeExprPtr key_type, value_type;
  std::vector<TableEntry> entries;
  TableDecl() : Decl(DeclKind::Table) {}
};

struct FunctionDecl : Decl {
  std::vector<Param> params;
  TypeExprPtr result;
  std::vector<LetStmt> lets;
  ExprPtr body;
  FunctionDecl() : Decl(DeclKind::Function) {}
};

struct MappingStmt;
using MappingStmtPtr = std::unique_ptr<MappingStmt>;

enum class MappingStmtKind { Let, Assign, When };

struct MappingStmt {
  MappingStmtKind kind;
  Span span;
  LetStmt let;                       // Let
  std::vector<Name> target;          // Assign: output field path
  ExprPtr value;                     // Assign
  ExprPtr condition;                 // When
  std::vector<MappingStmtPtr> body;  // When
  explicit MappingStmt(MappingStmtKind k) : kind(k) {}
};

struct MappingDecl : Decl {
  std::vector<Param> params;
  TypeExprPtr result;
  std::vector<MappingStmtPtr> body;
  MappingDecl() : Decl(DeclKind::Mapping) {}
};

enum class RuleKind { Permit, Forbid, Redact, Mask, Generalise, Pseudonymise };
const char* to_string(RuleKind kind);

struct PolicyRule {
  RuleKind kind = RuleKind::Permit;
  std::optional<Name> label;
  ExprPtr target;                   // obligations: the field path
  ExprPtr where;                    // Redact: element filter lambda
  bool keep_last = true;            // Mask
  ExprPtr keep_count;               // Mask
  std::optional<Name> granularity;  // Generalise: `to year`
  std::optional<Literal> key_name;  // Pseudonymise: `with "key"`
  ExprPtr condition;                // when / unless
  bool unless = false;
  Span span;
};

struct PolicyDecl : Decl {
  std::vector<Param> params;
  std::vector<PolicyRule> rules;
  PolicyDecl() : Decl(DeclKind::Policy) {}
};

enum class RouteClauseKind { On, When, Priority, Fallback, Authorize, Map, Deliver, Retry, Order };

struct RouteClause {
  RouteClauseKind kind = RouteClauseKind::On;
  Span span;
  // On: `on <listener> [<verb>] ["<path or type>"] [event <name>] as <Type>`
  Name listener;
  std::optional<Name> verb;
  std::optional<Literal> selector;
  std::optional<Name> event;
  TypeExprPtr message_type;
  // When / Priority / Order: an expression. Authorize / Retry: name + args. Map: name.
  ExprPtr value;
  QualifiedName target;             // Authorize policy, Map mapping, Deliver operation, Retry strategy
  std::vector<Arg> args;            // Authorize / Deliver / Retry
  std::optional<Literal> endpoint;  // Deliver
  std::optional<Name> then_action;  // Retry: `then dead_letter`
};

struct RouteDecl : Decl {
  std::vector<RouteClause> clauses;
  RouteDecl() : Decl(DeclKind::Route) {}
};

enum class TestStmtKind { Let, Expect };

struct TestStmt {
  TestStmtKind kind = TestStmtKind::Let;
  LetStmt let;
  ExprPtr expect;
  Span span;
};

struct TestDecl : Decl {
  std::vector<TestStmt> body;
  TestDecl() : Decl(DeclKind::Test) {}
};

// ───────────────────────────── files ─────────────────────────────

struct ImportItem {
  Name name;
  std::optional<Name> alias;
};

struct Import {
  QualifiedName module;
  std::optional<Name> alias;
  std::vector<ImportItem> items;  // empty: import the module as a namespace
  bool has_item_list = false;
  Span span;
};

struct File {
  FileId file = kNoFile;
  std::optional<QualifiedName> module;
  std::vector<Import> imports;
  std::vector<DeclPtr> decls;
  // Names of declarations dropped because of syntax errors: references to them are not
  // reported again as unknown.
  std::vector<std::string> broken_decl_names;
  bool has_syntax_errors = false;
};

}  // namespace suture::ast

// printer.cpp — S-expression printing of the AST. Equality is defined on this same view of a
// tree (equality.cpp): what the printer shows is exactly what equality compares, spans excluded.
#include "compiler/ast/printer.h"

#include <sstream>

namespace suture::ast {
namespace {

std::string literal(const Literal& l) {
  switch (l.kind) {
    case LiteralKind::String: {
      std::string out = "\"";
      for (char c : l.text) {
        if (c == '"' || c == '\\') out += '\\';
        if (c == '\n') {
          out += "\\n";
          continue;
        }
        out += c;
      }
      return out + "\"";
    }
    case LiteralKind::Date:
    case LiteralKind::DateTime:
    case LiteralKind::Time: return "@" + l.text;
    default: return l.text;
  }
}

std::string annotations(const std::vector<Annotation>& list) {
  std::string out;
  for (const auto& a : list) {
    out += "@" + a.name.text;
    if (!a.args.empty()) {
      out += "(";
      for (std::size_t i = 0; i < a.args.size(); ++i) out += (i ? " " : "") + literal(a.args[i]);
      out += ")";
    }
    out += " ";
  }
  return out;
}

std::string opt(const ExprPtr& e) {
  return e ? print(*e) : "_";
}
std::string opt(const TypeExprPtr& t) {
  return t ? print(*t) : "_";
}

std::string args(const std::vector<Arg>& list) {
  std::string out;
  for (const auto& a : list) out += " " + (a.name ? a.name->text + ":" : std::string()) + opt(a.value);
  return out;
}

std::string params(const std::vector<Param>& list) {
  std::string out = "(";
  for (std::size_t i = 0; i < list.size(); ++i) out += (i ? " " : "") + list[i].name.text + ":" + opt(list[i].type);
  return out + ")";
}

std::string let(const LetStmt& l) {
  return "(let " + l.name.text + (l.type ? ":" + print(*l.type) : "") + " " + opt(l.value) + ")";
}

std::string mapping_stmt(const MappingStmt& s) {
  switch (s.kind) {
    case MappingStmtKind::Let: return let(s.let);
    case MappingStmtKind::Assign: {
      std::string path;
      for (const auto& n : s.target) path += (path.empty() ? "" : ".") + n.text;
      return "(= " + path + " " + opt(s.value) + ")";
    }
    case MappingStmtKind::When: {
      std::string out = "(when " + opt(s.condition);
      for (const auto& b : s.body) out += " " + mapping_stmt(*b);
      return out + ")";
    }
  }
  return "?";
}

std::string rule(const PolicyRule& r) {
  std::string out = "(" + std::string(to_string(r.kind));
  if (r.label) out += " #" + r.label->text;
  if (r.target) out += " " + print(*r.target);
  if (r.where) out += " where " + print(*r.where);
  if (r.keep_count) out += std::string(" keep ") + (r.keep_last ? "last " : "first ") + print(*r.keep_count);
  if (r.granularity) out += " to " + r.granularity->text;
  if (r.key_name) out += " with " + literal(*r.key_name);
  if (r.condition) out += std::string(r.unless ? " unless " : " when ") + print(*r.condition);
  return out + ")";
}

std::string clause(const RouteClause& c) {
  switch (c.kind) {
    case RouteClauseKind::On:
      return "(on " + c.listener.text + (c.verb ? " " + c.verb->text : "") +
             (c.selector ? " " + literal(*c.selector) : "") + (c.event ? " event " + c.event->text : "") + " as " +
             opt(c.message_type) + ")";
    case RouteClauseKind::When: return "(when " + opt(c.value) + ")";
    case RouteClauseKind::Priority: return "(priority " + opt(c.value) + ")";
    case RouteClauseKind::Fallback: return "(fallback)";
    case RouteClauseKind::Authorize: return "(authorize " + c.target.joined() + args(c.args) + ")";
    case RouteClauseKind::Map: return "(map " + c.target.joined() + ")";
    case RouteClauseKind::Deliver:
      return "(deliver " + c.target.joined() + args(c.args) + " to " + (c.endpoint ? literal(*c.endpoint) : "_") + ")";
    case RouteClauseKind::Retry:
      return "(retry " + c.target.joined() + args(c.args) + " attempts " + opt(c.value) +
             (c.then_action ? " then " + c.then_action->text : "") + ")";
    case RouteClauseKind::Order: return "(order " + opt(c.value) + ")";
  }
  return "?";
}

std::string decl(const Decl& d) {
  std::string head = annotations(d.annotations) + "(" + to_string(d.kind) + " " + d.name.text;
  switch (d.kind) {
    case DeclKind::Const: {
      const auto& c = static_cast<const ConstDecl&>(d);
      return head + (c.type ? ":" + print(*c.type) : "") + " " + opt(c.value) + ")";
    }
    case DeclKind::TypeAlias: return head + " " + opt(static_cast<const TypeAliasDecl&>(d).type) + ")";
    case DeclKind::Record: {
      for (const auto& f : static_cast<const RecordDecl&>(d).fields)
        head += " " + annotations(f.annotations) + (f.readonly ? "readonly " : "") + f.name.text + ":" + opt(f.type);
      return head + ")";
    }
    case DeclKind::Enum: {
      const auto& e = static_cast<const EnumDecl&>(d);
      if (e.base) head += ":" + print(*e.base);
      for (const auto& m : e.members) head += " " + annotations(m.annotations) + m.name.text;
      return head + ")";
    }
    case DeclKind::Table: {
      const auto& t = static_cast<const TableDecl&>(d);
      head += " " + opt(t.key_type) + "->" + opt(t.value_type);
      for (const auto& e : t.entries) head += " (" + (e.key ? literal(*e.key) : "_") + " " + opt(e.value) + ")";
      return head + ")";
    }
    case DeclKind::Function: {
      const auto& f = static_cast<const FunctionDecl&>(d);
      head += " " + params(f.params) + "->" + opt(f.result);
      for (const auto& l : f.lets) head += " " + let(l);
      return head + " " + opt(f.body) + ")";
    }
    case DeclKind::Mapping: {
      const auto& m = static_cast<const MappingDecl&>(d);
      head += " " + params(m.params) + "->" + opt(m.result);
      for (const auto& s : m.body) head += " " + mapping_stmt(*s);
      return head + ")";
    }
    case DeclKind::Policy: {
      const auto& p = static_cast<const PolicyDecl&>(d);
      head += " " + params(p.params);
      for (const auto& r : p.rules) head += " " + rule(r);
      return head + ")";
    }
    case DeclKind::Route: {
      for (const auto& c : static_cast<const RouteDecl&>(d).clauses) head += " " + clause(c);
      return head + ")";
    }
    case DeclKind::Test: {
      for (const auto& s : static_cast<const TestDecl&>(d).body)
        head += " " + (s.kind == TestStmtKind::Let ? let(s.let) : "(expect " + opt(s.expect) + ")");
      return head + ")";
    }
  }
  return head + ")";
}

}  // namespace

std::string print(const TypeExpr& t) {
  switch (t.kind) {
    case TypeExprKind::Named: {
      std::string out = t.name.joined();
      if (!t.args.empty()) {
        out += "<";
        for (std::size_t i = 0; i < t.args.size(); ++i) out += (i ? "," : "") + opt(t.args[i]);
        out += ">";
      }
      return out;
    }
    case TypeExprKind::Optional: return opt(t.args.at(0)) + "?";
    case TypeExprKind::Fallible: return opt(t.args.at(0)) + "!";
    case TypeExprKind::List: return "list<" + opt(t.args.at(0)) + ">";
    case TypeExprKind::Set: return "set<" + opt(t.args.at(0)) + ">";
    case TypeExprKind::Map: return "map<" + opt(t.args.at(0)) + "," + opt(t.args.at(1)) + ">";
    case TypeExprKind::Record: {
      std::string out = "{";
      for (std::size_t i = 0; i < t.fields.size(); ++i)
        out += (i ? "," : "") + t.fields[i].name.text + ":" + opt(t.fields[i].type);
      return out + "}";
    }
  }
  return "?";
}

std::string print(const Expr& e) {
  switch (e.kind) {
    case ExprKind::Literal: return literal(e.literal);
    case ExprKind::Name: return e.name.text;
    case ExprKind::Member:
      return "(" + std::string(e.optional_chain ? "?." : ".") + " " + opt(e.lhs) + " " + e.name.text + ")";
    case ExprKind::MethodCall:
      return "(" + std::string(e.optional_chain ? "?." : ".") + e.name.text + " " + opt(e.lhs) + args(e.args) + ")";
    case ExprKind::Call: return "(call " + opt(e.callee) + args(e.args) + ")";
    case ExprKind::Index: return "(index " + opt(e.lhs) + " " + opt(e.rhs) + ")";
    case ExprKind::Unary:
      return std::string("(") + (e.unary_op == UnaryOp::Negate ? "-" : "not") + " " + opt(e.lhs) + ")";
    case ExprKind::Binary: return std::string("(") + to_string(e.binary_op) + " " + opt(e.lhs) + " " + opt(e.rhs) + ")";
    case ExprKind::If: return "(if " + opt(e.cond) + " " + opt(e.then_branch) + " " + opt(e.else_branch) + ")";
    case ExprKind::Let:
      return "(let " + e.name.text + (e.let_type ? ":" + print(*e.let_type) : "") + " " + opt(e.cond) + " " +
             opt(e.then_branch) + ")";
    case ExprKind::Lambda: {
      std::string out = "(fn (";
      for (std::size_t i = 0; i < e.params.size(); ++i) out += (i ? " " : "") + e.params[i].text;
      return out + ") " + opt(e.body) + ")";
    }
    case ExprKind::List:
    case ExprKind::Set: {
      std::string out = e.kind == ExprKind::List ? "[" : "{";
      for (std::size_t i = 0; i < e.elements.size(); ++i) out += (i ? " " : "") + opt(e.elements[i]);
      return out + (e.kind == ExprKind::List ? "]" : "}");
    }
    case ExprKind::Map: {
      std::string out = "{";
      for (std::size_t i = 0; i < e.map_entries.size(); ++i)
        out += (i ? " " : "") + opt(e.map_entries[i].key) + "=>" + opt(e.map_entries[i].value);
      return out + "}";
    }
    case ExprKind::Record: {
      std::string out = "{";
      for (std::size_t i = 0; i < e.record_entries.size(); ++i)
        out += (i ? " " : "") + e.record_entries[i].name.text + ":" + opt(e.record_entries[i].value);
      return out + "}";
    }
    case ExprKind::Cast: return "(as " + opt(e.lhs) + " " + opt(e.let_type) + ")";
    case ExprKind::Match: {
      std::string out = "(match " + opt(e.subject);
      for (const auto& arm : e.arms) {
        out += " (";
        if (arm.wildcard) out += "_";
        for (std::size_t i = 0; i < arm.patterns.size(); ++i) out += (i ? "|" : "") + opt(arm.patterns[i]);
        out += " " + opt(arm.value) + ")";
      }
      return out + ")";
    }
  }
  return "?";
}

std::string print(const File& f) {
  std::ostringstream out;
  if (f.module) out << "(module " << f.module->joined() << ")\n";
  for (const auto& i : f.imports) {
    out << "(import " << i.module.joined();
    if (i.alias) out << " as " << i.alias->text;
    if (i.has_item_list) {
      out << " (";
      for (std::size_t k = 0; k < i.items.size(); ++k)
        out << (k ? " " : "") << i.items[k].name.text << (i.items[k].alias ? " as " + i.items[k].alias->text : "");
      out << ")";
    }
    out << ")\n";
  }
  for (const auto& d : f.decls) out << decl(*d) << "\n";
  return out.str();
}

}  // namespace suture::ast

// printer.cpp — IR → text (see printer.h). Shapes: `(op:type attrs… args…)`; locals are `%N`;
// a mapping prints its parameters, then its statements indented by nesting.
#include "compiler/ir/printer.h"

#include <sstream>

namespace suture::ir {
namespace {

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

void print_expr(std::ostream& out, const Expr& e) {
  if (e.op == Op::Local) {
    out << "%" << e.slot;
    return;
  }
  out << "(" << to_string(e.op) << ":" << display(e.type);
  switch (e.op) {
    case Op::Const:
      if (e.type->kind == TypeKind::Null)
        out << " null";
      else if (e.type->kind == TypeKind::Bool)
        out << (e.integer ? " true" : " false");
      else if (e.type->kind == TypeKind::Int || e.type->kind == TypeKind::Duration)
        out << " " << e.integer;
      else if (e.type->kind == TypeKind::Enum)
        out << " #" << e.integer << " " << quote(e.text);
      else
        out << " " << quote(e.text);
      break;
    case Op::Field: {
      const Type* base = e.args[0]->type;
      const abi::RecordDesc* rec = base->record;
      out << (e.chain ? " ?." : " .");
      if (rec != nullptr && e.index < rec->fields.size())
        out << rec->fields[e.index].name;
      else
        out << "#" << e.index;
      break;
    }
    case Op::Let:
    case Op::First:
    case Op::Last:
    case Op::Any:
    case Op::All:
    case Op::Count:
    case Op::Filter:
    case Op::Map:
    case Op::FlatMap:
    case Op::SortBy:
    case Op::MinBy:
    case Op::MaxBy:
      if (e.args.size() > 1 || e.op == Op::Let) out << " %" << e.slot;
      break;
    case Op::Call: out << " " << e.text << (e.fallible ? "!" : ""); break;
    case Op::Invoke: out << " @" << e.index; break;
    case Op::Fail: out << " at " << quote(e.text); break;
    case Op::RecordLit:
      out << " [";
      for (std::size_t i = 0; i < e.fields.size(); ++i)
        out << (i ? " " : "") << e.type->record->fields[e.fields[i]].name;
      out << "]";
      break;
    case Op::Table:
      out << " {";
      for (std::size_t i = 0; i < e.entries.size(); ++i) {
        out << (i ? ", " : "") << quote(e.entries[i].key) << " => ";
        print_expr(out, *e.entries[i].value);
      }
      out << "}" << (e.index ? " default" : "");
      break;
    default: break;
  }
  for (const auto& a : e.args) {
    out << " ";
    print_expr(out, *a);
  }
  out << ")";
}

std::string path_text(const Stmt& s) {
  std::string text;
  for (std::size_t i = 0; i < s.path.size(); ++i) {
    const abi::RecordDesc* rec = s.path_types[i]->record;
    if (i) text += ".";
    text += rec != nullptr ? rec->fields[s.path[i]].name : "#" + std::to_string(s.path[i]);
  }
  return text;
}

void print_stmts(std::ostream& out, const std::vector<Stmt>& body, int depth) {
  for (const Stmt& s : body) {
    out << std::string(2 * depth, ' ');
    switch (s.op) {
      case StmtOp::Let:
        out << "let %" << s.slot << " = ";
        print_expr(out, *s.value);
        out << "\n";
        break;
      case StmtOp::Set:
        out << "set " << path_text(s) << " = ";
        print_expr(out, *s.value);
        out << "\n";
        break;
      case StmtOp::When:
        out << "when ";
        print_expr(out, *s.value);
        out << "\n";
        print_stmts(out, s.body, depth + 1);
        break;
      case StmtOp::Rule:
        out << "rule " << s.index;
        if (s.value) {
          out << " when ";
          print_expr(out, *s.value);
        }
        out << "\n";
        break;
      case StmtOp::Decide: out << "decide\n"; break;
      case StmtOp::Apply: {
        out << "apply " << s.index << " to %" << s.slot;
        for (std::size_t i = 0; i < s.path.size(); ++i) out << "." << s.path_types[i]->record->fields[s.path[i]].name;
        if (!s.text.empty()) out << " " << s.text;
        if (s.value) {
          out << (s.lambda_slot || s.value->type->kind == TypeKind::Bool
                      ? " where %" + std::to_string(s.lambda_slot) + " "
                      : " keep ");
          print_expr(out, *s.value);
          if (s.value->type->kind != TypeKind::Bool) out << (s.keep_last ? " last" : " first");
        }
        out << "\n";
        break;
      }
      case StmtOp::Index:
        out << "index ";
        print_expr(out, *s.value);
        out << "\n";
        for (const auto& [constant, rules] : s.groups) {
          out << std::string(2 * depth + 2, ' ') << "on " << quote(constant) << "\n";
          print_stmts(out, rules, depth + 2);
        }
        out << std::string(2 * depth + 2, ' ') << "otherwise\n";
        print_stmts(out, s.body, depth + 2);
        break;
    }
  }
}

}  // namespace

std::string print(const Expr& expr) {
  std::ostringstream out;
  print_expr(out, expr);
  return out.str();
}

std::string print(const Function& f) {
  std::ostringstream out;
  out << (f.policy ? "policy " : f.test ? "test " : "mapping ") << f.name << "(";
  for (std::size_t i = 0; i < f.params.size(); ++i) out << (i ? ", " : "") << "%" << i << ": " << display(f.params[i]);
  out << ") -> " << display(f.result) << " slots " << f.slot_count << "\n";
  for (std::size_t i = 0; i < f.rules.size(); ++i)
    out << "  rule " << i << ": " << to_string(f.rules[i].kind) << " " << f.rules[i].label
        << (f.rules[i].json_path.empty() ? "" : " " + f.rules[i].json_path) << "\n";
  print_stmts(out, f.body, 1);
  return out.str();
}

std::string print(const Module& module) {
  std::string text;
  for (const Function& f : module.functions) text += print(f);
  return text;
}

}  // namespace suture::ir

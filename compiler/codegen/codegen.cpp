// codegen.cpp — IR → LLVM IR text (see codegen.h). One Emitter per function: it writes the
// body block by block, keeps every stack slot in the entry block (so mem2reg/SROA promote them),
// and jumps to one `fail` block that returns 1 whenever a message is rejected.
#include "compiler/codegen/codegen.h"

#include <cstdio>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "compiler/codegen/perfect_hash.h"
#include "runtime/exec/hash.h"

namespace suture::codegen {
namespace {

using ir::Expr;
using ir::Op;
using ir::Stmt;
using ir::StmtOp;
using ir::TypeKind;

// abi::Kind values (runtime/abi/value.h); the static_asserts there keep them stable.
constexpr int kAbsent = 0, kBool = 2, kInt = 3, kDecimal = 4, kString = 5, kDate = 6, kDateTime = 7, kTime = 8,
              kInstant = 9, kDuration = 10, kEnum = 11, kRecord = 12, kList = 13, kJson = 14;

int kind_of(TypeKind t) {
  switch (t) {
    case TypeKind::Bool: return kBool;
    case TypeKind::Int: return kInt;
    case TypeKind::Decimal: return kDecimal;
    case TypeKind::String: return kString;
    case TypeKind::Date: return kDate;
    case TypeKind::DateTime: return kDateTime;
    case TypeKind::Time: return kTime;
    case TypeKind::Instant: return kInstant;
    case TypeKind::Duration: return kDuration;
    case TypeKind::Enum: return kEnum;
    case TypeKind::Record: return kRecord;
    case TypeKind::List: return kList;
    case TypeKind::Json: return kJson;
    default: return kAbsent;
  }
}

std::string llvm_bytes(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "\\%02X", c);
      out += buf;
    }
  }
  return out;
}

// The precision of a date/time literal the checker accepted (YYYY[-MM[-DD]][Thh:mm[:ss[.f]]][offset]).
abi::Precision literal_precision(const std::string& text, bool time_only) {
  using P = abi::Precision;
  std::size_t t = time_only ? 0 : text.find('T');
  if (!time_only && t == std::string::npos) return text.size() >= 10 ? P::Day : text.size() >= 7 ? P::Month : P::Year;
  std::string clock = text.substr(time_only ? 0 : t + 1);
  std::size_t end = clock.find_first_of("Z+-");
  if (end != std::string::npos) clock = clock.substr(0, end);
  if (clock.find('.') != std::string::npos) return P::Fraction;
  return clock.size() >= 8 ? P::Second : clock.size() >= 5 ? P::Minute : P::Hour;
}

bool has_offset(const std::string& text) {
  std::size_t t = text.find('T');
  if (t == std::string::npos) return false;
  return text.find_first_of("Z+-", t) != std::string::npos;
}

// Module-wide: string constants and the natives called.
struct ModuleState {
  std::map<std::string, std::string> strings;  // bytes → global name
  std::map<std::string, int> natives;          // name → number of Value arguments
  std::string globals;
  std::string helpers;  // internal functions (policy rule conditions and index groups)
  std::size_t group_count = 0;

  std::string string(const std::string& bytes, bool nul_terminated = false) {
    std::string key = bytes + (nul_terminated ? std::string(1, '\0') : std::string());
    if (auto it = strings.find(key); it != strings.end()) return it->second;
    std::string name = "@.str." + std::to_string(strings.size());
    globals += name + " = private unnamed_addr constant [" + std::to_string(key.size()) + " x i8] c\"" +
               llvm_bytes(key) + "\", align 1\n";
    strings.emplace(key, name);
    return name;
  }
};

class Emitter {
 public:
  Emitter(const ir::Module& m, const ir::Function& f, ModuleState& state) : m_(m), f_(f), s_(state) {}

  std::string function();
  // A policy rule's condition as its own small function (so a policy of ten thousand rules is
  // ten thousand small functions for LLVM, not one huge one): returns 1 when it holds, 0 when
  // not, 2 when evaluating it failed (reported through the glue as skipped).
  std::string rule_function(const Stmt& s, const std::string& name);

 private:
  // ── text ──
  std::string tmp() { return "%t" + std::to_string(next_++); }
  std::string label(const char* hint) { return std::string(hint) + "." + std::to_string(next_++); }
  void line(const std::string& text) { body_ += "  " + text + "\n"; }
  void block(const std::string& name) {
    body_ += name + ":\n";
    current_ = name;
  }
  void br(const std::string& to) { line("br label %" + to); }
  void cond_br(const std::string& c, const std::string& yes, const std::string& no) {
    line("br i1 " + c + ", label %" + yes + ", label %" + no);
  }
  std::string value_slot() {
    std::string name = "%v" + std::to_string(next_++);
    allocas_ += "  " + name + " = alloca %V, align 8\n";
    return name;
  }
  std::string counter() {
    std::string name = "%c" + std::to_string(next_++);
    allocas_ += "  " + name + " = alloca i64, align 8\n";
    return name;
  }

  // ── Value fields ──
  std::string at(const std::string& p, int offset) {
    std::string t = tmp();
    line(t + " = getelementptr i8, ptr " + p + ", i64 " + std::to_string(offset));
    return t;
  }
  std::string load(const std::string& type, const std::string& p, int offset) {
    std::string addr = offset ? at(p, offset) : p;
    std::string t = tmp();
    line(t + " = load " + type + ", ptr " + addr);
    return t;
  }
  void store(const std::string& type, const std::string& v, const std::string& p, int offset) {
    std::string addr = offset ? at(p, offset) : p;
    line("store " + type + " " + v + ", ptr " + addr);
  }
  std::string kind(const std::string& p) { return load("i8", p, 0); }
  std::string aux(const std::string& p) { return load("i32", p, 4); }
  std::string integer(const std::string& p) { return load("i64", p, 8); }
  std::string pointer(const std::string& p) { return load("ptr", p, 8); }
  std::string present(const std::string& p) {
    std::string t = tmp();
    line(t + " = icmp uge i8 " + kind(p) + ", 2");
    return t;
  }
  std::string boolean(const std::string& p) {
    std::string t = tmp();
    line(t + " = icmp ne i8 " + load("i8", p, 8) + ", 0");
    return t;
  }
  void copy(const std::string& dst, const std::string& src) {
    std::string t = tmp();
    line(t + " = load %V, ptr " + src);
    line("store %V " + t + ", ptr " + dst);
  }
  void set_absent(const std::string& dst) { line("store %V zeroinitializer, ptr " + dst); }
  std::string make_bool(const std::string& i1) {
    std::string v = value_slot();
    std::string wide = tmp();
    line(wide + " = zext i1 " + i1 + " to i64");
    store_scalar(v, kBool, wide);
    return v;
  }
  void store_scalar(const std::string& v, int k, const std::string& i64) {
    if (!i64.empty() && i64[0] == '%') {  // a register: constant header, then the payload
      line("store %V { i8 " + std::to_string(k) + ", i8 0, i16 0, i32 0, i64 0 }, ptr " + v);
      store("i64", i64, v, 8);
      return;
    }
    line("store %V { i8 " + std::to_string(k) + ", i8 0, i16 0, i32 0, i64 " + i64 + " }, ptr " + v);
  }
  std::string make_int(const std::string& i64) {
    std::string v = value_slot();
    store_scalar(v, kInt, i64);
    return v;
  }
  // Element count of a list value (an absent list is empty).
  std::string list_size(const std::string& p) {
    std::string is_list = tmp();
    line(is_list + " = icmp eq i8 " + kind(p) + ", " + std::to_string(kList));
    std::string n32 = aux(p);
    std::string n = tmp();
    line(n + " = zext i32 " + n32 + " to i64");
    std::string r = tmp();
    line(r + " = select i1 " + is_list + ", i64 " + n + ", i64 0");
    return r;
  }
  std::string element(const std::string& items, const std::string& i) {
    std::string off = tmp();
    line(off + " = mul i64 " + i + ", 16");
    std::string t = tmp();
    line(t + " = getelementptr i8, ptr " + items + ", i64 " + off);
    return t;
  }
  std::string alloc(const std::string& bytes) {
    std::string t = tmp();
    line(t + " = call ptr @suture_rt_alloc(ptr %ctx, i64 " + bytes + ")");
    return t;
  }
  void make_list(const std::string& v, const std::string& items, const std::string& n64) {
    std::string n = tmp();
    line(n + " = trunc i64 " + n64 + " to i32");
    line("store %V { i8 " + std::to_string(kList) + ", i8 0, i16 0, i32 0, i64 0 }, ptr " + v);
    store("i32", n, v, 4);
    store("ptr", items, v, 8);
  }
  void error(const std::string& code, const std::string& message, const std::string& path) {
    line("call void @suture_rt_error(ptr %ctx, ptr " + s_.string(code, true) + ", ptr " + s_.string(message, true) +
         ", ptr " + s_.string(path, true) + ")");
    br(fail_label_);
  }
  // After a jump that leaves the expression (fail), code that follows needs a block to live in.
  void dead_block() { block(label("dead")); }

  // ── expressions ──
  std::string gen(const Expr& e);
  std::string constant(const Expr& e);
  std::string field(const Expr& e);
  std::string conditional(const Expr& e);
  std::string coalesce(const Expr& e);
  std::string logic(const Expr& e);
  std::string equality(const Expr& e);
  std::string equal_i1(const std::string& a, const std::string& b, const ir::Type* ta, const ir::Type* tb);
  std::string ordering(const Expr& e);
  std::string arithmetic(const Expr& e);
  std::string native(const std::string& name, const std::vector<std::string>& args, bool fallible);
  std::string call(const Expr& e);
  std::string table(const Expr& e);
  void dispatch(const std::string& key, const ir::Type* key_type, const std::vector<std::string>& keys,
                const std::vector<std::int64_t>& key_ints, const std::vector<std::string>& case_labels,
                const std::string& miss);
  std::string list_literal(const Expr& e);
  std::string record_literal(const Expr& e);
  std::string loop_op(const Expr& e);
  std::string ordered(const Expr& e);
  std::string invoke(const Expr& e);
  std::string key_less(const std::string& a, const std::string& b, const ir::Type* key_type);
  void for_range(const std::string& from, const std::string& to, const std::function<void(const std::string&)>& body);
  std::string slice(const Expr& e);
  std::string fail(const Expr& e);

  // ── statements ──
  void stmts(const std::vector<Stmt>& body, const std::string& out_record);
  // policies
  void rule(const Stmt& s);
  void index(const Stmt& s);
  void decide(const std::string& outcome);
  void apply(const Stmt& s, const std::string& outcome);
  void apply_at(const Stmt& s, const std::string& record, std::size_t level);
  void apply_leaf(const Stmt& s, const std::string& slot);
  // Policies: whether some permit / forbid held, and each obligation rule's status (1 holds).
  std::map<std::uint32_t, int> flag_index_;  // obligation rule → its index in %flags
  int flag_of(std::uint32_t rule) const {
    ir::RuleKind kind = f_.rules[rule].kind;
    return kind == ir::RuleKind::Permit ? 0 : kind == ir::RuleKind::Forbid ? 1 : flag_index_.at(rule);
  }
  std::string flag(int index) { return at("%flags", 8 * index); }
  std::string group_function(const std::vector<Stmt>& rules, const std::string& name);
  std::string new_record(std::uint32_t index);

  const ir::Module& m_;
  const ir::Function& f_;
  ModuleState& s_;
  std::map<std::uint32_t, std::string> slots_;
  std::string body_, allocas_, current_;
  // Where a rejection jumps: the function's `fail` block, or a policy rule's own error block
  // (a rule whose condition fails is skipped and reported, the request goes on).
  std::string fail_label_ = "fail";
  int next_ = 0;
};

std::string Emitter::function() {
  for (std::uint32_t i = 0; i < f_.params.size(); ++i) {
    std::string p = "%p" + std::to_string(i);
    line(p + " = getelementptr i8, ptr %in, i64 " + std::to_string(16 * i));
    slots_[i] = p;
  }
  if (f_.policy) {
    // flags[0]: some permit holds, flags[1]: some forbid holds, flags[2 + k]: obligation k holds.
    std::size_t count = 2;
    for (std::uint32_t i = 0; i < f_.rules.size(); ++i)
      if (f_.rules[i].kind != ir::RuleKind::Permit && f_.rules[i].kind != ir::RuleKind::Forbid)
        flag_index_[i] = static_cast<int>(count++);
    allocas_ += "  %flags = alloca [" + std::to_string(count) + " x i64], align 8\n";
    line("call void @llvm.memset.p0.i64(ptr %flags, i8 0, i64 " + std::to_string(8 * count) + ", i1 false)");
  }
  std::string record = new_record(f_.result->record_index);
  line("store %V { i8 " + std::to_string(kRecord) + ", i8 0, i16 0, i32 0, i64 0 }, ptr %out");
  store("ptr", record, "%out", 8);
  stmts(f_.body, record);
  line("ret i32 0");
  std::string text = "define i32 @\"" + f_.symbol + "\"(ptr noalias %ctx, ptr noalias %out, ptr noalias %in) {\n";
  text += "entry:\n" + allocas_ + body_;
  text += "fail:\n  ret i32 1\n}\n";
  return text;
}

std::string Emitter::rule_function(const Stmt& s, const std::string& name) {
  for (std::uint32_t i = 0; i < f_.params.size(); ++i) {
    std::string p = "%p" + std::to_string(i);
    line(p + " = getelementptr i8, ptr %in, i64 " + std::to_string(16 * i));
    slots_[i] = p;
  }
  std::string holds = boolean(gen(*s.value));
  std::string result = tmp();
  line(result + " = zext i1 " + holds + " to i32");
  line("ret i32 " + result);
  std::string text = "define internal i32 @\"" + name + "\"(ptr noalias %ctx, ptr noalias %in) noinline {\n";
  text += "entry:\n" + allocas_ + body_;
  text += "fail:\n  call void @suture_rt_rule_skipped(ptr %ctx, i32 " + std::to_string(s.index) + ")\n  ret i32 2\n}\n";
  return text;
}

std::string Emitter::new_record(std::uint32_t index) {
  std::string t = tmp();
  line(t + " = call ptr @suture_rt_new_record(ptr %ctx, i32 " + std::to_string(index) + ")");
  return t;
}

void Emitter::stmts(const std::vector<Stmt>& body, const std::string& out_record) {
  for (const Stmt& s : body) {
    switch (s.op) {
      case StmtOp::Let: slots_[s.slot] = gen(*s.value); break;
      case StmtOp::Set: {
        std::string value = gen(*s.value);
        std::string record = out_record;
        for (std::size_t level = 0; level + 1 < s.path.size(); ++level) {
          // The record on the way: made on first write.
          std::string slot = at(record, 24 + 16 * static_cast<int>(s.path[level]));
          std::string is_record = tmp();
          line(is_record + " = icmp eq i8 " + kind(slot) + ", " + std::to_string(kRecord));
          std::string have = label("have"), make = label("make"), join = label("join");
          std::string from = current_;
          cond_br(is_record, have, make);
          block(make);
          const ir::Type* next = s.path_types[level + 1];
          std::string made = new_record(next->record_index);
          line("store %V { i8 " + std::to_string(kRecord) + ", i8 0, i16 0, i32 0, i64 0 }, ptr " + slot);
          store("ptr", made, slot, 8);
          br(join);
          block(have);
          std::string existing = pointer(slot);
          br(join);
          block(join);
          std::string r = tmp();
          line(r + " = phi ptr [ " + made + ", %" + make + " ], [ " + existing + ", %" + have + " ]");
          (void)from;
          record = r;
        }
        copy(at(record, 24 + 16 * static_cast<int>(s.path.back())), value);
        break;
      }
      case StmtOp::When: {
        std::string c = boolean(gen(*s.value));
        std::string yes = label("when"), done = label("endwhen");
        cond_br(c, yes, done);
        block(yes);
        stmts(s.body, out_record);
        br(done);
        block(done);
        break;
      }
      case StmtOp::Rule: rule(s); break;
      case StmtOp::Index: index(s); break;
      case StmtOp::Decide: decide(out_record); break;
      case StmtOp::Apply: apply(s, out_record); break;
    }
  }
}

std::string Emitter::gen(const Expr& e) {
  switch (e.op) {
    case Op::Const: return constant(e);
    case Op::Local: return slots_.at(e.slot);
    case Op::Let: slots_[e.slot] = gen(*e.args[0]); return gen(*e.args[1]);
    case Op::If: return conditional(e);
    case Op::Field: return field(e);
    case Op::Index: {
      std::string list = gen(*e.args[0]);
      std::string i = integer(gen(*e.args[1]));
      std::string n = list_size(list);
      std::string in_range = tmp();
      line(in_range + " = icmp ult i64 " + i + ", " + n);  // unsigned: a negative index is out of range
      std::string items = pointer(list);
      std::string item = element(items, i);
      std::string r = tmp();
      line(r + " = select i1 " + in_range + ", ptr " + item + ", ptr @.absent");
      return r;
    }
    case Op::Coalesce: return coalesce(e);
    case Op::Fail: return fail(e);
    case Op::Not: {
      std::string b = boolean(gen(*e.args[0]));
      std::string t = tmp();
      line(t + " = xor i1 " + b + ", true");
      return make_bool(t);
    }
    case Op::And:
    case Op::Or: return logic(e);
    case Op::Eq:
    case Op::Ne: return equality(e);
    case Op::Lt:
    case Op::Le:
    case Op::Gt:
    case Op::Ge: return ordering(e);
    case Op::Add:
    case Op::Sub:
    case Op::Mul:
    case Op::Div:
    case Op::Mod:
    case Op::Neg: return arithmetic(e);
    case Op::Concat: return native("concat", {gen(*e.args[0]), gen(*e.args[1])}, false);
    case Op::Call: return call(e);
    case Op::Table: return table(e);
    case Op::ListLit: return list_literal(e);
    case Op::RecordLit: return record_literal(e);
    case Op::IsPresent: return make_bool(present(gen(*e.args[0])));
    case Op::Size: return make_int(list_size(gen(*e.args[0])));
    case Op::IsEmpty: {
      std::string t = tmp();
      line(t + " = icmp eq i64 " + list_size(gen(*e.args[0])) + ", 0");
      return make_bool(t);
    }
    case Op::Take:
    case Op::Skip: return slice(e);
    case Op::First:
    case Op::Last:
    case Op::Any:
    case Op::All:
    case Op::Count:
    case Op::Filter:
    case Op::Map:
    case Op::FlatMap:
    case Op::Contains:
    case Op::Sum:
    case Op::Min:
    case Op::Max:
    case Op::Distinct: return loop_op(e);
    case Op::Sort:
    case Op::SortBy:
    case Op::MinBy:
    case Op::MaxBy: return ordered(e);
    case Op::Invoke: return invoke(e);
  }
  return "@.absent";
}

std::string Emitter::constant(const Expr& e) {
  TypeKind t = e.type->kind;
  if (t == TypeKind::Null || t == TypeKind::Never) return "@.absent";
  std::string v = value_slot();
  if (t == TypeKind::Bool || t == TypeKind::Int || t == TypeKind::Duration) {
    store_scalar(v, kind_of(t), std::to_string(t == TypeKind::Bool ? (e.integer != 0) : e.integer));
    return v;
  }
  std::string text = e.text;
  int precision = 0, flags = 0;
  if (t == TypeKind::Enum) text = e.type->enumeration->codes.at(static_cast<std::size_t>(e.integer));
  if (t == TypeKind::Time && !text.empty() && text[0] == 'T') text = text.substr(1);
  if (t == TypeKind::Date || t == TypeKind::DateTime || t == TypeKind::Instant || t == TypeKind::Time) {
    precision = static_cast<int>(literal_precision(text, t == TypeKind::Time));
    flags = has_offset(text) ? 1 : 0;
  }
  std::string aux = t == TypeKind::Enum ? std::to_string(e.integer) : std::to_string(text.size());
  line("store %V { i8 " + std::to_string(kind_of(t)) + ", i8 " + std::to_string(precision) + ", i16 " +
       std::to_string(flags) + ", i32 " + aux + ", i64 0 }, ptr " + v);
  store("ptr", s_.string(text), v, 8);
  return v;
}

std::string Emitter::field(const Expr& e) {
  std::string base = gen(*e.args[0]);
  std::string record = pointer(base);
  std::string slot = tmp();
  line(slot + " = getelementptr i8, ptr " + record + ", i64 " + std::to_string(24 + 16 * e.index));
  // An absent base gives absent, with or without `?.`: a field the checker saw narrowed is not
  // read through a null pointer even if the data breaks the schema. The address computed from
  // an absent base is never read.
  std::string r = tmp();
  line(r + " = select i1 " + present(base) + ", ptr " + slot + ", ptr @.absent");
  return r;
}

std::string Emitter::conditional(const Expr& e) {
  std::string c = boolean(gen(*e.args[0]));
  std::string result = value_slot();
  std::string yes = label("then"), no = label("else"), done = label("endif");
  cond_br(c, yes, no);
  block(yes);
  copy(result, gen(*e.args[1]));
  br(done);
  block(no);
  copy(result, gen(*e.args[2]));
  br(done);
  block(done);
  return result;
}

std::string Emitter::coalesce(const Expr& e) {
  std::string a = gen(*e.args[0]);
  std::string result = value_slot();
  std::string have = label("have"), other = label("default"), done = label("endcoalesce");
  cond_br(present(a), have, other);
  block(have);
  copy(result, a);
  br(done);
  block(other);
  copy(result, gen(*e.args[1]));
  br(done);
  block(done);
  return result;
}

std::string Emitter::fail(const Expr& e) {
  std::string code = gen(*e.args[0]);
  std::string reason = gen(*e.args[1]);
  std::string out = value_slot();
  line("call i1 @suture_rt_fail(ptr %ctx, ptr " + out + ", ptr " + code + ", ptr " + reason + ", ptr " +
       s_.string(e.text, true) + ")");
  s_.natives["fail"] = -1;
  br(fail_label_);
  dead_block();
  return "@.absent";
}

std::string Emitter::logic(const Expr& e) {
  bool is_and = e.op == Op::And;
  std::string result = value_slot();
  std::string a = boolean(gen(*e.args[0]));
  std::string rhs = label("rhs"), shortcut = label("short"), done = label("endlogic");
  if (is_and)
    cond_br(a, rhs, shortcut);
  else
    cond_br(a, shortcut, rhs);
  block(shortcut);
  store_scalar(result, kBool, is_and ? "0" : "1");
  br(done);
  block(rhs);
  copy(result, gen(*e.args[1]));
  br(done);
  block(done);
  return result;
}

// i1: a == b. Inline for bools, ints, enums and strings (absent == absent); natives otherwise.
std::string Emitter::equal_i1(const std::string& a, const std::string& b, const ir::Type* ta, const ir::Type* tb) {
  TypeKind ka = ta->kind, kb = tb->kind;
  bool inline_kind = ka == kb && (ka == TypeKind::Bool || ka == TypeKind::Int || ka == TypeKind::Enum ||
                                  ka == TypeKind::String || ka == TypeKind::Duration);
  bool with_null = ka == TypeKind::Null || kb == TypeKind::Null;
  if (with_null) {
    const std::string& other = ka == TypeKind::Null ? b : a;
    std::string t = tmp();
    line(t + " = xor i1 " + present(other) + ", true");
    return t;
  }
  if (!inline_kind) {
    std::string r = native("equal", {a, b}, false);
    return boolean(r);
  }
  std::string pa = present(a), pb = present(b);
  std::string result = counter();  // i64 0/1 in a stack slot
  std::string both = tmp(), either = tmp();
  line(both + " = and i1 " + pa + ", " + pb);
  line(either + " = or i1 " + pa + ", " + pb);
  std::string cmp = label("cmp"), diff = label("presence"), done = label("endeq");
  cond_br(both, cmp, diff);
  block(diff);
  std::string neither = tmp(), wide = tmp();
  line(neither + " = xor i1 " + either + ", true");
  line(wide + " = zext i1 " + neither + " to i64");
  line("store i64 " + wide + ", ptr " + result);
  br(done);
  block(cmp);
  if (ka == TypeKind::String) {
    std::string la = aux(a), lb = aux(b);
    std::string same_len = tmp();
    line(same_len + " = icmp eq i32 " + la + ", " + lb);
    std::string bytes = label("bytes"), unequal = label("unequal");
    cond_br(same_len, bytes, unequal);
    block(unequal);
    line("store i64 0, ptr " + result);
    br(done);
    block(bytes);
    std::string n = tmp();
    line(n + " = zext i32 " + la + " to i64");
    std::string c = tmp();
    line(c + " = call i32 @memcmp(ptr " + pointer(a) + ", ptr " + pointer(b) + ", i64 " + n + ")");
    std::string z = tmp(), w = tmp();
    line(z + " = icmp eq i32 " + c + ", 0");
    line(w + " = zext i1 " + z + " to i64");
    line("store i64 " + w + ", ptr " + result);
    br(done);
  } else {
    std::string x, y;
    if (ka == TypeKind::Enum) {
      x = aux(a), y = aux(b);
      std::string c = tmp(), w = tmp();
      line(c + " = icmp eq i32 " + x + ", " + y);
      line(w + " = zext i1 " + c + " to i64");
      line("store i64 " + w + ", ptr " + result);
    } else if (ka == TypeKind::Bool) {
      std::string c = tmp(), w = tmp();
      line(c + " = icmp eq i1 " + boolean(a) + ", " + boolean(b));
      line(w + " = zext i1 " + c + " to i64");
      line("store i64 " + w + ", ptr " + result);
    } else {
      std::string c = tmp(), w = tmp();
      line(c + " = icmp eq i64 " + integer(a) + ", " + integer(b));
      line(w + " = zext i1 " + c + " to i64");
      line("store i64 " + w + ", ptr " + result);
    }
    br(done);
  }
  block(done);
  std::string r = tmp(), i1 = tmp();
  line(r + " = load i64, ptr " + result);
  line(i1 + " = icmp ne i64 " + r + ", 0");
  return i1;
}

std::string Emitter::equality(const Expr& e) {
  std::string a = gen(*e.args[0]);
  std::string b = gen(*e.args[1]);
  std::string eq = equal_i1(a, b, e.args[0]->type, e.args[1]->type);
  if (e.op == Op::Eq) return make_bool(eq);
  std::string ne = tmp();
  line(ne + " = xor i1 " + eq + ", true");
  return make_bool(ne);
}

std::string Emitter::ordering(const Expr& e) {
  static const std::map<Op, const char*> predicates = {
      {Op::Lt, "slt"}, {Op::Le, "sle"}, {Op::Gt, "sgt"}, {Op::Ge, "sge"}};
  std::string a = gen(*e.args[0]);
  std::string b = gen(*e.args[1]);
  std::string x, y;
  if (e.args[0]->type->kind == TypeKind::Int && e.args[1]->type->kind == TypeKind::Int) {
    x = integer(a), y = integer(b);
  } else if (e.args[0]->type->kind == TypeKind::Enum && e.args[1]->type->kind == TypeKind::Enum) {
    // an @ordered enum: by member index
    x = tmp(), y = tmp();
    line(x + " = zext i32 " + aux(a) + " to i64");
    line(y + " = zext i32 " + aux(b) + " to i64");
  } else {
    x = integer(native("compare", {a, b}, false));
    y = "0";
  }
  std::string c = tmp();
  line(c + " = icmp " + predicates.at(e.op) + " i64 " + x + ", " + y);
  return make_bool(c);
}

std::string Emitter::arithmetic(const Expr& e) {
  static const std::map<Op, const char*> names = {{Op::Add, "add"}, {Op::Sub, "sub"}, {Op::Mul, "mul"},
                                                  {Op::Div, "div"}, {Op::Mod, "mod"}, {Op::Neg, "negate"}};
  bool ints = e.args[0]->type->kind == TypeKind::Int && (e.args.size() == 1 || e.args[1]->type->kind == TypeKind::Int);
  if (!ints) {
    std::vector<std::string> args;
    for (const auto& a : e.args) args.push_back(gen(*a));
    return native(names.at(e.op), args, e.op == Op::Div || e.op == Op::Mod);
  }
  std::string x = e.op == Op::Neg ? "0" : integer(gen(*e.args[0]));
  std::string y = integer(gen(*e.args[e.op == Op::Neg ? 0 : 1]));
  if (e.op == Op::Div || e.op == Op::Mod) {
    std::string result = value_slot();
    std::string zero = tmp();
    line(zero + " = icmp eq i64 " + y + ", 0");
    std::string by_zero = label("byzero"), check = label("divcheck"), overflow = label("divoverflow"),
                divide = label("divide"), done = label("enddiv");
    cond_br(zero, by_zero, check);
    block(by_zero);
    set_absent(result);  // a failed T!
    br(done);
    block(check);
    std::string min = tmp(), minus_one = tmp(), both = tmp();
    line(min + " = icmp eq i64 " + x + ", -9223372036854775808");
    line(minus_one + " = icmp eq i64 " + y + ", -1");
    line(both + " = and i1 " + min + ", " + minus_one);
    cond_br(both, overflow, divide);
    block(overflow);
    if (e.op == Op::Div) {
      error("INT_OVERFLOW", "integer division overflows 64 bits", "$");
    } else {
      store_scalar(result, kInt, "0");
      br(done);
    }
    block(divide);
    std::string q = tmp();
    line(q + " = " + (e.op == Op::Div ? "sdiv" : "srem") + " i64 " + x + ", " + y);
    store_scalar(result, kInt, q);
    br(done);
    block(done);
    return result;
  }
  const char* intrinsic = e.op == Op::Add ? "sadd" : e.op == Op::Mul ? "smul" : "ssub";
  std::string pair = tmp(), value = tmp(), over = tmp();
  line(pair + " = call { i64, i1 } @llvm." + intrinsic + ".with.overflow.i64(i64 " + x + ", i64 " + y + ")");
  line(value + " = extractvalue { i64, i1 } " + pair + ", 0");
  line(over + " = extractvalue { i64, i1 } " + pair + ", 1");
  std::string bad = label("overflow"), good = label("nooverflow");
  cond_br(over, bad, good);
  block(bad);
  error("INT_OVERFLOW", "integer arithmetic overflows 64 bits", "$");
  block(good);
  return make_int(value);
}

// Calls suture_rt_<name>(ctx, out, args…). A fallible native's false is a failed T! (absent);
// any other native's false rejects the message (it has set ctx->error).
std::string Emitter::native(const std::string& name, const std::vector<std::string>& args, bool fallible) {
  s_.natives[name] = static_cast<int>(args.size());
  std::string out = value_slot();
  std::string call = "call i1 @suture_rt_" + name + "(ptr %ctx, ptr " + out;
  for (const auto& a : args) call += ", ptr " + a;
  std::string ok = tmp();
  line(ok + " = " + call + ")");
  std::string good = label("ok"), bad = label("failed");
  cond_br(ok, good, bad);
  block(bad);
  if (fallible) {
    set_absent(out);
    br(good);
  } else {
    br(fail_label_);
  }
  block(good);
  return out;
}

std::string Emitter::call(const Expr& e) {
  std::vector<std::string> args;
  for (const auto& a : e.args) args.push_back(gen(*a));
  if (e.text == "to_string" && e.args.size() == 1 && e.args[0]->type->kind == TypeKind::Enum) {
    // An enum value holds its member index; the native finds the code in the pack's enum.
    std::string index = value_slot();
    store_scalar(index, kInt, std::to_string(e.args[0]->type->enum_index));
    return native("enum_to_string", {args[0], index}, false);
  }
  if (e.text == "confidentiality" && e.type->kind == TypeKind::Enum) {
    // The native finds the member in the pack's Confidentiality enum.
    std::string index = value_slot();
    store_scalar(index, kInt, std::to_string(e.type->enum_index));
    return native("confidentiality", {args[0], index}, e.fallible);
  }
  return native(e.text, args, e.fallible);
}

// Jumps to case_labels[i] when the key (present) equals keys[i], else to miss. Strings: compared
// in turn when few, through a perfect hash when more; ints by value and enums by member index
// in a switch. Ends the current block.
void Emitter::dispatch(const std::string& key, const ir::Type* key_type, const std::vector<std::string>& keys,
                       const std::vector<std::int64_t>& key_ints, const std::vector<std::string>& case_labels,
                       const std::string& miss) {
  if (key_type->kind == TypeKind::String) {
    std::string text = pointer(key);
    std::string len32 = aux(key);
    std::string len = tmp();
    line(len + " = zext i32 " + len32 + " to i64");
    auto compare_with = [&](std::size_t i, const std::string& on_miss) {
      const std::string& k = keys[i];
      std::string same_len = tmp();
      line(same_len + " = icmp eq i64 " + len + ", " + std::to_string(k.size()));
      std::string bytes = label("keybytes");
      cond_br(same_len, bytes, on_miss);
      block(bytes);
      std::string c = tmp(), z = tmp();
      line(c + " = call i32 @memcmp(ptr " + text + ", ptr " + s_.string(k) + ", i64 " + std::to_string(k.size()) + ")");
      line(z + " = icmp eq i32 " + c + ", 0");
      cond_br(z, case_labels[i], on_miss);
    };
    // Compares the key with each candidate in turn; the last one's miss is `miss`.
    auto compare_in_turn = [&](const std::vector<std::size_t>& candidates) {
      for (std::size_t c = 0; c < candidates.size(); ++c) {
        std::string next = c + 1 < candidates.size() ? label("nextkey") : miss;
        compare_with(candidates[c], next);
        if (next != miss) block(next);
      }
      if (candidates.empty()) br(miss);
    };
    if (keys.size() <= 4) {
      std::vector<std::size_t> all(keys.size());
      for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
      compare_in_turn(all);
      return;
    }
    // A perfect hash when one is found (small key sets): one candidate per bucket. Otherwise
    // the keys are spread over a power of two of buckets by the same hash, and a bucket compares
    // its few candidates in turn: constant expected cost however many keys there are.
    PerfectHash hash = find_perfect_hash(keys);
    std::vector<std::vector<std::size_t>> buckets;
    std::uint64_t seed = hash.seed, size = hash.size;
    if (hash.found) {
      buckets.resize(size);
      for (std::size_t i = 0; i < keys.size(); ++i) buckets[hash.slot_of[i]].push_back(i);
    } else {
      seed = 0;
      size = 1;
      while (size < 2 * keys.size()) size *= 2;
      buckets.resize(size);
      for (std::size_t i = 0; i < keys.size(); ++i)
        buckets[runtime::table_hash(keys[i].data(), keys[i].size(), seed) % size].push_back(i);
    }
    std::string h = tmp(), bucket = tmp();
    line(h + " = call i64 @suture_rt_hash(ptr " + text + ", i64 " + len + ", i64 " + std::to_string(seed) + ")");
    line(bucket + " = urem i64 " + h + ", " + std::to_string(size));
    std::vector<std::pair<std::size_t, std::string>> bucket_labels;
    std::string sw = "switch i64 " + bucket + ", label %" + miss + " [";
    for (std::size_t b = 0; b < buckets.size(); ++b) {
      if (buckets[b].empty()) continue;
      bucket_labels.emplace_back(b, label("bucket"));
      sw += " i64 " + std::to_string(b) + ", label %" + bucket_labels.back().second;
    }
    line(sw + " ]");
    for (const auto& [b, name] : bucket_labels) {
      block(name);
      compare_in_turn(buckets[b]);
    }
    return;
  }
  std::string k;
  if (key_type->kind == TypeKind::Enum) {
    std::string a = aux(key);
    k = tmp();
    line(k + " = zext i32 " + a + " to i64");
  } else if (key_type->kind == TypeKind::Bool) {
    std::string b = boolean(key);
    k = tmp();
    line(k + " = zext i1 " + b + " to i64");
  } else {
    k = integer(key);
  }
  std::string sw = "switch i64 " + k + ", label %" + miss + " [";
  std::set<std::int64_t> seen;
  for (std::size_t i = 0; i < key_ints.size(); ++i)
    if (seen.insert(key_ints[i]).second) sw += " i64 " + std::to_string(key_ints[i]) + ", label %" + case_labels[i];
  line(sw + " ]");
}

std::string Emitter::table(const Expr& e) {
  const ir::Type* key_type = e.args[0]->type;
  std::string key = gen(*e.args[0]);
  std::string result = value_slot();
  std::string done = label("endtable"), miss = label("miss");
  std::vector<std::string> case_labels, keys;
  std::vector<std::int64_t> key_ints;
  for (const auto& entry : e.entries) {
    case_labels.push_back(label("entry"));
    keys.push_back(entry.key);
    key_ints.push_back(entry.key_int);
  }
  std::string lookup = label("lookup");
  cond_br(present(key), lookup, miss);
  block(lookup);
  dispatch(key, key_type, keys, key_ints, case_labels, miss);
  for (std::size_t i = 0; i < e.entries.size(); ++i) {
    block(case_labels[i]);
    copy(result, gen(*e.entries[i].value));
    br(done);
  }
  block(miss);
  if (e.index == 1)
    copy(result, gen(*e.args[1]));
  else
    set_absent(result);  // a failed T!
  br(done);
  block(done);
  return result;
}

std::string Emitter::list_literal(const Expr& e) {
  std::string v = value_slot();
  std::size_t n = e.args.size();
  std::string items = alloc(std::to_string(16 * (n == 0 ? 1 : n)));
  for (std::size_t i = 0; i < n; ++i) copy(at(items, static_cast<int>(16 * i)), gen(*e.args[i]));
  make_list(v, items, std::to_string(n));
  return v;
}

std::string Emitter::record_literal(const Expr& e) {
  std::string record = new_record(e.type->record_index);
  for (std::size_t i = 0; i < e.args.size(); ++i)
    copy(at(record, 24 + 16 * static_cast<int>(e.fields[i])), gen(*e.args[i]));
  std::string v = value_slot();
  line("store %V { i8 " + std::to_string(kRecord) + ", i8 0, i16 0, i32 0, i64 0 }, ptr " + v);
  store("ptr", record, v, 8);
  return v;
}

std::string Emitter::slice(const Expr& e) {
  std::string list = gen(*e.args[0]);
  std::string k = integer(gen(*e.args[1]));
  std::string n = list_size(list);
  std::string negative = tmp(), clamped = tmp(), over = tmp(), count = tmp();
  line(negative + " = icmp slt i64 " + k + ", 0");
  line(clamped + " = select i1 " + negative + ", i64 0, i64 " + k);
  line(over + " = icmp ugt i64 " + clamped + ", " + n);
  line(count + " = select i1 " + over + ", i64 " + n + ", i64 " + clamped);
  std::string items = pointer(list);
  std::string v = value_slot();
  if (e.op == Op::Take) {
    make_list(v, items, count);
  } else {
    std::string rest = tmp();
    line(rest + " = sub i64 " + n + ", " + count);
    make_list(v, element(items, count), rest);
  }
  return v;
}

// The loop every collection operation shares: for i in 0..n, the element bound to e.slot.
std::string Emitter::loop_op(const Expr& e) {
  std::string list = gen(*e.args[0]);
  // `contains(x)`: x is an argument, not a lambda: evaluated once, after the list, even when the
  // list is empty (it may fail).
  std::string wanted = e.op == Op::Contains ? gen(*e.args[1]) : std::string();
  std::string n = list_size(list);
  std::string items = pointer(list);
  std::string result = value_slot();
  std::string i = counter(), acc = counter();
  line("store i64 0, ptr " + i);
  line("store i64 0, ptr " + acc);
  // Output buffers for filter / map / flat_map / distinct (at most n elements; flat_map: n lists).
  std::string out_items;
  if (e.op == Op::Filter || e.op == Op::Map || e.op == Op::FlatMap || e.op == Op::Distinct) {
    std::string bytes = tmp(), at_least = tmp();
    line(bytes + " = mul i64 " + n + ", 16");
    line(at_least + " = add i64 " + bytes + ", 16");
    out_items = alloc(at_least);
  }
  // Defaults for an empty list.
  switch (e.op) {
    case Op::Any: store_scalar(result, kBool, "0"); break;
    case Op::All: store_scalar(result, kBool, "1"); break;
    case Op::Contains: store_scalar(result, kBool, "0"); break;
    default: set_absent(result); break;
  }
  std::string head = label("loop"), body = label("body"), next = label("next"), done = label("endloop");
  br(head);
  block(head);
  std::string iv = tmp(), more = tmp();
  line(iv + " = load i64, ptr " + i);
  line(more + " = icmp ult i64 " + iv + ", " + n);
  cond_br(more, body, done);
  block(body);
  // `last` walks from the end and stops at the first match, like `first` from the start: the
  // predicate never runs on elements before the answer (it may fail or overflow there).
  std::string position = iv;
  if (e.op == Op::Last) {
    std::string from_end = tmp();
    position = tmp();
    line(from_end + " = sub i64 " + n + ", " + iv);
    line(position + " = sub i64 " + from_end + ", 1");
  }
  std::string item = element(items, position);
  const bool binds =
      e.args.size() > 1 && (e.op == Op::First || e.op == Op::Last || e.op == Op::Any || e.op == Op::All ||
                            e.op == Op::Count || e.op == Op::Filter || e.op == Op::Map || e.op == Op::FlatMap);
  if (binds) slots_[e.slot] = item;  // the lambda's parameter
  auto predicate = [&]() -> std::string {
    if (e.args.size() < 2) return "true";
    return boolean(gen(*e.args[1]));
  };
  switch (e.op) {
    case Op::First:
    case Op::Last: {
      std::string hit = label("hit");
      cond_br(predicate(), hit, next);
      block(hit);
      copy(result, item);
      br(done);
      break;
    }
    case Op::Any:
    case Op::All: {
      std::string p = predicate();
      std::string decided = label("decided");
      if (e.op == Op::Any)
        cond_br(p, decided, next);
      else
        cond_br(p, next, decided);
      block(decided);
      store_scalar(result, kBool, e.op == Op::Any ? "1" : "0");
      br(done);
      break;
    }
    case Op::Count:
    case Op::Filter: {
      std::string hit = label("hit");
      cond_br(predicate(), hit, next);
      block(hit);
      std::string k = tmp(), k1 = tmp();
      line(k + " = load i64, ptr " + acc);
      if (e.op == Op::Filter) copy(element(out_items, k), item);
      line(k1 + " = add i64 " + k + ", 1");
      line("store i64 " + k1 + ", ptr " + acc);
      br(next);
      break;
    }
    case Op::Map:
    case Op::FlatMap: {
      std::string mapped = gen(*e.args[1]);
      copy(element(out_items, iv), mapped);
      if (e.op == Op::FlatMap) {
        std::string k = tmp(), k1 = tmp();
        line(k + " = load i64, ptr " + acc);
        line(k1 + " = add i64 " + k + ", " + list_size(mapped));
        line("store i64 " + k1 + ", ptr " + acc);
      }
      br(next);
      break;
    }
    case Op::Contains: {
      std::string eq = equal_i1(item, wanted, e.args[0]->type->element, e.args[1]->type);
      std::string found = label("found");
      cond_br(eq, found, next);
      block(found);
      store_scalar(result, kBool, "1");
      br(done);
      break;
    }
    case Op::Sum: {
      std::string s = tmp();
      line(s + " = load i64, ptr " + acc);
      std::string pair = tmp(), value = tmp(), over = tmp();
      line(pair + " = call { i64, i1 } @llvm.sadd.with.overflow.i64(i64 " + s + ", i64 " + integer(item) + ")");
      line(value + " = extractvalue { i64, i1 } " + pair + ", 0");
      line(over + " = extractvalue { i64, i1 } " + pair + ", 1");
      std::string bad = label("overflow"), good = label("nooverflow");
      cond_br(over, bad, good);
      block(bad);
      error("INT_OVERFLOW", "sum overflows 64 bits", "$");
      block(good);
      line("store i64 " + value + ", ptr " + acc);
      br(next);
      break;
    }
    case Op::Min:
    case Op::Max: {
      // The first element, then any that beats the best so far.
      std::string take = label("take"), versus = label("versus");
      cond_br(present(result), versus, take);
      block(versus);
      std::string better;
      const ir::Type* et = e.args[0]->type->element;
      if (et->kind == TypeKind::Int) {
        better = tmp();
        line(better + " = icmp " + (e.op == Op::Min ? "slt" : "sgt") + " i64 " + integer(item) + ", " +
             integer(result));
      } else {
        std::string c = integer(native("compare", {item, result}, false));
        better = tmp();
        line(better + " = icmp " + (e.op == Op::Min ? "slt" : "sgt") + " i64 " + c + ", 0");
      }
      cond_br(better, take, next);
      block(take);
      copy(result, item);
      br(next);
      break;
    }
    case Op::Distinct: {
      // Kept when no earlier kept element equals it.
      std::string j = counter();
      line("store i64 0, ptr " + j);
      std::string scan = label("scan"), probe = label("probe"), keep = label("keep");
      br(scan);
      block(scan);
      std::string jv = tmp(), k = tmp(), more_kept = tmp();
      line(jv + " = load i64, ptr " + j);
      line(k + " = load i64, ptr " + acc);
      line(more_kept + " = icmp ult i64 " + jv + ", " + k);
      cond_br(more_kept, probe, keep);
      block(probe);
      const ir::Type* et = e.args[0]->type->element;
      std::string eq = equal_i1(element(out_items, jv), item, et, et);
      std::string advance = label("advance");
      cond_br(eq, next, advance);
      block(advance);
      std::string j1 = tmp();
      line(j1 + " = add i64 " + jv + ", 1");
      line("store i64 " + j1 + ", ptr " + j);
      br(scan);
      block(keep);
      copy(element(out_items, k), item);
      std::string k1 = tmp();
      line(k1 + " = add i64 " + k + ", 1");
      line("store i64 " + k1 + ", ptr " + acc);
      br(next);
      break;
    }
    default: br(next); break;
  }
  block(next);
  std::string i1 = tmp();
  line(i1 + " = add i64 " + iv + ", 1");
  line("store i64 " + i1 + ", ptr " + i);
  br(head);
  block(done);
  switch (e.op) {
    case Op::Count: store_scalar(result, kInt, load("i64", acc, 0)); break;
    case Op::Sum: store_scalar(result, kInt, load("i64", acc, 0)); break;
    case Op::Filter:
    case Op::Distinct: make_list(result, out_items, load("i64", acc, 0)); break;
    case Op::Map: make_list(result, out_items, n); break;
    case Op::FlatMap: {
      // Concatenate the n lists produced above into one of the counted size.
      std::string total = load("i64", acc, 0);
      std::string bytes = tmp(), at_least = tmp();
      line(bytes + " = mul i64 " + total + ", 16");
      line(at_least + " = add i64 " + bytes + ", 16");
      std::string flat = alloc(at_least);
      std::string w = counter(), r = counter();
      line("store i64 0, ptr " + w);
      line("store i64 0, ptr " + r);
      std::string head2 = label("flat"), body2 = label("flatbody"), done2 = label("endflat");
      br(head2);
      block(head2);
      std::string rv = tmp(), more2 = tmp();
      line(rv + " = load i64, ptr " + r);
      line(more2 + " = icmp ult i64 " + rv + ", " + n);
      cond_br(more2, body2, done2);
      block(body2);
      std::string sub = element(out_items, rv);
      std::string m = list_size(sub), src = pointer(sub), wv = tmp();
      line(wv + " = load i64, ptr " + w);
      std::string dst = element(flat, wv), bytes2 = tmp();
      line(bytes2 + " = mul i64 " + m + ", 16");
      line("call void @llvm.memcpy.p0.p0.i64(ptr " + dst + ", ptr " + src + ", i64 " + bytes2 + ", i1 false)");
      std::string w1 = tmp(), r1 = tmp();
      line(w1 + " = add i64 " + wv + ", " + m);
      line("store i64 " + w1 + ", ptr " + w);
      line(r1 + " = add i64 " + rv + ", 1");
      line("store i64 " + r1 + ", ptr " + r);
      br(head2);
      block(done2);
      make_list(result, flat, total);
      break;
    }
    default: break;
  }
  return result;
}

// A rule: when its condition holds, the decision's flag (permit / forbid) or the obligation's
// status is set and the glue records it in ctx->held; when evaluating it fails, the glue moves
// the failure to ctx->skipped and the request goes on.
void Emitter::rule(const Stmt& s) {
  std::string held = label("held"), done = label("endrule");
  if (!s.value) {
    br(held);
  } else {
    std::string name = f_.symbol + ".rule" + std::to_string(s.index);
    Emitter condition(m_, f_, s_);
    s_.helpers += condition.rule_function(s, name) + "\n";
    std::string result = tmp(), holds = tmp();
    line(result + " = call i32 @\"" + name + "\"(ptr %ctx, ptr %in)");
    line(holds + " = icmp eq i32 " + result + ", 1");
    cond_br(holds, held, done);
  }
  block(held);
  line("store i64 1, ptr " + flag(flag_of(s.index)));
  line("call void @suture_rt_rule_held(ptr %ctx, i32 " + std::to_string(s.index) + ")");
  br(done);
  block(done);
}

// The rules of one index group as a function of their own: (ctx, in, flags).
std::string Emitter::group_function(const std::vector<Stmt>& rules, const std::string& name) {
  flag_index_.clear();
  std::size_t count = 2;
  for (std::uint32_t i = 0; i < f_.rules.size(); ++i)
    if (f_.rules[i].kind != ir::RuleKind::Permit && f_.rules[i].kind != ir::RuleKind::Forbid)
      flag_index_[i] = static_cast<int>(count++);
  for (const Stmt& r : rules) rule(r);
  line("ret void");
  std::string text =
      "define internal void @\"" + name + "\"(ptr noalias %ctx, ptr noalias %in, ptr noalias %flags) noinline {\n";
  text += "entry:\n" + allocas_ + body_ + "fail:\n  unreachable\n}\n";
  return text;
}

// Rules grouped by the constant their first conjunct compares a key with: only the group of the
// key's value runs (the others cannot hold), then the rules outside any group. Each group is a
// function; string keys find theirs in a constant hash table (buckets of {text, size, function}),
// so the policy's own code stays small however many groups there are.
void Emitter::index(const Stmt& s) {
  std::string key = gen(*s.value);
  std::vector<std::string> functions;
  for (std::size_t g = 0; g < s.groups.size(); ++g) {
    std::string name = f_.symbol + ".group" + std::to_string(s_.group_count++);
    Emitter group(m_, f_, s_);
    s_.helpers += group.group_function(s.groups[g].second, name) + "\n";
    functions.push_back(name);
  }
  std::string rest = label("ungrouped"), lookup = label("groups");
  cond_br(present(key), lookup, rest);
  block(lookup);
  const ir::Type* key_type = s.value->type;
  if (key_type->kind == TypeKind::String) {
    std::size_t n = s.groups.size(), size = 1;
    while (size < 2 * n) size *= 2;
    std::vector<std::vector<std::size_t>> buckets(size);
    for (std::size_t g = 0; g < n; ++g) {
      const std::string text = s.groups[g].first.substr(2);
      buckets[runtime::table_hash(text.data(), text.size(), 0) % size].push_back(g);
    }
    std::string table = "@.index." + std::to_string(s_.group_count) + "." + std::to_string(next_++);
    std::string entries = table + ".entries", offsets = table + ".offsets";
    std::string entry_list, offset_list;
    std::size_t at_entry = 0;
    for (std::size_t b = 0; b < size; ++b) {
      offset_list += (b ? ", i64 " : "i64 ") + std::to_string(at_entry);
      for (std::size_t g : buckets[b]) {
        const std::string text = s.groups[g].first.substr(2);
        entry_list += std::string(at_entry ? ", " : "") + "{ ptr, i64, ptr } { ptr " + s_.string(text) + ", i64 " +
                      std::to_string(text.size()) + ", ptr @\"" + functions[g] + "\" }";
        ++at_entry;
      }
    }
    offset_list += ", i64 " + std::to_string(at_entry);
    s_.globals += entries + " = private unnamed_addr constant [" + std::to_string(at_entry) +
                  " x { ptr, i64, ptr }] [" + entry_list + "], align 8\n";
    s_.globals += offsets + " = private unnamed_addr constant [" + std::to_string(size + 1) + " x i64] [" +
                  offset_list + "], align 8\n";
    std::string text = pointer(key), len = tmp(), h = tmp(), bucket = tmp(), bucket1 = tmp();
    line(len + " = zext i32 " + aux(key) + " to i64");
    line(h + " = call i64 @suture_rt_hash(ptr " + text + ", i64 " + len + ", i64 0)");
    line(bucket + " = urem i64 " + h + ", " + std::to_string(size));
    line(bucket1 + " = add i64 " + bucket + ", 1");
    std::string from_ptr = tmp(), to_ptr = tmp(), from = tmp(), to = tmp();
    line(from_ptr + " = getelementptr i64, ptr " + offsets + ", i64 " + bucket);
    line(to_ptr + " = getelementptr i64, ptr " + offsets + ", i64 " + bucket1);
    line(from + " = load i64, ptr " + from_ptr);
    line(to + " = load i64, ptr " + to_ptr);
    std::string found = label("found");
    std::string function = counter();  // the group function's address, once found
    for_range(from, to, [&](const std::string& e) {
      std::string entry = tmp();
      line(entry + " = getelementptr { ptr, i64, ptr }, ptr " + entries + ", i64 " + e);
      std::string size_ptr = tmp(), entry_len = tmp(), same = tmp();
      line(size_ptr + " = getelementptr i8, ptr " + entry + ", i64 8");
      line(entry_len + " = load i64, ptr " + size_ptr);
      line(same + " = icmp eq i64 " + entry_len + ", " + len);
      std::string bytes = label("keybytes"), next = label("nextentry");
      cond_br(same, bytes, next);
      block(bytes);
      std::string entry_text = tmp(), c = tmp(), z = tmp();
      line(entry_text + " = load ptr, ptr " + entry);
      line(c + " = call i32 @memcmp(ptr " + text + ", ptr " + entry_text + ", i64 " + len + ")");
      line(z + " = icmp eq i32 " + c + ", 0");
      std::string hit = label("hit");
      cond_br(z, hit, next);
      block(hit);
      std::string fn_ptr = tmp(), fn = tmp();
      line(fn_ptr + " = getelementptr i8, ptr " + entry + ", i64 16");
      line(fn + " = load ptr, ptr " + fn_ptr);
      line("store ptr " + fn + ", ptr " + function);
      br(found);
      block(next);
    });
    br(rest);
    block(found);
    std::string fn = tmp();
    line(fn + " = load ptr, ptr " + function);
    line("call void " + fn + "(ptr %ctx, ptr %in, ptr %flags)");
    br(rest);
  } else {
    std::vector<std::string> keys, labels;
    std::vector<std::int64_t> key_ints;
    for (const auto& [constant, rules] : s.groups) {
      keys.push_back(constant.substr(2));
      key_ints.push_back(constant[0] == 'i' ? std::stoll(constant.substr(2)) : 0);
      labels.push_back(label("group"));
    }
    dispatch(key, key_type, keys, key_ints, labels, rest);
    for (std::size_t g = 0; g < s.groups.size(); ++g) {
      block(labels[g]);
      line("call void @\"" + functions[g] + "\"(ptr %ctx, ptr %in, ptr %flags)");
      br(rest);
    }
  }
  block(rest);
  for (const Stmt& r : s.body) rule(r);
}

void Emitter::decide(const std::string& outcome) {
  std::string permit = tmp(), forbid = tmp(), p1 = tmp(), f1 = tmp();
  line(permit + " = load i64, ptr " + flag(0));
  line(forbid + " = load i64, ptr " + flag(1));
  line(p1 + " = icmp eq i64 " + permit + ", 1");
  line(f1 + " = icmp eq i64 " + forbid + ", 1");
  std::string not_forbidden = tmp(), permitted = tmp(), wide = tmp();
  line(not_forbidden + " = xor i1 " + f1 + ", true");
  line(permitted + " = and i1 " + p1 + ", " + not_forbidden);
  line(wide + " = zext i1 " + permitted + " to i64");
  store_scalar(at(outcome, 24), kBool, wide);
  for (std::uint32_t i = 0; i < f_.params.size(); ++i)
    copy(at(outcome, 24 + 16 * static_cast<int>(1 + i)), slots_.at(i));
}

// An obligation applies when the request is permitted and its rule holds. It changes the
// decoded message in place (the message is the request's own, in its arena).
void Emitter::apply(const Stmt& s, const std::string& outcome) {
  std::string permitted = boolean(at(outcome, 24));
  std::string status = tmp(), holds = tmp(), both = tmp();
  line(status + " = load i64, ptr " + flag(flag_of(s.index)));
  line(holds + " = icmp eq i64 " + status + ", 1");
  line(both + " = and i1 " + permitted + ", " + holds);
  std::string go = label("apply"), done = label("endapply");
  cond_br(both, go, done);
  block(go);
  std::string root = slots_.at(s.slot);
  std::string is_record = tmp(), walk = label("walk");
  line(is_record + " = icmp eq i8 " + kind(root) + ", " + std::to_string(kRecord));
  cond_br(is_record, walk, done);
  block(walk);
  apply_at(s, pointer(root), 0);
  br(done);
  block(done);
}

void Emitter::apply_at(const Stmt& s, const std::string& record, std::size_t level) {
  std::string slot = at(record, 24 + 16 * static_cast<int>(s.path[level]));
  if (level + 1 == s.path.size()) return apply_leaf(s, slot);
  const abi::FieldDesc& field = s.path_types[level]->record->fields[s.path[level]];
  if (field.type.list) {
    std::string n = list_size(slot), items = pointer(slot);
    for_range("0", n, [&](const std::string& i) {
      std::string item = element(items, i);
      std::string is_record = tmp(), go = label("step"), skip = label("nostep");
      line(is_record + " = icmp eq i8 " + kind(item) + ", " + std::to_string(kRecord));
      cond_br(is_record, go, skip);
      block(go);
      apply_at(s, pointer(item), level + 1);
      br(skip);
      block(skip);
    });
    return;
  }
  std::string is_record = tmp(), go = label("step"), skip = label("nostep");
  line(is_record + " = icmp eq i8 " + kind(slot) + ", " + std::to_string(kRecord));
  cond_br(is_record, go, skip);
  block(go);
  apply_at(s, pointer(slot), level + 1);
  br(skip);
  block(skip);
}

void Emitter::apply_leaf(const Stmt& s, const std::string& slot) {
  const ir::PolicyRule& r = f_.rules[s.index];
  const abi::FieldDesc& field = s.path_types.back()->record->fields[s.path.back()];
  if (r.kind == ir::RuleKind::Redact) {
    if (!s.value) {
      set_absent(slot);
      return;
    }
    // Keep the elements the `where` condition does not select (an absent list stays absent).
    std::string is_list = tmp(), go = label("filter"), skip = label("nofilter");
    line(is_list + " = icmp eq i8 " + kind(slot) + ", " + std::to_string(kList));
    cond_br(is_list, go, skip);
    block(go);
    std::string n = list_size(slot), items = pointer(slot);
    std::string bytes = tmp(), at_least = tmp();
    line(bytes + " = mul i64 " + n + ", 16");
    line(at_least + " = add i64 " + bytes + ", 16");
    std::string kept = alloc(at_least);
    std::string count = counter();
    line("store i64 0, ptr " + count);
    for_range("0", n, [&](const std::string& i) {
      std::string item = element(items, i);
      slots_[s.lambda_slot] = item;
      std::string selected = boolean(gen(*s.value));
      std::string keep = label("keep"), next = label("dropped");
      cond_br(selected, next, keep);
      block(keep);
      std::string k = tmp(), k1 = tmp();
      line(k + " = load i64, ptr " + count);
      copy(element(kept, k), item);
      line(k1 + " = add i64 " + k + ", 1");
      line("store i64 " + k1 + ", ptr " + count);
      br(next);
      block(next);
    });
    make_list(slot, kept, load("i64", count, 0));
    br(skip);
    block(skip);
    return;
  }
  // mask / generalise / pseudonymise: each present value (or each element of a list) rewritten.
  std::string argument;
  if (r.kind == ir::RuleKind::Mask) {
    argument = gen(*s.value);
  } else {
    argument = value_slot();
    line("store %V { i8 " + std::to_string(kString) + ", i8 0, i16 0, i32 " + std::to_string(s.text.size()) +
         ", i64 0 }, ptr " + argument);
    store("ptr", s_.string(s.text), argument, 8);
  }
  std::string last = value_slot();
  store_scalar(last, kInt, s.keep_last ? "1" : "0");
  auto rewrite = [&](const std::string& value) {
    std::string go = label("rewrite"), skip = label("norewrite");
    cond_br(present(value), go, skip);
    block(go);
    std::string result;
    if (r.kind == ir::RuleKind::Mask)
      result = native("mask", {value, argument, last}, false);
    else if (r.kind == ir::RuleKind::Generalise)
      result = native("generalise", {value, argument}, false);
    else
      result = native("hmac_sha256", {argument, value}, false);
    copy(value, result);
    br(skip);
    block(skip);
  };
  if (field.type.list) {
    std::string n = list_size(slot), items = pointer(slot);
    for_range("0", n, [&](const std::string& i) { rewrite(element(items, i)); });
  } else {
    rewrite(slot);
  }
}

// Another function of the module, called with its parameters in a stack array; a rejection in
// it is a rejection here.
std::string Emitter::invoke(const Expr& e) {
  std::string params = "%args" + std::to_string(next_++);
  allocas_ +=
      "  " + params + " = alloca [" + std::to_string(std::max<std::size_t>(1, e.args.size())) + " x %V], align 8\n";
  for (std::size_t i = 0; i < e.args.size(); ++i) copy(at(params, static_cast<int>(16 * i)), gen(*e.args[i]));
  std::string out = value_slot(), status = tmp(), ok = tmp();
  line(status + " = call i32 @\"" + m_.functions.at(e.index).symbol + "\"(ptr %ctx, ptr " + out + ", ptr " + params +
       ")");
  line(ok + " = icmp eq i32 " + status + ", 0");
  std::string good = label("returned");
  cond_br(ok, good, fail_label_);
  block(good);
  return out;
}

// for i in [from, to): body(i). The body ends in whatever block it leaves current.
void Emitter::for_range(const std::string& from, const std::string& to,
                        const std::function<void(const std::string&)>& body) {
  std::string i = counter();
  line("store i64 " + from + ", ptr " + i);
  std::string head = label("range"), inside = label("rangebody"), done = label("endrange");
  br(head);
  block(head);
  std::string iv = tmp(), more = tmp();
  line(iv + " = load i64, ptr " + i);
  line(more + " = icmp slt i64 " + iv + ", " + to);
  cond_br(more, inside, done);
  block(inside);
  body(iv);
  std::string next = tmp();
  line(next + " = add i64 " + iv + ", 1");
  line("store i64 " + next + ", ptr " + i);
  br(head);
  block(done);
}

// i1: key a < key b. Ints and durations inline; everything else by the compare native (which
// rejects an undecidable order, e.g. dates of different precision that agree as far as both go).
std::string Emitter::key_less(const std::string& a, const std::string& b, const ir::Type* key_type) {
  std::string c = tmp();
  if (key_type->kind == TypeKind::Int || key_type->kind == TypeKind::Duration) {
    line(c + " = icmp slt i64 " + integer(a) + ", " + integer(b));
    return c;
  }
  std::string order = integer(native("compare", {a, b}, false));
  line(c + " = icmp slt i64 " + order + ", 0");
  return c;
}

// sort, sort_by (stable insertion sort of indexes by key), min_by / max_by (first best).
std::string Emitter::ordered(const Expr& e) {
  std::string list = gen(*e.args[0]);
  std::string n = list_size(list);
  std::string items = pointer(list);
  std::string keys = items;
  const ir::Type* key_type = e.args[0]->type->element;
  if (e.op != Op::Sort) {
    std::string bytes = tmp(), at_least = tmp();
    line(bytes + " = mul i64 " + n + ", 16");
    line(at_least + " = add i64 " + bytes + ", 16");
    keys = alloc(at_least);
    key_type = e.args[1]->type;
    for_range("0", n, [&](const std::string& i) {
      slots_[e.slot] = element(items, i);
      copy(element(keys, i), gen(*e.args[1]));
    });
  }
  std::string result = value_slot();
  if (e.op == Op::MinBy || e.op == Op::MaxBy) {
    set_absent(result);
    std::string best = counter();
    line("store i64 0, ptr " + best);
    for_range("1", n, [&](const std::string& i) {
      std::string b = tmp();
      line(b + " = load i64, ptr " + best);
      std::string better = e.op == Op::MinBy ? key_less(element(keys, i), element(keys, b), key_type)
                                             : key_less(element(keys, b), element(keys, i), key_type);
      std::string take = label("better"), keep = label("keep");
      cond_br(better, take, keep);
      block(take);
      line("store i64 " + i + ", ptr " + best);
      br(keep);
      block(keep);
    });
    std::string any = tmp(), have = label("have"), done = label("endbest");
    line(any + " = icmp ne i64 " + n + ", 0");
    cond_br(any, have, done);
    block(have);
    std::string b = tmp();
    line(b + " = load i64, ptr " + best);
    copy(result, element(items, b));
    br(done);
    block(done);
    return result;
  }
  // Indexes 0..n-1, insertion-sorted by key: stable, and lists in messages are short.
  std::string bytes = tmp(), at_least = tmp();
  line(bytes + " = mul i64 " + n + ", 8");
  line(at_least + " = add i64 " + bytes + ", 8");
  std::string order = alloc(at_least);
  auto index_at = [&](const std::string& k) {
    std::string p = tmp();
    line(p + " = getelementptr i64, ptr " + order + ", i64 " + k);
    return p;
  };
  for_range("0", n, [&](const std::string& i) { line("store i64 " + i + ", ptr " + index_at(i)); });
  for_range("1", n, [&](const std::string& i) {
    std::string j = counter();
    line("store i64 " + i + ", ptr " + j);
    std::string head = label("sift"), test = label("siftcmp"), swap = label("swap"), done = label("endsift");
    br(head);
    block(head);
    std::string jv = tmp(), positive = tmp();
    line(jv + " = load i64, ptr " + j);
    line(positive + " = icmp sgt i64 " + jv + ", 0");
    cond_br(positive, test, done);
    block(test);
    std::string jm = tmp();
    line(jm + " = sub i64 " + jv + ", 1");
    std::string pa = index_at(jm), pb = index_at(jv);
    std::string a = tmp(), b = tmp();
    line(a + " = load i64, ptr " + pa);
    line(b + " = load i64, ptr " + pb);
    std::string out_of_order = key_less(element(keys, b), element(keys, a), key_type);
    cond_br(out_of_order, swap, done);
    block(swap);
    line("store i64 " + b + ", ptr " + pa);
    line("store i64 " + a + ", ptr " + pb);
    line("store i64 " + jm + ", ptr " + j);
    br(head);
    block(done);
  });
  std::string out_bytes = tmp(), out_at_least = tmp();
  line(out_bytes + " = mul i64 " + n + ", 16");
  line(out_at_least + " = add i64 " + out_bytes + ", 16");
  std::string sorted = alloc(out_at_least);
  for_range("0", n, [&](const std::string& k) {
    std::string from = tmp();
    line(from + " = load i64, ptr " + index_at(k));
    copy(element(sorted, k), element(items, from));
  });
  make_list(result, sorted, n);
  return result;
}

}  // namespace

const std::vector<std::string>& glue_symbols() {
  static const std::vector<std::string> names = {"suture_rt_alloc", "suture_rt_new_record",   "suture_rt_error",
                                                 "suture_rt_hash",  "suture_rt_rule_skipped", "suture_rt_rule_held"};
  return names;
}

std::string emit_llvm_ir(const ir::Module& module, const std::string& module_name) {
  ModuleState state;
  std::string functions;
  for (const ir::Function& f : module.functions) {
    Emitter emitter(module, f, state);
    functions += emitter.function() + "\n";
  }
  std::ostringstream out;
  out << "; Suture rule pack module " << module_name << "\n";
  out << "source_filename = \"" << llvm_bytes(module_name) << "\"\n\n";
  out << "%V = type { i8, i8, i16, i32, i64 }\n\n";
  out << "@.absent = private unnamed_addr constant %V zeroinitializer, align 8\n";
  out << state.globals << "\n";
  out << "declare ptr @suture_rt_alloc(ptr, i64) nounwind\n";
  out << "declare ptr @suture_rt_new_record(ptr, i32) nounwind\n";
  out << "declare void @suture_rt_error(ptr, ptr, ptr, ptr) nounwind\n";
  out << "declare i64 @suture_rt_hash(ptr, i64, i64) nounwind readonly\n";
  out << "declare void @suture_rt_rule_skipped(ptr, i32) nounwind\n";
  out << "declare void @suture_rt_rule_held(ptr, i32) nounwind\n";
  out << "declare i32 @memcmp(ptr, ptr, i64) nounwind readonly\n";
  out << "declare { i64, i1 } @llvm.sadd.with.overflow.i64(i64, i64)\n";
  out << "declare { i64, i1 } @llvm.ssub.with.overflow.i64(i64, i64)\n";
  out << "declare { i64, i1 } @llvm.smul.with.overflow.i64(i64, i64)\n";
  out << "declare void @llvm.memcpy.p0.p0.i64(ptr, ptr, i64, i1)\n";
  out << "declare void @llvm.memset.p0.i64(ptr, i8, i64, i1)\n";
  for (const auto& [name, arity] : state.natives) {
    if (name == "fail") {
      out << "declare i1 @suture_rt_fail(ptr, ptr, ptr, ptr, ptr) nounwind\n";
      continue;
    }
    out << "declare i1 @suture_rt_" << name << "(ptr, ptr";
    for (int i = 0; i < arity; ++i) out << ", ptr";
    out << ") nounwind\n";
  }
  out << "\n" << functions << state.helpers;
  return out.str();
}

}  // namespace suture::codegen

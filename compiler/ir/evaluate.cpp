// evaluate.cpp — the reference evaluator (see evaluate.h): a recursive interpreter of the
// typed IR. Written for obviousness, not speed: linear scans, copies, one exception to unwind a
// rejection.
#include "compiler/ir/evaluate.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <initializer_list>
#include <new>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "runtime/codecs/json/temporal.h"
#include "runtime/natives/natives.h"

namespace suture::ir {
namespace {

using abi::Kind;
using abi::Value;

// Thrown once ctx.error is set: unwinds to evaluate(), which returns false.
struct Rejected {};

abi::Kind kind_of(TypeKind t) {
  switch (t) {
    case TypeKind::Null:
    case TypeKind::Never: return Kind::Absent;
    case TypeKind::Bool: return Kind::Bool;
    case TypeKind::Int: return Kind::Int;
    case TypeKind::Decimal: return Kind::Decimal;
    case TypeKind::String: return Kind::String;
    case TypeKind::Date: return Kind::Date;
    case TypeKind::DateTime: return Kind::DateTime;
    case TypeKind::Time: return Kind::Time;
    case TypeKind::Instant: return Kind::Instant;
    case TypeKind::Duration: return Kind::Duration;
    case TypeKind::Json: return Kind::Json;
    case TypeKind::Enum: return Kind::Enum;
    case TypeKind::Record: return Kind::Record;
    case TypeKind::List: return Kind::List;
  }
  return Kind::Absent;
}

Value absent() {
  return Value{};
}

Value make_bool(bool b) {
  Value v;
  v.kind = Kind::Bool;
  v.boolean = b;
  return v;
}

Value make_int(std::int64_t i, Kind kind = Kind::Int) {
  Value v;
  v.kind = kind;
  v.integer = i;
  return v;
}

bool truth(const Value& v) {
  return v.kind == Kind::Bool && v.boolean;
}

// The elements of a list value; an absent list (or anything not a list) is the empty list.
std::span<const Value> items_of(const Value& v) {
  if (v.kind != Kind::List || v.aux == 0) return {};
  return {v.items, v.aux};
}

// suture_rt_* by name, from the natives' own table.
const std::unordered_map<std::string, void*>& native_table() {
  static const std::unordered_map<std::string, void*> table = [] {
    std::unordered_map<std::string, void*> t;
    for (const auto& symbol : runtime::natives::native_symbols()) t.emplace(symbol.name, symbol.address);
    return t;
  }();
  return table;
}

using Native0 = bool (*)(runtime::ExecContext*, Value*);
using Native1 = bool (*)(runtime::ExecContext*, Value*, const Value*);
using Native2 = bool (*)(runtime::ExecContext*, Value*, const Value*, const Value*);
using Native3 = bool (*)(runtime::ExecContext*, Value*, const Value*, const Value*, const Value*);
using Native4 = bool (*)(runtime::ExecContext*, Value*, const Value*, const Value*, const Value*, const Value*);

class Evaluator {
 public:
  Evaluator(const Function& f, const Module* m, runtime::ExecContext& ctx) : f_(f), m_(m), ctx_(ctx) {}

  void run(const std::vector<Value>& args, Value& out) {
    env_.assign(std::max<std::size_t>(f_.slot_count, args.size()), absent());
    for (std::size_t i = 0; i < args.size(); ++i) env_[i] = args[i];
    if (f_.result == nullptr || f_.result->kind != TypeKind::Record) internal("the function's result is not a record");
    abi::Record* root = new_record(f_.result);
    statements(f_.body, root);
    out = Value{};
    out.kind = Kind::Record;
    out.record = root;
  }

 private:
  const Function& f_;
  const Module* m_;
  runtime::ExecContext& ctx_;
  std::vector<Value> env_;
  std::set<std::uint32_t> held_;  // policies: the rules that hold

  // ───────────────────────────── failures ─────────────────────────────

  [[noreturn]] void reject(std::string_view code, std::string_view message, std::string_view path = "$") {
    ctx_.fail(code, message, path.empty() ? "$" : path);
    throw Rejected{};
  }
  [[noreturn]] void internal(const std::string& what) { reject("EVALUATOR_INTERNAL", what); }

  // ───────────────────────────── values in the arena ─────────────────────────────

  Value text(Kind kind, std::string_view s) {
    Value v;
    v.kind = kind;
    v.text = ctx_.arena->copy(s.data(), s.size());
    v.aux = static_cast<std::uint32_t>(s.size());
    return v;
  }

  Value list(const std::vector<Value>& elements) {
    Value v;
    v.kind = Kind::List;
    Value* items = ctx_.arena->make_array<Value>(elements.size());
    for (std::size_t i = 0; i < elements.size(); ++i) items[i] = elements[i];
    v.items = items;
    v.aux = static_cast<std::uint32_t>(elements.size());
    return v;
  }

  abi::Record* new_record(const Type* t) {
    if (t == nullptr || t->kind != TypeKind::Record) internal("a record is built from a type that is not a record");
    if (ctx_.records == nullptr) internal("ctx.records is not set");
    const abi::RecordDesc* desc = ctx_.records[t->record_index];
    const std::uint32_t n = desc->slot_count;
    void* memory = ctx_.arena->allocate(abi::record_size(n), alignof(abi::Record));
    auto* r = static_cast<abi::Record*>(memory);
    r->desc = desc;
    r->unknown = nullptr;
    r->unknown_count = 0;
    r->slot_count = n;
    for (std::uint32_t i = 0; i < (n == 0 ? 1 : n); ++i) new (&r->slots[i]) Value();
    return r;
  }

  Value& slot(std::uint32_t index) {
    if (index >= env_.size()) env_.resize(index + 1, absent());
    return env_[index];
  }

  // Evaluates `body` with `index` bound to `value`, restoring the slot after.
  Value bound(std::uint32_t index, const Value& value, const Expr& body) {
    Value saved = slot(index);
    slot(index) = value;
    Value result = eval(body);
    slot(index) = saved;
    return result;
  }

  // ───────────────────────────── natives ─────────────────────────────

  // Calls suture_rt_<name>. Returns false for a failed T! (a fallible native's false with no
  // error recorded); a rejection throws.
  bool native(const std::string& name, std::initializer_list<const Value*> args, bool fallible, Value& out) {
    const std::string symbol = "suture_rt_" + name;
    const auto& table = native_table();
    auto it = table.find(symbol);
    if (it == table.end()) internal("no native " + symbol);
    std::vector<const Value*> a(args);
    out = Value{};
    bool ok = false;
    switch (a.size()) {
      case 0: ok = reinterpret_cast<Native0>(it->second)(&ctx_, &out); break;
      case 1: ok = reinterpret_cast<Native1>(it->second)(&ctx_, &out, a[0]); break;
      case 2: ok = reinterpret_cast<Native2>(it->second)(&ctx_, &out, a[0], a[1]); break;
      case 3: ok = reinterpret_cast<Native3>(it->second)(&ctx_, &out, a[0], a[1], a[2]); break;
      case 4: ok = reinterpret_cast<Native4>(it->second)(&ctx_, &out, a[0], a[1], a[2], a[3]); break;
      default: internal(symbol + " called with too many arguments");
    }
    if (ok) return true;
    if (ctx_.failed) throw Rejected{};
    if (fallible) {
      out = absent();
      return false;
    }
    internal(symbol + " returned false without recording an error");
  }

  Value call(const Expr& e) {
    std::vector<Value> args;
    for (const auto& a : e.args) args.push_back(eval(*a));
    Value out;
    // to_string of an enum needs the enum's descriptor: its pack index goes along as an Int.
    if (e.text == "to_string" && args.size() == 1 && e.args[0]->type != nullptr &&
        e.args[0]->type->kind == TypeKind::Enum && args[0].kind == Kind::Enum) {
      Value index = make_int(e.args[0]->type->enum_index);
      native("enum_to_string", {&args[0], &index}, e.fallible, out);
      return out;
    }
    if (e.text == "confidentiality" && e.type != nullptr && e.type->kind == TypeKind::Enum && args.size() == 1) {
      Value index = make_int(e.type->enum_index);
      native("confidentiality", {&args[0], &index}, e.fallible, out);
      return out;
    }
    switch (args.size()) {
      case 0: native(e.text, {}, e.fallible, out); break;
      case 1: native(e.text, {&args[0]}, e.fallible, out); break;
      case 2: native(e.text, {&args[0], &args[1]}, e.fallible, out); break;
      case 3: native(e.text, {&args[0], &args[1], &args[2]}, e.fallible, out); break;
      case 4: native(e.text, {&args[0], &args[1], &args[2], &args[3]}, e.fallible, out); break;
      default: internal("`" + e.text + "` called with too many arguments");
    }
    return out;
  }

  // ───────────────────────────── comparisons ─────────────────────────────

  // `==`: absent equals absent only; Bool, Int, Enum (by member index) and String (by bytes)
  // here, every other kind by suture_rt_equal.
  bool equal(const Value& a, const Value& b) {
    const bool pa = a.present(), pb = b.present();
    if (!pa || !pb) return pa == pb;
    if (a.kind == b.kind) {
      switch (a.kind) {
        case Kind::Bool: return a.boolean == b.boolean;
        case Kind::Int: return a.integer == b.integer;
        case Kind::Enum: return a.aux == b.aux;
        case Kind::String: return a.str() == b.str();
        default: break;
      }
    }
    Value r;
    native("equal", {&a, &b}, false, r);
    return truth(r);
  }

  // -1, 0 or 1: Int and String (bytewise, as unsigned bytes) here, others by suture_rt_compare.
  int compare(const Value& a, const Value& b) {
    if (a.kind == Kind::Int && b.kind == Kind::Int) return a.integer < b.integer ? -1 : a.integer > b.integer ? 1 : 0;
    if (a.kind == Kind::String && b.kind == Kind::String) {
      const int c = a.str().compare(b.str());  // char_traits<char> compares as unsigned char
      return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    Value r;
    native("compare", {&a, &b}, false, r);
    if (r.kind != Kind::Int) internal("suture_rt_compare gave no Int");
    return r.integer < 0 ? -1 : r.integer > 0 ? 1 : 0;
  }

  Value ordering(const Expr& e) {
    Value a = eval(*e.args[0]);
    Value b = eval(*e.args[1]);
    // The checker only lets present values be ordered; data that breaks that orders as false.
    if (!a.present() || !b.present()) return make_bool(false);
    const int c = compare(a, b);
    switch (e.op) {
      case Op::Lt: return make_bool(c < 0);
      case Op::Le: return make_bool(c <= 0);
      case Op::Gt: return make_bool(c > 0);
      default: return make_bool(c >= 0);
    }
  }

  // ───────────────────────────── arithmetic ─────────────────────────────

  [[noreturn]] void overflow() { reject("INT_OVERFLOW", "integer arithmetic overflows 64 bits"); }

  Value arithmetic(const Expr& e) {
    static const std::unordered_map<int, const char*> names = {
        {static_cast<int>(Op::Add), "add"}, {static_cast<int>(Op::Sub), "sub"}, {static_cast<int>(Op::Mul), "mul"},
        {static_cast<int>(Op::Div), "div"}, {static_cast<int>(Op::Mod), "mod"}, {static_cast<int>(Op::Neg), "negate"}};
    const bool fallible = e.op == Op::Div || e.op == Op::Mod;
    if (e.op == Op::Neg) {
      Value a = eval(*e.args[0]);
      if (a.kind == Kind::Int) {
        if (a.integer == INT64_MIN) overflow();
        return make_int(-a.integer);
      }
      Value out;
      native("negate", {&a}, false, out);
      return out;
    }
    Value a = eval(*e.args[0]);
    Value b = eval(*e.args[1]);
    if (a.kind != Kind::Int || b.kind != Kind::Int) {
      Value out;
      native(names.at(static_cast<int>(e.op)), {&a, &b}, fallible, out);
      return out;
    }
    const std::int64_t x = a.integer, y = b.integer;
    std::int64_t r = 0;
    switch (e.op) {
      case Op::Add:
        if (__builtin_add_overflow(x, y, &r)) overflow();
        return make_int(r);
      case Op::Sub:
        if (__builtin_sub_overflow(x, y, &r)) overflow();
        return make_int(r);
      case Op::Mul:
        if (__builtin_mul_overflow(x, y, &r)) overflow();
        return make_int(r);
      case Op::Div:
        if (y == 0) return absent();  // a failed T!
        if (x == INT64_MIN && y == -1) overflow();
        return make_int(x / y);  // C++ truncates toward zero
      case Op::Mod:
        if (y == 0) return absent();
        if (y == -1) return make_int(0);  // INT64_MIN % -1 is 0, not a trap
        return make_int(x % y);           // the sign follows the dividend
      default: internal("not an arithmetic operator");
    }
  }

  Value concat(const Expr& e) {
    Value a = eval(*e.args[0]);
    Value b = eval(*e.args[1]);
    const bool lists =
        (e.type != nullptr && e.type->kind == TypeKind::List) || a.kind == Kind::List || b.kind == Kind::List;
    if (lists) {
      std::vector<Value> joined;
      for (const Value& v : items_of(a)) joined.push_back(v);
      for (const Value& v : items_of(b)) joined.push_back(v);
      return list(joined);
    }
    const bool strings = (a.kind == Kind::String || !a.present()) && (b.kind == Kind::String || !b.present());
    if (strings) {
      std::string s;
      if (a.present()) s += a.str();
      if (b.present()) s += b.str();
      return text(Kind::String, s);
    }
    Value out;
    native("concat", {&a, &b}, false, out);
    return out;
  }

  // ───────────────────────────── leaves and structure ─────────────────────────────

  Value constant(const Expr& e) {
    if (e.type == nullptr) internal("a constant without a type");
    const TypeKind t = e.type->kind;
    switch (t) {
      case TypeKind::Null:
      case TypeKind::Never: return absent();
      case TypeKind::Bool: return make_bool(e.integer != 0);
      case TypeKind::Int: return make_int(e.integer);
      case TypeKind::Duration: return make_int(e.integer, Kind::Duration);
      case TypeKind::Enum: {
        Value v;
        v.kind = Kind::Enum;
        v.aux = static_cast<std::uint32_t>(e.integer);
        const abi::EnumDesc* desc = ctx_.enums != nullptr ? ctx_.enums[e.type->enum_index] : e.type->enumeration;
        if (desc == nullptr || e.integer < 0 || static_cast<std::size_t>(e.integer) >= desc->codes.size())
          internal("an enum constant outside its enum");
        v.text = desc->codes[static_cast<std::size_t>(e.integer)].c_str();
        return v;
      }
      case TypeKind::Date:
      case TypeKind::DateTime:
      case TypeKind::Time:
      case TypeKind::Instant: {
        std::string_view s = e.text;
        if (t == TypeKind::Time && !s.empty() && s[0] == 'T') s.remove_prefix(1);  // `@T10:30`
        Value v = text(kind_of(t), s);
        if (auto parts = runtime::temporal_scan::read_temporal(v.kind, s)) {
          v.precision = parts->precision;
          if (parts->has_offset) v.flags |= abi::kHasOffset;
        }
        return v;
      }
      case TypeKind::Decimal:
      case TypeKind::String:
      case TypeKind::Json: return text(kind_of(t), e.text);
      case TypeKind::Record:
      case TypeKind::List: internal("a constant of type " + display(e.type));
    }
    return absent();
  }

  Value field(const Expr& e) {
    Value base = eval(*e.args[0]);
    // `chain` or not, an absent base gives absent (data that breaks the schema is not read).
    if (!base.present() || base.kind != Kind::Record || base.record == nullptr) return absent();
    if (e.index >= base.record->slot_count) internal("a field slot beyond its record");
    return base.record->slots[e.index];
  }

  Value table(const Expr& e) {
    Value key = eval(*e.args[0]);
    if (key.present()) {
      for (const TableEntry& entry : e.entries) {
        bool hit = false;
        switch (key.kind) {
          case Kind::String: hit = key.str() == entry.key; break;
          case Kind::Int: hit = key.integer == entry.key_int; break;
          case Kind::Enum: hit = static_cast<std::int64_t>(key.aux) == entry.key_int; break;
          default: internal("a table key of an unsupported kind");
        }
        if (hit) return eval(*entry.value);
      }
    }
    if (e.index == 1 && e.args.size() > 1) return eval(*e.args[1]);  // `_`
    return absent();                                                 // a miss without a default: a failed T!
  }

  Value record_literal(const Expr& e) {
    abi::Record* r = new_record(e.type);
    if (e.fields.size() != e.args.size()) internal("a record literal with fields and values of different counts");
    for (std::size_t i = 0; i < e.args.size(); ++i) {
      Value v = eval(*e.args[i]);
      if (e.fields[i] >= r->slot_count) internal("a record literal slot beyond its record");
      r->slots[e.fields[i]] = v;
    }
    Value out;
    out.kind = Kind::Record;
    out.record = r;
    return out;
  }

  [[noreturn]] void fail(const Expr& e) {
    std::string code = "FAILED", reason;
    if (e.args.size() == 2) {
      Value c = eval(*e.args[0]);
      if (c.present()) code = std::string(c.str());
    }
    if (!e.args.empty()) {
      Value r = eval(*e.args.back());
      if (r.present()) reason = std::string(r.str());
    }
    reject(code, reason, e.text);
  }

  // ───────────────────────────── collections ─────────────────────────────

  // A lambda's answer for one element (args[1] with `slot` bound).
  Value apply(const Expr& e, const Value& element) { return bound(e.slot, element, *e.args[1]); }
  bool matches(const Expr& e, const Value& element) { return truth(apply(e, element)); }

  Value collection(const Expr& e) {
    const Value source = eval(*e.args[0]);
    const std::span<const Value> xs = items_of(source);
    const bool has_lambda = e.args.size() >= 2;
    switch (e.op) {
      case Op::First:
        for (const Value& x : xs)
          if (!has_lambda || matches(e, x)) return x;
        return absent();
      case Op::Last:
        for (std::size_t i = xs.size(); i-- > 0;)
          if (!has_lambda || matches(e, xs[i])) return xs[i];
        return absent();
      case Op::Any:
        for (const Value& x : xs)
          if (matches(e, x)) return make_bool(true);
        return make_bool(false);
      case Op::All:
        for (const Value& x : xs)
          if (!matches(e, x)) return make_bool(false);
        return make_bool(true);
      case Op::Count: {
        std::int64_t n = 0;
        for (const Value& x : xs)
          if (!has_lambda || matches(e, x)) ++n;
        return make_int(n);
      }
      case Op::Filter: {
        std::vector<Value> kept;
        for (const Value& x : xs)
          if (matches(e, x)) kept.push_back(x);
        return list(kept);
      }
      case Op::Map: {
        std::vector<Value> mapped;
        for (const Value& x : xs) mapped.push_back(apply(e, x));
        return list(mapped);
      }
      case Op::FlatMap: {
        std::vector<Value> flat;
        for (const Value& x : xs)
          for (const Value& y : items_of(apply(e, x))) flat.push_back(y);
        return list(flat);
      }
      case Op::Size: return make_int(static_cast<std::int64_t>(xs.size()));
      case Op::IsEmpty: return make_bool(xs.empty());
      case Op::Contains: {
        Value needle = eval(*e.args[1]);
        for (const Value& x : xs)
          if (equal(x, needle)) return make_bool(true);
        return make_bool(false);
      }
      case Op::Sum: return sum(e, xs);
      case Op::Min:
      case Op::Max: {
        if (xs.empty()) return absent();
        Value best = xs[0];
        for (std::size_t i = 1; i < xs.size(); ++i) {
          const int c = compare(xs[i], best);
          if (e.op == Op::Min ? c < 0 : c > 0) best = xs[i];  // ties keep the first
        }
        return best;
      }
      case Op::Sort:
      case Op::SortBy: {
        // Stable by definition: std::stable_sort on the keys.
        std::vector<std::pair<Value, Value>> keyed;  // key, element
        for (const Value& x : xs) keyed.emplace_back(e.op == Op::Sort ? x : apply(e, x), x);
        std::stable_sort(keyed.begin(), keyed.end(),
                         [&](const auto& a, const auto& b) { return compare(a.first, b.first) < 0; });
        std::vector<Value> sorted;
        for (const auto& [key, x] : keyed) sorted.push_back(x);
        return list(sorted);
      }
      case Op::MinBy:
      case Op::MaxBy: {
        if (xs.empty()) return absent();
        std::size_t best = 0;
        Value best_key = apply(e, xs[0]);
        for (std::size_t i = 1; i < xs.size(); ++i) {
          Value key = apply(e, xs[i]);
          const int c = compare(key, best_key);
          if (e.op == Op::MinBy ? c < 0 : c > 0) best = i, best_key = key;  // ties keep the first
        }
        return xs[best];
      }
      case Op::Distinct: {
        std::vector<Value> seen;
        for (const Value& x : xs) {
          bool dup = false;
          for (const Value& y : seen)
            if (equal(x, y)) {
              dup = true;
              break;
            }
          if (!dup) seen.push_back(x);
        }
        return list(seen);
      }
      case Op::Take:
      case Op::Skip: {
        Value nv = eval(*e.args[1]);
        std::int64_t n = nv.kind == Kind::Int ? nv.integer : 0;
        if (n < 0) n = 0;
        const std::size_t k = std::min<std::size_t>(static_cast<std::uint64_t>(n), xs.size());
        std::vector<Value> part;
        if (e.op == Op::Take)
          part.assign(xs.begin(), xs.begin() + static_cast<std::ptrdiff_t>(k));
        else
          part.assign(xs.begin() + static_cast<std::ptrdiff_t>(k), xs.end());
        return list(part);
      }
      default: internal(std::string("not a collection operation: ") + to_string(e.op));
    }
  }

  // Int sums here (overflow rejects); decimals and durations by suture_rt_add.
  Value sum(const Expr& e, std::span<const Value> xs) {
    const Type* list_type = e.args[0]->type;
    const Type* element = list_type != nullptr ? list_type->element : nullptr;
    const TypeKind kind = element != nullptr ? element->kind : TypeKind::Int;
    if (kind == TypeKind::Int) {
      std::int64_t total = 0;
      for (const Value& x : xs)
        if (__builtin_add_overflow(total, x.integer, &total)) reject("INT_OVERFLOW", "sum overflows 64 bits");
      return make_int(total);
    }
    if (xs.empty()) {
      if (kind == TypeKind::Duration) return make_int(0, Kind::Duration);
      return text(Kind::Decimal, "0");
    }
    Value total = xs[0];
    for (std::size_t i = 1; i < xs.size(); ++i) {
      Value next;
      native("add", {&total, &xs[i]}, false, next);
      total = next;
    }
    return total;
  }

  // ───────────────────────────── expressions ─────────────────────────────

  Value eval(const Expr& e) {
    switch (e.op) {
      case Op::Const: return constant(e);
      case Op::Local: return slot(e.slot);
      case Op::Let: {
        Value v = eval(*e.args[0]);
        return bound(e.slot, v, *e.args[1]);
      }
      case Op::If: return truth(eval(*e.args[0])) ? eval(*e.args[1]) : eval(*e.args[2]);
      case Op::Field: return field(e);
      case Op::Index: {
        Value xs = eval(*e.args[0]);
        Value i = eval(*e.args[1]);
        auto items = items_of(xs);
        if (i.kind != Kind::Int || i.integer < 0 || static_cast<std::uint64_t>(i.integer) >= items.size())
          return absent();
        return items[static_cast<std::size_t>(i.integer)];
      }
      case Op::Coalesce: {
        Value a = eval(*e.args[0]);
        return a.present() ? a : eval(*e.args[1]);
      }
      case Op::Fail: fail(e);
      case Op::Not: return make_bool(!truth(eval(*e.args[0])));
      case Op::And: return make_bool(truth(eval(*e.args[0])) && truth(eval(*e.args[1])));
      case Op::Or: return make_bool(truth(eval(*e.args[0])) || truth(eval(*e.args[1])));
      case Op::Eq:
      case Op::Ne: {
        Value a = eval(*e.args[0]);
        Value b = eval(*e.args[1]);
        const bool same = equal(a, b);
        return make_bool(e.op == Op::Eq ? same : !same);
      }
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
      case Op::Concat: return concat(e);
      case Op::Call: return call(e);
      case Op::Table: return table(e);
      case Op::ListLit: {
        std::vector<Value> elements;
        for (const auto& a : e.args) elements.push_back(eval(*a));
        return list(elements);
      }
      case Op::RecordLit: return record_literal(e);
      case Op::IsPresent: return make_bool(eval(*e.args[0]).present());
      case Op::First:
      case Op::Last:
      case Op::Any:
      case Op::All:
      case Op::Count:
      case Op::Filter:
      case Op::Map:
      case Op::FlatMap:
      case Op::Size:
      case Op::IsEmpty:
      case Op::Contains:
      case Op::Sum:
      case Op::Min:
      case Op::Max:
      case Op::Distinct:
      case Op::Take:
      case Op::Skip:
      case Op::Sort:
      case Op::SortBy:
      case Op::MinBy:
      case Op::MaxBy: return collection(e);
      case Op::Invoke: {
        std::vector<Value> args;
        for (const auto& a : e.args) args.push_back(eval(*a));
        Value out;
        if (m_ == nullptr || e.index >= m_->functions.size()) internal("an invoke of an unknown function");
        if (!evaluate(m_->functions[e.index], *m_, ctx_, args, out)) throw Rejected{};
        return out;
      }
    }
    internal("an unknown operation");
  }

  // ───────────────────────────── statements ─────────────────────────────

  void statements(const std::vector<Stmt>& body, abi::Record* root) {
    for (const Stmt& s : body) {
      switch (s.op) {
        case StmtOp::Let: slot(s.slot) = eval(*s.value); break;
        case StmtOp::Set: {
          Value v = eval(*s.value);
          if (s.path.empty()) internal("an assignment without a path");
          abi::Record* record = root;
          for (std::size_t level = 0; level + 1 < s.path.size(); ++level) {
            if (s.path[level] >= record->slot_count) internal("an output path beyond its record");
            Value& on_the_way = record->slots[s.path[level]];
            if (on_the_way.kind != Kind::Record) {  // made on first write
              if (level + 1 >= s.path_types.size()) internal("an output path without its record types");
              on_the_way = Value{};
              on_the_way.kind = Kind::Record;
              on_the_way.record = new_record(s.path_types[level + 1]);
            }
            record = on_the_way.record;
          }
          if (s.path.back() >= record->slot_count) internal("an output slot beyond its record");
          record->slots[s.path.back()] = v;
          break;
        }
        case StmtOp::When:
          if (truth(eval(*s.value))) statements(s.body, root);
          break;
        case StmtOp::Rule: rule(s, root); break;
        case StmtOp::Index:
          // The index only skips rules that cannot hold: the reference evaluates every rule.
          for (const auto& [constant, rules] : s.groups)
            for (const Stmt& r : rules) rule(r, root);
          for (const Stmt& r : s.body) rule(r, root);
          break;
        case StmtOp::Decide: decide(root); break;
        case StmtOp::Apply: apply(s, root); break;
      }
    }
  }

  // ───────────────────────────── policies ─────────────────────────────

  // A rule holds (recorded in ctx.held), does not, or its condition failed (ctx.skipped).
  void rule(const Stmt& s, abi::Record* outcome) {
    (void)outcome;
    bool holds = true;
    if (s.value) {
      try {
        holds = truth(eval(*s.value));
      } catch (const Rejected&) {
        ctx_.skipped.emplace_back(s.index, ctx_.error);
        ctx_.failed = false;
        ctx_.error = runtime::ExecError{};
        holds = false;
      }
    }
    if (!holds) return;
    ctx_.held.push_back(s.index);
    held_.insert(s.index);
  }

  void decide(abi::Record* outcome) {
    bool permit = false, forbid = false;
    for (std::uint32_t i : held_) {
      if (f_.rules[i].kind == RuleKind::Permit) permit = true;
      if (f_.rules[i].kind == RuleKind::Forbid) forbid = true;
    }
    outcome->slots[0] = make_bool(permit && !forbid);
    for (std::uint32_t i = 0; i < f_.params.size(); ++i) outcome->slots[1 + i] = env_[i];
  }

  void apply(const Stmt& s, abi::Record* outcome) {
    if (!truth(outcome->slots[0]) || !held_.count(s.index)) return;
    const Value& root = env_[s.slot];
    if (root.kind == Kind::Record) apply_at(s, root.record, 0);
  }

  void apply_at(const Stmt& s, abi::Record* record, std::size_t level) {
    Value& field = record->slots[s.path[level]];
    if (level + 1 == s.path.size()) return apply_leaf(s, field);
    if (field.kind == Kind::List) {
      for (std::uint32_t i = 0; i < field.aux; ++i)
        if (field.items[i].kind == Kind::Record) apply_at(s, field.items[i].record, level + 1);
    } else if (field.kind == Kind::Record) {
      apply_at(s, field.record, level + 1);
    }
  }

  void apply_leaf(const Stmt& s, Value& field) {
    const RuleKind kind = f_.rules[s.index].kind;
    if (kind == RuleKind::Redact) {
      if (!s.value) {
        field = absent();
        return;
      }
      if (field.kind != Kind::List) return;  // an absent list stays absent
      std::vector<Value> kept;
      for (const Value& x : items_of(field))
        if (!truth(bound(s.lambda_slot, x, *s.value))) kept.push_back(x);
      field = list(kept);
      return;
    }
    Value argument = kind == RuleKind::Mask ? eval(*s.value) : text(Kind::String, s.text);
    Value last = make_int(s.keep_last ? 1 : 0);
    auto rewrite = [&](Value& v) {
      if (!v.present()) return;
      Value result;
      if (kind == RuleKind::Mask)
        native("mask", {&v, &argument, &last}, false, result);
      else if (kind == RuleKind::Generalise)
        native("generalise", {&v, &argument}, false, result);
      else
        native("hmac_sha256", {&argument, &v}, false, result);
      v = result;
    };
    if (field.kind == Kind::List) {
      for (std::uint32_t i = 0; i < field.aux; ++i) rewrite(field.items[i]);
    } else {
      rewrite(field);
    }
  }
};

}  // namespace

bool evaluate(const Function& f, const Module& m, runtime::ExecContext& ctx, const std::vector<abi::Value>& args,
              abi::Value& out) {
  try {
    Evaluator evaluator(f, &m, ctx);
    evaluator.run(args, out);
    return true;
  } catch (const Rejected&) {
    return false;
  } catch (const std::bad_alloc&) {
    ctx.fail("OUT_OF_MEMORY", "the evaluator ran out of memory");
    return false;
  }
}

}  // namespace suture::ir

// builtins.h — the signatures of the standard functions every spec can call (and call as
// methods: `s.lower()` is `lower(s)`). Their implementations are runtime natives.
#pragma once

#include <string>
#include <vector>

namespace suture::sema {

// Parameter and result codes: s string, i int, d decimal, n int-or-decimal, b bool,
// D date, T datetime, t date-or-datetime, a any scalar, L list<string>, N never,
// = same type as the first argument; results only: C the prelude's std.Confidentiality.
struct BuiltinSignature {
  const char* name;
  const char* params;  // one code per parameter; a trailing '?' parameter is optional
  char result;
  bool fallible;  // the result is T! and must be handled
  const char* summary;
};

const std::vector<BuiltinSignature>& builtin_functions();
// All signatures with this name (a name may be overloaded by arity).
std::vector<const BuiltinSignature*> find_builtin(const std::string& name);
// Collection operations (methods on list/set/map receivers), for "did you mean".
const std::vector<std::string>& collection_operations();

}  // namespace suture::sema

// operators.cpp — `fail(…)` and `++`: the failure record generated code leaves in the context,
// and string / list concatenation into the arena.
#include <cstring>
#include <string>

#include "runtime/natives/natives.h"
#include "runtime/natives/support.h"

using namespace suture::runtime::natives;
using suture::abi::Kind;

extern "C" {

bool suture_rt_fail(suture_ctx* ctx, suture_value*, const suture_value* code, const suture_value* reason,
                    const char* path) {
  return guarded(ctx, [&] {
    const std::string_view c = code != nullptr && code->present() ? code->str() : std::string_view("FAILED");
    const std::string_view why = reason != nullptr && reason->present() ? reason->str() : std::string_view();
    // An empty path (`fail` where the checker knew no JSON path) is "$", like every unknown path.
    ctx->fail(c, why, path != nullptr && *path != '\0' ? std::string_view(path) : std::string_view("$"));
    return false;
  });
}

// Strings: bytes of a then b. Lists: the elements of a then b (an absent list is empty).
bool suture_rt_concat(suture_ctx* ctx, suture_value* out, const suture_value* a, const suture_value* b) {
  return guarded(ctx, [&] {
    if (a->kind == Kind::String && b->kind == Kind::String) {
      if (b->aux == 0) return set_text(out, Kind::String, a->str());
      if (a->aux == 0) return set_text(out, Kind::String, b->str());
      char* text = static_cast<char*>(ctx->arena->allocate(std::size_t{a->aux} + b->aux, 1));
      std::memcpy(text, a->text, a->aux);
      std::memcpy(text + a->aux, b->text, b->aux);
      return set_text(out, Kind::String, {text, std::size_t{a->aux} + b->aux});
    }
    const bool list_a = a->kind == Kind::List || !a->present(), list_b = b->kind == Kind::List || !b->present();
    if (!list_a || !list_b) return ctx->fail("TYPE_MISMATCH", "++ joins two strings or two lists");
    const std::uint32_t na = a->kind == Kind::List ? a->aux : 0, nb = b->kind == Kind::List ? b->aux : 0;
    if (std::uint64_t{na} + nb > UINT32_MAX) return ctx->fail("LIST_TOO_LONG", "++ would exceed 2^32 elements");
    suture_value* items = ctx->arena->make_array<suture_value>(std::size_t{na} + nb);
    if (na != 0) std::memcpy(static_cast<void*>(items), a->items, sizeof(suture_value) * na);
    if (nb != 0) std::memcpy(static_cast<void*>(items + na), b->items, sizeof(suture_value) * nb);
    *out = suture_value{};
    out->kind = Kind::List;
    out->items = items;
    out->aux = na + nb;
    return true;
  });
}

}  // extern "C"

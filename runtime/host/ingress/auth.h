// auth.h — who sent a request: API keys (Authorization: Bearer, X-Api-Key, or an `api_key`
// query parameter for senders that cannot set headers, such as Odoo webhook automations),
// JWTs from configured issuers (HS256, RS256), client-certificate subjects (mTLS), or the
// fixed principal of an `auth: [none]` listener. Every answer is a configured principal or a
// failure with a stable code; no message ever contains the presented secret.
// Pipeline position: ingress, after the request is read and before rate limits and routes;
// principal_json() is the `principal` argument policies receive.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "runtime/host/config/config.h"

namespace suture::host {

// What a request presented. Empty means absent. The views must stay valid for the call.
struct RequestCredentials {
  std::string_view authorization = {};  // the Authorization header's value ("Bearer …")
  std::string_view x_api_key = {};      // the X-Api-Key header's value
  std::string_view query_api_key = {};  // the `api_key` query parameter, decoded
  std::string_view peer_subject = {};   // verified client certificate subject, RFC 2253
};

struct AuthFailure {
  std::string code;     // AUTH_MISSING, AUTH_INVALID, AUTH_FORBIDDEN_METHOD
  std::string message;  // for the caller and the log: what was wrong, never the secret
  int http_status = 401;
};

using AuthResult = std::variant<const PrincipalConfig*, AuthFailure>;

// Seconds since the Unix epoch; tests pass their own.
using AuthClock = std::function<std::int64_t()>;

// Tokens are accepted this long after `exp` and before `nbf`, for clocks that drift.
constexpr std::int64_t kJwtClockLeewaySeconds = 60;
// Longer Authorization values are refused before any decoding.
constexpr std::size_t kMaxTokenBytes = 8192;

class Authenticator {
 public:
  // Keeps pointers into `config`, which must outlive the Authenticator and not change.
  // Builds the SHA-256 index of every API key and reads the issuers' keys once.
  explicit Authenticator(const HostConfig& config, AuthClock clock = {});
  ~Authenticator();
  Authenticator(const Authenticator&) = delete;
  Authenticator& operator=(const Authenticator&) = delete;

  // The principal a request on `listener` comes from, by the methods the listener accepts.
  // An explicit credential (bearer token or API key) decides when present; otherwise the
  // client certificate's subject when the listener takes mtls. Safe to call from any thread.
  AuthResult authenticate(const ListenerConfig& listener, const RequestCredentials& credentials) const;

  // The admin API: one of admin.api_keys, as Bearer or X-Api-Key (never in a URL). Returns
  // nullopt when the caller may proceed.
  std::optional<AuthFailure> authenticate_admin(const RequestCredentials& credentials) const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// The principal as policies see it, compact JSON in this key order:
// {"id":…,"kind":…,"role":…,"roles":[…],"scopes":[…],"attributes":{…}} — the std Principal
// record (kind is a PrincipalKind member: "service" or "human"; sets come out sorted).
std::string principal_json(const PrincipalConfig& principal);

}  // namespace suture::host

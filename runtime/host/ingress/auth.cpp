// auth.cpp — the Authenticator: API keys through a SHA-256 index compared with CRYPTO_memcmp,
// compact JWS tokens (HS256 by HMAC, RS256 by EVP_DigestVerify) checked for issuer, audience,
// expiry and subject against an injected clock, and client-certificate subjects. Messages say
// what failed and where the credential came from, never its value.
#include "runtime/host/ingress/auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <vector>

#include "runtime/host/config/public_key.h"

namespace suture::host {

namespace {

using Digest = std::array<unsigned char, 32>;

Digest sha256(std::string_view text) {
  Digest digest{};
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest.data(), &length, EVP_sha256(), nullptr);
  return digest;
}

struct DigestHash {
  std::size_t operator()(const Digest& digest) const {
    std::size_t hash = 0;
    std::memcpy(&hash, digest.data(), sizeof hash);
    return hash;
  }
};

// The index compares whole digests in constant time, so lookups reveal nothing about how
// much of a stored key's digest a guess matched.
struct DigestEqual {
  bool operator()(const Digest& a, const Digest& b) const { return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0; }
};

template <class Value>
using DigestMap = std::unordered_map<Digest, Value, DigestHash, DigestEqual>;

AuthFailure missing(std::string message) {
  return {"AUTH_MISSING", std::move(message), 401};
}
AuthFailure invalid(std::string message) {
  return {"AUTH_INVALID", std::move(message), 401};
}
AuthFailure forbidden_method(std::string message) {
  return {"AUTH_FORBIDDEN_METHOD", std::move(message), 401};
}

std::string in_quotes(std::string_view text) {
  return "\"" + std::string(text) + "\"";
}

// Text that came from the caller, safe to repeat in a message: printable ASCII, shortened.
std::string untrusted(std::string_view text) {
  constexpr std::size_t kLimit = 80;
  std::string out;
  for (char c : text.substr(0, kLimit)) out += (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') ? c : '?';
  if (text.size() > kLimit) out += "…";
  return in_quotes(out);
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

// RFC 4648 §5 without padding, as JWS uses it. nullopt on any other character or length.
std::optional<std::string> base64url_decode(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
  };
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    int v = value(c);
    if (v < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  return out;
}

bool is_base64url(std::string_view text) {
  for (char c : text) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}

struct JwsParts {
  std::string_view header, payload, signature, signing_input;
};

std::optional<JwsParts> split_jws(std::string_view token) {
  std::size_t first = token.find('.');
  if (first == std::string_view::npos) return std::nullopt;
  std::size_t second = token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) return std::nullopt;
  JwsParts parts{token.substr(0, first), token.substr(first + 1, second - first - 1), token.substr(second + 1),
                 token.substr(0, second)};
  if (parts.header.empty() || parts.payload.empty() || !is_base64url(parts.header) || !is_base64url(parts.payload) ||
      !is_base64url(parts.signature)) {
    return std::nullopt;
  }
  return parts;
}

// A bearer value is a token when it has the three segments of a compact JWS and its header
// decodes to a JSON object; anything else is an API key.
bool looks_like_jwt(std::string_view value) {
  auto parts = split_jws(value);
  if (!parts) return false;
  auto header = base64url_decode(parts->header);
  return header && !header->empty() && header->front() == '{';
}

std::string utc_time(double seconds) {
  std::time_t time = static_cast<std::time_t>(seconds);
  std::tm parts{};
  if (gmtime_r(&time, &parts) == nullptr) return std::to_string(static_cast<long long>(seconds));
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}

std::int64_t system_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string accepted_list(const ListenerConfig& listener) {
  std::string out;
  for (const std::string& method : listener.auth) out += (out.empty() ? "" : ", ") + method;
  return out.empty() ? "nothing" : out;
}

bool accepts(const ListenerConfig& listener, std::string_view method) {
  for (const std::string& candidate : listener.auth) {
    if (candidate == method) return true;
  }
  return false;
}

// One explicit credential, after the three places it may come from were reconciled.
struct Presented {
  enum class Kind { Nothing, ApiKey, Jwt } kind = Kind::Nothing;
  std::string_view value;
  std::string where;  // "Authorization", "X-Api-Key", "the api_key query parameter"
};

std::variant<Presented, AuthFailure> presented(const RequestCredentials& credentials, bool allow_query) {
  struct Source {
    std::string_view value;
    const char* where;
    bool bearer;
  };
  std::vector<Source> sources;
  std::string_view authorization = trim(credentials.authorization);
  if (!authorization.empty()) {
    if (authorization.size() > kMaxTokenBytes) return invalid("the Authorization header is too long");
    std::size_t space = authorization.find(' ');
    // Never repeat the header: a key sent without "Bearer " would be echoed.
    if (space == std::string_view::npos || !iequals(authorization.substr(0, space), "bearer")) {
      return invalid("the Authorization header must be \"Bearer <token or key>\"");
    }
    std::string_view value = trim(authorization.substr(space + 1));
    if (value.empty()) return invalid("the Authorization header has an empty bearer credential");
    sources.push_back({value, "Authorization", true});
  }
  if (std::string_view key = trim(credentials.x_api_key); !key.empty()) sources.push_back({key, "X-Api-Key", false});
  if (std::string_view key = credentials.query_api_key; !key.empty()) {
    if (!allow_query)
      return forbidden_method("API keys are not taken from the URL here; use Authorization: Bearer or X-Api-Key");
    sources.push_back({key, "the api_key query parameter", false});
  }
  Presented result;
  if (sources.empty()) return result;
  for (std::size_t i = 1; i < sources.size(); ++i) {
    if (sources[i].value.size() != sources[0].value.size() ||
        CRYPTO_memcmp(sources[i].value.data(), sources[0].value.data(), sources[0].value.size()) != 0) {
      return invalid(std::string("different credentials in ") + sources[0].where + " and " + sources[i].where +
                     "; send one");
    }
  }
  result.value = sources[0].value;
  result.where = sources[0].where;
  result.kind = sources[0].bearer && looks_like_jwt(sources[0].value) ? Presented::Kind::Jwt : Presented::Kind::ApiKey;
  return result;
}

struct EvpPkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};

struct IssuerKey {
  const JwtIssuer* issuer = nullptr;
  std::unique_ptr<EVP_PKEY, EvpPkeyFree> public_key;  // RS256 only
};

bool verify_hs256(const std::string& key, std::string_view input, const std::string& signature) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(input.data()),
           input.size(), mac, &length) == nullptr) {
    return false;
  }
  return signature.size() == length && CRYPTO_memcmp(mac, signature.data(), length) == 0;
}

bool verify_rs256(EVP_PKEY* key, std::string_view input, const std::string& signature) {
  if (key == nullptr || EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) return false;
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  if (context == nullptr) return false;
  bool ok = EVP_DigestVerifyInit(context, nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestVerify(context, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                             reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
  EVP_MD_CTX_free(context);
  return ok;
}

std::optional<nlohmann::json> json_object(const std::string& text) {
  nlohmann::json value = nlohmann::json::parse(text, nullptr, false);
  if (value.is_discarded() || !value.is_object()) return std::nullopt;
  return value;
}

}  // namespace

struct Authenticator::State {
  const HostConfig& config;
  AuthClock clock;
  DigestMap<const PrincipalConfig*> api_keys;
  DigestMap<bool> admin_keys;
  std::vector<IssuerKey> issuers;
  std::unordered_map<std::string, const PrincipalConfig*> jwt_subjects;
  std::unordered_map<std::string, const PrincipalConfig*> mtls_subjects;

  AuthResult api_key(const Presented& key) const {
    auto found = api_keys.find(sha256(key.value));
    if (found == api_keys.end()) return invalid("unknown API key in " + key.where);
    return found->second;
  }

  AuthResult jwt(std::string_view token) const;
};

AuthResult Authenticator::State::jwt(std::string_view token) const {
  auto parts = split_jws(token);
  if (!parts) return invalid("the bearer token is not a compact JWS (header.payload.signature)");
  auto header_text = base64url_decode(parts->header);
  auto payload_text = base64url_decode(parts->payload);
  auto signature = base64url_decode(parts->signature);
  if (!header_text || !payload_text || !signature) return invalid("the token is not valid base64url");
  auto header = json_object(*header_text);
  if (!header) return invalid("the token header is not a JSON object");
  auto payload = json_object(*payload_text);
  if (!payload) return invalid("the token payload is not a JSON object");

  auto alg = header->find("alg");
  if (alg == header->end() || !alg->is_string()) return invalid("the token header has no alg");
  std::string algorithm = alg->get<std::string>();
  if (algorithm != "HS256" && algorithm != "RS256") {
    return invalid("token algorithm " + untrusted(algorithm) + " is not accepted (HS256, RS256)");
  }
  if (header->contains("crit")) return invalid("the token has critical header parameters this host does not support");

  auto iss = payload->find("iss");
  if (iss == payload->end() || !iss->is_string()) return invalid("the token has no iss (issuer) claim");
  std::string issuer_name = iss->get<std::string>();
  const JwtIssuer* verified = nullptr;
  bool issuer_known = false;
  bool algorithm_matches = false;
  for (const IssuerKey& candidate : issuers) {
    if (candidate.issuer->issuer != issuer_name) continue;
    issuer_known = true;
    if (candidate.issuer->algorithm != algorithm) continue;
    algorithm_matches = true;
    bool ok = algorithm == "HS256" ? verify_hs256(candidate.issuer->key.value, parts->signing_input, *signature)
                                   : verify_rs256(candidate.public_key.get(), parts->signing_input, *signature);
    if (ok) {
      verified = candidate.issuer;
      break;
    }
  }
  if (!issuer_known) return invalid("token issuer " + untrusted(issuer_name) + " is not configured");
  if (!algorithm_matches) return invalid("token algorithm " + algorithm + " is not the one configured for its issuer");
  if (verified == nullptr) return invalid("the token signature does not verify");

  // Claims are only read from a token whose signature verified.
  double now = static_cast<double>(clock());
  auto exp = payload->find("exp");
  if (exp == payload->end() || !exp->is_number()) return invalid("the token has no exp (expiry) claim");
  double expires = exp->get<double>();
  if (!std::isfinite(expires) || now > expires + kJwtClockLeewaySeconds) {
    return invalid("the token expired at " + utc_time(expires));
  }
  if (auto nbf = payload->find("nbf"); nbf != payload->end()) {
    if (!nbf->is_number()) return invalid("the token's nbf claim is not a number");
    double not_before = nbf->get<double>();
    if (!std::isfinite(not_before) || now + kJwtClockLeewaySeconds < not_before) {
      return invalid("the token is not valid before " + utc_time(not_before));
    }
  }
  if (verified->audience) {
    bool found = false;
    if (auto aud = payload->find("aud"); aud != payload->end()) {
      if (aud->is_string()) {
        found = aud->get<std::string>() == *verified->audience;
      } else if (aud->is_array()) {
        for (const auto& entry : *aud)
          found = found || (entry.is_string() && entry.get<std::string>() == *verified->audience);
      }
    }
    if (!found) return invalid("the token's audience does not include " + in_quotes(*verified->audience));
  }
  auto sub = payload->find("sub");
  if (sub == payload->end() || !sub->is_string() || sub->get<std::string>().empty()) {
    return invalid("the token has no sub (subject) claim");
  }
  std::string subject = sub->get<std::string>();
  auto principal = jwt_subjects.find(subject);
  if (principal == jwt_subjects.end()) return invalid("no principal has jwt_subject " + untrusted(subject));
  return principal->second;
}

Authenticator::Authenticator(const HostConfig& config, AuthClock clock)
    : state_(std::make_unique<State>(
          State{config, clock ? std::move(clock) : AuthClock(system_seconds), {}, {}, {}, {}, {}})) {
  for (const PrincipalConfig& principal : config.principals) {
    for (const Secret& key : principal.api_keys) state_->api_keys.emplace(sha256(key.value), &principal);
    if (principal.jwt_subject) state_->jwt_subjects.emplace(*principal.jwt_subject, &principal);
    if (principal.mtls_subject) {
      state_->mtls_subjects.emplace(normalize_certificate_subject(*principal.mtls_subject), &principal);
    }
  }
  for (const Secret& key : config.admin.api_keys) state_->admin_keys.emplace(sha256(key.value), true);
  for (const JwtIssuer& issuer : config.jwt_issuers) {
    IssuerKey entry;
    entry.issuer = &issuer;
    // A key that does not read leaves the issuer unable to verify anything; load_config has
    // already refused such a configuration.
    if (issuer.algorithm == "RS256") entry.public_key.reset(read_public_key_pem(issuer.key.value));
    state_->issuers.push_back(std::move(entry));
  }
}

Authenticator::~Authenticator() = default;

AuthResult Authenticator::authenticate(const ListenerConfig& listener, const RequestCredentials& credentials) const {
  if (accepts(listener, "none")) {
    if (const PrincipalConfig* principal = state_->config.principal(listener.principal)) return principal;
    return invalid("listener " + in_quotes(listener.name) + " names no configured principal");
  }
  auto explicit_credential = presented(credentials, true);
  if (auto* failure = std::get_if<AuthFailure>(&explicit_credential)) return *failure;
  const Presented& credential = std::get<Presented>(explicit_credential);

  if (credential.kind != Presented::Kind::Nothing) {
    bool is_jwt = credential.kind == Presented::Kind::Jwt;
    const char* method = is_jwt ? "jwt" : "api_key";
    if (!accepts(listener, method)) {
      return forbidden_method("listener " + in_quotes(listener.name) + " does not accept " +
                              (is_jwt ? "tokens (jwt)" : "API keys (api_key)") + "; it accepts " +
                              accepted_list(listener));
    }
    return is_jwt ? state_->jwt(credential.value) : state_->api_key(credential);
  }

  if (!credentials.peer_subject.empty() && accepts(listener, "mtls")) {
    auto found = state_->mtls_subjects.find(normalize_certificate_subject(credentials.peer_subject));
    if (found == state_->mtls_subjects.end()) {
      return invalid("client certificate subject " + untrusted(credentials.peer_subject) +
                     " is not the mtls_subject of any principal");
    }
    return found->second;
  }

  std::string how;
  for (const std::string& method : listener.auth) {
    std::string hint = method == "api_key" ? "an API key (Authorization: Bearer, X-Api-Key or ?api_key=)"
                       : method == "jwt"   ? "a token (Authorization: Bearer)"
                       : method == "mtls"  ? "a client certificate"
                                           : method;
    how += (how.empty() ? "" : ", or ") + hint;
  }
  return missing("no credentials; listener " + in_quotes(listener.name) + " takes " + (how.empty() ? "nothing" : how));
}

std::optional<AuthFailure> Authenticator::authenticate_admin(const RequestCredentials& credentials) const {
  auto explicit_credential = presented(credentials, false);
  if (auto* failure = std::get_if<AuthFailure>(&explicit_credential)) return *failure;
  const Presented& credential = std::get<Presented>(explicit_credential);
  if (credential.kind == Presented::Kind::Nothing) {
    return missing("the admin API needs an admin key (Authorization: Bearer or X-Api-Key)");
  }
  if (state_->admin_keys.find(sha256(credential.value)) == state_->admin_keys.end()) {
    return invalid("unknown admin key in " + credential.where);
  }
  return std::nullopt;
}

std::string principal_json(const PrincipalConfig& principal) {
  nlohmann::ordered_json out;
  out["id"] = principal.id;
  out["kind"] = principal.kind;
  out["role"] = principal.role;
  out["roles"] = nlohmann::ordered_json::array();
  for (const std::string& role : principal.roles) out["roles"].push_back(role);
  out["scopes"] = nlohmann::ordered_json::array();
  for (const std::string& scope : principal.scopes) out["scopes"].push_back(scope);
  out["attributes"] = nlohmann::ordered_json::object();
  for (const auto& [name, value] : principal.attributes) out["attributes"][name] = value;
  return out.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace suture::host

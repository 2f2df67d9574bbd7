// config.h — the host's configuration as the rest of the host sees it: listeners, endpoints,
// principals, store, packs, admin. Loaded from YAML by load_config(), which checks everything
// and reports every problem with file:line before the host starts. Credentials are resolved
// here (from environment variables or files), never read from specs.
// Pipeline position: first thing `suture-host` does; everything else takes these structs.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace suture::host {

// A secret as written in the configuration ({env: NAME} or {file: PATH}), already resolved.
struct Secret {
  std::string source;  // "env:NAME" or "file:PATH" — for messages, never the value
  std::string value;
};

struct TlsConfig {
  std::string cert_file;       // PEM certificate chain
  std::string key_file;        // PEM private key
  std::string client_ca_file;  // when set, clients must present a certificate (mTLS)
};

struct Limits {
  std::size_t max_body_bytes = 1 << 20;  // larger bodies: 413 / MLLP NAK
  std::uint32_t max_depth = 64;          // deeper JSON nesting: 400 JSON_TOO_DEEP
  double rate_per_second = 0;            // per principal on this listener; 0 = unlimited
  std::uint32_t burst = 0;               // token bucket size; 0 = rate_per_second rounded up
};

enum class ListenerKind { Http, Mllp };

struct ListenerConfig {
  std::string name;
  ListenerKind kind = ListenerKind::Http;
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;
  std::optional<TlsConfig> tls;
  Limits limits;
  // Which authentications this listener accepts ("api_key", "jwt", "mtls", "none"). MLLP
  // listeners: "none" with `principal` naming who every connection is, or "mtls".
  std::vector<std::string> auth = {"api_key"};
  std::string principal;  // for auth "none": the principal every message comes from
  int line = 0;           // where it is declared, for messages
};

enum class EndpointKind { OdooJsonRpc, OdooJson2, Fhir, Http, Mllp };

struct RetryOverride {  // optional per-endpoint bounds on what a route asks for
  std::optional<std::uint32_t> max_attempts;
};

struct EndpointConfig {
  std::string name;  // as specs name it: `to endpoint "odoo"`
  EndpointKind kind = EndpointKind::Http;
  std::string url;                             // http(s)://host:port/base ; mllp://host:port
  std::string database;                        // Odoo JSON-RPC
  std::string login;                           // Odoo JSON-RPC
  std::optional<Secret> password;              // Odoo JSON-RPC password or API key
  std::optional<Secret> api_key;               // Odoo JSON-2 bearer key; HTTP/FHIR bearer token
  std::map<std::string, std::string> headers;  // extra headers for http / fhir
  std::uint32_t timeout_ms = 10000;
  std::uint32_t concurrency = 4;
  double rate_per_second = 0;          // 0 = unlimited
  std::uint32_t breaker_failures = 5;  // consecutive transient failures that open the circuit
  std::uint32_t breaker_cooldown_ms = 30000;
  std::optional<std::string> ca_file;  // TLS trust for https endpoints (default: system)
  RetryOverride retry;                 // `retry: {max_attempts: N}`
  int line = 0;
};

struct JwtIssuer {
  std::string issuer;                   // `iss` it must carry
  std::optional<std::string> audience;  // `aud` it must carry, when set
  std::string algorithm;                // HS256 or RS256
  Secret key;                           // HS256: the shared secret; RS256: the PEM public key
};

struct PrincipalConfig {
  std::string id;
  std::string kind = "service";  // PrincipalKind in the prelude (std): "service" or "human"
  std::string role;
  std::set<std::string> roles;
  std::set<std::string> scopes;
  std::map<std::string, std::string> attributes;
  std::vector<Secret> api_keys;             // `Authorization: Bearer <key>`, `X-Api-Key: <key>` or `?api_key=<key>`
  std::optional<std::string> jwt_subject;   // `sub` of a token from a configured issuer
  std::optional<std::string> mtls_subject;  // the client certificate's subject, RFC 2253 ("CN=lab,O=Hospital")
  int line = 0;
};

// An RFC 2253 subject as compared with mtls_subject: blanks after the separators between
// attributes are dropped ("CN=ehr, O=Hospital" → "CN=ehr,O=Hospital"); escaped ones stay.
std::string normalize_certificate_subject(std::string_view subject);

struct AdminConfig {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;        // 0: no admin listener; /metrics, /healthz, /readyz are served there
  std::vector<Secret> api_keys;  // the admin API (dead letters, replay, reload) needs one
};

struct HostConfig {
  std::string file;                // the YAML file it came from
  std::vector<std::string> packs;  // pack paths (relative paths resolved against the file)
  std::string store_path;          // SQLite file
  std::string audit_log;           // JSON lines; "-" = standard error; "" = none
  std::uint32_t delivery_workers = 4;
  std::uint32_t io_threads = 2;          // threads serving the listeners (and running the rules)
  std::uint32_t commit_interval_us = 0;  // extra wait to gather a batch (the commit itself gathers the next one)
  std::vector<ListenerConfig> listeners;
  std::vector<EndpointConfig> endpoints;
  std::vector<PrincipalConfig> principals;
  std::vector<JwtIssuer> jwt_issuers;
  AdminConfig admin;

  const EndpointConfig* endpoint(const std::string& name) const;
  const PrincipalConfig* principal(const std::string& id) const;
};

struct ConfigProblem {
  std::string file;
  int line = 0;  // 1-based; 0 when the problem is the file itself
  std::string message;
};

// Resolves {env: NAME}: the variable's value, or nullopt when it is not set.
using Environment = std::function<std::optional<std::string>(const std::string& name)>;

// Reads and checks a configuration; on failure returns every problem found, each with its
// line, sorted by line. `environment` resolves {env: NAME} (tests pass their own; when empty,
// the process environment is used). Relative paths in the file — packs, store, audit log, TLS
// files, {file: …} secrets, ca_file — are resolved against the directory holding `path`.
std::variant<HostConfig, std::vector<ConfigProblem>> load_config(const std::string& path,
                                                                 const Environment& environment = {});
// The same, for text already in memory; `file` names it in problems and anchors relative paths.
std::variant<HostConfig, std::vector<ConfigProblem>> load_config_text(const std::string& text, const std::string& file,
                                                                      const Environment& environment = {});

// "file:line: message" — how the host prints problems.
std::string format_problem(const ConfigProblem& problem);

}  // namespace suture::host

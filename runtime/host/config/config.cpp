// config.cpp — load_config: YAML text → HostConfig, checking everything and collecting every
// problem with its line. One reader per section (listeners, endpoints, principals, JWT
// issuers, admin), then the checks that span sections: ports taken twice, principals named by
// listeners, credentials that would name two principals.
// Pipeline position: the first thing `suture-host` does; nothing else reads the YAML.
#include "runtime/host/config/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "runtime/host/config/public_key.h"
#include "runtime/host/config/reader.h"
#include "runtime/host/config/values.h"

namespace suture::host {

namespace {

namespace fs = std::filesystem;
namespace cv = config_values;
using config_reader::Field;
using config_reader::MapView;
using config_reader::Reader;

constexpr std::size_t kMinApiKeyLength = 16;   // shorter keys can be guessed
constexpr std::size_t kMinHmacKeyLength = 32;  // RFC 7518 §3.2: at least the hash's size

std::string in_quotes(std::string_view text) {
  return "\"" + std::string(text) + "\"";
}

std::string joined(std::initializer_list<std::string_view> words, std::string_view last_separator) {
  std::string out;
  std::size_t i = 0;
  for (std::string_view word : words) {
    if (i > 0) out += (i + 1 == words.size()) ? std::string(last_separator) : std::string(", ");
    out += word;
    ++i;
  }
  return out;
}

// "unknown <what> "x"; use a, b or c" with the closest one suggested when it is close.
std::string unknown_choice(std::string_view what, std::string_view value,
                           std::initializer_list<std::string_view> choices) {
  std::vector<std::string_view> list(choices);
  std::string message = "unknown " + std::string(what) + " " + in_quotes(value);
  std::string close = cv::suggest(value, list);
  if (!close.empty()) return message + "; did you mean " + in_quotes(close) + "?";
  return message + "; use " + joined(choices, " or ");
}

bool is_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

std::string port_owner(const std::string& name) {
  return name == "admin" ? "the admin listener" : "listener " + in_quotes(name);
}

class Loader {
 public:
  Loader(Reader& reader, HostConfig& config) : reader_(reader), config_(config) {}

  void load(const YAML::Node& root) {
    if (root.IsNull()) {
      reader_.report(0, "the configuration is empty; see docs/host-config.md for the keys");
      return;
    }
    Field top{"", root, 0};
    if (!root.IsMap()) {
      reader_.report(config_reader::line_of(root, 1),
                     "expected a map of settings at the top level, got " + config_reader::describe(root));
      return;
    }
    MapView view(reader_, top,
                 {"packs", "store", "audit_log", "delivery_workers", "io_threads", "commit_interval", "listeners",
                  "endpoints", "principals", "jwt_issuers", "admin"});
    if (auto packs = view.require("packs", "the rule packs to load")) read_packs(*packs);
    if (auto store = view.require("store", "the SQLite file that holds accepted messages")) {
      if (auto path = reader_.string(*store)) config_.store_path = reader_.resolve(*path);
    }
    if (auto audit = view.get("audit_log")) {
      if (auto path = reader_.string(*audit)) config_.audit_log = *path == "-" ? "-" : reader_.resolve(*path);
    }
    if (auto workers = view.get("delivery_workers")) {
      if (auto value = reader_.whole(*workers, 1, 256)) config_.delivery_workers = static_cast<std::uint32_t>(*value);
    }
    if (auto threads = view.get("io_threads")) {
      if (auto value = reader_.whole(*threads, 1, 256)) config_.io_threads = static_cast<std::uint32_t>(*value);
    }
    if (auto interval = view.get("commit_interval")) {
      if (auto us = reader_.duration_us(*interval, 0, 1000000))
        config_.commit_interval_us = static_cast<std::uint32_t>(*us);
    }
    // Principals and issuers first: listeners are checked against them.
    if (auto principals = view.get("principals")) read_principals(*principals);
    if (auto issuers = view.get("jwt_issuers")) read_issuers(*issuers);
    if (auto listeners = view.get("listeners")) read_listeners(*listeners);
    if (auto endpoints = view.get("endpoints")) read_endpoints(*endpoints);
    if (auto admin = view.get("admin")) read_admin(*admin);
    check_ports();
    check_api_keys();
    check_jwt_subjects();
  }

 private:
  struct Bound {  // a listener's or the admin listener's address, for the port check
    std::string owner;
    std::string host;
    int port = 0;
    Field field;
  };
  struct KeyUse {  // an API key as configured, for the check that no key names two principals
    std::string value;
    std::string source;
    Field field;
  };

  void read_packs(const Field& field) {
    auto packs = reader_.string_list(field);
    if (!packs) return;
    if (packs->empty()) reader_.report(field, "list at least one rule pack");
    for (const std::string& pack : *packs) config_.packs.push_back(reader_.resolve(pack));
  }

  // ---- listeners ----

  void read_listeners(const Field& field) {
    auto elements = reader_.list(field);
    if (!elements) return;
    std::map<std::string, int> names;
    for (const Field& element : *elements) {
      MapView view(reader_, element, {"name", "kind", "listen", "tls", "auth", "principal", "limits"});
      if (!view.valid()) continue;
      ListenerConfig listener;
      listener.line = element.line;
      if (auto name = view.require("name")) {
        if (auto value = reader_.string(*name)) {
          if (!is_name(*value)) {
            reader_.report(*name, in_quotes(*value) + " is not a valid name (letters, digits, _ . -)");
          } else if (auto prior = names.find(*value); prior != names.end()) {
            reader_.report(*name, "listener " + in_quotes(*value) + " is already declared at line " +
                                      std::to_string(prior->second));
          } else {
            names.emplace(*value, name->line);
          }
          listener.name = *value;
        }
      }
      if (auto kind = view.get("kind")) {
        if (auto value = reader_.string(*kind)) {
          if (*value == "http")
            listener.kind = ListenerKind::Http;
          else if (*value == "mllp")
            listener.kind = ListenerKind::Mllp;
          else
            reader_.report(*kind, unknown_choice("listener kind", *value, {"http", "mllp"}));
        }
      }
      if (auto listen = view.require("listen", "HOST:PORT to listen on")) {
        if (auto text = reader_.string(*listen)) {
          auto parsed = cv::parse_host_port(*text);
          if (!parsed.ok()) {
            reader_.report(*listen, parsed.error);
          } else {
            listener.address = parsed.value.host;
            listener.port = static_cast<std::uint16_t>(parsed.value.port);
            bound_.push_back({listener.name, parsed.value.host, parsed.value.port, *listen});
          }
        }
      }
      if (auto tls = view.get("tls")) read_tls(*tls, listener);
      if (auto limits = view.get("limits")) read_limits(*limits, listener.limits);
      read_listener_auth(view, listener);
      config_.listeners.push_back(std::move(listener));
    }
  }

  void read_tls(const Field& field, ListenerConfig& listener) {
    MapView view(reader_, field, {"cert", "key", "client_ca"});
    if (!view.valid()) return;
    TlsConfig tls;
    auto file = [&](std::optional<Field> key, std::string& out) {
      if (!key) return;
      if (auto written = reader_.string(*key)) {
        reader_.readable(*key, *written);
        out = reader_.resolve(*written);
      }
    };
    file(view.require("cert", "the PEM certificate chain"), tls.cert_file);
    file(view.require("key", "the PEM private key"), tls.key_file);
    file(view.get("client_ca"), tls.client_ca_file);
    listener.tls = std::move(tls);
  }

  void read_limits(const Field& field, Limits& limits) {
    MapView view(reader_, field, {"max_body", "max_depth", "rate", "burst"});
    if (!view.valid()) return;
    if (auto body = view.get("max_body")) {
      if (auto bytes = reader_.size(*body, 1, 1ULL << 30)) limits.max_body_bytes = static_cast<std::size_t>(*bytes);
    }
    if (auto depth = view.get("max_depth")) {
      if (auto value = reader_.whole(*depth, 1, 10000)) limits.max_depth = static_cast<std::uint32_t>(*value);
    }
    if (auto rate = view.get("rate")) {
      if (auto value = reader_.rate(*rate)) limits.rate_per_second = *value;
    }
    if (auto burst = view.get("burst")) {
      if (auto value = reader_.whole(*burst, 1, 1000000)) limits.burst = static_cast<std::uint32_t>(*value);
      if (!view.has("rate")) reader_.report(*burst, "burst needs a rate to refill it; add rate (500/s)");
    }
  }

  void read_listener_auth(MapView& view, ListenerConfig& listener) {
    const Field& self = view.self();
    auto auth = view.get("auth");
    bool mllp = listener.kind == ListenerKind::Mllp;
    if (auth) {
      listener.auth.clear();
      if (auto elements = reader_.list(*auth)) {
        if (elements->empty()) reader_.report(*auth, "list at least one method: api_key, jwt, mtls or none");
        for (const Field& element : *elements) {
          auto method = reader_.string(element);
          if (!method) continue;
          if (*method != "api_key" && *method != "jwt" && *method != "mtls" && *method != "none") {
            reader_.report(element,
                           unknown_choice("authentication method", *method, {"api_key", "jwt", "mtls", "none"}));
            continue;
          }
          if (std::find(listener.auth.begin(), listener.auth.end(), *method) != listener.auth.end()) {
            reader_.report(element, *method + " is listed twice");
            continue;
          }
          listener.auth.push_back(*method);
        }
      }
    } else if (mllp) {
      listener.auth.clear();
      reader_.report(self, "MLLP listeners need auth: [mtls], or [none] with a principal");
    }
    auto accepts = [&](std::string_view method) {
      return std::find(listener.auth.begin(), listener.auth.end(), method) != listener.auth.end();
    };
    const Field& where = auth ? *auth : self;
    if (accepts("none") && listener.auth.size() > 1) {
      reader_.report(where, "none cannot be combined with other methods");
    }
    if (mllp && (accepts("api_key") || accepts("jwt"))) {
      reader_.report(where, "MLLP listeners take mtls or none: MLLP has no headers to carry an API key or a token");
    }
    if (accepts("mtls") && (!listener.tls || listener.tls->client_ca_file.empty())) {
      reader_.report(where, "mtls needs tls with a client_ca to verify client certificates");
    }
    if (accepts("jwt") && !issuers_given_) {
      reader_.report(where, "jwt needs at least one entry in jwt_issuers");
    }
    auto principal = view.get("principal");
    if (principal) {
      if (auto id = reader_.string(*principal)) {
        listener.principal = *id;
        if (!accepts("none")) {
          reader_.report(*principal, "a listener's principal is only used with auth: [none]");
        } else if (config_.principal(*id) == nullptr) {
          std::vector<std::string_view> ids;
          for (const PrincipalConfig& known : config_.principals) ids.push_back(known.id);
          std::string message = "no principal " + in_quotes(*id) + " is declared in principals";
          std::string close = cv::suggest(*id, ids);
          if (!close.empty()) message += "; did you mean " + in_quotes(close) + "?";
          reader_.report(*principal, message);
        }
      }
    } else if (accepts("none")) {
      reader_.report(where, "auth [none] needs a principal: the one every request on this listener comes from");
    }
  }

  // ---- endpoints ----

  void read_endpoints(const Field& field) {
    auto entries = config_reader::named_entries(reader_, field);
    if (!entries) return;
    for (const auto& [name, entry] : *entries) {
      EndpointConfig endpoint;
      endpoint.name = name;
      endpoint.line = entry.line;
      if (!is_name(name))
        reader_.report(entry.line, in_quotes(name) + " is not a valid endpoint name (letters, digits, _ . -)");
      read_endpoint(entry, endpoint);
      config_.endpoints.push_back(std::move(endpoint));
    }
  }

  void read_endpoint(const Field& field, EndpointConfig& endpoint) {
    MapView view(reader_, field,
                 {"kind", "url", "database", "login", "password", "api_key", "headers", "timeout", "concurrency",
                  "rate_limit", "breaker", "ca_file", "retry"});
    if (!view.valid()) return;
    std::optional<EndpointKind> kind;
    std::string kind_name;
    if (auto kind_field = view.require("kind", "odoo-jsonrpc, odoo-json2, fhir, http or mllp")) {
      if (auto value = reader_.string(*kind_field)) {
        kind_name = *value;
        if (*value == "odoo-jsonrpc")
          kind = EndpointKind::OdooJsonRpc;
        else if (*value == "odoo-json2")
          kind = EndpointKind::OdooJson2;
        else if (*value == "fhir")
          kind = EndpointKind::Fhir;
        else if (*value == "http")
          kind = EndpointKind::Http;
        else if (*value == "mllp")
          kind = EndpointKind::Mllp;
        else
          reader_.report(*kind_field, unknown_choice("endpoint kind", *value,
                                                     {"odoo-jsonrpc", "odoo-json2", "fhir", "http", "mllp"}));
      }
    }
    if (kind) endpoint.kind = *kind;
    bool is_jsonrpc = kind == EndpointKind::OdooJsonRpc;
    bool is_json2 = kind == EndpointKind::OdooJson2;
    bool is_mllp = kind == EndpointKind::Mllp;
    // Which keys a kind needs, takes, or does not take.
    auto needed = [&](std::string_view key, bool required, const std::string& why) -> std::optional<Field> {
      return required && kind ? view.require(key, why) : view.get(key);
    };
    auto not_for = [&](std::string_view key, bool refused, const std::string& hint = "") {
      if (!kind || !refused) return;
      if (auto present = view.get(key)) {
        reader_.report(*present, "does not apply to " + kind_name + " endpoints" + (hint.empty() ? "" : "; " + hint));
      }
    };

    std::optional<cv::Url> url;
    if (auto url_field = view.require("url", is_mllp ? "mllp://host:port" : "the base URL")) {
      if (auto text = reader_.string(*url_field)) {
        auto parsed = cv::parse_url(*text);
        if (!parsed.ok()) {
          reader_.report(*url_field, parsed.error);
        } else if (is_mllp) {
          if (parsed.value.scheme != "mllp" || parsed.value.port == 0 || !parsed.value.path.empty()) {
            reader_.report(*url_field, "MLLP endpoints need mllp://host:port, got " + in_quotes(*text));
          } else {
            url = parsed.value;
          }
        } else if (kind && parsed.value.scheme != "http" && parsed.value.scheme != "https") {
          reader_.report(*url_field, kind_name + " endpoints need an http:// or https:// URL, got " + in_quotes(*text));
        } else {
          url = parsed.value;
        }
        endpoint.url = *text;
      }
    }
    if (auto database = needed("database", is_jsonrpc, "the Odoo database name")) {
      if (auto value = reader_.string(*database)) endpoint.database = *value;
    }
    not_for("database", kind && !is_jsonrpc && !is_json2);
    if (auto login = needed("login", is_jsonrpc, "the Odoo user's login")) {
      if (auto value = reader_.string(*login)) endpoint.login = *value;
    }
    not_for("login", kind && !is_jsonrpc);
    if (auto password = needed("password", is_jsonrpc, "{env: NAME} or {file: PATH}: the user's password or API key")) {
      endpoint.password = reader_.secret(*password);
    }
    not_for("password", kind && !is_jsonrpc, is_json2 ? "use api_key" : "");
    if (auto api_key = needed("api_key", is_json2, "{env: NAME} or {file: PATH}: the Odoo API key")) {
      if (auto secret = reader_.secret(*api_key)) endpoint.api_key = *secret;
    }
    not_for("api_key", is_jsonrpc, "put an Odoo API key in password");
    not_for("api_key", is_mllp);
    if (auto headers = view.get("headers")) read_headers(*headers, endpoint);
    not_for("headers", is_mllp);
    if (auto ca_file = view.get("ca_file")) {
      if (auto written = reader_.string(*ca_file)) {
        if (url && url->scheme != "https" && !is_mllp) {
          reader_.report(*ca_file, "only applies to https:// URLs");
        } else if (reader_.readable(*ca_file, *written)) {
          endpoint.ca_file = reader_.resolve(*written);
        }
      }
    }
    not_for("ca_file", is_mllp);
    if (auto timeout = view.get("timeout")) {
      if (auto ms = reader_.duration_ms(*timeout, 1, 600000)) endpoint.timeout_ms = *ms;
    }
    if (auto concurrency = view.get("concurrency")) {
      if (auto value = reader_.whole(*concurrency, 1, 256)) endpoint.concurrency = static_cast<std::uint32_t>(*value);
    }
    if (auto rate = view.get("rate_limit")) {
      if (auto value = reader_.rate(*rate)) endpoint.rate_per_second = *value;
    }
    if (auto breaker = view.get("breaker")) {
      MapView breaker_view(reader_, *breaker, {"failures", "cooldown"});
      if (auto failures = breaker_view.get("failures")) {
        if (auto value = reader_.whole(*failures, 1, 1000))
          endpoint.breaker_failures = static_cast<std::uint32_t>(*value);
      }
      if (auto cooldown = breaker_view.get("cooldown")) {
        if (auto ms = reader_.duration_ms(*cooldown, 1, 3600000)) endpoint.breaker_cooldown_ms = *ms;
      }
    }
    if (auto retry = view.get("retry")) {
      MapView retry_view(reader_, *retry, {"max_attempts"});
      if (auto attempts = retry_view.get("max_attempts")) {
        if (auto value = reader_.whole(*attempts, 1, 100))
          endpoint.retry.max_attempts = static_cast<std::uint32_t>(*value);
      }
    }
  }

  void read_headers(const Field& field, EndpointConfig& endpoint) {
    auto entries = config_reader::named_entries(reader_, field);
    if (!entries) return;
    for (const auto& [name, value] : *entries) {
      bool token = std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) ||
               std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
      });
      if (!token) {
        reader_.report(value, in_quotes(name) + " is not a valid header name");
        continue;
      }
      std::string lower;
      for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      bool credential = lower == "authorization" || lower == "proxy-authorization" || lower == "cookie" ||
                        lower == "x-api-key" || lower == "api-key";
      if (value.node.IsMap() || credential) {
        if (auto secret = reader_.secret(value)) endpoint.headers[name] = secret->value;
      } else if (auto text = reader_.string(value)) {
        endpoint.headers[name] = *text;
      }
    }
  }

  // ---- principals ----

  void read_principals(const Field& field) {
    auto elements = reader_.list(field);
    if (!elements) return;
    std::map<std::string, int> ids, jwt_subjects, mtls_subjects;
    for (const Field& element : *elements) {
      MapView view(reader_, element,
                   {"id", "kind", "role", "roles", "scopes", "attributes", "api_keys", "jwt_subject", "mtls_subject"});
      if (!view.valid()) continue;
      PrincipalConfig principal;
      principal.line = element.line;
      auto unique = [&](const Field& where, std::map<std::string, int>& seen, const std::string& value,
                        const std::string& what) {
        if (auto prior = seen.find(value); prior != seen.end()) {
          reader_.report(where, what + " " + in_quotes(value) + " is already used by the principal at line " +
                                    std::to_string(prior->second));
          return false;
        }
        seen.emplace(value, element.line);
        return true;
      };
      if (auto id = view.require("id")) {
        if (auto value = reader_.string(*id)) {
          unique(*id, ids, *value, "id");
          principal.id = *value;
        }
      }
      if (auto kind = view.get("kind")) {
        if (auto value = reader_.string(*kind)) {
          if (*value == "service" || *value == "human")
            principal.kind = *value;
          else
            reader_.report(*kind, unknown_choice("principal kind", *value, {"service", "human"}));
        }
      }
      if (auto role = view.get("role")) {
        if (auto value = reader_.string(*role)) principal.role = *value;
      }
      if (auto roles = view.get("roles")) {
        if (auto values = reader_.string_list(*roles)) principal.roles.insert(values->begin(), values->end());
      }
      if (auto scopes = view.get("scopes")) {
        if (auto values = reader_.string_list(*scopes)) principal.scopes.insert(values->begin(), values->end());
      }
      if (auto attributes = view.get("attributes")) {
        if (auto entries = config_reader::named_entries(reader_, *attributes)) {
          for (const auto& [name, value] : *entries) {
            if (!value.node.IsScalar()) {
              reader_.report(value, "expected a string, got " + config_reader::describe(value.node));
            } else {
              principal.attributes[name] = value.node.Scalar();
            }
          }
        }
      }
      if (auto keys = view.get("api_keys")) read_api_keys(*keys, principal.api_keys);
      if (auto subject = view.get("jwt_subject")) {
        if (auto value = reader_.string(*subject)) {
          unique(*subject, jwt_subjects, *value, "jwt_subject");
          principal.jwt_subject = *value;
          jwt_subject_fields_.push_back(*subject);
        }
      }
      if (auto subject = view.get("mtls_subject")) {
        if (auto value = reader_.string(*subject)) {
          std::string normal = normalize_certificate_subject(*value);
          if (normal.find('=') == std::string::npos) {
            reader_.report(*subject, "expected a certificate subject in RFC 2253 form (\"CN=lab,O=Hospital\"), got " +
                                         in_quotes(*value));
          } else {
            unique(*subject, mtls_subjects, normal, "mtls_subject");
            principal.mtls_subject = normal;
          }
        }
      }
      config_.principals.push_back(std::move(principal));
    }
  }

  // ---- JWT issuers ----

  void read_issuers(const Field& field) {
    auto elements = reader_.list(field);
    if (!elements) return;
    issuers_given_ = !elements->empty();
    for (const Field& element : *elements) {
      MapView view(reader_, element, {"issuer", "audience", "algorithm", "key"});
      if (!view.valid()) continue;
      JwtIssuer issuer;
      if (auto iss = view.require("issuer", "the iss its tokens carry")) {
        if (auto value = reader_.string(*iss)) issuer.issuer = *value;
      }
      if (auto audience = view.get("audience")) {
        if (auto value = reader_.string(*audience)) issuer.audience = *value;
      }
      auto algorithm = view.require("algorithm", "HS256 or RS256");
      if (algorithm) {
        if (auto value = reader_.string(*algorithm)) {
          if (*value == "HS256" || *value == "RS256")
            issuer.algorithm = *value;
          else
            reader_.report(*algorithm, unknown_choice("algorithm", *value, {"HS256", "RS256"}));
        }
      }
      if (auto key = view.require("key", "{env: NAME} or {file: PATH}")) {
        if (auto secret = reader_.secret(*key)) {
          if (issuer.algorithm == "RS256") {
            if (std::string problem = rs256_key_problem(secret->value); !problem.empty()) {
              reader_.report(*key, "the key from " + secret->source + " " + problem);
            }
          } else if (issuer.algorithm == "HS256" && secret->value.size() < kMinHmacKeyLength) {
            reader_.report(*key, "the HS256 key from " + secret->source + " is shorter than " +
                                     std::to_string(kMinHmacKeyLength) + " bytes");
          }
          issuer.key = std::move(*secret);
        }
      }
      config_.jwt_issuers.push_back(std::move(issuer));
    }
  }

  // ---- admin ----

  // A list of API keys (principals' and the admin's): each long enough, each remembered so that
  // one key given twice is reported.
  void read_api_keys(const Field& keys, std::vector<Secret>& into) {
    auto elements = reader_.list(keys);
    if (!elements) return;
    for (const Field& key : *elements) {
      auto secret = reader_.secret(key);
      if (!secret) continue;
      if (secret->value.size() < kMinApiKeyLength) {
        reader_.report(key, "the key from " + secret->source + " is shorter than " + std::to_string(kMinApiKeyLength) +
                                " characters");
        continue;
      }
      keys_.push_back({secret->value, secret->source, key});
      into.push_back(std::move(*secret));
    }
  }

  void read_admin(const Field& field) {
    MapView view(reader_, field, {"listen", "api_keys"});
    if (!view.valid()) return;
    if (auto listen = view.require("listen", "HOST:PORT for /metrics, /healthz and the admin API")) {
      if (auto text = reader_.string(*listen)) {
        auto parsed = cv::parse_host_port(*text);
        if (!parsed.ok()) {
          reader_.report(*listen, parsed.error);
        } else if (parsed.value.port == 0) {
          reader_.report(*listen, "the admin listener needs a port from 1 to 65535");
        } else {
          config_.admin.address = parsed.value.host;
          config_.admin.port = static_cast<std::uint16_t>(parsed.value.port);
          bound_.push_back({"admin", parsed.value.host, parsed.value.port, *listen});
        }
      }
    }
    if (auto keys = view.get("api_keys")) read_api_keys(*keys, config_.admin.api_keys);
  }

  // ---- checks across sections ----

  // Two listeners cannot bind the same port on the same address, or on any address when one
  // of them listens on every interface. Port 0 (any free port) never clashes.
  void check_ports() {
    auto wildcard = [](const std::string& host) { return host == "0.0.0.0" || host == "::"; };
    auto same_host = [](std::string a, std::string b) {
      if (a == "localhost") a = "127.0.0.1";
      if (b == "localhost") b = "127.0.0.1";
      return a == b;
    };
    for (std::size_t j = 0; j < bound_.size(); ++j) {
      for (std::size_t i = 0; i < j; ++i) {
        const Bound& first = bound_[i];
        const Bound& second = bound_[j];
        if (first.port == 0 || first.port != second.port) continue;
        if (!same_host(first.host, second.host) && !wildcard(first.host) && !wildcard(second.host)) continue;
        reader_.report(second.field, "port " + std::to_string(second.port) + " is already taken by " +
                                         port_owner(first.owner) + " (line " + std::to_string(first.field.line) + ")");
        break;
      }
    }
  }

  void check_jwt_subjects() {
    if (issuers_given_) return;
    for (const Field& subject : jwt_subject_fields_) {
      reader_.report(subject, "no jwt_issuers are configured to sign tokens for this subject");
    }
  }

  // One key names one principal (or the admin API): a key shared by two would make the
  // second unreachable, or let one caller act as the other.
  void check_api_keys() {
    for (std::size_t j = 0; j < keys_.size(); ++j) {
      for (std::size_t i = 0; i < j; ++i) {
        if (keys_[i].value != keys_[j].value) continue;
        reader_.report(keys_[j].field, "the key from " + keys_[j].source + " is already used by " +
                                           keys_[i].field.path + " (line " + std::to_string(keys_[i].field.line) +
                                           "); each key must name one principal or the admin API");
        break;
      }
    }
  }

  Reader& reader_;
  HostConfig& config_;
  bool issuers_given_ = false;
  std::vector<Bound> bound_;
  std::vector<KeyUse> keys_;
  std::vector<Field> jwt_subject_fields_;
};

}  // namespace

const EndpointConfig* HostConfig::endpoint(const std::string& name) const {
  for (const EndpointConfig& candidate : endpoints) {
    if (candidate.name == name) return &candidate;
  }
  return nullptr;
}

std::string normalize_certificate_subject(std::string_view subject) {
  std::string out;
  bool escaped = false, after_separator = false;
  for (char c : subject) {
    if (after_separator && c == ' ') continue;
    after_separator = false;
    out += c;
    if (escaped) {
      escaped = false;
    } else if (c == '\\') {
      escaped = true;
    } else if (c == ',' || c == '+') {
      after_separator = true;
    }
  }
  while (!out.empty() && out.back() == ' ' && !(out.size() >= 2 && out[out.size() - 2] == '\\')) out.pop_back();
  return out;
}

const PrincipalConfig* HostConfig::principal(const std::string& id) const {
  for (const PrincipalConfig& candidate : principals) {
    if (candidate.id == id) return &candidate;
  }
  return nullptr;
}

std::variant<HostConfig, std::vector<ConfigProblem>> load_config_text(const std::string& text, const std::string& file,
                                                                      const Environment& environment) {
  Reader reader(file, fs::path(file).parent_path(), environment);
  HostConfig config;
  config.file = file;
  try {
    YAML::Node root = YAML::Load(text);
    Loader(reader, config).load(root);
  } catch (const YAML::Exception& error) {
    reader.report(error.mark.line >= 0 ? error.mark.line + 1 : 0, "YAML syntax error: " + error.msg);
  }
  std::vector<ConfigProblem> problems = reader.take_problems();
  if (!problems.empty()) return problems;
  return config;
}

std::variant<HostConfig, std::vector<ConfigProblem>> load_config(const std::string& path,
                                                                 const Environment& environment) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int error = errno;
    return std::vector<ConfigProblem>{{path, 0, std::string("cannot read the configuration: ") + std::strerror(error)}};
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return load_config_text(buffer.str(), path, environment);
}

std::string format_problem(const ConfigProblem& problem) {
  if (problem.line <= 0) return problem.file + ": " + problem.message;
  return problem.file + ":" + std::to_string(problem.line) + ": " + problem.message;
}

}  // namespace suture::host

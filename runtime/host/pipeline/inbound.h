// inbound.h — one message as ingress hands it to the pipeline, and what the pipeline answers.
// Pipeline position: ingress (HTTP, MLLP) → pipeline → store.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/host/config/config.h"
#include "runtime/host/store/store.h"

namespace suture::host {

struct Inbound {
  const ListenerConfig* listener = nullptr;
  std::string method;  // HTTP: POST, PUT…; MLLP: ""
  std::string path;    // HTTP target path without the query; MLLP: ""
  std::string body;
  std::string content_type;
  const PrincipalConfig* principal = nullptr;
  std::string traceparent;  // validated W3C header, or ""
  std::int64_t received_at_ms = 0;
  std::size_t worker = 0;  // which worker's runners to use
};

// What happened to a message before it is stored.
struct Processed {
  enum class Kind { Ready, NoRoute, Rejected, Denied, Failed } kind = Kind::Failed;
  std::string route;
  std::string code;                // NO_ROUTE, JSON_…, HL7_…, a mapping's own code, POLICY_DENIED, ROUTE_BROKEN
  std::string path;                // JSON / HL7 path of a rejection
  std::string error;               // for a person
  std::vector<std::string> rules;  // Denied: the rules that decided
  NewMessage message;              // Ready: what to store
};

}  // namespace suture::host

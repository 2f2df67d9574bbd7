// pipeline.h — one message through its route, before it is stored: match the route (triggers,
// priority, `when`, fallback), authorize it with the route's policy (the principal ingress
// authenticated, the message, the context) applying the decision's obligations, map it, and
// build the deliveries with their idempotency and ordering keys. Never throws on input: every
// outcome is a Processed value with a code.
// Pipeline position: ingress → pipeline → store.accept → delivery.
#pragma once

#include <functional>
#include <string>

#include "runtime/host/pipeline/inbound.h"
#include "runtime/host/pipeline/pack_set.h"

namespace suture::host {

class Pipeline {
 public:
  // `principal_json` renders a principal as policies see it; `audit` receives one JSON line
  // (no PHI) per decision.
  Pipeline(std::function<std::string(const PrincipalConfig&)> principal_json,
           std::function<void(const std::string&)> audit);

  Processed process(PackSet& packs, const Inbound& in) const;

 private:
  std::function<std::string(const PrincipalConfig&)> principal_json_;
  std::function<void(const std::string&)> audit_;
};

// The JSON the route's `context` argument is: {"received_at":…,"listener":…,"trace_id":…}.
std::string context_json(const Inbound& in);

}  // namespace suture::host

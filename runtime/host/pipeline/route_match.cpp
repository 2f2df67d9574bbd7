// route_match.cpp — trigger matching (see route_match.h).
#include "runtime/host/pipeline/route_match.h"

namespace suture::host {
namespace {

bool matches(const pack::RouteTrigger& t, const Inbound& in, const std::string& hl7_type) {
  const bool mllp = in.listener != nullptr && in.listener->kind == ListenerKind::Mllp;
  if (t.listener == "mllp") return mllp && (t.selector == hl7_type || t.selector == "*");
  if (mllp) return false;
  if (t.listener == "http" || t.listener == "fhir")
    return (t.verb.empty() || t.verb == in.method) && t.selector == in.path;
  if (t.listener == "odoo") {
    // Odoo's "Send Webhook Notification" posts to the URL it is given: /odoo/<model>, or
    // /odoo/<model>/<event> when the automation names its trigger.
    const std::string prefix = "/odoo/" + t.selector;
    if (in.method != "POST" || in.path.compare(0, prefix.size(), prefix) != 0) return false;
    std::string rest = in.path.substr(prefix.size());
    if (rest.empty() || rest == "/") return t.event.empty();
    return rest == "/" + t.event || t.event.empty();
  }
  return false;
}

}  // namespace

std::vector<const LoadedRoute*> candidate_routes(const PackSet& packs, const Inbound& in, const std::string& hl7_type) {
  std::vector<const LoadedRoute*> found, fallbacks;
  for (const LoadedRoute& route : packs.routes()) {
    bool hit = false;
    for (const pack::RouteTrigger& t : route.info->triggers) hit = hit || matches(t, in, hl7_type);
    if (hit && !route.info->fallback)
      found.push_back(&route);
    else if (route.info->fallback && (hit || route.info->triggers.empty()))
      fallbacks.push_back(&route);
  }
  found.insert(found.end(), fallbacks.begin(), fallbacks.end());
  return found;
}

}  // namespace suture::host

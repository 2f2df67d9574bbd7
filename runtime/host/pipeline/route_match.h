// route_match.h — which routes a message is for: triggers compared with where it arrived
// (listener kind, method, path; `/odoo/<model>[/<event>]` for Odoo webhooks; MSH-9 for HL7 v2),
// highest priority first, fallback routes last. `when` conditions are the pipeline's business.
// Pipeline position: pipeline, first step.
#pragma once

#include <string>
#include <vector>

#include "runtime/host/pipeline/inbound.h"
#include "runtime/host/pipeline/pack_set.h"

namespace suture::host {

// Candidates in the order to try them (each route once); fallback routes come after all others.
std::vector<const LoadedRoute*> candidate_routes(const PackSet& packs, const Inbound& in, const std::string& hl7_type);

}  // namespace suture::host

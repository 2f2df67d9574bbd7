// pack_set.cpp — loading, checking and JIT-compiling the packs a host runs (see pack_set.h).
#include "runtime/host/pipeline/pack_set.h"

#include <algorithm>
#include <filesystem>

#include "runtime/exec/pack_engine.h"

namespace suture::host {
namespace {

// Which endpoint kinds a delivery family can go to.
bool fits(const std::string& family, EndpointKind kind) {
  if (family == "odoo") return kind == EndpointKind::OdooJsonRpc || kind == EndpointKind::OdooJson2;
  if (family == "fhir") return kind == EndpointKind::Fhir;
  if (family == "http") return kind == EndpointKind::Http || kind == EndpointKind::Fhir;
  if (family == "mllp") return kind == EndpointKind::Mllp;
  return false;
}

}  // namespace

std::variant<std::shared_ptr<PackSet>, std::vector<std::string>> PackSet::load(const HostConfig& config,
                                                                               std::size_t workers) {
  std::vector<std::string> problems;
  std::shared_ptr<PackSet> set(new PackSet());
  for (const std::string& path : config.packs) {
    auto read = pack::read_pack_file(path);
    if (auto* error = std::get_if<pack::PackError>(&read)) {
      problems.push_back(error->code + ": " + error->message);
      continue;
    }
    set->packs_.push_back(std::make_unique<pack::LoadedPack>(std::move(std::get<pack::LoadedPack>(read))));
    const pack::LoadedPack& p = *set->packs_.back();
    set->version_ += (set->version_.empty() ? "" : ",") + std::filesystem::path(path).filename().string() + "@" +
                     p.manifest.content_hash.substr(0, 12);
  }
  if (!problems.empty()) return problems;
  if (set->packs_.empty()) return std::vector<std::string>{"no pack configured: add `packs: [file.spk]`"};
  auto engine = runtime::engine_for(*set->packs_.front());
  if (auto* error = std::get_if<std::string>(&engine)) return std::vector<std::string>{*error};
  set->engine_ = std::move(std::get<std::unique_ptr<runtime::Engine>>(engine));

  for (const auto& p : set->packs_)
    for (const pack::RouteInfo& r : p->manifest.routes) {
      LoadedRoute route;
      route.info = &r;
      route.pack = p.get();
      for (const pack::RouteDelivery& d : r.deliveries) {
        const EndpointConfig* endpoint = config.endpoint(d.endpoint);
        if (endpoint == nullptr) {
          problems.push_back("route `" + r.name + "` delivers to endpoint \"" + d.endpoint +
                             "\", which the configuration does not declare (add it under `endpoints:`)");
          continue;
        }
        if (!fits(d.family, endpoint->kind))
          problems.push_back("route `" + r.name + "` delivers " + d.family + "." + d.operation + " to endpoint \"" +
                             d.endpoint + "\", which is not an endpoint of that kind");
        route.odoo_vals = route.odoo_vals || d.family == "odoo";
      }
      set->routes_.push_back(route);
    }
  for (std::size_t i = 0; i < set->routes_.size(); ++i)
    for (std::size_t j = i + 1; j < set->routes_.size(); ++j)
      if (set->routes_[i].info->name == set->routes_[j].info->name)
        problems.push_back("two loaded routes are named `" + set->routes_[i].info->name + "`");
  // Highest priority first; among equals, the order the packs declare them.
  std::stable_sort(set->routes_.begin(), set->routes_.end(),
                   [](const LoadedRoute& a, const LoadedRoute& b) { return a.info->priority > b.info->priority; });
  for (std::size_t i = 0; i < set->routes_.size(); ++i) set->routes_[i].index = i;
  set->workers_.resize(std::max<std::size_t>(workers, 1));
  for (auto& w : set->workers_) w.resize(set->routes_.size());
  for (const LoadedRoute& route : set->routes_) {
    RouteRunners& r = set->runners(0, route);
    if (!r.error.empty()) problems.push_back("route `" + route.info->name + "`: " + r.error);
  }
  if (!problems.empty()) return problems;
  return set;
}

RouteRunners& PackSet::runners(std::size_t worker, const LoadedRoute& route) {
  RouteRunners& r = workers_[worker % workers_.size()][route.index];
  if (r.made) return r;
  r.made = true;
  const pack::RouteInfo& info = *route.info;
  if (!info.select_entry.empty()) {
    auto made = runtime::MappingRunner::create(*route.pack, *engine_, info.select_entry, pack::EntryKind::Route);
    if (auto* error = std::get_if<std::string>(&made)) return r.error = *error, r;
    r.select = std::move(std::get<std::unique_ptr<runtime::MappingRunner>>(made));
  }
  if (!info.policy.empty()) {
    auto made = runtime::PolicyRunner::create(*route.pack, *engine_, info.policy);
    if (auto* error = std::get_if<std::string>(&made)) return r.error = *error, r;
    r.policy = std::move(std::get<std::unique_ptr<runtime::PolicyRunner>>(made));
  }
  if (!info.mapping.empty()) {
    auto made = runtime::MappingRunner::create(*route.pack, *engine_, info.mapping);
    if (auto* error = std::get_if<std::string>(&made)) return r.error = *error, r;
    r.mapping = std::move(std::get<std::unique_ptr<runtime::MappingRunner>>(made));
    if (route.odoo_vals) r.mapping->set_odoo_output(runtime::MappingRunner::OdooOutput::Vals);
  }
  return r;
}

}  // namespace suture::host

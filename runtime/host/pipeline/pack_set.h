// pack_set.h — the packs a host runs, loaded and verified together: their routes (ordered by
// priority), the one JIT holding their code, and per-worker runners created on first use.
// Immutable once loaded, shared by reference count: a reload builds a new PackSet and swaps
// it in; messages in flight finish on the set they started with, which lives until they do.
// Pipeline position: loaded at start and on reload; the pipeline reads it per message.
#pragma once

#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "runtime/exec/engine.h"
#include "runtime/exec/mapping_runner.h"
#include "runtime/exec/policy_runner.h"
#include "runtime/host/config/config.h"
#include "runtime/pack/pack.h"

namespace suture::host {

struct LoadedRoute {
  const pack::RouteInfo* info = nullptr;
  const pack::LoadedPack* pack = nullptr;
  std::size_t index = 0;   // in PackSet::routes()
  bool odoo_vals = false;  // the mapping's Odoo output is written as vals (an Odoo delivery)
};

// One worker's runners for one route (a runner owns an arena: one thread at a time).
struct RouteRunners {
  std::unique_ptr<runtime::MappingRunner> select;
  std::unique_ptr<runtime::PolicyRunner> policy;
  std::unique_ptr<runtime::MappingRunner> mapping;
  std::string error;  // why they could not be made (reported per message)
  bool made = false;
};

class PackSet {
 public:
  // Reads and verifies every pack, checks each route against the configuration (its endpoints
  // exist and their kind fits the delivery), JIT-compiles the code, and builds the runners of
  // worker 0 so that a broken pack fails here rather than on the first message.
  static std::variant<std::shared_ptr<PackSet>, std::vector<std::string>> load(const HostConfig& config,
                                                                               std::size_t workers);

  const std::vector<LoadedRoute>& routes() const { return routes_; }
  // The runners of `route` for `worker` (0 ≤ worker < workers given to load()).
  RouteRunners& runners(std::size_t worker, const LoadedRoute& route);
  // "name@hash12,…": what is loaded, for /readyz and logs.
  const std::string& version() const { return version_; }
  std::size_t route_count() const { return routes_.size(); }

 private:
  PackSet() = default;
  std::vector<std::unique_ptr<pack::LoadedPack>> packs_;
  std::unique_ptr<runtime::Engine> engine_;
  std::vector<LoadedRoute> routes_;
  std::vector<std::vector<RouteRunners>> workers_;  // [worker][route]
  std::string version_;
};

}  // namespace suture::host

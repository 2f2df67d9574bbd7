// metrics.cpp — histogram buckets and the Prometheus text format (see metrics.h).
#include "runtime/host/ops/metrics.h"

#include <cstdio>

namespace suture::host {
namespace {

std::string escape_label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string label_set(const std::vector<std::string>& names, const std::vector<std::string>& values,
                      const std::string& extra = "") {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < values.size(); ++i)
    out += (out.empty() ? "" : ",") + names[i] + "=\"" + escape_label(values[i]) + "\"";
  if (!extra.empty()) out += (out.empty() ? "" : ",") + extra;
  return out.empty() ? "" : "{" + out + "}";
}

std::string number(double v) {
  char text[64];
  std::snprintf(text, sizeof text, "%.9g", v);
  return text;
}

}  // namespace

void Histogram::observe(double seconds) {
  std::size_t i = 0;
  while (i < kBounds.size() && seconds > kBounds[i]) ++i;
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_micros_.fetch_add(static_cast<std::uint64_t>(seconds * 1e6), std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s;
  std::uint64_t running = 0;
  for (std::size_t i = 0; i < kBounds.size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    s.buckets[i] = running;
  }
  s.count = running + counts_[kBounds.size()].load(std::memory_order_relaxed);
  s.sum = static_cast<double>(sum_micros_.load(std::memory_order_relaxed)) / 1e6;
  return s;
}

Metrics::Metrics() = default;

void Metrics::add_gauge(std::string name, std::string help, std::vector<std::string> labels,
                        std::function<std::vector<Gauge>()> compute) {
  gauges_.push_back({std::move(name), std::move(help), std::move(labels), std::move(compute)});
}

std::string Metrics::render() const {
  std::string out;
  auto counters = [&](const Family<Counter>& f) {
    out += "# HELP " + f.name() + " " + f.help() + "\n# TYPE " + f.name() + " counter\n";
    f.each([&](const std::vector<std::string>& values, const Counter& c) {
      out += f.name() + label_set(f.labels(), values) + " " + std::to_string(c.value()) + "\n";
    });
  };
  auto histograms = [&](const Family<Histogram>& f) {
    out += "# HELP " + f.name() + " " + f.help() + "\n# TYPE " + f.name() + " histogram\n";
    f.each([&](const std::vector<std::string>& values, const Histogram& h) {
      Histogram::Snapshot s = h.snapshot();
      for (std::size_t i = 0; i < Histogram::kBounds.size(); ++i)
        out += f.name() + "_bucket" + label_set(f.labels(), values, "le=\"" + number(Histogram::kBounds[i]) + "\"") +
               " " + std::to_string(s.buckets[i]) + "\n";
      out += f.name() + "_bucket" + label_set(f.labels(), values, "le=\"+Inf\"") + " " + std::to_string(s.count) + "\n";
      out += f.name() + "_sum" + label_set(f.labels(), values) + " " + number(s.sum) + "\n";
      out += f.name() + "_count" + label_set(f.labels(), values) + " " + std::to_string(s.count) + "\n";
    });
  };
  for (const Family<Counter>* f : {&received, &accepted, &duplicates, &rejected, &denied, &attempts, &delivered,
                                   &retried, &dead, &dropped, &breaker, &reloads})
    counters(*f);
  histograms(ingress_latency);
  histograms(delivery_latency);
  for (const GaugeFamily& g : gauges_) {
    out += "# HELP " + g.name + " " + g.help + "\n# TYPE " + g.name + " gauge\n";
    for (const Gauge& v : g.compute()) out += g.name + label_set(g.labels, v.labels) + " " + number(v.value) + "\n";
  }
  return out;
}

}  // namespace suture::host

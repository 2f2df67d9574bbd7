// suggest.cpp — edit distance for "did you mean" hints.
#include "compiler/sema/suggest.h"

#include <algorithm>
#include <cctype>

namespace suture::sema {
namespace {

std::string lower(const std::string& s) {
  std::string out = s;
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Optimal string alignment distance (Damerau-Levenshtein without repeated edits).
std::size_t distance(const std::string& a, const std::string& b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i)
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

}  // namespace

std::optional<std::string> closest(const std::string& name, const std::vector<std::string>& candidates) {
  const std::string wanted = lower(name);
  std::optional<std::string> best;
  std::size_t best_distance = std::max<std::size_t>(1, name.size() / 3) + 1;
  for (const std::string& candidate : candidates) {
    if (candidate == name) continue;
    if (lower(candidate) == wanted) return candidate;
    if (candidate.size() > name.size() + best_distance || name.size() > candidate.size() + best_distance) continue;
    std::size_t dist = distance(wanted, lower(candidate));
    if (dist < best_distance || (dist == best_distance && best && candidate < *best && dist <= name.size() / 3)) {
      if (dist <= std::max<std::size_t>(1, name.size() / 3)) {
        best = candidate;
        best_distance = dist;
      }
    }
  }
  return best;
}

}  // namespace suture::sema

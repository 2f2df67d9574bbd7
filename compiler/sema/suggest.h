// suggest.h — "did you mean …?": the closest candidate to a misspelt name, if one is close.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace suture::sema {

// Case-insensitive matches win; otherwise the smallest edit distance (transpositions count
// once) within a third of the name's length.
std::optional<std::string> closest(const std::string& name, const std::vector<std::string>& candidates);

}  // namespace suture::sema

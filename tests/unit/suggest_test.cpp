// suggest_test.cpp — "did you mean": near misses are found, far ones are not offered.
#include <gtest/gtest.h>

#include "sema/suggest.h"

namespace {

using suture::sema::closest;

TEST(Suggest, CaseInsensitiveMatchWins) {
  EXPECT_EQ(closest("birthdate", {"birthDate", "gender"}), "birthDate");
}
TEST(Suggest, Transposition) {
  EXPECT_EQ(closest("nmae", {"name", "family"}), "name");
}
TEST(Suggest, NothingFarAway) {
  EXPECT_EQ(closest("zzz", {"name", "family"}), std::nullopt);
}
TEST(Suggest, ShortNamesNeedCloseMatches) {
  EXPECT_EQ(closest("id", {"ref", "name"}), std::nullopt);
}

}  // namespace

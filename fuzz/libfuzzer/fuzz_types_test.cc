// The libFuzzer targets draw every type the engine builds, RADIO and DISH among them, and a
// pick below 12 keeps naming the classic type it named when only those were drawn (the
// committed seeds keep their meaning).
#include "fuzz/libfuzzer/fuzz_types.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace zlab::fuzz {
namespace {

TEST(FuzzTypes, EveryBuiltTypeIsDrawnDgramIsNot) {
  const std::vector<SocketType>& types = built_types();
  EXPECT_EQ(types.size(), 20u);
  for (SocketType t : {SocketType::kRadio, SocketType::kDish, SocketType::kServer,
                       SocketType::kClient, SocketType::kGather, SocketType::kScatter,
                       SocketType::kPeer, SocketType::kChannel, SocketType::kStream}) {
    EXPECT_NE(std::find(types.begin(), types.end(), t), types.end()) << int(t);
  }
  EXPECT_EQ(std::find(types.begin(), types.end(), SocketType::kDgram), types.end());
}

TEST(FuzzTypes, PicksBelowTwelveAreTheClassicTypes) {
  for (uint8_t pick = 0; pick < 12; ++pick) EXPECT_EQ(pick_type(pick), SocketType(pick));
  EXPECT_EQ(pick_type(14), SocketType::kRadio);
  EXPECT_EQ(pick_type(15), SocketType::kDish);
}

}  // namespace
}  // namespace zlab::fuzz

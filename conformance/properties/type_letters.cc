#include "conformance/properties/type_letters.h"

#include <array>

namespace zlab::conform {
namespace {

using E = Envelope;
using F = Filter;

struct Row {
  SocketType type;
  TypeLetters letters;
};

// One row per type that differs from the plain one (a body alone, no filter, nothing
// unprompted). Sources: zmq_socket(3) 4.3 for the classic types; rfc 41 (CLIENT/SERVER),
// rfc 48 (RADIO/DISH), rfc 49 (SCATTER/GATHER) and the 4.3 page's PEER and CHANNEL.
// clang-format off
constexpr Row kRows[] = {
  // type                 envelope       delimited receives filter                  hands up
  {SocketType::kPair,    {E::kNone,      false,    true,    F::kNone,               false}},
  {SocketType::kPub,     {E::kNone,      false,    false,   F::kPublishes,          false}},
  {SocketType::kSub,     {E::kNone,      false,    true,    F::kSubscribesByOption, false}},
  {SocketType::kReq,     {E::kNone,      true,     false,   F::kNone,               false}},
  {SocketType::kRep,     {E::kNone,      true,     true,    F::kNone,               false}},
  {SocketType::kDealer,  {E::kDelimiter, false,    true,    F::kNone,               false}},
  {SocketType::kRouter,  {E::kAddressed, false,    true,    F::kNone,               false}},
  {SocketType::kPull,    {E::kNone,      false,    true,    F::kNone,               false}},
  {SocketType::kXPub,    {E::kNone,      false,    false,   F::kPublishes,          true}},
  {SocketType::kXSub,    {E::kNone,      false,    true,    F::kSubscribesBySend,   false}},
  {SocketType::kServer,  {E::kNone,      false,    true,    F::kNone,               false}},
  {SocketType::kClient,  {E::kNone,      false,    true,    F::kNone,               false}},
  {SocketType::kRadio,   {E::kNone,      false,    false,   F::kSendsToGroup,       false}},
  {SocketType::kDish,    {E::kNone,      false,    true,    F::kJoins,              false}},
  {SocketType::kGather,  {E::kNone,      false,    true,    F::kNone,               false}},
  {SocketType::kPeer,    {E::kNone,      false,    true,    F::kNone,               false}},
  {SocketType::kChannel, {E::kNone,      false,    true,    F::kNone,               false}},
};
// clang-format on

constexpr bool each_type_once() {
  for (size_t i = 0; i < std::size(kRows); ++i) {
    for (size_t j = i + 1; j < std::size(kRows); ++j) {
      if (kRows[i].type == kRows[j].type) return false;
    }
  }
  return true;
}
static_assert(each_type_once(), "a socket type has two rows in kRows");

}  // namespace

const TypeLetters& letters(SocketType type) {
  static constexpr TypeLetters kPlain{};
  for (const Row& r : kRows) {
    if (r.type == type) return r.letters;
  }
  return kPlain;
}

}  // namespace zlab::conform

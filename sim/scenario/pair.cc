// PAIR/PAIR: an exclusive pair streaming both ways. The binding side takes one connection at a
// time: after its peer crashes, the reconnect waits until the old connection is known dead.
#include "sim/scenario/duplex.h"

namespace zlab::sim {
namespace {

class Pair final : public Scenario {
 public:
  FaultTargets targets() const override {
    FaultTargets t;
    t.hosts = 2;
    t.crashable = {0, 1};
    t.consumers = {0, 1};
    t.binders = {0};
    return t;
  }
  void start(ScenarioEnv& env) override { start_duplex(env, SocketType::kPair, "5565"); }
};

}  // namespace

std::unique_ptr<Scenario> make_pair() { return std::make_unique<Pair>(); }

}  // namespace zlab::sim

// DEALER/DEALER: both sides stream to each other asynchronously over one connection.
#include "sim/scenario/duplex.h"

namespace zlab::sim {
namespace {

class DealerDealer final : public Scenario {
 public:
  FaultTargets targets() const override {
    FaultTargets t;
    t.hosts = 2;
    t.crashable = {0, 1};
    t.consumers = {0, 1};
    t.binders = {0};
    return t;
  }
  void start(ScenarioEnv& env) override { start_duplex(env, SocketType::kDealer, "5563"); }
};

}  // namespace

std::unique_ptr<Scenario> make_dealer_dealer() { return std::make_unique<DealerDealer>(); }

}  // namespace zlab::sim

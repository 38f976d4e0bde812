// PUSH/PULL: two pushers connect to two pullers. Round-robin, blocking at the HWM (a PUSH
// never drops), messages queued for a lost puller wait for it, order per pusher and puller.
//
// curve_push_pull is the same with every connection under CURVE (rfc 25/26): each reconnect is
// a fresh handshake (new transient keys, cookie and nonces, drawn from the socket's seeded
// generator, so a seed gives the same bytes every run), and every message travels sealed. No
// ZAP handler lives in the world: as libzmq, a CURVE server then admits any client whose crypto
// is good.
#include "sim/scenario/scenario.h"

namespace zlab::sim {
namespace {

// libzmq's documented test key pairs (Z85 rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7 and
// Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID), as the 32 bytes the options take.
constexpr std::string_view kServerPublic{
    "\x54\xfc\xba\x24\xe9\x32\x49\x96\x93\x16\xfb\x61\x7c\x87\x2b\xb0"
    "\xc1\xd1\xff\x14\x80\x04\x27\xc5\x94\xcb\xfa\xcf\x1b\xc2\xd6\x52",
    32};
constexpr std::string_view kServerSecret{
    "\x8e\x0b\xdd\x69\x76\x28\xb9\x1d\x8f\x24\x55\x87\xee\x95\xc5\xb0"
    "\x4d\x48\x96\x3f\x79\x25\x98\x77\xb4\x9c\xd9\x06\x3a\xea\xd3\xb7",
    32};
constexpr std::string_view kClientPublic{
    "\xbb\x88\x47\x1d\x65\xe2\x65\x9b\x30\xc5\x5a\x53\x21\xce\xbb\x5a"
    "\xab\x2b\x70\xa3\x98\x64\x5c\x26\xdc\xa2\xb2\xfc\xb4\x3f\xc5\x18",
    32};
constexpr std::string_view kClientSecret{
    "\x7b\xb8\x64\xb4\x89\xaf\xa3\x67\x1f\xbe\x69\x10\x1f\x94\xb3\x89"
    "\x72\xf2\x48\x16\xdf\xb0\x1b\x51\x65\x6b\x3f\xec\x8d\xfd\x08\x88",
    32};

// zmq.h's numbers.
constexpr int kCurveServer = 47;
constexpr int kCurvePublicKey = 48;
constexpr int kCurveSecretKey = 49;
constexpr int kCurveServerKey = 50;

class PushPull final : public Scenario {
 public:
  explicit PushPull(bool curve) : curve_(curve) {}

  FaultTargets targets() const override {
    FaultTargets t;
    t.hosts = 4;
    t.crashable = {0, 1, 2, 3};
    t.consumers = {0, 1};
    t.binders = {0, 1};
    return t;
  }

  void start(ScenarioEnv& env) override {
    const bool curve = curve_;
    for (uint32_t h : {0u, 1u}) {
      env.boot(h, [&env, curve](HostId host) {
        env.world.spawn(
            host, curve ? "curve-puller" : "puller",
            [&env, curve](Ctx& ctx) -> Task<> {
              SimSocket* s = ctx.socket(SocketType::kPull);
              env.tune(s);
              if (curve && !curve_server(s)) env.fail("CURVE server options refused");
              if (s->bind("tcp://*:5555") != Err::kOk) env.fail("PULL bind failed");
              co_await receive_flow(ctx, env, s, no_envelope());
            },
            /*daemon=*/true);
      });
    }
    for (uint32_t h : {2u, 3u}) {
      env.boot(h, [&env, curve](HostId host) {
        env.world.spawn(host, curve ? "curve-pusher" : "pusher",
                        [&env, host, curve](Ctx& ctx) -> Task<> {
                          SimSocket* s = ctx.socket(SocketType::kPush);
                          env.tune(s);
                          if (curve && !curve_client(s)) env.fail("CURVE client options refused");
                          s->connect("tcp://h0:5555");
                          s->connect("tcp://h1:5555");
                          FlowOptions o;
                          o.count = 150;
                          co_await send_flow(ctx, env, s, env.flow(host), o);
                        });
      });
    }
  }

 private:
  static bool curve_server(SimSocket* s) {
    return s->set_int(kCurveServer, 1) == Err::kOk &&
           s->set_bytes(kCurveSecretKey, kServerSecret) == Err::kOk &&
           s->set_bytes(kCurvePublicKey, kServerPublic) == Err::kOk;
  }
  static bool curve_client(SimSocket* s) {
    return s->set_bytes(kCurveServerKey, kServerPublic) == Err::kOk &&
           s->set_bytes(kCurvePublicKey, kClientPublic) == Err::kOk &&
           s->set_bytes(kCurveSecretKey, kClientSecret) == Err::kOk;
  }

  bool curve_;
};

}  // namespace

std::unique_ptr<Scenario> make_push_pull() { return std::make_unique<PushPull>(false); }
std::unique_ptr<Scenario> make_curve_push_pull() { return std::make_unique<PushPull>(true); }

}  // namespace zlab::sim

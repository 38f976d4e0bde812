// zlab against the real thing: every compatible classic pair, zlab on either end, either end
// binding, over tcp and ipc, heartbeats on, against Debian's libzmq 4.3.4 in another process.
// Waits are bounded polls for an expected message, never sleeps that hope.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

#include "engine/interop/peer_process.h"
#include "engine/real/context.h"
#include "engine/real/socket.h"

namespace zlab::interop {
namespace {

using Option = std::pair<std::string, std::variant<int, std::string>>;
constexpr int kWaitMs = 5000;

// One end of a pair, whoever implements it.
class Side {
 public:
  virtual ~Side() = default;
  // Opens the socket; returns the endpoint the other end should use.
  virtual std::string open(SocketType type, bool bind, const std::string& endpoint,
                           const std::vector<Option>& options) = 0;
  virtual bool send(const Parts& parts) = 0;
  virtual std::optional<Parts> recv(int timeout_ms) = 0;
  virtual std::string name() const = 0;
};

const std::map<std::string, int> kOptionIds = {
    {"ROUTING_ID", opt::kRoutingId},       {"SUBSCRIBE", opt::kSubscribe},
    {"HEARTBEAT_IVL", opt::kHeartbeatIvl}, {"ROUTER_MANDATORY", opt::kRouterMandatory},
    {"SNDTIMEO", opt::kSndTimeo},          {"LINGER", opt::kLinger},
};

class ZlabSide final : public Side {
 public:
  explicit ZlabSide(real::Context& ctx) : ctx_(ctx) {}
  ~ZlabSide() override {
    if (socket_) socket_->close();
  }
  std::string open(SocketType type, bool bind, const std::string& endpoint,
                   const std::vector<Option>& options) override {
    Err err;
    socket_ = ctx_.create_socket(type, &err);
    EXPECT_EQ(err, Err::kOk);
    set(opt::kLinger, 0);
    for (const auto& [name, value] : options) {
      int id = kOptionIds.at(name);
      if (std::holds_alternative<int>(value)) {
        set(id, std::get<int>(value));
      } else {
        const std::string& v = std::get<std::string>(value);
        EXPECT_EQ(socket_->set_option(id, {reinterpret_cast<const uint8_t*>(v.data()), v.size()}),
                  Err::kOk);
      }
    }
    if (!bind) {
      EXPECT_EQ(socket_->connect(endpoint), Err::kOk);
      return endpoint;
    }
    EXPECT_EQ(socket_->bind(endpoint), Err::kOk);
    char buf[256];
    size_t size = sizeof buf;
    socket_->get_option(opt::kLastEndpoint, reinterpret_cast<uint8_t*>(buf), &size);
    return std::string(buf, size - 1);
  }
  bool send(const Parts& parts) override {
    for (size_t i = 0; i < parts.size(); ++i) {
      Msg m = Msg::copy_of(std::string_view(parts[i]));
      int flags = i + 1 < parts.size() ? real::kSendMoreFlag : 0;
      if (socket_->send(m, flags) != Err::kOk) return false;
    }
    return true;
  }
  std::optional<Parts> recv(int timeout_ms) override {
    set(opt::kRcvTimeo, timeout_ms);
    Parts parts;
    for (;;) {
      Msg m;
      if (socket_->recv(&m, 0) != Err::kOk) return std::nullopt;
      parts.emplace_back(m.view());
      if (!m.more()) return parts;
    }
  }
  std::string name() const override { return "zlab"; }

 private:
  void set(int id, int v) {
    EXPECT_EQ(socket_->set_option(id, {reinterpret_cast<const uint8_t*>(&v), sizeof v}), Err::kOk);
  }
  real::Context& ctx_;
  std::shared_ptr<real::Socket> socket_;
};

class LibzmqSide final : public Side {
 public:
  explicit LibzmqSide(PeerProcess& peer) : peer_(peer) {}
  ~LibzmqSide() override {
    if (!id_.empty()) peer_.request("close " + id_);
  }
  std::string open(SocketType type, bool bind, const std::string& endpoint,
                   const std::vector<Option>& options) override {
    std::string line = "socket " + std::string(socket_type_info(type).name) +
                       (bind ? " bind " : " connect ") + endpoint;
    for (const auto& [name, value] : options) {
      line += " " + name + "=";
      line += std::holds_alternative<int>(value) ? std::to_string(std::get<int>(value))
                                                 : "hex:" + to_hex(std::get<std::string>(value));
    }
    auto words = split(peer_.request(line));
    EXPECT_EQ(words.size(), 3u) << line;
    if (words.size() != 3 || words[0] != "ok") return "";
    id_ = words[1];
    return words[2];
  }
  bool send(const Parts& parts) override {
    std::string line = "send " + id_;
    for (const auto& p : parts) line += " " + to_hex(p);
    return peer_.request(line) == "ok";
  }
  std::optional<Parts> recv(int timeout_ms) override {
    auto words =
        split(peer_.request("recv " + id_ + " " + std::to_string(timeout_ms), timeout_ms + 5000));
    if (words.empty() || words[0] != "msg") return std::nullopt;
    Parts parts;
    for (size_t i = 1; i < words.size(); ++i) parts.push_back(from_hex(words[i]));
    return parts;
  }
  std::string name() const override { return "libzmq"; }

 private:
  PeerProcess& peer_;
  std::string id_;
};

// The conversation of one pattern. `a` plays the first type of the pair, `b` the second.
using Scenario = void (*)(Side& a, Side& b);

void expect_recv(Side& side, const Parts& want) {
  auto got = side.recv(kWaitMs);
  ASSERT_TRUE(got.has_value()) << side.name() << " received nothing; expected " << want.size()
                               << " parts";
  EXPECT_EQ(*got, want) << "at " << side.name();
}

void push_pull(Side& a, Side& b) {
  Parts multipart = {"", std::string(255, 'a'), std::string(256, 'b')};
  ASSERT_TRUE(a.send(multipart));
  ASSERT_TRUE(a.send({std::string(1 << 20, 'c')}));
  ASSERT_TRUE(a.send({"last"}));
  expect_recv(b, multipart);
  expect_recv(b, {std::string(1 << 20, 'c')});
  expect_recv(b, {"last"});
}

void pair_pair(Side& a, Side& b) {
  ASSERT_TRUE(a.send({"hello", "pair"}));
  expect_recv(b, {"hello", "pair"});
  ASSERT_TRUE(b.send({"back"}));
  expect_recv(a, {"back"});
}

void req_rep(Side& a, Side& b) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(a.send({"q" + std::to_string(i), "tail"}));
    expect_recv(b, {"q" + std::to_string(i), "tail"});
    ASSERT_TRUE(b.send({"r" + std::to_string(i)}));
    expect_recv(a, {"r" + std::to_string(i)});
  }
}

void req_router(Side& a, Side& b) {
  ASSERT_TRUE(a.send({"q"}));
  expect_recv(b, {"req-id", "", "q"});
  ASSERT_TRUE(b.send({"req-id", "", "r"}));
  expect_recv(a, {"r"});
}

void dealer_rep(Side& a, Side& b) {
  ASSERT_TRUE(a.send({"", "q"}));
  expect_recv(b, {"q"});
  ASSERT_TRUE(b.send({"r"}));
  expect_recv(a, {"", "r"});
}

void dealer_router(Side& a, Side& b) {
  ASSERT_TRUE(a.send({"q", ""}));
  expect_recv(b, {"dealer-id", "q", ""});
  ASSERT_TRUE(b.send({"dealer-id", "r"}));
  expect_recv(a, {"r"});
}

void dealer_dealer(Side& a, Side& b) {
  ASSERT_TRUE(a.send({"q"}));
  expect_recv(b, {"q"});
  ASSERT_TRUE(b.send({"r"}));
  expect_recv(a, {"r"});
}

void router_router(Side& a, Side& b) {
  // Mandatory routing fails until the handshake has told a who "rb" is: retry, bounded.
  bool sent = false;
  for (int i = 0; i < 500 && !sent; ++i) {
    sent = a.send({"rb", "q"});
    if (!sent) b.recv(10);
  }
  ASSERT_TRUE(sent);
  expect_recv(b, {"ra", "q"});
  ASSERT_TRUE(b.send({"ra", "r"}));
  expect_recv(a, {"rb", "r"});
}

// a publishes, b subscribed to "t". Subscriptions travel asynchronously: probe until one
// arrives (bounded), then check filtering and multipart on what follows.
void pub_sub(Side& a, Side& b) {
  bool joined = false;
  for (int i = 0; i < 250 && !joined; ++i) {
    ASSERT_TRUE(a.send({"t-probe"}));
    joined = b.recv(20).has_value();
  }
  ASSERT_TRUE(joined) << "the subscription never reached the publisher";
  ASSERT_TRUE(a.send({"u-filtered"}));
  ASSERT_TRUE(a.send({"t-data", "second part"}));
  for (;;) {
    auto got = b.recv(kWaitMs);
    ASSERT_TRUE(got.has_value());
    if (*got == Parts{"t-probe"}) continue;
    EXPECT_EQ(*got, (Parts{"t-data", "second part"}));
    break;
  }
}

void xpub_sub(Side& a, Side& b) {
  // libzmq attaches a bound socket's new connections only when its application thread calls
  // into it: the subscriber is polled meanwhile so that its subscription goes out.
  std::optional<Parts> subscription;
  for (int i = 0; i < 250 && !subscription; ++i) {
    subscription = a.recv(20);
    if (!subscription) b.recv(1);
  }
  ASSERT_TRUE(subscription.has_value()) << "no subscription reached the XPUB";
  EXPECT_EQ(*subscription, Parts{"\x01t"});  // the subscription, as XPUB sees it
  ASSERT_TRUE(a.send({"u-filtered"}));
  ASSERT_TRUE(a.send({"t-data", "second part"}));
  expect_recv(b, {"t-data", "second part"});
}

struct Pair {
  const char* name;
  SocketType a;
  SocketType b;
  std::vector<Option> a_options;
  std::vector<Option> b_options;
  Scenario scenario;
};

const std::vector<Pair>& pairs() {
  static const std::vector<Pair> kPairs = {
      {"PUSH_PULL", SocketType::kPush, SocketType::kPull, {}, {}, push_pull},
      {"PAIR_PAIR", SocketType::kPair, SocketType::kPair, {{"SNDTIMEO", kWaitMs}}, {}, pair_pair},
      {"REQ_REP", SocketType::kReq, SocketType::kRep, {}, {}, req_rep},
      {"REQ_ROUTER",
       SocketType::kReq,
       SocketType::kRouter,
       {{"ROUTING_ID", "req-id"}},
       {},
       req_router},
      {"DEALER_REP", SocketType::kDealer, SocketType::kRep, {}, {}, dealer_rep},
      {"DEALER_ROUTER",
       SocketType::kDealer,
       SocketType::kRouter,
       {{"ROUTING_ID", "dealer-id"}},
       {},
       dealer_router},
      {"DEALER_DEALER", SocketType::kDealer, SocketType::kDealer, {}, {}, dealer_dealer},
      {"ROUTER_ROUTER",
       SocketType::kRouter,
       SocketType::kRouter,
       {{"ROUTING_ID", "ra"}, {"ROUTER_MANDATORY", 1}},
       {{"ROUTING_ID", "rb"}},
       router_router},
      {"PUB_SUB", SocketType::kPub, SocketType::kSub, {}, {{"SUBSCRIBE", "t"}}, pub_sub},
      {"PUB_XSUB", SocketType::kPub, SocketType::kXSub, {}, {}, pub_sub},
      {"XPUB_SUB", SocketType::kXPub, SocketType::kSub, {}, {{"SUBSCRIBE", "t"}}, xpub_sub},
      {"XPUB_XSUB", SocketType::kXPub, SocketType::kXSub, {}, {}, xpub_sub},
  };
  return kPairs;
}

// (pair, zlab plays a, a binds, transport)
using Case = std::tuple<size_t, bool, bool, std::string>;

class InteropTest : public ::testing::TestWithParam<Case> {
 protected:
  static void SetUpTestSuite() { peer_ = new PeerProcess(); }
  static void TearDownTestSuite() {
    delete peer_;
    peer_ = nullptr;
  }
  static PeerProcess* peer_;
};
PeerProcess* InteropTest::peer_ = nullptr;

TEST_P(InteropTest, Conversation) {
  auto [index, zlab_is_a, a_binds, transport] = GetParam();
  const Pair& pair = pairs()[index];
  ASSERT_TRUE(peer_->alive());
  ASSERT_EQ(peer_->request("version"), "ok 4.3.4");
  real::Context ctx;
  std::unique_ptr<Side> zlab = std::make_unique<ZlabSide>(ctx);
  std::unique_ptr<Side> libzmq = std::make_unique<LibzmqSide>(*peer_);
  Side& a = zlab_is_a ? *zlab : *libzmq;
  Side& b = zlab_is_a ? *libzmq : *zlab;
  std::vector<Option> a_opts = pair.a_options;
  std::vector<Option> b_opts = pair.b_options;
  a_opts.emplace_back("HEARTBEAT_IVL", 50);
  b_opts.emplace_back("HEARTBEAT_IVL", 50);
  std::string where = transport == "tcp" ? "tcp://127.0.0.1:*" : "ipc://*";
  Side& binder = a_binds ? a : b;
  Side& connecter = a_binds ? b : a;
  std::string endpoint =
      binder.open(a_binds ? pair.a : pair.b, true, where, a_binds ? a_opts : b_opts);
  ASSERT_FALSE(endpoint.empty());
  connecter.open(a_binds ? pair.b : pair.a, false, endpoint, a_binds ? b_opts : a_opts);
  if (pair.b == SocketType::kXSub) {
    ASSERT_TRUE(b.send({"\x01t"}));
  }
  pair.scenario(a, b);
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  auto [index, zlab_is_a, a_binds, transport] = info.param;
  const Pair& pair = pairs()[index];
  std::string a(socket_type_info(pair.a).name);
  return std::string(pair.name) + "_" + (zlab_is_a ? "zlab" + a : "libzmq" + a) + "_" +
         (a_binds ? "binds" : "connects") + "_" + transport;
}

INSTANTIATE_TEST_SUITE_P(AllPairs, InteropTest,
                         ::testing::Combine(::testing::Range<size_t>(0, 12), ::testing::Bool(),
                                            ::testing::Bool(), ::testing::Values("tcp", "ipc")),
                         case_name);

}  // namespace
}  // namespace zlab::interop

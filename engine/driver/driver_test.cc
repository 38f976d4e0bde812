// The runner and pumps against a fake driver whose byte streams read and write a few bytes at
// a time: two cores converse through it with nothing but the Driver interface.
#include "engine/driver/driver.h"

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <memory>
#include <string>

namespace zlab {
namespace {

// Two cores, one fake "network": listeners by endpoint text, streams as byte queues.
class FakeWorld {
 public:
  struct Pipe {
    std::deque<uint8_t> bytes;
    bool closed = false;
  };
  struct End {
    std::shared_ptr<Pipe> in;
    std::shared_ptr<Pipe> out;
  };

  class Node final : public Driver {
   public:
    Node(FakeWorld& world, SocketType type) : world_(world), core(type, 7) {}
    int64_t now_ns() override { return world_.now_ns; }
    Err listen(EndpointId id, const Endpoint& endpoint, const SocketOptions&,
               std::string* resolved) override {
      if (world_.listeners.count(endpoint.text)) return Err::kAddrInUse;
      world_.listeners[endpoint.text] = {this, id};
      *resolved = endpoint.text;
      return Err::kOk;
    }
    ConnectResult connect(StreamId id, const Endpoint& endpoint, const SocketOptions&) override {
      auto it = world_.listeners.find(endpoint.text);
      if (it == world_.listeners.end())
        return {ConnectResult::Kind::kFailed, Err::kConnRefused, {}};
      auto a = std::make_shared<Pipe>();
      auto b = std::make_shared<Pipe>();
      ends[id] = End{a, b};
      Node* server = it->second.first;
      StreamId accepted = server->core.handle_accepted(it->second.second, "client", now_ns());
      server->ends[accepted] = End{b, a};
      carry_out(server->core, *server);
      return {ConnectResult::Kind::kConnected, Err::kOk, "server"};
    }
    void set_interest(StreamId id, bool read, bool write) override { interest[id] = {read, write}; }
    void set_deadline(int64_t deadline_ns) override { deadline = deadline_ns; }
    void close_stream(StreamId id) override {
      if (ends.count(id)) ends[id].out->closed = true;
      ends.erase(id);
      ++closed_streams;
    }
    void shutdown_write(StreamId) override {}
    void close_listener(EndpointId) override {}

    FakeWorld& world_;
    SocketCore core;
    std::map<StreamId, End> ends;
    std::map<StreamId, std::pair<bool, bool>> interest;
    int64_t deadline = INT64_MAX;
    int closed_streams = 0;
  };

  // At most `chunk` bytes per read or write call: short I/O on purpose.
  class ChunkStream final : public ByteStream {
   public:
    ChunkStream(End end, size_t chunk) : end_(end), chunk_(chunk) {}
    Status read(std::span<uint8_t> into, size_t* n, Err*) override {
      if (end_.in->bytes.empty()) return end_.in->closed ? Status::kEof : Status::kWouldBlock;
      *n = std::min({into.size(), chunk_, end_.in->bytes.size()});
      for (size_t i = 0; i < *n; ++i) {
        into[i] = end_.in->bytes.front();
        end_.in->bytes.pop_front();
      }
      return Status::kOk;
    }
    Status writev(const wire::IoSlice* slices, size_t count, size_t* n, Err*) override {
      *n = 0;
      for (size_t k = 0; k < count && *n < chunk_; ++k) {
        size_t take = std::min(slices[k].size, chunk_ - *n);
        end_.out->bytes.insert(end_.out->bytes.end(), slices[k].data, slices[k].data + take);
        *n += take;
      }
      return Status::kOk;
    }

   private:
    End end_;
    size_t chunk_;
  };

  void pump(Node& node, size_t chunk) {
    for (auto& [id, end] : std::map<StreamId, End>(node.ends)) {
      ChunkStream stream(end, chunk);
      pump_in(node.core, id, stream, now_ns, 1000);
      if (node.ends.count(id)) pump_out(node.core, id, stream, now_ns, 1000);
    }
    carry_out(node.core, node);
  }

  int64_t now_ns = 0;
  std::map<std::string, std::pair<Node*, EndpointId>> listeners;
};

TEST(DriverTest, TwoCoresConverseThroughTheInterfaceWithShortIo) {
  FakeWorld world;
  FakeWorld::Node server(world, SocketType::kRep);
  FakeWorld::Node client(world, SocketType::kReq);
  ASSERT_EQ(bind_through(server.core, server, "tcp://x:1"), Err::kOk);
  EXPECT_EQ(bind_through(client.core, client, "tcp://x:1"), Err::kAddrInUse);
  ASSERT_EQ(client.core.connect("tcp://x:1", 0), Err::kOk);
  carry_out(client.core, client);
  Msg request = Msg::copy_of(std::string_view(std::string(5000, 'q')));
  ASSERT_EQ(client.core.send(request, 0, 0), Err::kOk);
  carry_out(client.core, client);
  Msg got;
  for (int i = 0; i < 10000 && server.core.recv(&got, 0) == Err::kAgain; ++i) {
    world.pump(client, 3);
    world.pump(server, 3);
  }
  EXPECT_EQ(got.size(), 5000u);
  // The runner told the driver what each stream wants: the server's stream wants to read.
  ASSERT_FALSE(server.interest.empty());
  EXPECT_TRUE(server.interest.begin()->second.first);
}

TEST(DriverTest, RefusedConnectIsRetriedAtTheDeadline) {
  FakeWorld world;
  FakeWorld::Node client(world, SocketType::kPush);
  ASSERT_EQ(client.core.connect("tcp://nobody:1", 0), Err::kOk);
  carry_out(client.core, client);
  EXPECT_NE(client.deadline, INT64_MAX);  // the reconnect timer
  FakeWorld::Node server(world, SocketType::kPull);
  ASSERT_EQ(bind_through(server.core, server, "tcp://nobody:1"), Err::kOk);
  world.now_ns = client.deadline;
  client.core.handle_timeout(world.now_ns);
  carry_out(client.core, client);
  EXPECT_EQ(client.ends.size(), 1u);
}

TEST(DriverTest, EofReachesTheCoreAndTheStreamIsClosed) {
  FakeWorld world;
  FakeWorld::Node server(world, SocketType::kPull);
  FakeWorld::Node client(world, SocketType::kPush);
  ASSERT_EQ(bind_through(server.core, server, "tcp://x:1"), Err::kOk);
  client.core.connect("tcp://x:1", 0);
  carry_out(client.core, client);
  for (int i = 0; i < 20; ++i) {
    world.pump(client, 64);
    world.pump(server, 64);
  }
  client.core.disconnect("tcp://x:1", 0);
  carry_out(client.core, client);
  EXPECT_EQ(client.closed_streams, 1);
  world.pump(server, 64);
  EXPECT_EQ(server.closed_streams, 1);
}

}  // namespace
}  // namespace zlab

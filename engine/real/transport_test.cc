// The transport's syscalls: ZMQ_SNDBUF/ZMQ_RCVBUF reach the kernel on both ends of a tcp
// connection (listening, accepted and connecting sockets), and -1 leaves the OS default.
#include "engine/real/transport.h"

#include <arpa/inet.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <string>

namespace zlab::real {
namespace {

int buffer_of(int fd, int which) {
  int v = 0;
  socklen_t len = sizeof v;
  EXPECT_EQ(getsockopt(fd, SOL_SOCKET, which, &v, &len), 0);
  return v;
}

Endpoint tcp(const std::string& address) {
  Endpoint e;
  e.transport = Transport::kTcp;
  e.address = address;
  e.text = "tcp://" + address;
  return e;
}

TEST(TransportTest, BufferSizesReachListeningAcceptedAndConnectingSockets) {
  Listening listening;
  ASSERT_EQ(listen_on(tcp("127.0.0.1:*"), false, 16, {6000, 7000}, &listening), Err::kOk);
  // Linux doubles what is asked for (bookkeeping overhead) and reports the doubled value.
  EXPECT_EQ(buffer_of(listening.fd, SO_SNDBUF), 12000);
  EXPECT_EQ(buffer_of(listening.fd, SO_RCVBUF), 14000);
  std::string port = listening.resolved.substr(listening.resolved.rfind(':') + 1);
  bool in_progress = false;
  Err err = Err::kOk;
  int client = connect_to(tcp("127.0.0.1:" + port), false, {5000, 4500}, &in_progress, &err);
  ASSERT_GE(client, 0) << err_name(err);
  EXPECT_EQ(buffer_of(client, SO_SNDBUF), 10000);
  EXPECT_EQ(buffer_of(client, SO_RCVBUF), 9000);
  pollfd p{listening.fd, POLLIN, 0};
  ASSERT_EQ(poll(&p, 1, 5000), 1);
  AcceptedPeer peer;
  int server = accept_from(listening.fd, &peer, &err);
  ASSERT_GE(server, 0) << err_name(err);
  EXPECT_EQ(buffer_of(server, SO_SNDBUF), 12000);  // inherited from the listener
  EXPECT_EQ(buffer_of(server, SO_RCVBUF), 14000);
  ::close(server);
  ::close(client);
  close_listening(listening);
}

TEST(TransportTest, DefaultBuffersAreTheKernels) {
  Listening plain;
  Listening sized;
  ASSERT_EQ(listen_on(tcp("127.0.0.1:*"), false, 16, {}, &plain), Err::kOk);
  ASSERT_EQ(listen_on(tcp("127.0.0.1:*"), false, 16, {0, 0}, &sized), Err::kOk);
  EXPECT_EQ(buffer_of(plain.fd, SO_SNDBUF), buffer_of(sized.fd, SO_SNDBUF));  // 0: OS default
  EXPECT_GT(buffer_of(plain.fd, SO_SNDBUF), 0);
  close_listening(plain);
  close_listening(sized);
}

Endpoint ws(const std::string& address) {
  ParsedEndpoint parsed = parse_endpoint("ws://" + address);
  EXPECT_TRUE(parsed.endpoint.has_value()) << address;
  return parsed.endpoint.value_or(Endpoint{});
}

TEST(TransportTest, WsListenReportsAddressPortAndPathAsLibzmq) {
  struct Case {
    std::string address;
    std::string prefix;  // before the port
    std::string suffix;  // after it
  };
  // libzmq 4.3.4: ws://*:*/roundtrip -> ws://0.0.0.0:PORT/roundtrip; no path -> "/".
  for (const Case& c : {Case{"*:*/roundtrip", "ws://0.0.0.0:", "/roundtrip"},
                        Case{"127.0.0.1:*", "ws://127.0.0.1:", "/"},
                        Case{"127.0.0.1:0/a/b", "ws://127.0.0.1:", "/a/b"}}) {
    Listening listening;
    ASSERT_EQ(listen_on(ws(c.address), false, 16, {}, &listening), Err::kOk) << c.address;
    const std::string& r = listening.resolved;
    ASSERT_EQ(r.rfind(c.prefix, 0), 0u) << r;
    ASSERT_GE(r.size(), c.prefix.size() + c.suffix.size() + 1) << r;
    EXPECT_EQ(r.substr(r.size() - c.suffix.size()), c.suffix) << r;
    std::string port = r.substr(c.prefix.size(), r.size() - c.prefix.size() - c.suffix.size());
    EXPECT_GT(std::stoi(port), 0) << r;
    // A connect to the reported endpoint reaches the listener.
    bool in_progress = false;
    Err err = Err::kOk;
    std::string target = r.substr(5);
    if (target.rfind("0.0.0.0", 0) == 0) target.replace(0, 7, "127.0.0.1");
    int client = connect_to(ws(target), false, {}, &in_progress, &err);
    ASSERT_GE(client, 0) << err_name(err);
    pollfd p{listening.fd, POLLIN, 0};
    EXPECT_EQ(poll(&p, 1, 5000), 1);
    ::close(client);
    close_listening(listening);
  }
}

TEST(TransportTest, WsEndpointsNeedHostAndPort) {
  for (const char* bad :
       {"ws://127.0.0.1", "ws://127.0.0.1:/x", "ws://:5555", "ws://", "ws:///x"}) {
    EXPECT_EQ(parse_endpoint(bad).err, Err::kInvalid) << bad;
  }
  EXPECT_EQ(parse_endpoint("wss://127.0.0.1:5555").err, Err::kProtoNotSupported);
  Listening listening;
  EXPECT_EQ(listen_on(ws("127.0.0.1:x/p"), false, 16, {}, &listening), Err::kInvalid);
  WsAddress a = split_ws_address("[::1]:5555/x/y");
  EXPECT_EQ(a.host_port, "[::1]:5555");
  EXPECT_EQ(a.path, "/x/y");
  EXPECT_EQ(split_ws_address("h:1").path, "/");
}

TEST(TransportTest, AcceptReportsThePeersIp) {
  Listening listening;
  ASSERT_EQ(listen_on(tcp("127.0.0.1:*"), false, 16, {}, &listening), Err::kOk);
  std::string port = listening.resolved.substr(listening.resolved.rfind(':') + 1);
  bool in_progress = false;
  Err err = Err::kOk;
  int client = connect_to(tcp("127.0.0.1:" + port), false, {}, &in_progress, &err);
  ASSERT_GE(client, 0);
  pollfd p{listening.fd, POLLIN, 0};
  ASSERT_EQ(poll(&p, 1, 5000), 1);
  AcceptedPeer peer;
  int server = accept_from(listening.fd, &peer, &err);
  ASSERT_GE(server, 0);
  EXPECT_EQ(peer.address, "127.0.0.1");
  ASSERT_TRUE(peer.ip.has_value());
  EXPECT_FALSE(peer.ip->v6);
  EXPECT_EQ(peer.ip->bytes[0], 127);
  EXPECT_EQ(peer.ip->bytes[3], 1);
  SocketOptions options;
  EXPECT_TRUE(peer_admitted(server, peer, options));
  TcpAcceptFilter other;
  ASSERT_EQ(parse_tcp_accept_filter("127.0.0.255", false, &other), Err::kOk);
  options.tcp_accept_filters.push_back(other);
  EXPECT_FALSE(peer_admitted(server, peer, options));
  options.ipc_filters.uids.insert(getuid() + 1);  // ipc filters play no part over tcp
  options.tcp_accept_filters.clear();
  EXPECT_TRUE(peer_admitted(server, peer, options));
  ::close(server);
  ::close(client);
  close_listening(listening);
}

TEST(TransportTest, PeerCredentialsOfAUnixConnection) {
  int fds[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  PeerCredentials cred;
  ASSERT_TRUE(peer_credentials(fds[0], &cred));
  EXPECT_EQ(cred.uid, getuid());
  EXPECT_EQ(cred.gid, getgid());
  EXPECT_EQ(cred.pid, getpid());
  AcceptedPeer unix_peer;  // no IP: the ipc filters apply
  SocketOptions options;
  options.ipc_filters.pids.insert(getpid() + 1);
  EXPECT_FALSE(peer_admitted(fds[0], unix_peer, options));
  options.ipc_filters.gids.insert(getgid());
  EXPECT_TRUE(peer_admitted(fds[0], unix_peer, options));
  ::close(fds[0]);
  ::close(fds[1]);
  EXPECT_FALSE(peer_admitted(-1, unix_peer, options));  // credentials unknown: refused
}

// The group database as libzmq reads it for ZMQ_IPC_FILTER_GID: a group's member list.
TEST(TransportTest, UserInGroupReadsMemberLists) {
  setgrent();
  int checked = 0;
  while (group* g = getgrent()) {
    for (char** m = g->gr_mem; *m != nullptr && checked < 20; ++m) {
      passwd* pw = getpwnam(*m);
      if (pw == nullptr) continue;
      EXPECT_TRUE(user_in_group(pw->pw_uid, g->gr_gid)) << *m << " in " << g->gr_name;
      ++checked;
    }
  }
  endgrent();
  EXPECT_FALSE(user_in_group(getuid(), 0x7ffffff0));  // no such group
  EXPECT_FALSE(user_in_group(0x7ffffff0, getgid()));  // no such user
}

// zlab's own IP literal parser (the sans-I/O core may not call the OS) against glibc's.
TEST(TransportTest, IpParserAgreesWithGlibc) {
  for (const char* text : {"127.0.0.1",
                           "127.1",
                           "1.2.3.04",
                           "0x7f.1",
                           "08.1.1.1",
                           "1.2.3.4 ",
                           "256.1.1.1",
                           "1..1",
                           "4294967295",
                           "4294967296",
                           "::",
                           "::1",
                           "1::",
                           "fe80::1:2",
                           "::ffff:1.2.3.4",
                           "1:2:3:4:5:6:7:8",
                           "1:2:3:4:5:6:7::8",
                           "1::2::3",
                           ":::",
                           "12345::",
                           "::1.2.3.04",
                           "1:2:3:4:5:6:1.2.3.4",
                           "::1.2.3",
                           "ABCD::EF",
                           "g::",
                           "",
                           "1.2.3.4.5"}) {
    in_addr a4{};
    bool glibc_v4 = inet_aton(text, &a4) != 0 && std::strchr(text, ' ') == nullptr;
    auto ours_v4 = parse_ipv4(text);
    EXPECT_EQ(ours_v4.has_value(), glibc_v4) << text;
    if (ours_v4 && glibc_v4) {
      EXPECT_EQ(std::memcmp(ours_v4->bytes.data(), &a4, 4), 0) << text;
    }
    in6_addr a6{};
    bool glibc_v6 = inet_pton(AF_INET6, text, &a6) == 1;
    auto ours_v6 = parse_ipv6(text);
    EXPECT_EQ(ours_v6.has_value(), glibc_v6) << text;
    if (ours_v6 && glibc_v6) {
      EXPECT_EQ(std::memcmp(ours_v6->bytes.data(), &a6, 16), 0) << text;
    }
  }
}

}  // namespace
}  // namespace zlab::real

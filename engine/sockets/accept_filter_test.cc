#include "engine/sockets/accept_filter.h"

#include <gtest/gtest.h>

#include <string>

namespace zlab {
namespace {

TcpAcceptFilter filter(std::string_view text, bool ipv6 = false) {
  TcpAcceptFilter f;
  EXPECT_EQ(parse_tcp_accept_filter(text, ipv6, &f), Err::kOk) << text;
  return f;
}

IpAddress ip(std::string_view text) { return *parse_ip(text); }

TEST(TcpAcceptFilterTest, BadValuesAreInvalid) {
  // The values libzmq 4.3.4's test_tcp_accept_filter refuses, and more of the same kind.
  for (const char* bad : {"foo", "0.0.0.0foo", "0.0.0.0/foo", "0.0.0.0/", "0.0.0.0/-1",
                          "0.0.0.0/33", "", "/8", "127.0.0.1/32/", "1.2.3.4/00", "1.2.3.4/0x8",
                          "localhost", "*", " 1.2.3.4", "1.2.3.4 ", "::1", "[::1]", "fe80::1%1"}) {
    TcpAcceptFilter f;
    EXPECT_EQ(parse_tcp_accept_filter(bad, false, &f), Err::kInvalid) << bad;
  }
  for (const char* bad :
       {"::1/129", "::1/0129x", "fe80::1%", "fe80::1%0", "1.2.3.4/33", "[::1", "1::2::3"}) {
    TcpAcceptFilter f;
    EXPECT_EQ(parse_tcp_accept_filter(bad, true, &f), Err::kInvalid) << bad;
  }
}

TEST(TcpAcceptFilterTest, AcceptedForms) {
  // libzmq reads the bits with strtol (leading digits count) and the address as getaddrinfo.
  for (const char* good :
       {"127.0.0.1", "127.0.0.1/32", "0.0.0.0/0", "127.1", "1.2.3.04", "0.0.0.0/8foo",
        "127.0.0.1/ 8", "127.0.0.1/+8", "[127.0.0.1]", "::ffff:1.2.3.4"}) {
    TcpAcceptFilter f;
    EXPECT_EQ(parse_tcp_accept_filter(good, false, &f), Err::kOk) << good;
  }
  for (const char* good : {"::1", "[::1]", "::1/128", "fe80::1%1", "fe80::1%lo", "[fe80::1%2]/64",
                           "127.0.0.1", "::/0"}) {
    TcpAcceptFilter f;
    EXPECT_EQ(parse_tcp_accept_filter(good, true, &f), Err::kOk) << good;
  }
}

TEST(TcpAcceptFilterTest, Ipv4PrefixesMatch) {
  EXPECT_TRUE(tcp_accept_filter_matches(filter("127.0.0.1/32"), ip("127.0.0.1")));
  EXPECT_FALSE(tcp_accept_filter_matches(filter("127.0.0.255/32"), ip("127.0.0.1")));
  EXPECT_TRUE(tcp_accept_filter_matches(filter("127.0.0.255/24"), ip("127.0.0.1")));
  EXPECT_TRUE(tcp_accept_filter_matches(filter("10.0.0.0/8"), ip("10.200.3.4")));
  EXPECT_FALSE(tcp_accept_filter_matches(filter("10.0.0.0/8"), ip("11.0.0.1")));
  // A prefix that ends inside a byte: 192.168.0.0/23 holds .0.x and .1.x, not .2.x.
  EXPECT_TRUE(tcp_accept_filter_matches(filter("192.168.0.0/23"), ip("192.168.1.9")));
  EXPECT_FALSE(tcp_accept_filter_matches(filter("192.168.0.0/23"), ip("192.168.2.9")));
  EXPECT_TRUE(tcp_accept_filter_matches(filter("0.0.0.0/0"), ip("8.8.8.8")));
  EXPECT_FALSE(tcp_accept_filter_matches(filter("0.0.0.0/0"), ip("::1")));
}

TEST(TcpAcceptFilterTest, Ipv4FiltersMatchV4MappedPeers) {
  // A dual-stack listener sees IPv4 peers as ::ffff:a.b.c.d.
  EXPECT_TRUE(tcp_accept_filter_matches(filter("127.0.0.1"), ip("::ffff:127.0.0.1")));
  EXPECT_TRUE(tcp_accept_filter_matches(filter("127.0.0.1", true), ip("127.0.0.1")));
  EXPECT_FALSE(tcp_accept_filter_matches(filter("127.0.0.1"), ip("::ffff:127.0.0.2")));
}

TEST(TcpAcceptFilterTest, Ipv6PrefixesMatch) {
  EXPECT_TRUE(tcp_accept_filter_matches(filter("::1", true), ip("::1")));
  EXPECT_FALSE(tcp_accept_filter_matches(filter("::1", true), ip("::2")));
  EXPECT_TRUE(tcp_accept_filter_matches(filter("fe80::/10", true), ip("febf::1")));
  EXPECT_FALSE(tcp_accept_filter_matches(filter("fe80::/10", true), ip("fec0::1")));
  EXPECT_TRUE(tcp_accept_filter_matches(filter("::/0", true), ip("2001:db8::1")));
}

TEST(TcpAcceptFilterTest, ListAcceptsOnAnyMatch) {
  std::vector<TcpAcceptFilter> filters;
  EXPECT_TRUE(tcp_accept_filters_accept(filters, ip("1.2.3.4")));  // no filter: everyone
  filters.push_back(filter("127.0.0.255/32"));
  EXPECT_FALSE(tcp_accept_filters_accept(filters, ip("127.0.0.1")));
  filters.push_back(filter("127.0.0.1"));
  EXPECT_TRUE(tcp_accept_filters_accept(filters, ip("127.0.0.1")));
  EXPECT_FALSE(tcp_accept_filters_accept(filters, ip("127.0.0.2")));
}

TEST(IpcFiltersTest, AnyListedCredentialAccepts) {
  const PeerCredentials peer{1000, 100, 4242};
  int group_lookups = 0;
  auto no_groups = [&](uint32_t) {
    ++group_lookups;
    return false;
  };
  IpcFilters filters;
  EXPECT_TRUE(ipc_filters_accept(filters, peer, no_groups));
  filters.uids = {1001};
  EXPECT_FALSE(ipc_filters_accept(filters, peer, no_groups));
  filters.uids.insert(1000);
  EXPECT_TRUE(ipc_filters_accept(filters, peer, no_groups));
  filters = {};
  filters.pids = {4242};
  EXPECT_TRUE(ipc_filters_accept(filters, peer, no_groups));
  filters.pids = {4243};
  EXPECT_FALSE(ipc_filters_accept(filters, peer, no_groups));
  filters = {};
  filters.gids = {100};  // the primary group: no lookup needed
  EXPECT_TRUE(ipc_filters_accept(filters, peer, no_groups));
  EXPECT_EQ(group_lookups, 0);
}

TEST(IpcFiltersTest, SupplementaryGroupsAskTheSystem) {
  const PeerCredentials peer{1000, 100, 4242};
  IpcFilters filters;
  filters.gids = {27, 44};
  std::vector<uint32_t> asked;
  auto member_of_44 = [&](uint32_t gid) {
    asked.push_back(gid);
    return gid == 44;
  };
  EXPECT_TRUE(ipc_filters_accept(filters, peer, member_of_44));
  EXPECT_EQ(asked, (std::vector<uint32_t>{27, 44}));
  filters.gids = {27};
  EXPECT_FALSE(ipc_filters_accept(filters, peer, member_of_44));
}

}  // namespace
}  // namespace zlab

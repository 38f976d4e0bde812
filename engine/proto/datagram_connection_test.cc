#include "engine/proto/datagram_connection.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "engine/wire/zmtp_bytes.h"

namespace zlab::proto {
namespace {

using wire::DatagramRole;

// What the driver does with one received datagram: copy it into the read buffer, hand it in.
void deliver(DatagramConnection& c, const std::string& datagram) {
  std::span<uint8_t> room = c.read_buffer();
  ASSERT_GE(room.size(), datagram.size());
  std::memcpy(room.data(), datagram.data(), datagram.size());
  c.handle_read(datagram.size(), 0);
}

// What the driver sends: the one datagram poll_transmit offers, as one byte string.
std::string take_datagram(DatagramConnection& c) {
  wire::IoSlice slices[4];
  size_t count = c.poll_transmit(slices, 4);
  std::string out;
  for (size_t i = 0; i < count; ++i) {
    out.append(reinterpret_cast<const char*>(slices[i].data), slices[i].size);
  }
  if (count > 0) c.handle_written(out.size(), 0);
  return out;
}

std::vector<std::string> parts_of(DatagramConnection& c) {
  std::vector<std::string> parts;
  Msg part;
  while (c.poll_part(&part, 0)) parts.emplace_back(part.view());
  return parts;
}

Msg part(std::string_view text, bool more) {
  Msg m = Msg::copy_of(text);
  m.set_more(more);
  return m;
}

TEST(DatagramConnectionTest, ActiveAtOnceWithoutAReportedHandshake) {
  DatagramConnection c(DatagramRole::kSend, 0);
  EXPECT_TRUE(c.active());
  EXPECT_TRUE(c.is_datagram());
  ConnEvent ev;
  ASSERT_TRUE(c.poll_event(&ev));
  EXPECT_EQ(ev.kind, ConnEvent::Kind::kHandshakeSucceeded);
  EXPECT_FALSE(ev.reported);  // libzmq's udp engine has no handshake to report
  EXPECT_FALSE(c.poll_event(&ev));
}

TEST(DatagramConnectionTest, GroupAndBodyBecomeOneDatagram) {
  DatagramConnection c(DatagramRole::kSend, 0);
  ASSERT_TRUE(c.can_send());
  c.send_part(part("weather", true));
  c.send_part(part("sunny", false));
  c.send_part(part("", true));
  c.send_part(part("x", false));
  EXPECT_EQ(c.pending_bytes(), 1u + 7 + 5 + 1 + 1);
  EXPECT_EQ(take_datagram(c), wire::bytes::udp_datagram("weather", "sunny"));
  EXPECT_EQ(take_datagram(c), wire::bytes::udp_datagram("", "x"));
  EXPECT_EQ(take_datagram(c), "");
  EXPECT_EQ(c.pending_bytes(), 0u);
}

TEST(DatagramConnectionTest, ReceivedDatagramIsGroupThenBody) {
  DatagramConnection c(DatagramRole::kReceive, 0);
  deliver(c, wire::bytes::udp_datagram("g1", "hello"));
  // One datagram at a time: no room until its parts are taken.
  EXPECT_TRUE(c.read_buffer().empty());
  Msg group, body;
  ASSERT_TRUE(c.poll_part(&group, 0));
  EXPECT_EQ(group.view(), "g1");
  EXPECT_TRUE(group.more());
  ASSERT_TRUE(c.poll_part(&body, 0));
  EXPECT_EQ(body.view(), "hello");
  EXPECT_FALSE(body.more());
  EXPECT_FALSE(c.read_buffer().empty());
}

TEST(DatagramConnectionTest, MalformedDatagramIsDroppedAloneWithAReason) {
  DatagramConnection c(DatagramRole::kReceive, 0);
  deliver(c, wire::bytes::udp_datagram("g", "1"));
  EXPECT_EQ(parts_of(c), (std::vector<std::string>{"g", "1"}));
  deliver(c, wire::bytes::raw_udp_datagram(40, "g", "2"));  // group runs past the end
  EXPECT_EQ(c.malformed_datagrams(), 1u);
  EXPECT_EQ(c.last_malformed(), "group length beyond the end of the datagram");
  EXPECT_TRUE(parts_of(c).empty());
  c.handle_read(0, 0);  // an empty datagram
  EXPECT_EQ(c.malformed_datagrams(), 2u);
  EXPECT_EQ(c.last_malformed(), "empty datagram (no group length byte)");
  // The endpoint lives on: the next good datagram arrives.
  EXPECT_TRUE(c.active());
  deliver(c, wire::bytes::udp_datagram("g", "3"));
  EXPECT_EQ(parts_of(c), (std::vector<std::string>{"g", "3"}));
}

TEST(DatagramConnectionTest, DatagramLongerThanTheLimitIsDroppedNotCut) {
  DatagramConnection c(DatagramRole::kReceive, 0);
  std::span<uint8_t> room = c.read_buffer();
  ASSERT_EQ(room.size(), wire::kMaxUdpDatagram + 1);
  room[0] = 0;
  c.handle_read(room.size(), 0);  // the read filled the spare byte: the datagram was longer
  EXPECT_EQ(c.malformed_datagrams(), 1u);
  EXPECT_EQ(c.last_malformed(), "datagram larger than 8192 bytes");
  EXPECT_TRUE(parts_of(c).empty());
}

TEST(DatagramConnectionTest, MessageTooLargeForADatagramIsDroppedWhole) {
  DatagramConnection c(DatagramRole::kSend, 0);
  c.send_part(part("g", true));
  c.send_part(part(std::string(wire::kMaxUdpDatagram, 'x'), false));
  c.send_part(part(std::string(256, 'g'), true));  // no group is that long
  c.send_part(part("b", false));
  EXPECT_EQ(c.unsendable_messages(), 2u);
  EXPECT_EQ(take_datagram(c), "");
  // The largest that fits goes.
  c.send_part(part("g", true));
  c.send_part(part(std::string(wire::kMaxUdpDatagram - 2, 'x'), false));
  EXPECT_EQ(take_datagram(c).size(), wire::kMaxUdpDatagram);
}

TEST(DatagramConnectionTest, APartCarryingItsGroupIsOneDatagram) {
  DatagramConnection c(DatagramRole::kSend, 0);
  Msg m = Msg::copy_of(std::string_view("hello"));
  ASSERT_EQ(m.set_group("weather"), Err::kOk);
  c.send_part(std::move(m));
  EXPECT_EQ(take_datagram(c), wire::bytes::udp_datagram("weather", "hello"));
}

TEST(DatagramConnectionTest, ReceivedBodyCarriesItsGroup) {
  DatagramConnection c(DatagramRole::kReceive, 0);
  deliver(c, wire::bytes::udp_datagram("a-long-group-name", "x"));
  Msg group, body;
  ASSERT_TRUE(c.poll_part(&group, 0));
  ASSERT_TRUE(c.poll_part(&body, 0));
  EXPECT_EQ(body.group(), "a-long-group-name");
}

TEST(DatagramConnectionTest, LonePartIsABodyInTheEmptyGroupAndExtraPartsAreNotSent) {
  DatagramConnection c(DatagramRole::kSend, 0);
  c.send_part(part("alone", false));
  c.send_part(part("g", true));
  c.send_part(part("body", true));
  c.send_part(part("extra", false));
  EXPECT_EQ(take_datagram(c), wire::bytes::udp_datagram("", "alone"));
  EXPECT_EQ(take_datagram(c), wire::bytes::udp_datagram("g", "body"));
  EXPECT_EQ(take_datagram(c), "");
}

TEST(DatagramConnectionTest, QueueIsBoundedAndCloseFinishesOnceSent) {
  DatagramConnection c(DatagramRole::kSend, 0);
  for (size_t i = 0; i < DatagramConnection::kMaxQueuedDatagrams; ++i) {
    ASSERT_TRUE(c.can_send());
    c.send_part(part("g", true));
    c.send_part(part("b", false));
  }
  EXPECT_FALSE(c.can_send());
  c.close(CloseReason::kLocalClose, "closed");
  EXPECT_FALSE(c.finished());  // what was queued still goes (ZMQ_LINGER)
  while (!take_datagram(c).empty()) {
  }
  EXPECT_TRUE(c.finished());
}

TEST(DatagramConnectionTest, ASenderReadsNothingAndAReceiverSendsNothing) {
  DatagramConnection sender(DatagramRole::kSend, 0);
  EXPECT_TRUE(sender.read_buffer().empty());
  DatagramConnection receiver(DatagramRole::kReceive, 0);
  // What a DISH sends (JOIN/LEAVE) is taken and dropped: joins are local over udp.
  EXPECT_TRUE(receiver.can_send());
  receiver.send_part(part("b", false));
  EXPECT_EQ(receiver.pending_bytes(), 0u);
  EXPECT_EQ(take_datagram(receiver), "");
}

// An addressed endpoint's envelope as the driver builds it (the datagram layout, the address
// in the group's place; not network bytes, so not through the datagram codec).
std::string envelope(std::string_view address, std::string_view body) {
  return wire::bytes::raw_udp_datagram(uint8_t(address.size()), address, body);
}

// DGRAM: the driver's envelope (the address where a group would be, the same layout) in, the
// address (NUL-terminated, as libzmq gives it) and the body out; and the reverse on sending,
// where the address a reply copies from a received one drops its NUL again.
TEST(DatagramConnectionTest, AddressedEndpointNamesThePeerOfEachMessage) {
  DatagramConnection c(DatagramRole::kAddressed, 0);
  deliver(c, envelope("127.0.0.1:5560", "question"));
  EXPECT_EQ(parts_of(c),
            (std::vector<std::string>{std::string("127.0.0.1:5560\0", 15), "question"}));
  ASSERT_TRUE(c.can_send());
  c.send_part(part(std::string_view("127.0.0.1:5560\0", 15), true));
  c.send_part(part("answer", false));
  c.send_part(part("127.0.0.1:5561", true));
  c.send_part(part("", false));
  EXPECT_EQ(take_datagram(c), envelope("127.0.0.1:5560", "answer"));
  EXPECT_EQ(take_datagram(c), envelope("127.0.0.1:5561", ""));
}

// The address is not on the network: a body may fill the whole datagram, and no more.
TEST(DatagramConnectionTest, AddressedBodyUpToTheDatagramLimit) {
  DatagramConnection c(DatagramRole::kAddressed, 0);
  std::string full(wire::kMaxUdpDatagram, 'x');
  c.send_part(part("127.0.0.1:1", true));
  c.send_part(part(full + "y", false));
  EXPECT_EQ(c.unsendable_messages(), 1u);
  c.send_part(part("127.0.0.1:1", true));
  c.send_part(part(full, false));
  EXPECT_EQ(take_datagram(c), envelope("127.0.0.1:1", full));
  deliver(c, envelope("127.0.0.1:1", full));
  EXPECT_EQ(parts_of(c).size(), 2u);
  deliver(c, envelope("127.0.0.1:1", full + "y"));
  EXPECT_TRUE(parts_of(c).empty());
  EXPECT_EQ(c.malformed_datagrams(), 1u);
}

}  // namespace
}  // namespace zlab::proto

#include "pcap/pcapng_writer.h"

#include <gtest/gtest.h>

#include <cstring>

#include "pcap/tcp_synth.h"

namespace zlab::pcap {
namespace {

uint32_t le32(const std::vector<uint8_t>& v, size_t at) {
  uint32_t x;
  std::memcpy(&x, v.data() + at, 4);
  return x;
}

// Walks the blocks: every block's leading and trailing lengths agree and are 4-aligned.
std::vector<uint32_t> block_types(const std::vector<uint8_t>& file) {
  std::vector<uint32_t> types;
  size_t at = 0;
  while (at < file.size()) {
    uint32_t type = le32(file, at);
    uint32_t len = le32(file, at + 4);
    EXPECT_EQ(len % 4, 0u);
    EXPECT_LE(at + len, file.size());
    EXPECT_EQ(le32(file, at + len - 4), len);
    types.push_back(type);
    at += len;
  }
  return types;
}

TEST(PcapngWriterTest, BlocksAreWellFormed) {
  PcapngWriter w("test");
  uint32_t id = w.add_interface(kLinkEthernet, "sim0", "");
  const uint8_t ip[4] = {10, 0, 0, 1};
  w.add_name(ip, "alpha");
  const uint8_t frame[] = {1, 2, 3};
  w.add_packet(id, 123456789012345ull, frame, "odd length, with a comment");
  std::vector<uint32_t> types = block_types(w.bytes());
  EXPECT_EQ(types, (std::vector<uint32_t>{0x0A0D0D0A, 1, 4, 6}));
  EXPECT_EQ(le32(w.bytes(), 8), 0x1A2B3C4Du);
}

TEST(PcapngWriterTest, SameCallsGiveTheSameBytes) {
  auto make = [] {
    PcapngWriter w("test");
    uint32_t id = w.add_interface(kLinkEthernet, "sim0", "");
    TcpFlow flow({{10, 0, 0, 1}, 1}, {{10, 0, 0, 2}, 2}, 7, 9);
    uint64_t t = 0;
    for (const Frame& f : flow.open()) w.add_packet(id, t += 5, f.bytes, f.comment);
    return w.bytes();
  };
  EXPECT_EQ(make(), make());
}

TEST(PcapngWriterTest, TextPduNamesTheTextDissector) {
  std::vector<uint8_t> pdu = text_pdu("crash");
  // tag 12 (dissector name), length 16: "data-text-lines" NUL-padded; end tag; the text.
  std::vector<uint8_t> head = {0, 12, 0, 16};
  EXPECT_TRUE(std::equal(head.begin(), head.end(), pdu.begin()));
  EXPECT_EQ(std::string(pdu.begin() + 4, pdu.begin() + 19), "data-text-lines");
  EXPECT_EQ(pdu[19], 0);
  EXPECT_EQ(std::string(pdu.begin() + 20, pdu.begin() + 24), std::string(4, '\0'));
  EXPECT_EQ(std::string(pdu.begin() + 24, pdu.end()), "crash\n");
}

TEST(TcpSynthTest, ChecksumsVerify) {
  TcpFlow flow({{192, 168, 1, 1}, 1234}, {{192, 168, 1, 2}, 80}, 100, 200);
  const uint8_t payload[] = {'h', 'e', 'l', 'l', 'o'};
  for (const Frame& f : flow.send(Dir::kClientToServer, payload)) {
    std::span<const uint8_t> ip(f.bytes.data() + 14, 20);
    EXPECT_EQ(internet_checksum(ip), 0);  // a correct header sums to zero
    std::span<const uint8_t> tcp(f.bytes.data() + 34, f.bytes.size() - 34);
    uint32_t sum = 0;
    for (int i = 0; i < 8; i += 2) sum += uint32_t(f.bytes[26 + i] << 8 | f.bytes[27 + i]);
    sum += 6 + uint32_t(tcp.size());
    EXPECT_EQ(internet_checksum(tcp, sum), 0);
  }
}

TEST(TcpSynthTest, LargeDataIsSegmentedAtTheMss) {
  TcpFlow flow({{10, 0, 0, 1}, 1}, {{10, 0, 0, 2}, 2}, 0, 0);
  flow.open();
  std::vector<uint8_t> big(TcpFlow::kMss * 2 + 10, 'z');
  auto frames = flow.send(Dir::kClientToServer, big);
  ASSERT_EQ(frames.size(), 4u);  // three segments and the ACK
  EXPECT_EQ(frames[0].bytes.size(), 54 + TcpFlow::kMss);
  EXPECT_EQ(frames[2].bytes.size(), 54 + 10u);
  EXPECT_EQ(frames[3].bytes.size(), 54u);
}

}  // namespace
}  // namespace zlab::pcap

#include "pcap/tcp_synth.h"

#include <algorithm>

namespace zlab::pcap {
namespace {

void put16be(std::vector<uint8_t>& v, uint16_t x) {
  v.push_back(uint8_t(x >> 8));
  v.push_back(uint8_t(x));
}

void put32be(std::vector<uint8_t>& v, uint32_t x) {
  for (int shift = 24; shift >= 0; shift -= 8) v.push_back(uint8_t(x >> shift));
}

// A locally administered MAC derived from the IPv4 address: stable and readable.
void put_mac(std::vector<uint8_t>& v, const std::array<uint8_t, 4>& ip) {
  v.push_back(0x02);
  v.push_back(0x00);
  v.insert(v.end(), ip.begin(), ip.end());
}

}  // namespace

uint16_t internet_checksum(std::span<const uint8_t> bytes, uint32_t sum) {
  for (size_t i = 0; i + 1 < bytes.size(); i += 2) sum += uint32_t(bytes[i] << 8 | bytes[i + 1]);
  if (bytes.size() % 2) sum += uint32_t(bytes.back() << 8);
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  return uint16_t(~sum);
}

Frame udp_frame(Ipv4Endpoint src, Ipv4Endpoint dst, std::span<const uint8_t> payload,
                uint16_t ip_id, std::string comment) {
  std::vector<uint8_t> udp;
  put16be(udp, src.port);
  put16be(udp, dst.port);
  put16be(udp, uint16_t(8 + payload.size()));
  put16be(udp, 0);  // checksum, below
  udp.insert(udp.end(), payload.begin(), payload.end());
  uint32_t sum = 0;
  for (int i = 0; i < 4; i += 2) {
    sum += uint32_t(src.ip[i] << 8 | src.ip[i + 1]);
    sum += uint32_t(dst.ip[i] << 8 | dst.ip[i + 1]);
  }
  sum += 17 + uint32_t(udp.size());
  uint16_t check = internet_checksum(udp, sum);
  if (check == 0) check = 0xFFFF;  // 0 means "no checksum" in UDP
  udp[6] = uint8_t(check >> 8);
  udp[7] = uint8_t(check);

  std::vector<uint8_t> ip;
  ip.push_back(0x45);
  ip.push_back(0);
  put16be(ip, uint16_t(20 + udp.size()));
  put16be(ip, ip_id);
  put16be(ip, 0x4000);  // don't fragment
  ip.push_back(64);     // TTL
  ip.push_back(17);     // UDP
  put16be(ip, 0);
  ip.insert(ip.end(), src.ip.begin(), src.ip.end());
  ip.insert(ip.end(), dst.ip.begin(), dst.ip.end());
  uint16_t ip_check = internet_checksum(ip);
  ip[10] = uint8_t(ip_check >> 8);
  ip[11] = uint8_t(ip_check);

  Frame frame;
  if ((dst.ip[0] & 0xF0) == 0xE0) {
    frame.bytes = {0x01, 0x00, 0x5E, uint8_t(dst.ip[1] & 0x7F), dst.ip[2], dst.ip[3]};
  } else {
    put_mac(frame.bytes, dst.ip);
  }
  put_mac(frame.bytes, src.ip);
  put16be(frame.bytes, 0x0800);
  frame.bytes.insert(frame.bytes.end(), ip.begin(), ip.end());
  frame.bytes.insert(frame.bytes.end(), udp.begin(), udp.end());
  frame.comment = std::move(comment);
  return frame;
}

TcpFlow::TcpFlow(Ipv4Endpoint client, Ipv4Endpoint server, uint32_t client_isn, uint32_t server_isn)
    : client_{client, client_isn, client_isn, 0}, server_{server, server_isn, server_isn, 0} {}

Frame TcpFlow::segment(Dir dir, uint8_t flags, uint32_t seq, std::span<const uint8_t> payload,
                       std::string comment) {
  const Side& src = dir == Dir::kClientToServer ? client_ : server_;
  const Side& dst = dir == Dir::kClientToServer ? server_ : client_;
  std::vector<uint8_t> tcp;
  put16be(tcp, src.ep.port);
  put16be(tcp, dst.ep.port);
  put32be(tcp, seq);
  put32be(tcp, (flags & kTcpAck) ? src.rcv_next : 0);
  tcp.push_back(5 << 4);  // 20-byte header
  tcp.push_back(flags);
  put16be(tcp, 65535);  // window
  put16be(tcp, 0);      // checksum, below
  put16be(tcp, 0);      // urgent pointer
  tcp.insert(tcp.end(), payload.begin(), payload.end());
  // Pseudo-header: source, destination, zero, protocol, TCP length.
  uint32_t sum = 0;
  for (int i = 0; i < 4; i += 2) {
    sum += uint32_t(src.ep.ip[i] << 8 | src.ep.ip[i + 1]);
    sum += uint32_t(dst.ep.ip[i] << 8 | dst.ep.ip[i + 1]);
  }
  sum += 6 + uint32_t(tcp.size());
  uint16_t check = internet_checksum(tcp, sum);
  tcp[16] = uint8_t(check >> 8);
  tcp[17] = uint8_t(check);

  std::vector<uint8_t> ip;
  ip.push_back(0x45);
  ip.push_back(0);
  put16be(ip, uint16_t(20 + tcp.size()));
  put16be(ip, ip_id_++);
  put16be(ip, 0x4000);  // don't fragment
  ip.push_back(64);     // TTL
  ip.push_back(6);      // TCP
  put16be(ip, 0);
  ip.insert(ip.end(), src.ep.ip.begin(), src.ep.ip.end());
  ip.insert(ip.end(), dst.ep.ip.begin(), dst.ep.ip.end());
  uint16_t ip_check = internet_checksum(ip);
  ip[10] = uint8_t(ip_check >> 8);
  ip[11] = uint8_t(ip_check);

  Frame frame;
  put_mac(frame.bytes, dst.ep.ip);
  put_mac(frame.bytes, src.ep.ip);
  put16be(frame.bytes, 0x0800);
  frame.bytes.insert(frame.bytes.end(), ip.begin(), ip.end());
  frame.bytes.insert(frame.bytes.end(), tcp.begin(), tcp.end());
  frame.comment = std::move(comment);
  return frame;
}

std::vector<Frame> TcpFlow::open() {
  std::vector<Frame> out;
  out.push_back(segment(Dir::kClientToServer, kTcpSyn, client_.next_seq++, {}));
  caught_up(Dir::kClientToServer);
  out.push_back(segment(Dir::kServerToClient, kTcpSyn | kTcpAck, server_.next_seq++, {}));
  caught_up(Dir::kServerToClient);
  out.push_back(segment(Dir::kClientToServer, kTcpAck, client_.next_seq, {}));
  return out;
}

std::vector<Frame> TcpFlow::refused() {
  std::vector<Frame> out;
  out.push_back(segment(Dir::kClientToServer, kTcpSyn, client_.next_seq++, {}));
  caught_up(Dir::kClientToServer);
  out.push_back(segment(Dir::kServerToClient, kTcpRst | kTcpAck, 0, {}, "connection refused"));
  return out;
}

std::vector<Frame> TcpFlow::send(Dir dir, std::span<const uint8_t> bytes) {
  uint32_t seq = 0;
  std::vector<Frame> out = transmit(dir, bytes, &seq);
  std::vector<Frame> ack = receive(dir, bytes.size());
  out.insert(out.end(), ack.begin(), ack.end());
  return out;
}

std::vector<Frame> TcpFlow::send_lost(Dir dir, std::span<const uint8_t> bytes) {
  return transmit(dir, bytes, &from(dir).lost_seq, "lost in the network");
}

std::vector<Frame> TcpFlow::send_retransmission(Dir dir, std::span<const uint8_t> bytes) {
  std::vector<Frame> out = retransmit(dir, from(dir).lost_seq, bytes, "retransmission after loss");
  std::vector<Frame> ack = receive(dir, bytes.size());
  out.insert(out.end(), ack.begin(), ack.end());
  return out;
}

std::vector<Frame> TcpFlow::transmit(Dir dir, std::span<const uint8_t> bytes, uint32_t* seq,
                                     std::string comment) {
  *seq = from(dir).next_seq;
  std::vector<Frame> out = retransmit(dir, *seq, bytes, std::move(comment));
  from(dir).next_seq += uint32_t(bytes.size());
  return out;
}

std::vector<Frame> TcpFlow::retransmit(Dir dir, uint32_t seq, std::span<const uint8_t> bytes,
                                       std::string comment) {
  std::vector<Frame> out;
  for (size_t off = 0; off < bytes.size(); off += kMss) {
    auto piece = bytes.subspan(off, std::min(kMss, bytes.size() - off));
    out.push_back(segment(dir, kTcpAck | kTcpPsh, seq, piece, comment));
    seq += uint32_t(piece.size());
  }
  return out;
}

std::vector<Frame> TcpFlow::receive(Dir dir, size_t len) {
  to(dir).rcv_next += uint32_t(len);
  return {segment(back(dir), kTcpAck, to(dir).next_seq, {})};
}

std::vector<Frame> TcpFlow::close(Dir dir) {
  std::vector<Frame> out = fin(dir);
  std::vector<Frame> other = fin(back(dir));
  out.insert(out.end(), other.begin(), other.end());
  return out;
}

std::vector<Frame> TcpFlow::fin(Dir dir) {
  std::vector<Frame> out;
  out.push_back(segment(dir, kTcpFin | kTcpAck, from(dir).next_seq++, {}));
  caught_up(dir);
  out.push_back(segment(back(dir), kTcpAck, to(dir).next_seq, {}));
  return out;
}

std::vector<Frame> TcpFlow::reset(Dir dir) {
  std::vector<Frame> out;
  out.push_back(segment(dir, kTcpRst | kTcpAck, from(dir).next_seq, {}, "connection reset"));
  return out;
}

}  // namespace zlab::pcap

// Ethernet/IPv4/TCP frames for one connection, with sequence and acknowledgement numbers
// that agree, so Wireshark reassembles the stream and its TCP analysis shows exactly the
// troubles we put in (retransmissions, resets) and no others.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace zlab::pcap {

struct Ipv4Endpoint {
  std::array<uint8_t, 4> ip;
  uint16_t port;
};

struct Frame {
  std::vector<uint8_t> bytes;
  std::string comment;
};

enum class Dir : uint8_t { kClientToServer, kServerToClient };

// One Ethernet/IPv4/UDP frame (checksums right, don't-fragment): a udp:// datagram. A
// multicast destination (224.0.0.0/4) gets its group's MAC (01:00:5e + the low 23 bits).
Frame udp_frame(Ipv4Endpoint src, Ipv4Endpoint dst, std::span<const uint8_t> payload,
                uint16_t ip_id, std::string comment = {});

class TcpFlow {
 public:
  static constexpr size_t kMss = 1460;

  TcpFlow(Ipv4Endpoint client, Ipv4Endpoint server, uint32_t client_isn, uint32_t server_isn);

  // SYN, SYN-ACK, ACK.
  std::vector<Frame> open();
  // A connect to a closed port: SYN, then RST-ACK from the server.
  std::vector<Frame> refused();
  // Data segments of at most kMss bytes, then the receiver's ACK.
  std::vector<Frame> send(Dir dir, std::span<const uint8_t> bytes);
  // The first transmission of data the network loses: segments the receiver never
  // acknowledges. send_retransmission() later carries the same bytes again.
  std::vector<Frame> send_lost(Dir dir, std::span<const uint8_t> bytes);
  std::vector<Frame> send_retransmission(Dir dir, std::span<const uint8_t> bytes);
  // Orderly close started by `dir`'s sender: FIN, ACK, FIN, ACK.
  std::vector<Frame> close(Dir dir);
  // One side's half of an orderly close: `dir`'s sender sends FIN, the other side ACKs it.
  std::vector<Frame> fin(Dir dir);
  // Abort by `dir`'s sender.
  std::vector<Frame> reset(Dir dir);

  // The sender's view, for a network that delivers later than it sends (the simulator):
  // data goes out when sent, and is acknowledged only when the receiver has it.
  // New data from `dir`'s sender (no ACK from the receiver yet); *seq gets its first number.
  std::vector<Frame> transmit(Dir dir, std::span<const uint8_t> bytes, uint32_t* seq,
                              std::string comment = {});
  // Data sent again from sequence number `seq`.
  std::vector<Frame> retransmit(Dir dir, uint32_t seq, std::span<const uint8_t> bytes,
                                std::string comment = {});
  // The receiver got `len` more bytes of `dir`'s stream, in order: its ACK.
  std::vector<Frame> receive(Dir dir, size_t len);

 private:
  struct Side {
    Ipv4Endpoint ep;
    uint32_t next_seq;  // next sequence number this side sends
    uint32_t lost_seq;  // where the last lost data started
    uint32_t rcv_next;  // what this side acknowledges: the peer's stream received so far
  };
  // Every segment but the first SYN carries ACK = the sender's rcv_next.
  Frame segment(Dir dir, uint8_t flags, uint32_t seq, std::span<const uint8_t> payload,
                std::string comment = {});
  // The receiving side of `dir` has everything its peer sent so far.
  void caught_up(Dir dir) { to(dir).rcv_next = from(dir).next_seq; }
  static Dir back(Dir dir) {
    return dir == Dir::kClientToServer ? Dir::kServerToClient : Dir::kClientToServer;
  }
  Side& from(Dir dir) { return dir == Dir::kClientToServer ? client_ : server_; }
  Side& to(Dir dir) { return dir == Dir::kClientToServer ? server_ : client_; }

  Side client_;
  Side server_;
  uint16_t ip_id_ = 1;
};

inline constexpr uint8_t kTcpFin = 0x01;
inline constexpr uint8_t kTcpSyn = 0x02;
inline constexpr uint8_t kTcpRst = 0x04;
inline constexpr uint8_t kTcpPsh = 0x08;
inline constexpr uint8_t kTcpAck = 0x10;

// The Internet checksum (RFC 1071) of bytes, continuing from `sum`.
uint16_t internet_checksum(std::span<const uint8_t> bytes, uint32_t sum = 0);

}  // namespace zlab::pcap

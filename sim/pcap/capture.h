// A simulated run as a pcapng file: a PacketSink (sim/net/packet_sink.h) that turns the
// network's connections into synthesized Ethernet/IPv4/TCP flows (pcap/tcp_synth.h) and writes
// them with the pcapng writer (pcap/pcapng_writer.h).
//
//  * hosts are IPv4 addresses 10.0.x.y (host 0 is 10.0.0.1), their names in the name
//    resolution block, so Wireshark shows "h1" and "h2";
//  * timestamps are the run's virtual time in nanoseconds;
//  * every connection is a TCP flow with agreeing sequence and acknowledgement numbers: the
//    handshake, each delivered segment (cut at the MSS) and its ACK, FINs, RSTs, refused
//    connects; a segment the network lost appears once as lost and once as retransmitted;
//  * what caused a packet (an injected reset, a loss) is that packet's comment; events with no
//    packet (partitions, crashes, restarts, mute sockets, HWM drops) are records with a
//    comment on a second interface, "events" (link type USER0, the text as payload).
//
// The capture is taken at the senders: data appears when sent (a lost transmission too, with a
// comment), its ACK when it arrives, a retransmission when the copy that got through arrives.
// Records are kept until finish() and written in time order (stable: same time, call order).
// The file is a pure function of the calls: the same seed gives the same bytes.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "pcap/pcapng_writer.h"
#include "pcap/tcp_synth.h"
#include "sim/net/packet_sink.h"

namespace zlab::sim {

class PcapCapture final : public PacketSink {
 public:
  // `application` goes into the section header (e.g. the command that makes the run).
  explicit PcapCapture(std::string_view application);

  static std::array<uint8_t, 4> address_of(HostId host);

  void host(HostId host, std::string_view name) override;
  void opened(int64_t t_ns, ConnId conn, Endpoint client, Endpoint server) override;
  void refused(int64_t t_ns, ConnId conn, Endpoint client, Endpoint server) override;
  void sent(int64_t t_ns, ConnId conn, int from, std::span<const uint8_t> bytes,
            bool lost) override;
  void delivered(int64_t t_ns, ConnId conn, int from, std::span<const uint8_t> bytes,
                 uint32_t retransmissions) override;
  void fin(int64_t t_ns, ConnId conn, int from) override;
  void rst(int64_t t_ns, ConnId conn, int from, std::string_view why) override;
  void event(int64_t t_ns, HostId host, ConnId conn, std::string_view what) override;
  // udp: one UDP/IPv4 frame per copy, when it arrived (or was lost or dropped: the comment
  // says so); to a multicast group, the group is the destination address.
  void datagram(int64_t t_ns, Endpoint from, Endpoint to, uint32_t group,
                std::span<const uint8_t> bytes, std::string_view comment) override;

  // The pcapng file: every record so far, in time order. Call once, at the end of the run.
  const std::vector<uint8_t>& finish();
  bool write_file(const std::string& path);

  size_t records() const { return records_.size(); }

 private:
  // Spacing of the SYN, SYN-ACK and ACK frames of a connection (see opened()).
  static constexpr int64_t kHandshakeStepNs = 1000;
  struct Flow {
    pcap::TcpFlow tcp;
    bool dead = false;               // reset: nothing more goes on the wire
    std::deque<uint32_t> flight[2];  // first sequence numbers of segments sent, not delivered
  };
  struct Record {
    int64_t t_ns;
    uint32_t interface;
    std::vector<uint8_t> bytes;
    std::string comment;
  };

  static pcap::Ipv4Endpoint endpoint(Endpoint e) { return {address_of(e.host), e.port}; }
  Flow* live_flow(ConnId conn);
  void emit(int64_t t_ns, std::vector<pcap::Frame> frames);

  pcap::PcapngWriter writer_;
  uint32_t eth_;
  uint32_t events_;
  std::map<ConnId, Flow> flows_;
  std::vector<Record> records_;
  uint16_t udp_ip_id_ = 1;
  bool finished_ = false;
};

}  // namespace zlab::sim

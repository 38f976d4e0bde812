#include "sim/pcap/capture.h"

#include <algorithm>

namespace zlab::sim {
namespace {

using pcap::Dir;

Dir dir_of(int from) { return from == 0 ? Dir::kClientToServer : Dir::kServerToClient; }

// Initial sequence numbers: fixed per connection, different per side.
uint32_t isn(ConnId conn, int side) {
  uint64_t x = (conn + 1) * 0x9E3779B97F4A7C15ull + uint64_t(side) * 0xBF58476D1CE4E5B9ull;
  x ^= x >> 31;
  return uint32_t(x);
}

}  // namespace

PcapCapture::PcapCapture(std::string_view application)
    : writer_(application),
      eth_(writer_.add_interface(pcap::kLinkEthernet, "sim0", "simulated network")),
      events_(writer_.add_interface(pcap::kLinkUpperPdu, "events",
                                    "simulator events with no packet of their own")) {}

std::array<uint8_t, 4> PcapCapture::address_of(HostId host) {
  return {10, 0, uint8_t((host + 1) / 256), uint8_t((host + 1) % 256)};
}

void PcapCapture::host(HostId host, std::string_view name) {
  std::array<uint8_t, 4> ip = address_of(host);
  writer_.add_name(ip.data(), name);
}

PcapCapture::Flow* PcapCapture::live_flow(ConnId conn) {
  auto it = flows_.find(conn);
  return it == flows_.end() || it->second.dead ? nullptr : &it->second;
}

void PcapCapture::emit(int64_t t_ns, std::vector<pcap::Frame> frames) {
  for (pcap::Frame& f : frames) {
    records_.push_back(Record{t_ns, eth_, std::move(f.bytes), std::move(f.comment)});
  }
}

void PcapCapture::opened(int64_t t_ns, ConnId conn, Endpoint client, Endpoint server) {
  auto [it, fresh] = flows_.try_emplace(
      conn, Flow{pcap::TcpFlow(endpoint(client), endpoint(server), isn(conn, 0), isn(conn, 1)),
                 false,
                 {}});
  if (!fresh) return;
  // The handshake's frames a step apart, ending when the SYN arrived: Wireshark takes its
  // out-of-order threshold from the handshake's round trip and, with all three at one instant,
  // falls back to 3 ms, calling a resend that follows new data closely "out-of-order" and
  // feeding its bytes to reassembly again ("New fragment overlaps old data"). A real, tiny
  // round trip keeps resends what they are: retransmissions.
  std::vector<pcap::Frame> handshake = it->second.tcp.open();
  for (size_t i = 0; i < handshake.size(); ++i) {
    int64_t before_ns = int64_t(handshake.size() - 1 - i) * kHandshakeStepNs;
    records_.push_back(Record{t_ns - before_ns, eth_, std::move(handshake[i].bytes),
                              std::move(handshake[i].comment)});
  }
}

void PcapCapture::refused(int64_t t_ns, ConnId conn, Endpoint client, Endpoint server) {
  pcap::TcpFlow once(endpoint(client), endpoint(server), isn(conn, 0), 0);
  emit(t_ns, once.refused());
}

void PcapCapture::sent(int64_t t_ns, ConnId conn, int from, std::span<const uint8_t> bytes,
                       bool lost) {
  Flow* flow = live_flow(conn);
  if (flow == nullptr || bytes.empty()) return;
  uint32_t seq = 0;
  emit(t_ns, flow->tcp.transmit(dir_of(from), bytes, &seq, lost ? "lost in the network" : ""));
  flow->flight[from].push_back(seq);
}

void PcapCapture::delivered(int64_t t_ns, ConnId conn, int from, std::span<const uint8_t> bytes,
                            uint32_t retransmissions) {
  Flow* flow = live_flow(conn);
  if (flow == nullptr || bytes.empty() || flow->flight[from].empty()) return;
  uint32_t seq = flow->flight[from].front();
  flow->flight[from].pop_front();
  Dir dir = dir_of(from);
  if (retransmissions > 0) {
    std::string why = retransmissions == 1
                          ? std::string("retransmission (1 transmission lost or held back)")
                          : "retransmission (" + std::to_string(retransmissions) +
                                " transmissions lost or held back)";
    emit(t_ns, flow->tcp.retransmit(dir, seq, bytes, why));
  }
  emit(t_ns, flow->tcp.receive(dir, bytes.size()));
}

void PcapCapture::fin(int64_t t_ns, ConnId conn, int from) {
  if (Flow* flow = live_flow(conn)) emit(t_ns, flow->tcp.fin(dir_of(from)));
}

void PcapCapture::rst(int64_t t_ns, ConnId conn, int from, std::string_view why) {
  Flow* flow = live_flow(conn);
  if (flow == nullptr) return;
  std::vector<pcap::Frame> frames = flow->tcp.reset(dir_of(from));
  if (!frames.empty()) frames.front().comment = std::string(why);
  emit(t_ns, std::move(frames));
  flow->dead = true;
}

void PcapCapture::event(int64_t t_ns, HostId /*host*/, ConnId /*conn*/, std::string_view what) {
  records_.push_back(Record{t_ns, events_, pcap::text_pdu(what), std::string(what)});
}

void PcapCapture::datagram(int64_t t_ns, Endpoint from, Endpoint to, uint32_t group,
                           std::span<const uint8_t> bytes, std::string_view comment) {
  pcap::Ipv4Endpoint dst = endpoint(to);
  std::string note(comment);
  if (group != 0) {
    dst.ip = {uint8_t(group >> 24), uint8_t(group >> 16), uint8_t(group >> 8), uint8_t(group)};
    // A group's copies share a destination address: say whose copy this is.
    std::array<uint8_t, 4> at = address_of(to.host);
    std::string host = std::to_string(at[0]) + "." + std::to_string(at[1]) + "." +
                       std::to_string(at[2]) + "." + std::to_string(at[3]);
    note = (note.empty() ? std::string("copy for ") : note + "; copy for ") + host;
  }
  pcap::Frame f = pcap::udp_frame(endpoint(from), dst, bytes, udp_ip_id_++, std::move(note));
  records_.push_back(Record{t_ns, eth_, std::move(f.bytes), std::move(f.comment)});
}

const std::vector<uint8_t>& PcapCapture::finish() {
  if (!finished_) {
    finished_ = true;
    std::stable_sort(records_.begin(), records_.end(),
                     [](const Record& a, const Record& b) { return a.t_ns < b.t_ns; });
    for (const Record& r : records_) {
      writer_.add_packet(r.interface, uint64_t(std::max<int64_t>(0, r.t_ns)), r.bytes, r.comment);
    }
  }
  return writer_.bytes();
}

bool PcapCapture::write_file(const std::string& path) {
  finish();
  return writer_.write_file(path);
}

}  // namespace zlab::sim

// Writes a small capture exercising everything the pcap writer and TCP synthesizer do:
// a ZMTP 3.1 conversation (greeting, READY, messages), a lost segment and its
// retransmission, a refused connect, a reset, host names, and an events interface with
// commented events. Used by pcap_test.py to check tshark's reading of it.
#include <cstdio>
#include <string>
#include <vector>

#include "pcap/pcapng_writer.h"
#include "pcap/tcp_synth.h"

namespace {

using zlab::pcap::Dir;
using zlab::pcap::Frame;

std::vector<uint8_t> bytes(const std::string& s) { return {s.begin(), s.end()}; }

std::vector<uint8_t> greeting() {
  std::vector<uint8_t> g(64, 0);
  g[0] = 0xFF;
  g[9] = 0x7F;
  g[10] = 3;
  g[11] = 1;
  g[12] = 'N';
  g[13] = 'U';
  g[14] = 'L';
  g[15] = 'L';
  return g;
}

std::vector<uint8_t> ready(const std::string& type) {
  std::string body = std::string("\x05READY\x0bSocket-Type\0\0\0", 21) + char(type.size()) + type;
  std::string frame = std::string(1, '\x04') + char(body.size()) + body;
  return bytes(frame);
}

std::vector<uint8_t> message(const std::string& body) {
  return bytes(std::string(1, '\0') + char(body.size()) + body);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: synth_demo OUT.pcapng\n");
    return 2;
  }
  zlab::pcap::PcapngWriter w("zlab synth_demo");
  uint32_t eth = w.add_interface(zlab::pcap::kLinkEthernet, "sim0", "simulated network");
  uint32_t events = w.add_interface(zlab::pcap::kLinkUpperPdu, "events", "simulator events");
  const uint8_t a[4] = {10, 0, 0, 1};
  const uint8_t b[4] = {10, 0, 0, 2};
  w.add_name(a, "pusher");
  w.add_name(b, "puller");
  zlab::pcap::TcpFlow flow({{10, 0, 0, 1}, 40000}, {{10, 0, 0, 2}, 5555}, 1000, 9000);
  uint64_t t = 1'000'000'000;
  auto emit = [&](const std::vector<Frame>& frames) {
    for (const Frame& f : frames) w.add_packet(eth, t += 1000, f.bytes, f.comment);
  };
  emit(flow.open());
  emit(flow.send(Dir::kClientToServer, greeting()));
  emit(flow.send(Dir::kServerToClient, greeting()));
  emit(flow.send(Dir::kClientToServer, ready("PUSH")));
  emit(flow.send(Dir::kServerToClient, ready("PULL")));
  emit(flow.send(Dir::kClientToServer, message("first")));
  auto lost = message("second");
  emit(flow.send_lost(Dir::kClientToServer, lost));
  std::string text = "partition starts: pusher -/- puller";
  w.add_packet(events, t += 1000, zlab::pcap::text_pdu(text), text);
  t += 200'000'000;  // the retransmission timeout
  emit(flow.send_retransmission(Dir::kClientToServer, lost));
  emit(flow.send(Dir::kClientToServer, message(std::string(3000, 'x').substr(0, 200))));
  emit(flow.reset(Dir::kServerToClient));
  zlab::pcap::TcpFlow refused({{10, 0, 0, 1}, 40001}, {{10, 0, 0, 2}, 5556}, 5000, 0);
  emit(refused.refused());
  return w.write_file(argv[1]) ? 0 : 1;
}

// The two halves behind Lab: where sockets live and how time passes.
#pragma once

#include <memory>
#include <string>

#include "conformance/properties/lab.h"

namespace zlab::conform {

class Lab::Backend {
 public:
  virtual ~Backend() = default;
  virtual bool simulated() const = 0;
  virtual sim::World* world() = 0;  // nullptr on real transports
  virtual const sim::FaultSchedule& faults() const = 0;
  virtual Sock* socket(uint32_t host, SocketType type) = 0;
  virtual std::string endpoint(uint32_t host, int port) const = 0;
  virtual std::string udp_endpoint(uint32_t host, int port) const {
    return "udp://h" + std::to_string(host) + ":" + std::to_string(port);  // the simulator's
  }
  virtual std::unique_ptr<RawPeer> raw_peer(uint32_t from, uint32_t to, int port) = 0;
  virtual std::unique_ptr<RawPeer> raw_listener(uint32_t host, int port) = 0;
  virtual int64_t now_ns() const = 0;
  virtual void advance_ms(int64_t ms) = 0;
  // The shortest wait worth taking between two looks (real transports; no-op in the sim).
  virtual void pause_briefly() {}
  // A ZAP handler (Lab::serve_zap); false where the backend cannot have one.
  virtual bool serve_zap(uint32_t host, sim::ZapAnswer answer) {
    (void)host;
    (void)answer;
    return false;
  }
  virtual uint64_t zap_requests(uint32_t host) {
    (void)host;
    return 0;
  }
};

// Notes a socket operation in the case's log (conformance/harness/property.h).
void note_op(const Sock& s, std::string_view op, std::string_view endpoint);
// A property of a received part, as zlab's zmq_msg_gets reads it (its connection's metadata).
std::optional<std::string> property_of(const Msg& part, std::string_view name);

std::unique_ptr<Lab::Backend> make_sim_backend(uint64_t seed, uint32_t fault_mask, uint32_t hosts);
// zlab's real driver over loopback tcp (lab_tcp.cc).
std::unique_ptr<Lab::Backend> make_tcp_backend(uint64_t seed, uint32_t hosts);

}  // namespace zlab::conform

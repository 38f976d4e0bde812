// Sockets of another ZeroMQ implementation, driven through an agent process that speaks the
// line protocol of conformance/agents/README.md (libzmq's C agent, JeroMQ's Java agent, ...).
// The real-transport Lab takes the socket under test from --impl and its peers from
// --peer-impl; "zlab" (no agent command) means zlab's own real driver in this process.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/properties/lab.h"

namespace zlab::conform {

// An implementation a run drives: its name, and the command that starts its agent (empty:
// zlab in process).
struct Impl {
  std::string name = "zlab";
  std::string command;
  bool in_process() const { return command.empty(); }
};

// The implementation of the socket under test and of its peers (set by conform_runner).
const Impl& impl_under_test();
const Impl& peer_impl();
void set_impls(Impl under_test, Impl peer);
// Whether `impl` builds sockets of `type`: zlab every built type; an agent's library the draft
// types only when built with the draft API (its hello says drafts=yes).
bool impl_builds(const Impl& impl, SocketType type);
// The types of `types` that `impl` builds, in order.
std::vector<SocketType> built_by(const Impl& impl, const std::vector<SocketType>& types);

// Which implementation makes a Lab's next socket of `type`: the first socket of the matrix
// row's type in a Lab is the socket under test, every other socket a peer. `*row_taken`
// remembers, per Lab, that the socket under test exists.
const Impl& impl_for_socket(SocketType type, bool* row_taken);

// A socket in an agent process. `local` maps "tcp://*:PORT" to the socket's own address.
std::unique_ptr<Sock> make_agent_socket(const Impl& impl, SocketType type, uint32_t host,
                                        std::string (*local)(uint32_t host, std::string_view));
// ZAP (rfc 27) in an agent's context, answered by the runner: binds the handler socket
// (false if the agent has none), takes its next request (frames after the envelope, version
// first; nullopt when none waits), and sends the reply's frames after the envelope.
bool agent_zap_bind(const Impl& impl);
std::optional<std::vector<std::string>> agent_zap_poll(const Impl& impl);
void agent_zap_reply(const Impl& impl, const std::vector<std::string>& frames);

// Why the handshakes between the run's two implementations cannot be observed, if they cannot:
// one reports handshake events only for ZMTP 3.x peers and the other speaks ZMTP 2.0 (libzmq
// and JeroMQ 0.3.6). Properties that must wait for a handshake are then not exercised.
std::optional<std::string> unobservable_handshakes();

// Ends a Lab for every agent it used: closes all their sockets and terminates their contexts
// (an agent lives for the whole run, a Lab for one case).
void reset_agents();

}  // namespace zlab::conform

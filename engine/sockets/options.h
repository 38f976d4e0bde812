// Socket options: the values, and a table that parses, validates and reports them by their
// zmq.h number, so the C API and the simulator set options the same way.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "engine/base/err.h"
#include "engine/base/metadata.h"
#include "engine/sockets/accept_filter.h"

namespace zlab {

// Option numbers, equal to zmq.h's (engine/api checks this).
namespace opt {
inline constexpr int kRoutingId = 5;
inline constexpr int kSubscribe = 6;
inline constexpr int kUnsubscribe = 7;
inline constexpr int kSndBuf = 11;
inline constexpr int kRcvBuf = 12;
inline constexpr int kRcvMore = 13;
inline constexpr int kFd = 14;
inline constexpr int kEvents = 15;
inline constexpr int kType = 16;
inline constexpr int kLinger = 17;
inline constexpr int kReconnectIvl = 18;
inline constexpr int kBacklog = 19;
inline constexpr int kReconnectIvlMax = 21;
inline constexpr int kMaxMsgSize = 22;
inline constexpr int kSndHwm = 23;
inline constexpr int kRcvHwm = 24;
inline constexpr int kMulticastHops = 25;
inline constexpr int kRcvTimeo = 27;
inline constexpr int kSndTimeo = 28;
inline constexpr int kLastEndpoint = 32;
inline constexpr int kRouterMandatory = 33;
inline constexpr int kTcpKeepalive = 34;
inline constexpr int kTcpKeepaliveCnt = 35;
inline constexpr int kTcpKeepaliveIdle = 36;
inline constexpr int kTcpKeepaliveIntvl = 37;
inline constexpr int kTcpAcceptFilter = 38;
inline constexpr int kImmediate = 39;
inline constexpr int kXPubVerbose = 40;
inline constexpr int kRouterRaw = 41;
inline constexpr int kIpv6 = 42;
inline constexpr int kMechanism = 43;
inline constexpr int kPlainServer = 44;
inline constexpr int kPlainUsername = 45;
inline constexpr int kPlainPassword = 46;
inline constexpr int kCurveServer = 47;
inline constexpr int kCurvePublicKey = 48;
inline constexpr int kCurveSecretKey = 49;
inline constexpr int kCurveServerKey = 50;
inline constexpr int kProbeRouter = 51;
inline constexpr int kReqCorrelate = 52;
inline constexpr int kReqRelaxed = 53;
inline constexpr int kConflate = 54;
inline constexpr int kZapDomain = 55;
inline constexpr int kRouterHandover = 56;
inline constexpr int kTos = 57;
inline constexpr int kIpcFilterPid = 58;
inline constexpr int kIpcFilterUid = 59;
inline constexpr int kIpcFilterGid = 60;
inline constexpr int kConnectRoutingId = 61;
inline constexpr int kHandshakeIvl = 66;
inline constexpr int kSocksProxy = 68;
inline constexpr int kXPubNoDrop = 69;
inline constexpr int kXPubManual = 71;
inline constexpr int kXPubWelcomeMsg = 72;
inline constexpr int kStreamNotify = 73;
inline constexpr int kInvertMatching = 74;
inline constexpr int kHeartbeatIvl = 75;
inline constexpr int kHeartbeatTtl = 76;
inline constexpr int kHeartbeatTimeout = 77;
inline constexpr int kXPubVerboser = 78;
inline constexpr int kConnectTimeout = 79;
inline constexpr int kTcpMaxRt = 80;
inline constexpr int kThreadSafe = 81;
inline constexpr int kMulticastMaxTpdu = 84;
inline constexpr int kUseFd = 89;
// Draft in zmq.h, yet libzmq 4.3.4 takes it in every build (options.cpp): udp multicast
// datagrams are looped back to the sending host (any int, nonzero is on).
inline constexpr int kMulticastLoop = 96;
inline constexpr int kBindToDevice = 92;
inline constexpr int kZapEnforceDomain = 93;
// Draft in zmq.h, yet libzmq 4.3.4 takes it in every build: a Windows tcp setting it keeps and
// ignores elsewhere (so does zlab).
inline constexpr int kLoopbackFastpath = 94;
// Draft in zmq.h 4.3.4, yet the library takes them (so does Debian's libzmq).
inline constexpr int kSocksUsername = 99;
inline constexpr int kSocksPassword = 100;
// Draft options of libzmq 4.3.4. METADATA, RECONNECT_STOP (and XPUB_MANUAL_LAST_VALUE) are taken
// by every libzmq build; ROUTER_NOTIFY, HELLO_MSG, DISCONNECT_MSG and PRIORITY only by a draft
// one (engine/api/sockopt.cc refuses them in zlab's default build).
inline constexpr int kMetadata = 95;
inline constexpr int kRouterNotify = 97;
inline constexpr int kXPubManualLastValue = 98;
inline constexpr int kReconnectStop = 109;
inline constexpr int kHelloMsg = 110;
inline constexpr int kDisconnectMsg = 111;
inline constexpr int kPriority = 112;
}  // namespace opt

// Bits of ZMQ_RECONNECT_STOP, as zmq.h's.
inline constexpr int kReconnectStopConnRefused = 0x1;
inline constexpr int kReconnectStopHandshakeFailed = 0x2;

// ZMQ_MECHANISM values, as zmq.h's ZMQ_NULL, ZMQ_PLAIN, ZMQ_CURVE.
inline constexpr int kMechanismNull = 0;
inline constexpr int kMechanismPlain = 1;
inline constexpr int kMechanismCurve = 2;

// Every value in its zmq.h unit (milliseconds, messages, bytes); -1 where zmq.h says "none".
struct SocketOptions {
  int type = 0;
  int64_t sndhwm = 1000;
  int64_t rcvhwm = 1000;
  int linger_ms = -1;  // libzmq 4.3 default: wait forever (30000 since 4.? only for ctx_term)
  int reconnect_ivl_ms = 100;
  int reconnect_ivl_max_ms = 0;
  int backlog = 100;
  int64_t max_msg_size = -1;
  int rcvtimeo_ms = -1;
  int sndtimeo_ms = -1;
  int sndbuf = -1;
  int rcvbuf = -1;
  int tcp_keepalive = -1;
  int tcp_keepalive_cnt = -1;
  int tcp_keepalive_idle = -1;
  int tcp_keepalive_intvl = -1;
  int tcp_maxrt_ms = 0;
  int tos = 0;
  int multicast_hops = 1;
  int multicast_maxtpdu = 1500;
  bool multicast_loop = true;  // ZMQ_MULTICAST_LOOP: loops multicast back (udp)
  int priority = 0;            // ZMQ_PRIORITY: SO_PRIORITY of the socket's tcp/ipc descriptors
  int reconnect_stop = 0;      // ZMQ_RECONNECT_STOP: kReconnectStop* bits, when a connect gives up
  bool immediate = false;
  bool ipv6 = false;
  bool conflate = false;
  bool router_mandatory = false;
  bool router_handover = false;
  bool router_raw = false;
  bool probe_router = false;
  bool req_correlate = false;
  bool req_relaxed = false;
  bool xpub_verbose = false;
  bool xpub_verboser = false;
  bool xpub_manual = false;
  bool xpub_nodrop = false;
  bool stream_notify = true;
  bool invert_matching = false;    // read by the pub/sub types
  bool loopback_fastpath = false;  // kept and ignored, as libzmq off Windows
  int handshake_ivl_ms = 30000;
  int heartbeat_ivl_ms = 0;
  int heartbeat_ttl_ms = 0;
  int heartbeat_timeout_ms = -1;
  int connect_timeout_ms = 0;
  // ZMQ_USE_FD: a bind over tcp or ipc listens on this descriptor, which the application made,
  // bound and set listening, instead of making its own; -1: none.
  int use_fd = -1;
  std::string routing_id;          // at most 255 bytes, not starting with a zero byte
  std::string connect_routing_id;  // applies to the next connect()
  std::string xpub_welcome_msg;
  std::string bind_to_device;
  std::string last_endpoint;
  bool has_xpub_welcome_msg = false;
  // ZMQ_HELLO_MSG: sent to each new peer first, by the types whose traits say so; empty: none.
  std::string hello_msg;
  // ZMQ_DISCONNECT_MSG: received from a peer whose handshaken connection was lost, by the types
  // whose traits say so; empty: none.
  std::string disconnect_msg;
  // ZMQ_METADATA: application properties ("X-..." names) added to every handshake's metadata.
  std::vector<std::pair<std::string, std::string>> app_metadata;
  // Listeners accept only peers these allow (the driver applies them at accept).
  std::vector<TcpAcceptFilter> tcp_accept_filters;
  IpcFilters ipc_filters;
  // tcp connects go through this SOCKS5 proxy ("host:port") when set; a username asks for
  // RFC 1929 username/password authentication.
  std::string socks_proxy;
  std::string socks_username;
  std::string socks_password;
  // Security (security_options.h): the mechanism and side, PLAIN credentials, CURVE keys
  // (32 bytes each, binary), ZAP.
  int mechanism = kMechanismNull;
  bool as_server = false;
  std::string plain_username;
  std::string plain_password;
  std::string curve_public_key;
  std::string curve_secret_key;
  std::string curve_server_key;
  std::string zap_domain;
  bool zap_enforce_domain = false;
};

// Sets a generic option by number. kNotSupported means "not a generic option": the socket type
// may handle it (SUBSCRIBE, XPUB_*, ...). kInvalid means a bad value or size. A value whose
// data() is null is the C API's NULL: some options (the filters, SOCKS_PROXY) take NULL with
// size 0 as "clear" but refuse a non-NULL empty value, as libzmq does.
Err set_generic_option(SocketOptions& options, int id, std::span<const uint8_t> value);
// Reads a generic option into out (at most *size bytes); *size becomes the value's size.
Err get_generic_option(const SocketOptions& options, int id, uint8_t* out, size_t* size);

// Writing a value out as libzmq 4.3.4's getsockopt does (callers rely on both rules):
// an option of the table that is a number wants a buffer of exactly its size (else kInvalid);
// the socket's own values (RCVMORE, EVENTS, FD, THREAD_SAFE) and strings take a buffer at least
// that large, and the rest of it is zeroed. *size becomes the value's size; on error nothing
// is written.
Err put_exact(const void* value, size_t n, uint8_t* out, size_t* size);
Err put_padded(const void* value, size_t n, uint8_t* out, size_t* size);

}  // namespace zlab

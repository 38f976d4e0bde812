// ZMTP over WebSocket as libzmq 4.3.4 speaks it (ZWS2.0/NULL): the HTTP upgrade replaces the
// ZMTP greeting, each ZMTP frame is one WebSocket binary frame, and WebSocket's own ping, pong
// and close frames carry heartbeats and the closing handshake.
//
// What differs from ZMTP over tcp, all from libzmq's ws engine:
//   * no greeting: the subprotocol names the mechanism ("ZWS2.0/NULL", "ZWS2.0/PLAIN",
//     "ZWS2.0/CURVE"; one offered and accepted, the socket's own), whose handshake then runs
//     over the WebSocket frames;
//   * heartbeats are WebSocket pings (libzmq's ws engine ignores ZMTP PING commands), so a
//     heartbeat carries no TTL; any bytes from the peer count as traffic;
//   * subscriptions travel as 3.0-style messages (0x01/0x00 + topic): libzmq's ws engine drops
//     SUBSCRIBE/CANCEL commands, so peer_minor() is 0;
//   * a close frame is answered with a close frame and ends the connection.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "engine/proto/framing.h"
#include "engine/wire/ws_frame.h"
#include "engine/wire/ws_handshake.h"

namespace zlab::proto {

struct WsOptions {
  bool client = false;  // the connecting side: sends the request, masks its frames
  std::string host;     // client: the Host field (host:port)
  std::string path;     // client: the request target
  uint64_t seed = 0;    // client: key nonce and masking keys (from the driver's randomness)
};

class WsFraming final : public FramingWith<wire::WsFrameDecoder, wire::WsFrameEncoder> {
 public:
  // `mechanism` ("NULL", "PLAIN", "CURVE") names the one subprotocol offered and accepted,
  // "ZWS2.0/<mechanism>", as libzmq's ws engine does for its socket's mechanism.
  WsFraming(const WsOptions& options, int64_t max_msg_size, std::string_view mechanism = "NULL");

  std::span<uint8_t> read_buffer() override;
  void commit(size_t n) override;
  bool prelude_done() const override { return upgraded_; }
  uint8_t peer_minor() const override { return 0; }
  bool next(Msg* frame) override;
  void encode_ping(uint16_t ttl_ds) override;

  // The subprotocol agreed on, once prelude_done().
  const std::string& protocol() const { return protocol_; }

 private:
  void handshake_bytes(size_t n);
  // Answers a close frame, or closes with `code` on a framing error (RFC 6455 §7.4.1).
  void send_close(uint16_t code);
  void fail(CloseReason reason, std::string detail);

  bool client_;
  std::optional<wire::WsClientHandshake> client_hs_;
  std::optional<wire::WsServerHandshake> server_hs_;
  std::array<uint8_t, 1024> hs_in_{};
  bool upgraded_ = false;
  std::string protocol_;
  bool close_sent_ = false;
};

}  // namespace zlab::proto

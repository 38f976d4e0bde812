#include "engine/driver/driver.h"

#include <algorithm>

namespace zlab {

namespace {

// udp://: a bound endpoint's peer exists already (the core made it at complete_bind); a sending
// one is "connected" once its socket is open, and retried like a failed connect otherwise.
void open_datagram(SocketCore& core, Driver& driver, const IoAction& action) {
  DatagramRole role = action.role;
  Err err = driver.open_datagram(action.id, action.listener, action.endpoint, role, core.options());
  if (role == DatagramRole::kSend) {
    if (err == Err::kOk) {
      core.handle_connected(action.id, {}, driver.now_ns());
    } else {
      core.handle_connect_failed(action.id, err, driver.now_ns());
    }
  } else if (err != Err::kOk) {
    core.handle_stream_error(action.id, err, driver.now_ns());
  }
}

void carry_out_actions(SocketCore& core, Driver& driver) {
  // Carrying out an action may produce more (a failed connect schedules a retry): loop, bounded.
  for (int round = 0; round < 1000; ++round) {
    IoAction action;
    bool any = false;
    StreamId zap_stream;
    std::vector<Msg> zap_frames;
    while (core.poll_zap_request(&zap_stream, &zap_frames)) {
      any = true;
      if (!driver.zap_request(zap_stream, std::move(zap_frames))) {
        core.handle_zap_reply(zap_stream, {}, true, driver.now_ns());
      }
    }
    while (core.poll_action(&action)) {
      any = true;
      switch (action.kind) {
        case IoAction::Kind::kConnect: {
          ConnectResult r = driver.connect(action.id, action.endpoint, core.options());
          if (r.kind == ConnectResult::Kind::kConnected && r.inproc) {
            core.handle_inproc_connected(action.id, std::move(r.inproc), driver.now_ns());
          } else if (r.kind == ConnectResult::Kind::kConnected) {
            core.handle_connected(action.id, std::move(r.peer_address), driver.now_ns(),
                                  r.source_fd);
          } else if (r.kind == ConnectResult::Kind::kFailed) {
            core.handle_connect_failed(action.id, r.err, driver.now_ns());
          }
          break;
        }
        case IoAction::Kind::kCloseStream:
          driver.close_stream(action.id);
          break;
        case IoAction::Kind::kShutdownWrite:
          driver.shutdown_write(action.id);
          break;
        case IoAction::Kind::kCloseListener:
          driver.close_listener(action.id);
          break;
        case IoAction::Kind::kOpenDatagram:
          open_datagram(core, driver, action);
          break;
      }
    }
    if (!any) break;
  }
}

}  // namespace

void carry_out_work(SocketCore& core, Driver& driver) {
  carry_out_actions(core, driver);
  StreamId id;
  while (core.poll_dirty(&id)) {
    driver.set_interest(id, !core.read_buffer(id).empty(), core.wants_write(id));
  }
}

Err bind_through(SocketCore& core, Driver& driver, std::string_view endpoint) {
  Err err = Err::kOk;
  auto request = core.bind(endpoint, &err);
  if (!request) return err;
  std::string resolved;
  err = driver.listen(request->listener, request->endpoint, core.options(), &resolved);
  err = core.complete_bind(request->listener, err, std::move(resolved), driver.now_ns());
  carry_out(core, driver);
  return err;
}

void pump_datagrams_in(SocketCore& core, StreamId id, DatagramPort& port, int64_t now_ns,
                       int max_datagrams) {
  for (int i = 0; i < max_datagrams; ++i) {
    std::span<uint8_t> room = core.read_buffer(id);
    if (room.empty()) return;  // the last datagram's message is still waiting for the pipe
    size_t n = 0;
    Err err = Err::kOk;
    DatagramPort::Status status = port.receive(room, &n, &err);
    // A receive error (an ICMP error queued on the socket) concerns no datagram: go on.
    if (status == DatagramPort::Status::kWouldBlock) return;
    if (status == DatagramPort::Status::kError) continue;
    // Longer than the room: the core sees a full buffer and counts it too large.
    core.handle_read(id, std::min(n, room.size()), now_ns);
  }
}

void pump_datagrams_out(SocketCore& core, StreamId id, DatagramPort& port, int64_t now_ns,
                        int max_datagrams) {
  constexpr size_t kMaxSlices = 4;
  wire::IoSlice slices[kMaxSlices];
  for (int i = 0; i < max_datagrams; ++i) {
    size_t count = core.poll_transmit(id, slices, kMaxSlices);
    if (count == 0) return;
    size_t total = 0;
    for (size_t k = 0; k < count; ++k) total += slices[k].size;
    Err err = Err::kOk;
    if (port.send(slices, count, &err) == DatagramPort::Status::kWouldBlock) return;
    core.handle_written(id, total, now_ns);  // sent, or lost as udp loses datagrams
  }
}

void pump_in(SocketCore& core, StreamId id, ByteStream& stream, int64_t now_ns, int max_reads) {
  for (int i = 0; i < max_reads; ++i) {
    std::span<uint8_t> room = core.read_buffer(id);
    if (room.empty()) return;  // the core is full: backpressure
    size_t n = 0;
    Err err = Err::kOk;
    switch (stream.read(room, &n, &err)) {
      case ByteStream::Status::kOk:
        core.handle_read(id, n, now_ns);
        if (n < room.size()) return;  // drained for now
        break;
      case ByteStream::Status::kWouldBlock:
        return;
      case ByteStream::Status::kEof:
        core.handle_eof(id, now_ns);
        return;
      case ByteStream::Status::kError:
        core.handle_stream_error(id, err, now_ns);
        return;
    }
  }
}

void pump_out(SocketCore& core, StreamId id, ByteStream& stream, int64_t now_ns, int max_writes) {
  constexpr size_t kMaxSlices = 64;
  wire::IoSlice slices[kMaxSlices];
  for (int i = 0; i < max_writes; ++i) {
    size_t count = core.poll_transmit(id, slices, kMaxSlices);
    if (count == 0) return;
    size_t total = 0;
    for (size_t k = 0; k < count; ++k) total += slices[k].size;
    size_t n = 0;
    Err err = Err::kOk;
    switch (stream.writev(slices, count, &n, &err)) {
      case ByteStream::Status::kOk:
        core.handle_written(id, n, now_ns);
        if (n < total) return;  // the stream's buffer is full
        break;
      case ByteStream::Status::kWouldBlock:
        return;
      case ByteStream::Status::kEof:
      case ByteStream::Status::kError:
        core.handle_stream_error(id, err, now_ns);
        return;
    }
  }
}

}  // namespace zlab

"""A small ZMTP 3.1 endpoint (NULL, one connection at a time) with defects that can be planted,
so tests can show the live fuzzer finds each within a stated budget.

  trusts-length   the decoder believes a long frame's size and waits for it forever, and
                  answers nothing more (a hang on a lying size, then on everything)
  half-frame      delivers the bytes of a frame cut short when the peer closes
  wrong-command   the handshake accepts any command in place of READY
  radio-all-groups  a RADIO that answers each JOIN with a message to that group and one to a
                  group the peer never joined (no group filtering)
  none            behaves (a control); radio: a RADIO that behaves (a message to each group
                  joined, none other)
Delivered messages are appended to a list, as target.py logs them.
"""

import socket
import struct
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "engine" / "wire"))
import zmtp_bytes as z  # noqa: E402

COMPATIBLE = {b"PAIR"}
RADIO_DEFECTS = {"radio", "radio-all-groups"}  # these serve as a RADIO, for a DISH


class PlantedEndpoint:
    def __init__(self, defect="none"):
        self.defect = defect
        self.delivered = []  # [[hex frame, ...]]
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(8)
        self.endpoint = "tcp://127.0.0.1:%d" % self.server.getsockname()[1]
        self.stuck = False  # trusts-length: once fooled, it serves no one
        # Connections accepted and finished: what a connection delivers at its close (half-frame)
        # is appended by this thread after the peer closed, so readers wait for it (settled()).
        self.accepted = 0
        self.finished = 0
        self.changed = threading.Condition()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def close(self):
        self.server.close()

    def _serve(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with self.changed:
                self.accepted += 1
            try:
                self._session(conn)
            except OSError:
                pass
            finally:
                conn.close()
                with self.changed:
                    self.finished += 1
                    self.changed.notify_all()

    def settled(self, timeout_s=2.0):
        """Waits until every accepted connection has been handled to its end (True), or
        timeout_s passes (False: a connection its peer keeps open)."""
        with self.changed:
            return self.changed.wait_for(lambda: self.finished == self.accepted, timeout_s)

    def _session(self, conn):
        conn.settimeout(2.0)
        if self.stuck:
            conn.settimeout(None)
            conn.recv(1)  # hangs: the fooled decoder is still waiting for its huge frame
            return
        conn.sendall(z.greeting(as_server=1))
        buf = b""
        handshaken = False
        part = []
        while True:
            try:
                chunk = conn.recv(65536)
            except socket.timeout:
                continue
            if not chunk:
                if self.defect == "half-frame" and len(buf) > 2:
                    self.delivered.append([buf[2:].hex()])  # the planted defect
                return
            buf += chunk
            if len(buf) < 64 and not handshaken:
                continue
            if not handshaken:
                g, buf = buf[:64], buf[64:]
                if g[0] != 0xFF or not g[9] & 1 or g[10] < 3 or z.mechanism_of(g) != b"NULL":
                    return
            while buf:
                flags = buf[0]
                if flags & 0xF8 or (flags & 0x05) == 0x05:
                    conn.sendall(z.error(b"malformed frame"))
                    return
                head = 9 if flags & 0x02 else 2
                if len(buf) < head:
                    break
                size = struct.unpack("!Q", buf[1:9])[0] if flags & 0x02 else buf[1]
                if self.defect == "trusts-length" and size > 1 << 30:
                    self.stuck = True  # waits for 2^30+ bytes, whatever arrives
                    conn.settimeout(None)
                    while conn.recv(65536):
                        pass
                    return
                if len(buf) < head + size:
                    break
                frame, buf = z.Frame(flags, buf[head:head + size]), buf[head + size:]
                if not handshaken:
                    if frame.command_name != "READY" and self.defect != "wrong-command":
                        conn.sendall(z.error(b"expected READY"))
                        return
                    props = _props(frame.command_data) if frame.command_name == "READY" else {}
                    if props is None:
                        conn.sendall(z.error(b"malformed metadata"))
                        return
                    radio = self.defect in RADIO_DEFECTS
                    compatible = {b"DISH"} if radio else COMPATIBLE
                    if frame.command_name == "READY" and props.get(b"Socket-Type") not in compatible:
                        conn.sendall(z.error(b"incompatible socket type"))
                        return
                    conn.sendall(z.ready(b"RADIO" if radio else b"PAIR"))
                    handshaken = True
                    continue
                if frame.command:
                    if frame.command_name in ("JOIN", "LEAVE") and self.defect in RADIO_DEFECTS:
                        if frame.command_name == "JOIN":
                            conn.sendall(z.radio_message(frame.command_data, b"tick"))
                            if self.defect == "radio-all-groups":  # the planted defect
                                conn.sendall(z.radio_message(b"never joined", b"tick"))
                    elif frame.command_name == "PING" and len(frame.command_data) >= 2:
                        conn.sendall(z.pong(frame.command_data[2:18]))
                    elif frame.command_name not in ("PONG", "PING", "SUBSCRIBE", "CANCEL"):
                        conn.sendall(z.error(b"unknown command"))
                        return
                    elif frame.command_name == "PING":
                        conn.sendall(z.error(b"malformed PING"))
                        return
                    continue
                part.append(frame.body.hex())
                if not frame.more:
                    self.delivered.append(part)
                    part = []


def _props(data):
    out, i = {}, 0
    while i < len(data):
        n = data[i]
        if n == 0 or i + 1 + n + 4 > len(data):
            return None
        name = data[i + 1:i + 1 + n]
        (vlen,) = struct.unpack("!I", data[i + 1 + n:i + 5 + n])
        if i + 5 + n + vlen > len(data):
            return None
        out[name] = data[i + 5 + n:i + 5 + n + vlen]
        i += 5 + n + vlen
    return out

#!/usr/bin/python3
"""Does zlab exchange messages with another implementation in every compatible classic pair?

For every pair of classic socket types the 4.0 page lists as compatible (spec/sockets-4.0.json,
`compatible`), each type on each implementation, each side binding in turn: one socket binds
a free loopback port (the bind is checked), the other connects, and a message goes every way
the pair's pattern lets one go (REQ to REP and the reply back, a subscription and then a
published message, PUSH to PULL, ...). A pair passes when every message arrives intact within
the timeout. Four runs per pair: zlab TYPE1 binds / other TYPE2 connects, other TYPE1 binds /
zlab TYPE2 connects, and the same with the types swapped.

zlab runs here as its drop-in C library (//engine/api:libzmq.so.5) under the libzmq agent
(agents/libzmq/agent.c, the same binary as `--impl libzmq`, started with LD_LIBRARY_PATH set to
zlab's build: its `hello` names the file the library was loaded from, and the run refuses to go
on unless that is zlab's). The other side is an agent of `--peer` (default jeromq).

  /usr/bin/python3 conformance/agents/pair_interop.py --zlab-lib bazel-bin/engine/api \\
      [--peer jeromq] [--json out/pair-interop.json]

Exit status 0 when every pair exchanged every message, 1 otherwise.
"""

import argparse
import json
import os
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import impls  # noqa: E402

CLASSIC_PAGE = HERE.parent / "spec" / "sockets-4.0.json"
ZMQ_ROUTING_ID = 5
ZMQ_SUBSCRIBE = 6
ZMQ_LINGER = 17
ZMQ_EVENTS = 15
TIMEOUT_MS = 5000


class Agent:
    """One agent process: request() sends a line, returns the answer's words."""

    def __init__(self, argv, env=None):
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, env=env)
        self.hello = self.request("hello")

    def request(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline()
        if not answer:
            raise RuntimeError(f"agent ended at {line!r}")
        return answer.split()

    def close(self):
        try:
            self.request("term")
        except (RuntimeError, BrokenPipeError):
            pass
        self.proc.wait(timeout=10)


def hexs(b):
    return b.hex() or "-"


def unhex(h):
    return b"" if h == "-" else bytes.fromhex(h)


class Sock:
    def __init__(self, agent, type_name):
        self.agent = agent
        got = agent.request(f"socket {type_name}")
        if got[0] != "ok":
            raise RuntimeError(f"socket {type_name}: {' '.join(got)}")
        self.id = got[1]
        self.call(f"setint {{}} {ZMQ_LINGER} 0")

    def call(self, line):
        got = self.agent.request(line.format(self.id))
        if got[0] != "ok":
            raise RuntimeError(f"{line.format(self.id)}: {' '.join(got)}")
        return got[1:]

    def send(self, parts):
        """Sends without blocking, again until it is taken: a socket that waits for a peer
        (REQ, DEALER, PUSH, PAIR before the connection) refuses with EAGAIN meanwhile."""
        line = f"send {self.id} d " + " ".join(hexs(p) for p in parts)
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while True:
            got = self.agent.request(line)
            if got[0] == "ok":
                return True
            if got[1] != "EAGAIN" or time.monotonic() > deadline:
                return False
            time.sleep(0.02)

    def recv(self, timeout_ms=TIMEOUT_MS):
        """One whole message (its parts), or None when none came within the timeout."""
        parts = []
        while True:
            got = self.agent.request(f"recv {self.id} {timeout_ms if not parts else TIMEOUT_MS}")
            if got[0] != "ok":
                return None if not parts else parts
            parts.append(unhex(got[2]))
            if got[1] == "0":
                return parts


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bind_free(sock):
    """Binds a free loopback port, checking the bind (a port taken meanwhile: another one)."""
    for _ in range(20):
        ep = f"tcp://127.0.0.1:{free_port()}"
        if sock.agent.request(f"bind {sock.id} {ep}")[0] == "ok":
            return ep
    raise RuntimeError("no free port could be bound")


def until(receiver, send_again):
    """Resends (a slow joiner's loss) until the receiver gets a message; returns it or None."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        send_again()
        got = receiver.recv(200)
        if got is not None:
            return got
    return None


def exchange(a, ta, b, tb):
    """The messages of the pair (a of type ta bound, b of type tb connected), every way the
    pattern allows; returns a list of what failed (empty: all arrived intact)."""
    bad = []

    def expect(what, got, want):
        if got != want:
            bad.append(f"{what}: got {got!r}, want {want!r}")

    pair = {ta, tb}
    if pair == {"PAIR"} or pair == {"DEALER"}:
        expect(f"{tb}->{ta}", until(a, lambda: b.send([b"from b"])), [b"from b"])
        a.send([b"from a"])
        expect(f"{ta}->{tb}", b.recv(), [b"from a"])
    elif pair == {"PUSH", "PULL"}:
        push, pull = (a, b) if ta == "PUSH" else (b, a)
        push.send([b"pushed"])
        expect("PUSH->PULL", pull.recv(), [b"pushed"])
    elif pair == {"REQ", "REP"} or pair == {"REQ", "ROUTER"} or pair == {"DEALER", "REP"}:
        cli_t = "REQ" if "REQ" in pair else "DEALER"
        cli, srv = (a, b) if ta == cli_t else (b, a)
        srv_t = tb if cli is a else ta
        envelope = [b""] if cli_t == "DEALER" else []
        cli.send(envelope + [b"request"])
        got = srv.recv()
        if srv_t == "ROUTER":
            ok = got is not None and len(got) == 3 and got[1:] == [b"", b"request"]
            expect(f"{cli_t}->ROUTER", got[1:] if ok else got, [b"", b"request"])
            if ok:
                srv.send([got[0], b"", b"reply"])
        else:
            expect(f"{cli_t}->REP", got, [b"request"])
            srv.send([b"reply"])
        expect(f"{srv_t}->{cli_t}", cli.recv(), envelope + [b"reply"])
    elif pair == {"DEALER", "ROUTER"}:
        dealer, router = (a, b) if ta == "DEALER" else (b, a)
        dealer.send([b"to router"])
        got = router.recv()
        ok = got is not None and len(got) == 2 and got[1] == b"to router"
        expect("DEALER->ROUTER", got[1:] if ok else got, [b"to router"])
        if ok:
            router.send([got[0], b"to dealer"])
            expect("ROUTER->DEALER", dealer.recv(), [b"to dealer"])
    elif pair == {"ROUTER"}:
        # Each knows the other's routing id; the connecting side sends first (resending until
        # the bound side has the connection).
        got = until(a, lambda: b.send([b"ra", b"to a"]))
        expect("ROUTER(b)->ROUTER(a)", got, [b"rb", b"to a"])
        a.send([b"rb", b"to b"])
        expect("ROUTER(a)->ROUTER(b)", b.recv(), [b"ra", b"to b"])
    elif pair <= {"PUB", "XPUB", "SUB", "XSUB"}:
        pub, sub = (a, b) if ta in ("PUB", "XPUB") else (b, a)
        pub_t, sub_t = (ta, tb) if pub is a else (tb, ta)
        if sub_t == "SUB":
            sub.call(f"setbytes {{}} {ZMQ_SUBSCRIBE} -")
        else:
            sub.send([b"\x01"])  # an XSUB subscribes to everything by sending 0x01
        if pub_t == "XPUB":
            # libzmq attaches a bound socket's connection only when its application next calls
            # it (a setsockopt does not), so the SUB is polled while the XPUB waits.
            got = until(pub, lambda: sub.call(f"getint {{}} {ZMQ_EVENTS}"))
            expect(f"{sub_t}->XPUB subscription", got, [b"\x01"])
        expect(f"{pub_t}->{sub_t}", until(sub, lambda: pub.send([b"news"])), [b"news"])
    else:
        bad.append(f"no exchange written for {ta}/{tb}")
    return bad


def compatible_pairs():
    records = json.loads(CLASSIC_PAGE.read_text())["records"]
    pairs = set()
    for r in records:
        if r["column"] == "compatible":
            for peer in r["value"]:
                pairs.add(tuple(sorted((r["type"], peer))))
    return sorted(pairs)


def run_one(agents, bound, t_bound, t_conn):
    """One run: agents[bound] makes the bound socket of t_bound; the other the connecting one."""
    a_agent, b_agent = (agents["zlab"], agents["peer"]) if bound == "zlab" else \
                       (agents["peer"], agents["zlab"])
    for ag in (a_agent, b_agent):
        ag.request("reset")
    a, b = Sock(a_agent, t_bound), Sock(b_agent, t_conn)
    if t_bound == "ROUTER" and t_conn == "ROUTER":
        a.call(f"setbytes {{}} {ZMQ_ROUTING_ID} {hexs(b'ra')}")
        b.call(f"setbytes {{}} {ZMQ_ROUTING_ID} {hexs(b'rb')}")
    ep = bind_free(a)
    b.call(f"connect {{}} {ep}")
    try:
        return exchange(a, t_bound, b, t_conn)
    except RuntimeError as e:
        return [str(e)]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--zlab-lib", required=True,
                    help="the folder holding zlab's libzmq.so.5 (bazel-bin/engine/api)")
    ap.add_argument("--peer", default="jeromq", choices=sorted(set(impls.KNOWN) - {"zlab"}))
    ap.add_argument("--json", help="write the results here")
    ap.add_argument("--only", help="TYPE1/TYPE2: that pair only")
    args = ap.parse_args(argv)
    lib = Path(args.zlab_lib).resolve()
    if not (lib / "libzmq.so.5").exists():
        sys.exit(f"pair_interop: no libzmq.so.5 in {lib} (bazel build //engine/api:libzmq.so.5)")
    libzmq_agent = impls.agent_spec("libzmq").split("=", 1)[1]
    zlab = Agent(shlex.split(libzmq_agent), env={**os.environ, "LD_LIBRARY_PATH": str(lib)})
    if not any(str(lib) in w for w in zlab.hello):
        sys.exit(f"pair_interop: the agent did not load zlab's library: {' '.join(zlab.hello)}")
    peer_cmd = impls.agent_spec(args.peer).split("=", 1)[1]
    env = {k: v for k, v in os.environ.items() if k not in ("LD_LIBRARY_PATH", "LD_PRELOAD")}
    peer = Agent(shlex.split(peer_cmd), env=env)
    agents = {"zlab": zlab, "peer": peer}
    rows = []
    pairs = compatible_pairs()
    if args.only:
        pairs = [tuple(sorted(args.only.split("/")))]
    for t1, t2 in pairs:
        runs = []
        for bound_impl in ("zlab", "peer"):
            for tb, tc in {(t1, t2), (t2, t1)}:
                zlab_type = tb if bound_impl == "zlab" else tc
                bad = run_one(agents, bound_impl, tb, tc)
                runs.append({"zlab": zlab_type, "zlab_binds": bound_impl == "zlab",
                             "bound": tb, "connected": tc, "ok": not bad, "failed": bad})
        ok = all(r["ok"] for r in runs)
        rows.append({"pair": f"{t1}/{t2}", "ok": ok, "runs": runs})
        print(f"{t1:>6} / {t2:<6} {'PASS' if ok else 'FAIL'}  ({len(runs)} runs: zlab as each "
              f"type, binding and connecting)" + "".join(
                  f"\n    {r['bound']} binds, {r['connected']} connects, zlab {r['zlab']}: "
                  f"{'; '.join(r['failed'])}" for r in runs if not r["ok"]))
    zlab.close()
    peer.close()
    passed = sum(r["ok"] for r in rows)
    print(f"pair_interop: zlab with {args.peer}: {passed} of {len(rows)} compatible classic pairs "
          f"exchanged every message ({sum(len(r['runs']) for r in rows)} runs)")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(
            {"peer": args.peer, "zlab": " ".join(zlab.hello), "peer_hello": " ".join(peer.hello),
             "pairs": rows}, indent=1) + "\n")
    return 0 if passed == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())

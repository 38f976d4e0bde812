"""What Linux's TCP does at a close, over loopback: the facts sim/net/network.cc models.

Each test is a probe of the running kernel; the simulator's twin is named in its docstring.
"""

import errno
import socket
import time

SETTLE_S = 0.05  # loopback delivers at once; this leaves room for a loaded machine


def connected_pair():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    ours = socket.create_connection(listener.getsockname())
    theirs, _ = listener.accept()
    listener.close()
    return ours, theirs


def outcome(call):
    try:
        return call()
    except OSError as e:
        return errno.errorcode[e.errno]


def reads(sock, count=3):
    return [outcome(lambda: sock.recv(100)) for _ in range(count)]


def test_after_a_fin_an_rst_leaves_reads_at_eof():
    """NetworkTest.AfterAFinAnRstLeavesReadsAtEof: the peer sends "hi" and closes (FIN), we
    write, its RST comes back: reads give "hi", then EOF, again EOF; a write fails (EPIPE)."""
    ours, theirs = connected_pair()
    theirs.send(b"hi")
    theirs.close()
    time.sleep(SETTLE_S)
    assert outcome(lambda: ours.send(b"late")) == 4  # the closed end answers with RST
    time.sleep(SETTLE_S)
    assert reads(ours) == [b"hi", b"", b""]
    assert outcome(lambda: ours.send(b"x")) == "EPIPE"
    ours.close()


def test_an_rst_without_a_fin_fails_a_read_after_the_data():
    """NetworkTest.ClosingWithUnreadInputResetsThePeer: the peer closes with our bytes unread
    (RST, no FIN): we read what it sent, then ECONNRESET (once: then EOF)."""
    ours, theirs = connected_pair()
    theirs.send(b"reply")
    ours.send(b"unread")
    time.sleep(SETTLE_S)
    theirs.close()
    time.sleep(SETTLE_S)
    assert reads(ours) == [b"reply", "ECONNRESET", b""]
    ours.close()


def test_a_reset_reported_to_a_write_leaves_reads_at_eof_and_writes_at_epipe():
    """NetworkTest.AResetReportedToAWriteLeavesReadsAtEofAndWritesAtEpipe: the peer closes with
    our bytes unread (RST): a write reports ECONNRESET (once), then reads give what the peer had
    sent, then EOF, and writes EPIPE."""
    ours, theirs = connected_pair()
    theirs.send(b"reply")
    ours.send(b"unread")
    time.sleep(SETTLE_S)
    theirs.close()
    time.sleep(SETTLE_S)
    assert outcome(lambda: ours.send(b"x")) == "ECONNRESET"
    assert reads(ours) == [b"reply", b"", b""]
    assert outcome(lambda: ours.send(b"x")) == "EPIPE"
    assert outcome(lambda: ours.send(b"x")) == "EPIPE"
    ours.close()


def test_a_reset_after_a_fin_fails_the_first_write_with_epipe():
    """NetworkTest.AfterAFinAnRstLeavesReadsAtEof (its write): the RST that answers data sent
    after the peer's FIN (CLOSE_WAIT) fails writes with EPIPE, never ECONNRESET."""
    ours, theirs = connected_pair()
    theirs.close()
    time.sleep(SETTLE_S)
    assert outcome(lambda: ours.send(b"late")) == 4  # the closed end answers with RST
    time.sleep(SETTLE_S)
    assert outcome(lambda: ours.send(b"x")) == "EPIPE"
    assert reads(ours) == [b"", b"", b""]
    ours.close()

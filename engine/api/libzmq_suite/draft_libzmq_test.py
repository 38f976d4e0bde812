"""The draft-enabled reference libzmq (draft_libzmq.py): cached by version and flags, and what
it is built with shows in the library itself (zmq_has)."""
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import draft_libzmq  # noqa: E402


def test_the_prefix_is_keyed_by_the_configure_flags(monkeypatch):
    first = draft_libzmq.prefix_path()
    monkeypatch.setattr(draft_libzmq, "CONFIGURE_FLAGS",
                        draft_libzmq.CONFIGURE_FLAGS + ("--enable-radix-tree",))
    assert draft_libzmq.prefix_path() != first
    assert first.name.startswith(draft_libzmq.suite.VERSION + "-")


def test_a_prefix_without_its_completion_mark_is_not_built(tmp_path):
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "libzmq.so.5").write_bytes(b"ELF")
    assert not draft_libzmq.is_built(tmp_path)  # an interrupted build is rebuilt
    (tmp_path / ".complete").write_text("done\n")
    assert draft_libzmq.is_built(tmp_path)


def test_the_built_library_has_drafts_and_curve():
    """Built on first use (minutes): zmq_has says draft and curve (libsodium, as Debian's)."""
    prefix = draft_libzmq.ensure(quiet=True)
    lib = prefix / "lib" / "libzmq.so.5"
    probe = ("import ctypes, sys; z = ctypes.CDLL(sys.argv[1]); "
             "print(*(z.zmq_has(c) for c in (b'draft', b'curve', b'ipc', b'pgm')))")
    out = subprocess.run([sys.executable, "-c", probe, str(lib)], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["1", "1", "1", "0"]  # no pgm: Debian's --with-pgm is left out on purpose
    assert "#define ZMQ_SERVER 12" in (prefix / "include" / "zmq.h").read_text()

"""pair_interop.py: the pairs come from the 4.0 page, a lost message is reported, and a run of
Debian's libzmq against itself (standing in for zlab's build) passes every pair."""

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pair_interop  # noqa: E402

SYSTEM_LIB = Path("/usr/lib/x86_64-linux-gnu")


def test_the_pairs_are_the_compatible_classic_ones():
    pairs = pair_interop.compatible_pairs()
    assert len(pairs) == 12
    assert ("PUB", "SUB") in pairs and ("ROUTER", "ROUTER") in pairs
    assert not any("STREAM" in p for p in pairs)  # STREAM lists no compatible peer


class Silent:
    """A socket whose messages never arrive: every exchange must say so."""

    def send(self, parts):
        return True

    def recv(self, timeout_ms=0):
        return None

    def call(self, line):
        return []


@pytest.mark.parametrize("pair", pair_interop.compatible_pairs())
def test_a_lost_message_fails_the_pair(pair, monkeypatch):
    monkeypatch.setattr(pair_interop, "TIMEOUT_MS", 50)
    monkeypatch.setattr(pair_interop.time, "sleep", lambda s: None)
    assert pair_interop.exchange(Silent(), pair[0], Silent(), pair[1])


@pytest.mark.skipif(not (SYSTEM_LIB / "libzmq.so.5").exists() or not shutil.which("cc") or
                    not shutil.which("java"), reason="needs Debian's libzmq5, cc and a JRE")
def test_libzmq_against_itself_passes_every_pair(tmp_path):
    out = tmp_path / "pairs.json"
    assert pair_interop.main(["--zlab-lib", str(SYSTEM_LIB), "--peer", "libzmq",
                              "--json", str(out)]) == 0
    assert "pairs" in out.read_text()

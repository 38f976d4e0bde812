"""The divergence register's evidence still holds: every probe it cites confirms its claim
against the installed reference libzmq."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import libzmq_probes  # noqa: E402
import spec  # noqa: E402

pytestmark = pytest.mark.skipif(libzmq_probes.zmq is None,
                                reason="pyzmq (Debian python3-zmq) is not installed")


def cited_probes() -> set:
    s = spec.load_spec()
    names = {p for r in s.rules for p in r.evidence}
    for d in s.divergences:
        names |= {p for side in d.sides for p in side.evidence}
        names |= {c.split()[-1] for c in d.commands}
    return names


def test_every_probe_is_cited_and_every_citation_is_a_probe():
    cited = cited_probes()
    assert cited <= set(libzmq_probes.PROBES), cited - set(libzmq_probes.PROBES)
    assert set(libzmq_probes.PROBES) <= cited, set(libzmq_probes.PROBES) - cited


@pytest.mark.parametrize("name", sorted(libzmq_probes.PROBES))
def test_probe_confirms_its_claim(name):
    result = libzmq_probes.run_probe(name)
    if result["libzmq"] != libzmq_probes.REFERENCE_VERSION:
        pytest.skip(f"installed libzmq is {result['libzmq']}, the register describes "
                    f"{libzmq_probes.REFERENCE_VERSION}")
    assert result["confirmed"], result["observations"]

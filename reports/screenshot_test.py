"""The HTML report as a browser renders it (headless Chromium, Debian's `chromium`): the matrix of
a catalogue-sized run fits a 1280-pixel window, the failure's square is drawn, every cell's rules
are links. Skipped where Chromium is not installed."""

import json
import re
import shutil
import subprocess

import pytest

import render
import results
from reports_test import sample

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (./zlab setup)")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         "--window-size=1280,900"]


def wide_run():
    """19 columns x 21 socket types, several rules per cell, one failure: the catalogue's shape."""
    data = sample()
    base = data["results"][0]
    rows = []
    types = ["PUSH", "PULL", "PUB", "SUB", "XPUB", "XSUB", "REQ", "REP", "DEALER", "ROUTER", "PAIR",
             "STREAM", "CLIENT", "SERVER", "RADIO", "DISH", "SCATTER", "GATHER", "PEER", "CHANNEL",
             "XREQ"]
    columns = ["compatible", "direction", "pattern", "outgoing", "incoming", "mute", "alternation",
               "atomicity", "compatibility", "connection", "delivery", "envelope", "framing",
               "hwm", "identity", "notification", "polling", "routing", "subscription"]
    for t in types:
        for c in columns:
            for n in range(2):
                rows.append(dict(base, rule=f"rule/{t}/{c}-{n}", socket_type=t, column=c))
    fail = dict(data["results"][1], rule="rule/REQ/alternation-9", socket_type="REQ",
                column="alternation")
    data["results"] = rows + [fail]
    return results.parse(data)


def run_chromium(*args, timeout=60):
    return subprocess.run([CHROMIUM, *FLAGS, *args], capture_output=True, text=True,
                          timeout=timeout)


def test_the_matrix_fits_and_is_drawn(tmp_path):
    page = render.html_page(wide_run(), tmp_path)
    # Measured by the browser itself after layout, written into the DOM we dump.
    probe = """<script>window.addEventListener('load', () => {
      const m = document.getElementById('matrix').getBoundingClientRect();
      const links = [...document.querySelectorAll('#matrix a.r')];
      const p = document.createElement('pre'); p.id = 'probe';
      p.textContent = JSON.stringify({right: m.right, width: window.innerWidth,
        links: links.length, resolved: links.filter(a => document.getElementById(
          a.getAttribute('href').slice(1))).length});
      document.body.appendChild(p); });</script>"""
    (tmp_path / "index.html").write_text(page.replace("</body>", probe + "</body>"))
    dom = run_chromium("--virtual-time-budget=2000", "--dump-dom",
                       f"file://{tmp_path}/index.html").stdout
    m = json.loads(re.search(r'<pre id="probe">(.*?)</pre>', dom).group(1).replace("&quot;", '"'))
    assert m["right"] <= m["width"], f"matrix is {m['right']} px wide in a {m['width']} px window"
    assert m["links"] == 21 * 19 * 2 + 1 == m["resolved"]
    shot = tmp_path / "shot.png"
    run_chromium(f"--screenshot={shot}", f"file://{tmp_path}/index.html")
    import matplotlib.image

    pixels = matplotlib.image.imread(str(shot))
    red = ((abs(pixels[..., 0] - 0xc6 / 255) < 0.05) & (abs(pixels[..., 1] - 0x28 / 255) < 0.05)
           & (abs(pixels[..., 2] - 0x28 / 255) < 0.05))
    assert red.sum() > 50, "the FAIL square and badge are not drawn"


def test_a_square_opens_its_rule(tmp_path):
    (tmp_path / "index.html").write_text(render.html_page(wide_run(), tmp_path))
    anchor = "rule-PUSH-compatible-1"  # a PASS: its details start closed
    assert f'<details id="{anchor}">' in (tmp_path / "index.html").read_text()
    dom = run_chromium("--virtual-time-budget=2000", "--dump-dom",
                       f"file://{tmp_path}/index.html#{anchor}").stdout
    assert re.search(f'<details id="{anchor}" open', dom)


LINK_PROBE = """<script>window.addEventListener('load', () => {
  const links = [...document.querySelectorAll('%s')].map(a => {
    const r = a.getBoundingClientRect();
    return {href: a.getAttribute('href'), w: r.width, h: r.height};});
  const p = document.createElement('pre'); p.id = 'probe'; p.textContent = JSON.stringify(links);
  document.body.appendChild(p); });</script>"""


def probe_links(page_path, selector, fragment=""):
    """The links matching selector as Chromium laid them out: href and drawn size."""
    text = page_path.read_text()
    page_path.write_text(text.replace("</body>", LINK_PROBE % selector + "</body>")
                         if "</body>" in text else text + LINK_PROBE % selector)
    dom = run_chromium("--virtual-time-budget=2000", "--dump-dom",
                       f"file://{page_path}{fragment}").stdout
    return json.loads(re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S).group(1)
                      .replace("&quot;", '"'))


def test_a_failures_trace_and_pcapng_links_are_drawn_and_resolve(tmp_path):
    """The failure's recorded replay (RULE-SEED.jsonl / .pcapng in the run folder) shows as
    links in its rule's details, drawn, and each opens a file of the folder."""
    for name in ("socket-PUSH-mute-7.pcapng", "socket-PUSH-mute-7.jsonl"):
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "index.html").write_text(render.html_page(results.parse(sample()), tmp_path))
    links = probe_links(tmp_path / "index.html", "#socket-PUSH-mute dd.files a",
                        "#socket-PUSH-mute")
    assert sorted(l["href"] for l in links) == ["socket-PUSH-mute-7.jsonl",
                                                "socket-PUSH-mute-7.pcapng"]
    assert all(l["w"] > 0 and l["h"] > 0 for l in links), links  # drawn, not hidden
    assert all((tmp_path / l["href"]).exists() for l in links)


def test_each_implementation_matrix_cell_links_its_pcap(tmp_path):
    """impl-matrix.html: a cell whose run was captured (--capture) has a drawn pcap link that
    opens that cell's file under impls/RUN/."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "conformance" / "agents"))
    import impl_matrix

    data = sample()
    data.update(implementation="libzmq", peer_implementation="libzmq", transport="tcp")
    for run in ("libzmq-tcp", "zlab-tcp"):
        folder = tmp_path / "impls" / run
        folder.mkdir(parents=True)
        (folder / "conformance.json").write_text(json.dumps(data))
        (folder / "socket-PUSH-outgoing-1.pcapng").write_bytes(b"x")
    page = tmp_path / "impl-matrix.html"
    page.write_text(impl_matrix.html_page(impl_matrix.build(tmp_path)))
    links = probe_links(page, "a.pcap")
    assert sorted(l["href"] for l in links) == [
        "impls/libzmq-tcp/socket-PUSH-outgoing-1.pcapng",
        "impls/zlab-tcp/socket-PUSH-outgoing-1.pcapng"]
    assert all(l["w"] > 0 and (tmp_path / l["href"]).exists() for l in links), links


def test_the_history_page_shows_fuzz_and_interop_runs_with_their_reports(tmp_path):
    import history
    import html_report
    from history_test import fuzz_doc

    conn = history.connect(tmp_path / "h.sqlite")
    run_dir = tmp_path / "fuzz-run"
    run_dir.mkdir()
    (run_dir / "fuzz-report.html").write_text("<p>fuzz</p>")
    src = {"commit": "c1", "branch": "main", "dirty": False}
    run_id = history.begin(conn, "fuzz", "./zlab fuzz --sim --seed 2", transport="sim",
                           impl="zlab", out_dir=str(run_dir), source=src)
    history.add_verdicts(conn, run_id, history.fuzz_rows(fuzz_doc([1])))
    history.finish(conn, run_id, 1.0)
    doc = {"command": "./zlab conform --transport tcp --impl libzmq", "profile": "strict-spec",
           "transport": "tcp", "implementation": "libzmq", "peer_implementation": "libzmq",
           "results": [{"rule": "rule/A", "status": "PASS", "runs": 5, "exercised": 5}]}
    history.record_conform(doc, path=tmp_path / "h.sqlite")
    page = html_report.history_page(conn, tmp_path / "history.html")
    text = page.read_text()
    assert "fuzz: <code>./zlab fuzz --sim --seed 2</code>" in text
    assert "interop: <code>./zlab conform --transport tcp --impl libzmq</code>" in text
    links = probe_links(page, 'a[href$="fuzz-report.html"]')
    assert len(links) == 1 and links[0]["w"] > 0
    shot = tmp_path / "shot.png"
    run_chromium(f"--screenshot={shot}", f"file://{page}")
    import matplotlib.image

    pixels = matplotlib.image.imread(str(shot))
    red = ((abs(pixels[..., 0] - 0xc6 / 255) < 0.05) & (abs(pixels[..., 1] - 0x28 / 255) < 0.05)
           & (abs(pixels[..., 2] - 0x28 / 255) < 0.05))
    assert red.sum() > 20, "the fuzz run's failing bar is not drawn"

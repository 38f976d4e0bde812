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

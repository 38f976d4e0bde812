"""The plugin loads into tshark 4.0 under its own names, registers its heuristic and port
preference, and `./zlab wireshark` prints a capture with it."""

import os
import subprocess

from zmtp_tshark import ROOT


def test_plugin_loads(plugin_env):
    plugins = plugin_env.tshark(["-G", "plugins"]).stdout
    assert any(line.startswith("zlabzmtp.so") and "dissector" in line
               for line in plugins.splitlines()), plugins
    protocols = plugin_env.tshark(["-G", "protocols"]).stdout.splitlines()
    assert "ZeroMQ Message Transport Protocol (zlab)\tzlabZMTP\tzlabzmtp" in protocols


def test_fields_and_heuristic_are_registered(plugin_env):
    fields = {line.split("\t")[2] for line in plugin_env.tshark(["-G", "fields"]).stdout.splitlines()
              if line.startswith("F\t")}
    for name in ("zlabzmtp.greeting.mechanism", "zlabzmtp.flags.more", "zlabzmtp.flags.reserved",
                 "zlabzmtp.msg", "zlabzmtp.part", "zlabzmtp.ping.ttl", "zlabzmtp.curve.hello_box",
                 "zlabzmtp.conn.socket_types", "zlabzmtp.conn.mechanism"):
        assert name in fields
    assert len([f for f in fields if f.startswith("zlabzmtp.")]) > 100
    heuristics = plugin_env.tshark(["-G", "heuristic-decodes"]).stdout.splitlines()
    assert "tcp\tzlabzmtp\tT" in heuristics


def test_zlab_wireshark_prints_a_capture(crafted):
    env = dict(os.environ, ZLAB_SKIP_SETUP="1")
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    r = subprocess.run([str(ROOT / "zlab"), "wireshark", str(crafted[0]), *crafted[1], "-Y",
                        "zlabzmtp.expert.reserved_flags", "-T", "fields", "-e",
                        "zlabzmtp.body.text"], cwd=ROOT, env=env, capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.split() == ["bad"]
    r = subprocess.run([str(ROOT / "dissector" / "zlab-wireshark"), "/nonexistent.pcap"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "cannot read" in r.stderr

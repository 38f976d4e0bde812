"""Test support: build the plugin, run tshark with it loaded, and read tshark's JSON.

tshark ignores WIRESHARK_PLUGIN_DIR and personal plugin folders when it runs as root, so as
root it runs as `nobody` (setpriv) with HOME in a folder nobody can write; the plugin, and every
capture it reads, live in a world-readable temporary folder laid out as Wireshark 4.0 wants:
<dir>/plugins/4.0/epan/zlabzmtp.so.
"""

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLUGIN_TARGET = "//dissector:zlabzmtp.so"
WIRESHARK_RELEASE = "4.0"


def build_plugin():
    """Builds the plugin in the default config (a no-op when cached); returns its path.

    The path comes from `bazel info bazel-bin` (the default config's output folder): the
    bazel-bin symlink follows whichever config ran last, e.g. another engineer's ASan build."""
    subprocess.run(["bazel", "build", PLUGIN_TARGET], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=900)
    out = subprocess.run(["bazel", "info", "bazel-bin"], cwd=ROOT, check=True,
                         capture_output=True, text=True, timeout=300).stdout.strip()
    return Path(out) / "dissector" / "zlabzmtp.so"


class PluginEnv:
    """A world-readable folder holding the plugin, the captures, and tshark's HOME."""

    def __init__(self, plugin_so):
        self.dir = Path(tempfile.mkdtemp(prefix="zlabzmtp-"))
        self.dir.chmod(0o755)
        epan = self.dir / "plugins" / WIRESHARK_RELEASE / "epan"
        epan.mkdir(parents=True)
        shutil.copy(plugin_so, epan / "zlabzmtp.so")
        self.home = self.dir / "home"
        self.home.mkdir()
        for p in (self.dir / "plugins", self.dir / "plugins" / WIRESHARK_RELEASE, epan, self.home):
            p.chmod(0o755)
        (epan / "zlabzmtp.so").chmod(0o644)
        self.root = os.geteuid() == 0

    def path(self, name):
        return self.dir / name

    def publish(self, path):
        """Makes a file readable by the unprivileged tshark."""
        Path(path).chmod(0o644)
        return path

    def env(self):
        e = dict(os.environ)
        e.update(WIRESHARK_PLUGIN_DIR=str(self.dir / "plugins"), HOME=str(self.home),
                 WIRESHARK_ABORT_ON_DISSECTOR_BUG="1")
        return e

    def command(self, args):
        prefix = []
        if self.root:
            prefix = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
        return prefix + ["tshark"] + list(args)

    def tshark(self, args, timeout=60, check=True):
        r = subprocess.run(self.command(args), env=self.env(), capture_output=True, text=True, errors="replace",
                           timeout=timeout, cwd=self.dir)
        if check and r.returncode != 0:
            raise AssertionError(f"tshark {args} failed ({r.returncode}): {r.stderr[-2000:]}")
        return r

    def packets(self, pcap, *args):
        """Decodes a capture (two passes) and returns one Packet per frame."""
        r = self.tshark(["-r", str(pcap), "-2", "-T", "json", "--no-duplicate-keys", *args])
        return [Packet(p) for p in json.loads(r.stdout or "[]")]

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


class Packet:
    """A decoded frame, flattened: every field name -> the list of its values, in tree order."""

    def __init__(self, raw):
        self.fields = {}
        self.order = []  # (name, value) of zlabzmtp fields, in tree order
        self.expert_infos = []  # (expert field, severity, message)
        self._walk(raw["_source"]["layers"])

    def _walk(self, node):
        if isinstance(node, list):
            for item in node:
                self._walk(item)
            return
        if not isinstance(node, dict):
            return
        for key, value in node.items():
            if key == "_ws.expert":
                for e in value if isinstance(value, list) else [value]:
                    name = next((k for k in e if not k.startswith("_ws.expert")), "")
                    self.expert_infos.append((name, e.get("_ws.expert.severity"),
                                              e.get("_ws.expert.message")))
            if isinstance(value, (dict, list)) and not _is_leaf_list(value):
                if not key.endswith("_tree"):
                    self._add(key, "")
                self._walk(value)
            elif isinstance(value, list):
                for v in value:
                    self._add(key, v)
            else:
                self._add(key, value)

    def _add(self, key, value):
        self.fields.setdefault(key, []).append(value)
        if key.startswith("zlabzmtp"):
            self.order.append((key, value))

    def get(self, name):
        return self.fields.get(name, [])

    def first(self, name, default=None):
        v = self.get(name)
        return v[0] if v else default

    @property
    def stream(self):
        return int(self.first("tcp.stream", -1))

    @property
    def srcport(self):
        return int(self.first("tcp.srcport", -1))

    def experts(self):
        return {k for k in self.fields if k.startswith("zlabzmtp.expert.")}


def _is_leaf_list(value):
    return isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value)


def by_stream(packets):
    out = {}
    for p in packets:
        out.setdefault(p.stream, []).append(p)
    return out


def values(packets, name):
    """All values of a field over some packets, in order."""
    return [v for p in packets for v in p.get(name)]


def experts(packets):
    return set().union(*(p.experts() for p in packets)) if packets else set()


def error_experts(packets):
    """zlabzmtp expert infos of severity warning or error: (frame number, message)."""
    return [(p.first("frame.number"), m) for p in packets for name, sev, m in p.expert_infos
            if name.startswith("zlabzmtp.") and sev in SEVERITY_WARN_OR_ERROR]


# _ws.expert.severity as tshark's JSON prints it: PI_WARN, PI_ERROR.
SEVERITY_WARN_OR_ERROR = {"6291456", "8388608"}

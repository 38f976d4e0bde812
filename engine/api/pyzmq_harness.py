"""Runs pyzmq on zlab's libzmq.so.5, and on the system's libzmq, in separate processes.

/usr/bin/python3 loads the system libzmq unless LD_LIBRARY_PATH says otherwise before the
interpreter starts, so every pyzmq-on-zlab run is a subprocess: a pyzmq_worker.py process that
runs the snippets a test sends it. `zlab_lib_dir()` builds //engine/api:libzmq.so.5 with Bazel
(from the repository root, --config=bench as install-out does) and copies it into a temporary
folder for LD_LIBRARY_PATH.

Fixtures (import them into a test module): `zlab` and `libzmq` are workers on each library,
one per module, reset (every context destroyed) before each test.
"""

import ast
import json
import os
import pathlib
import select
import shutil
import subprocess
import tempfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
WORKER = pathlib.Path(__file__).with_name("pyzmq_worker.py")
PYTHON = "/usr/bin/python3"
SYSTEM_LIBZMQ = "/usr/lib/x86_64-linux-gnu/libzmq.so.5"
# The build engine/api/install-out installs (optimised), so the suite tests what is installed.
BUILD_FLAGS = ["--config=bench"]

_lib_dir = None


def zlab_lib_dir():
    """A folder holding a fresh copy of zlab's libzmq.so.5 (built once per test session)."""
    global _lib_dir
    if _lib_dir is None:
        build = subprocess.run(["bazel", "build", *BUILD_FLAGS, "//engine/api:libzmq.so.5"],
                               cwd=ROOT, capture_output=True, text=True)
        if build.returncode != 0:
            raise RuntimeError("bazel build //engine/api:libzmq.so.5 failed:\n" + build.stderr)
        bin_dir = subprocess.run(["bazel", "info", *BUILD_FLAGS, "bazel-bin"], cwd=ROOT,
                                 check=True, capture_output=True, text=True).stdout.strip()
        folder = pathlib.Path(tempfile.mkdtemp(prefix="zlab-libzmq-"))
        shutil.copy(pathlib.Path(bin_dir) / "engine/api/libzmq.so.5", folder / "libzmq.so.5")
        _lib_dir = folder
    return _lib_dir


def zlab_env():
    env = dict(os.environ)
    env["LD_LIBRARY_PATH"] = str(zlab_lib_dir())
    return env


def system_env():
    env = dict(os.environ)
    env.pop("LD_LIBRARY_PATH", None)
    return env


class WorkerError(Exception):
    def __init__(self, kind, errno, message):
        super().__init__(f"{kind} (errno {errno}): {message}")
        self.kind = kind
        self.errno = errno


class Worker:
    """One pyzmq_worker.py process. worker(code, **vars) runs code there and returns its value."""

    def __init__(self, env, name):
        self.name = name
        self.env = env
        self.proc = None
        self.start()

    def start(self):
        self.proc = subprocess.Popen([PYTHON, str(WORKER)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, env=self.env, text=True, bufsize=1)

    def request(self, message, timeout):
        if self.proc.poll() is not None:
            self.start()
            raise RuntimeError(f"{self.name} worker had exited (code {self.proc.returncode})")
        self.proc.stdin.write(json.dumps(message) + "\n")
        self.proc.stdin.flush()
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        line = self.proc.stdout.readline() if ready else ""
        if not line:
            code = self.proc.poll()
            self.proc.kill()
            self.proc.wait()
            self.start()
            raise RuntimeError(f"{self.name} worker: no answer in {timeout}s (exit code {code})")
        return json.loads(line)

    def __call__(self, code, timeout=30, **variables):
        answer = self.request({"code": code, "vars": repr(variables)}, timeout)
        if "error" in answer:
            raise WorkerError(answer["error"], answer["errno"], answer["message"])
        try:
            return ast.literal_eval(answer["ok"])
        except (ValueError, SyntaxError):
            return answer["ok"]  # not a literal (an object's repr): the text

    def reset(self):
        answer = self.request({"reset": True}, 30)
        if "error" in answer:
            raise WorkerError(answer["error"], answer["errno"], answer["message"])

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _worker_fixture(env_fn, name):
    @pytest.fixture(scope="module", name=f"{name}_module_worker")
    def module_worker():
        worker = Worker(env_fn(), name)
        yield worker
        worker.close()

    return module_worker


zlab_module_worker = _worker_fixture(zlab_env, "zlab")
libzmq_module_worker = _worker_fixture(system_env, "libzmq")


@pytest.fixture
def zlab(zlab_module_worker):
    """pyzmq on zlab, in a worker process, with a fresh namespace."""
    zlab_module_worker.reset()
    yield zlab_module_worker
    zlab_module_worker.reset()


@pytest.fixture
def libzmq(libzmq_module_worker):
    """pyzmq on the system's libzmq 4.3.4, in a worker process, with a fresh namespace."""
    libzmq_module_worker.reset()
    yield libzmq_module_worker
    libzmq_module_worker.reset()

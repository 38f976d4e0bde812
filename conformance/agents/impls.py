"""The implementations ./zlab conform can drive, and how their agents are built.

zlab runs in the conformance runner's own process; every other implementation runs in an agent
process speaking the line protocol of conformance/agents/README.md. An agent is built here,
outside Bazel, so it can never be linked with zlab:

  libzmq  conformance/agents/libzmq/agent.c, compiled by the system C compiler against the
          system <zmq.h> and linked with -lzmq (Debian's libzmq 4.3.4); the build checks that
          the header it used is /usr/include/zmq.h, and the runner starts agents without
          LD_LIBRARY_PATH, so zlab's drop-in library is never the one loaded.
  libzmq-draft  the same agent.c, compiled with -DZMQ_BUILD_DRAFT_API against the zmq.h of a
          draft-enabled libzmq 4.3.4 (Debian's source built with --enable-drafts by
          engine/api/libzmq_suite/draft_libzmq.py into ~/.cache/zlab/libzmq-draft/) and linked
          to that library with an RPATH, so it loads that build and no other libzmq.so.5.
  jeromq  conformance/agents/jeromq/Agent.java, compiled by javac against Debian's
          /usr/share/java/jeromq.jar (JeroMQ 0.3.6) and run on Debian's JRE.

`agent_spec(name)` returns "NAME" (zlab) or "NAME=COMMAND" for conform_runner --impl.
"""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SUITE = HERE.parents[1] / "engine" / "api" / "libzmq_suite"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "zlab" / "agents"
SYSTEM_ZMQ_H = Path("/usr/include/zmq.h")
JEROMQ_JAR = Path("/usr/share/java/jeromq.jar")

# name -> what it is (for the report)
KNOWN = {
    "zlab": "zlab, this checkout (real driver, in the runner's process)",
    "libzmq": "Debian libzmq 4.3.4 (libzmq5), C agent over the system zmq.h",
    "libzmq-draft": "libzmq 4.3.4 built from Debian's source with --enable-drafts, C agent "
                    "over its draft zmq.h",
    "jeromq": "Debian JeroMQ 0.3.6 (libjeromq-java), Java agent",
}
# The library an implementation is a build of: a divergence registered for libzmq holds for
# its draft-enabled build too (the same code, with the draft API compiled in).
FAMILY = {"libzmq-draft": "libzmq"}
# The implementations that take the options of libzmq 4.3.4's draft API (ZMQ_ROUTER_NOTIFY,
# ZMQ_HELLO_MSG, ZMQ_DISCONNECT_MSG): Debian's libzmq is built without it, JeroMQ 0.3.6 has none.
DRAFT_API = {"zlab", "libzmq-draft"}


def family(name):
    return FAMILY.get(name, name)


class AgentBuildError(RuntimeError):
    pass


def _digest(*paths):
    h = hashlib.sha256()
    for p in paths:
        h.update(Path(p).read_bytes())
    return h.hexdigest()[:16]


def _compile_agent(out, zmq_h, cflags, ldflags):
    """Compiles agent.c to `out` unless there; checks that the zmq.h it includes is `zmq_h`."""
    src = HERE / "libzmq" / "agent.c"
    if out.exists():
        return out
    CACHE.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items()
           if k not in ("LD_LIBRARY_PATH", "LIBRARY_PATH", "CPATH", "C_INCLUDE_PATH")}
    # Which zmq.h the compiler picks: it must be the library's own, never engine/api/zmq.h.
    deps = subprocess.run(["cc", *cflags, "-M", str(src)], env=env, capture_output=True,
                          text=True, check=True).stdout
    headers = [w for w in deps.replace("\\\n", " ").split() if w.endswith("/zmq.h")]
    if [Path(h).resolve() for h in headers] != [zmq_h.resolve()]:
        raise AgentBuildError(f"the libzmq agent would use {headers}, not {zmq_h}")
    tmp = out.with_suffix(f".tmp{os.getpid()}")
    subprocess.run(["cc", "-O2", "-Wall", *cflags, "-o", str(tmp), str(src), *ldflags, "-ldl"],
                   env=env, check=True)
    tmp.rename(out)
    return out


def build_libzmq():
    """Compiles the C agent against Debian's libzmq (cached by source digest); its path."""
    src = HERE / "libzmq" / "agent.c"
    if not SYSTEM_ZMQ_H.exists():
        raise AgentBuildError("no /usr/include/zmq.h: install libzmq3-dev")
    return _compile_agent(CACHE / f"libzmq-agent-{_digest(src)}", SYSTEM_ZMQ_H, [], ["-lzmq"])


def draft_prefix():
    """The draft-enabled libzmq's prefix, built on first use (minutes; cached)."""
    sys.path.insert(0, str(SUITE))
    import draft_libzmq  # noqa: E402  (engine/api/libzmq_suite/draft_libzmq.py)
    try:
        return draft_libzmq.ensure()
    except SystemExit as e:  # its errors are messages for a person
        raise AgentBuildError(str(e)) from None


def build_libzmq_draft(pinned=True):
    """The same agent with the draft requests, over the draft-enabled libzmq; its path.

    pinned: linked with an RPATH (not RUNPATH) to the prefix's library, which then wins over
    anything LD_LIBRARY_PATH names (the conformance agent). Unpinned, it loads whichever
    libzmq.so.5 LD_LIBRARY_PATH points at (the interop tests run it on zlab's draft build
    too: the same program on both libraries; its `hello` names the one it loaded)."""
    src = HERE / "libzmq" / "agent.c"
    prefix = draft_prefix()
    lib = prefix / "lib"
    pin = [f"-Wl,-rpath,{lib},--disable-new-dtags"] if pinned else []
    out = CACHE / (f"libzmq-draft-agent-{_digest(src)}-{prefix.name}"
                   + ("" if pinned else "-unpinned"))
    return _compile_agent(out, prefix / "include" / "zmq.h",
                          ["-DZMQ_BUILD_DRAFT_API", "-I", str(prefix / "include")],
                          ["-L", str(lib), *pin, "-lzmq"])


def build_jeromq():
    """Compiles the Java agent (cached by source digest); returns its class folder."""
    src = HERE / "jeromq" / "Agent.java"
    if not JEROMQ_JAR.exists():
        raise AgentBuildError(f"no {JEROMQ_JAR}: install libjeromq-java")
    out = CACHE / f"jeromq-agent-{_digest(src)}"
    if (out / "Agent.class").exists():
        return out
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(["javac", "-nowarn", "-cp", str(JEROMQ_JAR), "-d", str(out), str(src)],
                   check=True)
    return out


def agent_spec(name):
    """conform_runner's --impl value for implementation `name`."""
    if name == "zlab":
        return "zlab"
    if name == "libzmq":
        return f"libzmq={build_libzmq()}"
    if name == "libzmq-draft":
        return f"libzmq-draft={build_libzmq_draft()}"
    if name == "jeromq":
        classes = build_jeromq()
        # Small heap and quick start: an agent holds a few sockets at a time.
        return f"jeromq=java -Xss512k -XX:TieredStopAtLevel=1 -cp {JEROMQ_JAR}:{classes} Agent"
    raise AgentBuildError(f"unknown implementation {name!r} (known: {', '.join(KNOWN)})")

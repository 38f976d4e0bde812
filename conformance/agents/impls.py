"""The implementations ./zlab conform can drive, and how their agents are built.

zlab runs in the conformance runner's own process; every other implementation runs in an agent
process speaking the line protocol of conformance/agents/README.md. An agent is built here,
outside Bazel, so it can never be linked with zlab:

  libzmq  conformance/agents/libzmq/agent.c, compiled by the system C compiler against the
          system <zmq.h> and linked with -lzmq (Debian's libzmq 4.3.4); the build checks that
          the header it used is /usr/include/zmq.h, and the runner starts agents without
          LD_LIBRARY_PATH, so zlab's drop-in library is never the one loaded.
  jeromq  conformance/agents/jeromq/Agent.java, compiled by javac against Debian's
          /usr/share/java/jeromq.jar (JeroMQ 0.3.6) and run on Debian's JRE.

`agent_spec(name)` returns "NAME" (zlab) or "NAME=COMMAND" for conform_runner --impl.
"""

import hashlib
import os
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "zlab" / "agents"
SYSTEM_ZMQ_H = Path("/usr/include/zmq.h")
JEROMQ_JAR = Path("/usr/share/java/jeromq.jar")

# name -> what it is (for the report)
KNOWN = {
    "zlab": "zlab, this checkout (real driver, in the runner's process)",
    "libzmq": "Debian libzmq 4.3.4 (libzmq5), C agent over the system zmq.h",
    "jeromq": "Debian JeroMQ 0.3.6 (libjeromq-java), Java agent",
}


class AgentBuildError(RuntimeError):
    pass


def _digest(*paths):
    h = hashlib.sha256()
    for p in paths:
        h.update(Path(p).read_bytes())
    return h.hexdigest()[:16]


def build_libzmq():
    """Compiles the C agent (cached by source digest); returns its path."""
    src = HERE / "libzmq" / "agent.c"
    if not SYSTEM_ZMQ_H.exists():
        raise AgentBuildError("no /usr/include/zmq.h: install libzmq3-dev")
    out = CACHE / f"libzmq-agent-{_digest(src)}"
    if out.exists():
        return out
    CACHE.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items()
           if k not in ("LD_LIBRARY_PATH", "LIBRARY_PATH", "CPATH", "C_INCLUDE_PATH")}
    # Which zmq.h the compiler picks: it must be the system's, never engine/api/zmq.h.
    deps = subprocess.run(["cc", "-M", str(src)], env=env, capture_output=True, text=True,
                          check=True).stdout
    headers = [w for w in deps.replace("\\\n", " ").split() if w.endswith("/zmq.h")]
    if [Path(h).resolve() for h in headers] != [SYSTEM_ZMQ_H.resolve()]:
        raise AgentBuildError(f"the libzmq agent would use {headers}, not {SYSTEM_ZMQ_H}")
    tmp = out.with_suffix(".tmp")
    subprocess.run(["cc", "-O2", "-Wall", "-o", str(tmp), str(src), "-lzmq", "-ldl"], env=env,
                   check=True)
    tmp.rename(out)
    return out


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
    if name == "jeromq":
        classes = build_jeromq()
        # Small heap and quick start: an agent holds a few sockets at a time.
        return f"jeromq=java -Xss512k -XX:TieredStopAtLevel=1 -cp {JEROMQ_JAR}:{classes} Agent"
    raise AgentBuildError(f"unknown implementation {name!r} (known: {', '.join(KNOWN)})")

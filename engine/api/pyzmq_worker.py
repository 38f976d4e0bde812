#!/usr/bin/python3
"""A pyzmq process a test drives: it runs the Python snippets it is sent and answers each.

Started by pyzmq_harness.py, with LD_LIBRARY_PATH pointing at zlab's libzmq.so.5 (pyzmq on
zlab) or without it (pyzmq on the system's libzmq 4.3.4). One request per line on stdin, JSON:
  {"code": SOURCE, "vars": REPR_OF_A_DICT}  runs SOURCE in the worker's namespace (variables
                                            persist between requests: sockets live on), after
                                            binding `vars`; the value of a final expression
                                            statement is the answer
  {"reset": true}                           destroys every context in the namespace (linger 0)
                                            and starts a fresh namespace
One answer per line, JSON: {"ok": REPR} or {"error": TYPE, "errno": N, "message": TEXT}.
"""

import ast
import enum
import json
import os
import socket
import struct
import sys
import threading
import time
import traceback

import zmq
import zmq.utils.monitor


def libzmq_paths():
    """The libzmq files this process has mapped (the proof of which library pyzmq runs on)."""
    with open("/proc/self/maps") as maps:
        return sorted({line.split()[-1] for line in maps if "libzmq" in line})


def with_timeouts(sock, ms=5000):
    """Bounded blocking for a test socket: nothing in a test may wait for ever."""
    sock.setsockopt(zmq.RCVTIMEO, ms)
    sock.setsockopt(zmq.SNDTIMEO, ms)
    sock.setsockopt(zmq.LINGER, 0)
    return sock


def until(predicate, timeout=5.0, interval=0.005):
    """Calls predicate until it returns something true (returned), or the timeout passes (None)."""
    end = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > end:
            return value
        time.sleep(interval)


def fresh_namespace():
    return {
        "zmq": zmq,
        "monitor": zmq.utils.monitor,
        "socket": socket,
        "struct": struct,
        "threading": threading,
        "time": time,
        "os": os,
        "libzmq_paths": libzmq_paths,
        "with_timeouts": with_timeouts,
        "until": until,
    }


def plain(value):
    """Enums (pyzmq's errno and type constants) as ints, so answers are plain literals."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (list, tuple)):
        return type(value)(plain(v) for v in value)
    if isinstance(value, dict):
        return {plain(k): plain(v) for k, v in value.items()}
    return value


def run(code, namespace):
    tree = ast.parse(code, mode="exec")
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    exec(compile(tree, "<snippet>", "exec"), namespace)
    if last is None:
        return None
    return eval(compile(last, "<snippet>", "eval"), namespace)


def reset(namespace):
    for value in list(namespace.values()):
        if isinstance(value, zmq.Context) and not value.closed:
            value.destroy(linger=0)


def main():
    # Answers go to a private copy of stdout; what snippets print goes to stderr.
    answers = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    namespace = fresh_namespace()
    for line in sys.stdin:
        request = json.loads(line)
        try:
            if request.get("reset"):
                reset(namespace)
                namespace = fresh_namespace()
                answer = {"ok": "None"}
            else:
                namespace.update(ast.literal_eval(request.get("vars", "{}")))
                answer = {"ok": repr(plain(run(request["code"], namespace)))}
        except zmq.ZMQError as e:
            answer = {"error": "ZMQError", "errno": e.errno, "message": str(e)}
        except Exception as e:  # reported to the test, which decides
            answer = {"error": type(e).__name__, "errno": None,
                      "message": f"{e}\n{traceback.format_exc()}"}
        answers.write(json.dumps(answer) + "\n")
        answers.flush()


if __name__ == "__main__":
    main()

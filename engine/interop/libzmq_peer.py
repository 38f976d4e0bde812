#!/usr/bin/python3
"""A libzmq 4.3.4 peer (via Debian's pyzmq) driven line by line over stdin/stdout.

Requests and replies are one line each; message parts travel as hex ('-' is an empty part):
  socket TYPE bind|connect ENDPOINT [NAME=INT|NAME=hex:HEX ...] -> ok ID ENDPOINT
  send ID PART...                 -> ok | err ERRNO_NAME
  recv ID TIMEOUT_MS              -> msg PART... | err EAGAIN
  setsockopt ID NAME INT|hex:HEX  -> ok
  close ID                        -> ok
  version                         -> ok MAJOR.MINOR.PATCH
Exits on EOF or 'quit'. Every call is bounded by its timeout: nothing here waits forever.
"""

import sys

import zmq


def part_out(b):
    return b.hex() if b else "-"


def part_in(token):
    return b"" if token == "-" else bytes.fromhex(token)


def option_value(text):
    return bytes.fromhex(text[4:]) if text.startswith("hex:") else int(text)


def main():
    ctx = zmq.Context()
    sockets = {}
    next_id = 1
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        op = words[0]
        try:
            if op == "quit":
                break
            if op == "version":
                reply = "ok " + zmq.zmq_version()
            elif op == "socket":
                s = ctx.socket(getattr(zmq, words[1]))
                s.setsockopt(zmq.LINGER, 0)
                for opt in words[4:]:
                    name, value = opt.split("=", 1)
                    s.setsockopt(getattr(zmq, name), option_value(value))
                if words[2] == "bind":
                    s.bind(words[3])
                    endpoint = s.getsockopt(zmq.LAST_ENDPOINT).decode()
                else:
                    s.connect(words[3])
                    endpoint = words[3]
                sockets[next_id] = s
                reply = f"ok {next_id} {endpoint}"
                next_id += 1
            elif op == "send":
                sockets[int(words[1])].send_multipart([part_in(t) for t in words[2:]])
                reply = "ok"
            elif op == "recv":
                s = sockets[int(words[1])]
                if s.poll(int(words[2]), zmq.POLLIN):
                    reply = "msg " + " ".join(part_out(p) for p in s.recv_multipart())
                else:
                    reply = "err EAGAIN"
            elif op == "setsockopt":
                sockets[int(words[1])].setsockopt(getattr(zmq, words[2]), option_value(words[3]))
                reply = "ok"
            elif op == "close":
                sockets.pop(int(words[1])).close(0)
                reply = "ok"
            else:
                reply = "err EINVAL"
        except zmq.ZMQError as e:
            reply = "err " + zmq.Errno(e.errno).name if e.errno in zmq.Errno._value2member_map_ else f"err {e.errno}"
        except Exception as e:  # a bad request is reported, never fatal
            reply = f"err {type(e).__name__}"
        print(reply, flush=True)
    for s in sockets.values():
        s.close(0)
    ctx.term()


if __name__ == "__main__":
    main()

// The JeroMQ agent: drives Debian's JeroMQ 0.3.6 (libjeromq-java) for the conformance catalogue.
//
// It speaks the agent protocol of conformance/agents/README.md on stdin/stdout, through
// JeroMQ's low-level zmq.ZMQ API (the shape of libzmq's C API). Built by
// conformance/agents/impls.py with javac against /usr/share/java/jeromq.jar.
//
// JeroMQ 0.3.6's monitor has no handshake events (its last event is DISCONNECTED, 512). The
// agent's stand-in for ZMQ_EVENT_HANDSHAKE_SUCCEEDED is a peer the socket can use: a TCP
// connection it made (CONNECTED: its pipe exists from zmq_connect on), or one it accepted
// (ACCEPTED) whose pipe the socket has attached; for a ROUTER, once the peer's identity has
// come (ZMTP 2.0 sends it as the first message after the greeting; until then the ROUTER
// cannot route to the peer). Counting ACCEPTED alone ran ahead of the socket: a bound PUSH or
// DEALER told of a "handshake" still refused a send with EAGAIN, a ROUTER dropped what it
// sent to a peer it had not yet identified, and with JeroMQ on both ends socket/*/direction
// and the ROUTER cells went FLAKY. Asking for the count polls the socket (ZMQ_EVENTS), as an
// application waiting for a peer does, so it attaches what has arrived. `hello` says
// handshake-events=approx; no handshake failure is ever reported.

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.BufferedOutputStream;
import java.nio.charset.StandardCharsets;
import java.lang.reflect.Field;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import zmq.Ctx;
import zmq.Msg;
import zmq.PollItem;
import zmq.SocketBase;
import zmq.ZError;
import zmq.ZMQ;

public final class Agent {
  private static final String[] TYPES = {
    "PAIR", "PUB", "SUB", "REQ", "REP", "DEALER", "ROUTER", "PULL", "PUSH", "XPUB", "XSUB", "STREAM"
  };
  private static final int HANDSHAKE_SUCCEEDED = 0x1000;
  private static final int MAX_REPEAT = 1000000; // sendn: limits on one request's work
  private static final int MAX_REPEAT_PARTS = 64;

  private static final class Sock {
    SocketBase s;
    SocketBase monitor;
    final long[] events = new long[32];
    // The socket's pipes as seen so far (by identity), and those zmq_connect made.
    final Set<Object> pipesSeen = Collections.newSetFromMap(new IdentityHashMap<>());
    final Set<Object> connectPipes = Collections.newSetFromMap(new IdentityHashMap<>());
  }

  private static final Field PIPES = pipesField();

  private static Field pipesField() {
    try {
      Field f = SocketBase.class.getDeclaredField("pipes");
      f.setAccessible(true);
      return f;
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("JeroMQ's SocketBase has no pipes list", e);
    }
  }

  // The pipes the socket has attached now, added to those seen; returns the new ones.
  private static Set<Object> notePipes(Sock a) {
    Set<Object> fresh = Collections.newSetFromMap(new IdentityHashMap<>());
    try {
      for (Object p : (List<?>) PIPES.get(a.s)) {
        if (a.pipesSeen.add(p)) fresh.add(p);
      }
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
    return fresh;
  }

  private static final Field ANONYMOUS = anonymousField();

  private static Field anonymousField() {
    try {
      Field f = zmq.Router.class.getDeclaredField("anonymousPipes");
      f.setAccessible(true);
      return f;
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("JeroMQ's Router has no anonymousPipes set", e);
    }
  }

  private static final Field MSGS_READ = msgsReadField();

  private static Field msgsReadField() {
    try {
      Field f = Class.forName("zmq.Pipe").getDeclaredField("msgsRead");
      f.setAccessible(true);
      return f;
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("JeroMQ's Pipe has no msgsRead count", e);
    }
  }

  // A ROUTER's pipes whose peer's identity has not come yet (ZMTP 2.0 sends it as the first
  // message after the greeting): the ROUTER cannot route to them yet. An anonymous pipe the
  // ROUTER has read from had its identity refused (already in use): that handshake is done.
  private static Set<Object> anonymous(Sock a) {
    Set<Object> waiting = Collections.newSetFromMap(new IdentityHashMap<>());
    if (!(a.s instanceof zmq.Router)) return waiting;
    try {
      for (Object p : (Set<?>) ANONYMOUS.get(a.s)) {
        if (MSGS_READ.getLong(p) == 0) waiting.add(p);
      }
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
    return waiting;
  }

  private static Object lastPipe(Sock a) {
    try {
      List<?> pipes = (List<?>) PIPES.get(a.s);
      return pipes.isEmpty() ? null : pipes.get(pipes.size() - 1);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }

  private static long handshakes(Sock a) {
    ZMQ.getSocketOption(a.s, ZMQ.ZMQ_EVENTS);  // polls: attaches the pipes that have arrived
    notePipes(a);
    Set<Object> anon = anonymous(a);
    long accepted = a.events[Integer.numberOfTrailingZeros(ZMQ.ZMQ_EVENT_ACCEPTED)];
    long connected = a.events[Integer.numberOfTrailingZeros(ZMQ.ZMQ_EVENT_CONNECTED)];
    long usableAccepted = 0;
    long anonymousConnect = 0;
    for (Object p : a.pipesSeen) {
      boolean fromConnect = a.connectPipes.contains(p);
      if (!fromConnect && !anon.contains(p)) ++usableAccepted;
      if (fromConnect && anon.contains(p)) ++anonymousConnect;
    }
    return Math.max(0, connected - anonymousConnect) + Math.min(accepted, usableAccepted);
  }

  private Ctx ctx = ZMQ.createContext();
  private final Map<Integer, Sock> socks = new HashMap<>();
  private int nextId = 1;
  private final PrintStream out =
      new PrintStream(new BufferedOutputStream(System.out, 1 << 16), false);

  public static void main(String[] args) throws Exception {
    new Agent().run();
    System.exit(0);  // JeroMQ's I/O threads are not daemons
  }

  private void run() throws Exception {
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.ISO_8859_1), 1 << 16);
    String line;
    while ((line = in.readLine()) != null) {
      boolean goOn;
      try {
        goOn = dispatch(line.trim().split(" +"));
      } catch (RuntimeException e) {  // JeroMQ throws where libzmq sets errno
        out.println("err " + errnoOfException(e));
        goOn = true;
      }
      out.flush();
      if (!goOn) break;
    }
  }

  private static String errnoName(int e) {
    if (e == ZError.EAGAIN) return "EAGAIN";
    if (e == ZError.EFSM) return "EFSM";
    if (e == ZError.EHOSTUNREACH) return "EHOSTUNREACH";
    if (e == ZError.ENOTSUP) return "ENOTSUP";
    if (e == ZError.EINVAL) return "EINVAL";
    if (e == ZError.ENOCOMPATPROTO) return "ENOCOMPATPROTO";
    if (e == ZError.EADDRINUSE) return "EADDRINUSE";
    if (e == ZError.EADDRNOTAVAIL) return "EADDRNOTAVAIL";
    if (e == ZError.ECONNREFUSED) return "ECONNREFUSED";
    if (e == ZError.ETERM) return "ETERM";
    if (e == ZError.EPROTONOSUPPORT) return "EPROTONOSUPPORT";
    if (e == ZError.ENOTCONN) return "ENOTCONN";
    if (e == ZError.ENOBUFS) return "ENOBUFS";
    if (e == ZError.EACCESS) return "EACCES";
    if (e == ZError.EMFILE) return "EMFILE";
    if (e == ZError.EINTR) return "EINTR";
    if (e == ZError.ENOTSOCK) return "ENOTSOCK";
    return "EUNKNOWN";
  }

  private static String errnoOfException(RuntimeException e) {
    if (e instanceof ZError.IOException) return "EADDRINUSE";
    if (e instanceof IllegalArgumentException) return "EINVAL";
    if (e instanceof UnsupportedOperationException) return "ENOTSUP";
    return "EINVAL";
  }

  private static String hex(byte[] data) {
    if (data == null || data.length == 0) return "-";
    StringBuilder b = new StringBuilder(data.length * 2);
    for (byte x : data) {
      b.append(Character.forDigit((x >> 4) & 15, 16)).append(Character.forDigit(x & 15, 16));
    }
    return b.toString();
  }

  private static byte[] unhex(String text) {
    if (text.equals("-")) return new byte[0];
    if (text.length() % 2 != 0) throw new IllegalArgumentException("odd hex");
    byte[] out = new byte[text.length() / 2];
    for (int i = 0; i < out.length; ++i) {
      int hi = Character.digit(text.charAt(2 * i), 16);
      int lo = Character.digit(text.charAt(2 * i + 1), 16);
      if (hi < 0 || lo < 0) throw new IllegalArgumentException("bad hex");
      out[i] = (byte) (hi * 16 + lo);
    }
    return out;
  }

  // Counts every monitor event waiting: the monitor pair has a HWM, so it is read on every
  // request.
  private void drainMonitors() {
    for (Sock a : socks.values()) {
      if (a.monitor == null) continue;
      for (;;) {
        ZMQ.Event ev = ZMQ.Event.read(a.monitor, ZMQ.ZMQ_DONTWAIT);
        if (ev == null) break;
        for (int bit = 0; bit < 32; ++bit) {
          if ((ev.event & (1 << bit)) != 0) a.events[bit]++;
        }
      }
    }
  }

  private void closeSocket(Sock a) {
    if (a.monitor != null) {
      // Stop monitoring first: a JeroMQ 0.3.6 socket closed while monitored keeps its
      // connections open (its peers never see it go).
      ZMQ.monitorSocket(a.s, null, 0);
      ZMQ.setSocketOption(a.monitor, ZMQ.ZMQ_LINGER, 0);
      ZMQ.close(a.monitor);
      a.monitor = null;
    }
    ZMQ.setSocketOption(a.s, ZMQ.ZMQ_LINGER, 0);
    ZMQ.close(a.s);
  }

  private void closeAll() {
    for (Sock a : socks.values()) closeSocket(a);
    socks.clear();
    nextId = 1;
  }

  private void ok(boolean done, SocketBase s) {
    out.println(done ? "ok" : "err " + errnoName(s.errno()));
  }

  private boolean dispatch(String[] w) {
    if (w.length == 0 || w[0].isEmpty()) return true;
    drainMonitors();
    String verb = w[0];
    switch (verb) {
      case "hello":
        out.println("ok jeromq 0.3.6 zmtp=2.0 drops=no handshake-events=approx");
        return true;
      case "socket":
        for (int t = 0; t < TYPES.length; ++t) {
          if (w.length > 1 && TYPES[t].equals(w[1])) {
            Sock a = new Sock();
            a.s = ZMQ.socket(ctx, t);
            if (a.s == null) {
              out.println("err EINVAL");
              return true;
            }
            int id = nextId++;
            socks.put(id, a);
            out.println("ok " + id);
            return true;
          }
        }
        out.println("err EINVAL");
        return true;
      case "reset":
      case "term":
        closeAll();
        ZMQ.term(ctx);
        ctx = ZMQ.createContext();
        out.println("ok");
        return verb.equals("reset");
      default:
        break;
    }
    Sock a = w.length > 1 ? socks.get(Integer.parseInt(w[1])) : null;
    if (a == null) {
      out.println("err ENOTSOCK");
      return true;
    }
    switch (verb) {
      case "close":
        closeSocket(a);
        socks.remove(Integer.parseInt(w[1]));
        out.println("ok");
        break;
      case "bind":
        ok(ZMQ.bind(a.s, w[2]), a.s);
        break;
      case "connect": {
        notePipes(a);
        boolean connected = ZMQ.connect(a.s, w[2]);
        // zmq_connect processes pending commands first (which may attach an accepted peer's
        // pipe), then attaches its own pipe last: the list's last pipe, if it is new.
        Object last = lastPipe(a);
        boolean fresh = last != null && !a.pipesSeen.contains(last);
        notePipes(a);
        if (connected && fresh) a.connectPipes.add(last);
        ok(connected, a.s);
        break;
      }
      case "unbind":
        ok(ZMQ.unbind(a.s, w[2]), a.s);
        break;
      case "disconnect":
        ok(ZMQ.disconnect(a.s, w[2]), a.s);
        break;
      case "setint":
        ZMQ.setSocketOption(a.s, Integer.parseInt(w[2]), Integer.valueOf(w[3]));
        out.println("ok");
        break;
      case "setbytes":
        ZMQ.setSocketOption(a.s, Integer.parseInt(w[2]), unhex(w[3]));
        out.println("ok");
        break;
      case "getint":
        out.println("ok " + ZMQ.getSocketOption(a.s, Integer.parseInt(w[2])));
        break;
      case "send":
        send(a, w);
        break;
      case "sendn":
        sendRepeated(a, w);
        break;
      case "recv":
        recv(a, Integer.parseInt(w[2]));
        break;
      case "poll": {
        PollItem item = new PollItem(a.s, Integer.parseInt(w[2]));
        ZMQ.poll(new PollItem[] {item}, Long.parseLong(w[3]));
        out.println("ok " + item.readyOps());
        break;
      }
      case "monitor": {
        String endpoint = "inproc://agent-monitor-" + w[1];
        if (!ZMQ.monitorSocket(a.s, endpoint, ZMQ.ZMQ_EVENT_ALL)) {
          ok(false, a.s);
          break;
        }
        a.monitor = ZMQ.socket(ctx, ZMQ.ZMQ_PAIR);
        ok(ZMQ.connect(a.monitor, endpoint), a.monitor);
        break;
      }
      case "events": {
        long event = Long.decode(w[2]);
        if (event == HANDSHAKE_SUCCEEDED) {
          out.println("ok " + handshakes(a));
          break;
        }
        long count = 0;
        for (int bit = 0; bit < 32; ++bit) {
          if (event == (1L << bit)) count = a.events[bit];
        }
        out.println("ok " + count);
        break;
      }
      case "drops":
        out.println("err ENOTSUP");
        break;
      case "gets": // JeroMQ 0.3.6 speaks ZMTP 2.0: no handshake metadata, no message properties
        out.println("err ENOTSUP");
        break;
      default:
        out.println("err EINVAL");
    }
    return true;
  }

  private void send(Sock a, String[] w) {
    int flags = w[2].contains("d") ? ZMQ.ZMQ_DONTWAIT : 0;
    boolean moreLast = w[2].contains("m");
    int parts = w.length - 3;
    for (int i = 0; i < parts; ++i) {
      byte[] data = unhex(w[3 + i]);
      int f = flags | ((i + 1 < parts || moreLast) ? ZMQ.ZMQ_SNDMORE : 0);
      if (ZMQ.send(a.s, data, data.length, f) < 0) {
        out.println("err " + errnoName(a.s.errno()) + " " + i);
        return;
      }
    }
    out.println("ok " + parts);
  }

  // The same message COUNT times with no answer in between: a burst faster than a request
  // per message, for races between the sender and its own I/O thread.
  private void sendRepeated(Sock a, String[] w) {
    int parts = w.length - 4;
    byte[][] data = new byte[Math.max(parts, 0)][];
    int count;
    try {
      count = parts > 0 ? Integer.parseInt(w[3]) : -1;
      for (int i = 0; i < parts; ++i) data[i] = unhex(w[4 + i]);
    } catch (IllegalArgumentException e) { // a bad count or bad hex: nothing sent
      count = -1;
    }
    if (count < 0 || count > MAX_REPEAT || parts > MAX_REPEAT_PARTS) {
      out.println("err EINVAL 0");
      return;
    }
    int flags = w[2].contains("d") ? ZMQ.ZMQ_DONTWAIT : 0;
    for (int k = 0; k < count; ++k) {
      for (int i = 0; i < parts; ++i) {
        int f = flags | (i + 1 < parts ? ZMQ.ZMQ_SNDMORE : 0);
        if (ZMQ.send(a.s, data[i], data[i].length, f) < 0) {
          out.println("err " + errnoName(a.s.errno()) + " " + k);
          return;
        }
      }
    }
    out.println("ok " + count);
  }

  private void recv(Sock a, int timeoutMs) {
    if (timeoutMs != 0) {
      ZMQ.poll(new PollItem[] {new PollItem(a.s, ZMQ.ZMQ_POLLIN)}, timeoutMs);
    }
    Msg m = ZMQ.recv(a.s, ZMQ.ZMQ_DONTWAIT);
    if (m == null) {
      out.println("err " + errnoName(a.s.errno()));
      return;
    }
    out.println("ok " + (m.hasMore() ? 1 : 0) + " " + hex(m.data()));
  }
}

// The configuration libzmq's tests are compiled with: Debian's libzmq 4.3.4 build on Linux
// (configure --with-pgm --with-libsodium --with-norm --with-libgssapi_krb5: epoll, ipc, tipc,
// SO_PEERCRED, CURVE through libsodium). It stands in for the platform.hpp
// that libzmq's configure would generate; the tests read only these macros. The same binaries
// then run on both libraries, so what a test expects is what Debian's libzmq offers.
#ifndef ZLAB_LIBZMQ_SUITE_PLATFORM_HPP
#define ZLAB_LIBZMQ_SUITE_PLATFORM_HPP

#define ZMQ_HAVE_LINUX 1
#define ZMQ_IOTHREAD_POLLER_USE_EPOLL 1
#define ZMQ_HAVE_EVENTFD 1
#define ZMQ_HAVE_IPC 1
#define ZMQ_HAVE_UIO 1
#define ZMQ_HAVE_SO_PEERCRED 1
#define ZMQ_HAVE_SO_PRIORITY 1
#define ZMQ_HAVE_CURVE 1
#define ZMQ_HAVE_TIPC 1
#define ZMQ_HAVE_OPENPGM 1
#define ZMQ_HAVE_NORM 1
#define HAVE_LIBGSSAPI_KRB5 1
#define ZMQ_USE_LIBSODIUM 1
#define HAVE_MKDTEMP 1

#endif

// One request line in, one reply line out: a tiny text protocol over the engine-free calls of
// the C API. api_calls.cc is compiled twice, once against zlab and once against libzmq (in the
// libzmq_peer process), so the same request can be answered by both and the replies compared.
//
// Requests (hex is lower-case, two digits per byte, possibly empty):
//   version                    -> "<major> <minor> <patch>"
//   strerror <int>             -> the message
//   z85_encode <hex bytes>     -> "ok <text>" | "null errno=<n>"
//   z85_decode <hex of text>   -> "ok <hex bytes>" | "null errno=<n>"
//   counter <op>,<op>,...      -> results of inc/dec/value, space-separated; ops: inc, dec,
//                                 value, set=<int> (on one fresh counter)
// Anything else -> "bad request".
#ifndef ZLAB_ENGINE_API_INTEROP_API_CALLS_H_
#define ZLAB_ENGINE_API_INTEROP_API_CALLS_H_

#include <string>

namespace zlab::interop {

std::string AnswerApiCall(const std::string& request);

std::string ToHex(const std::string& bytes);
bool FromHex(const std::string& hex, std::string* bytes);

}  // namespace zlab::interop

#endif  // ZLAB_ENGINE_API_INTEROP_API_CALLS_H_

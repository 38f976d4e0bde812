#include "engine/api/interop/api_calls.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include <sstream>
#include <string>
#include <vector>

#if defined ZLAB_API_CALLS_LIBZMQ
#include <zmq.h>
#else
#include "engine/api/zmq.h"
#endif

namespace zlab::interop {
namespace {

std::string Null() { return "null errno=" + std::to_string(errno); }

std::string Z85Encode(const std::string& hex) {
  std::string data;
  if (!FromHex(hex, &data)) return "bad request";
  std::vector<char> text(data.size() * 5 / 4 + 1, '\0');
  errno = 0;
  if (zmq_z85_encode(text.data(), reinterpret_cast<const uint8_t*>(data.data()), data.size()) ==
      nullptr) {
    return Null();
  }
  return "ok " + std::string(text.data());
}

std::string Z85Decode(const std::string& hex) {
  std::string text;
  if (!FromHex(hex, &text) || text.find('\0') != std::string::npos) return "bad request";
  std::vector<uint8_t> bytes(text.size() * 4 / 5 + 1, 0);
  errno = 0;
  if (zmq_z85_decode(bytes.data(), text.c_str()) == nullptr) return Null();
  return "ok " + ToHex(std::string(bytes.begin(), bytes.begin() + text.size() * 4 / 5));
}

std::string Counter(const std::string& ops) {
  void* counter = zmq_atomic_counter_new();
  std::string out;
  std::stringstream in(ops);
  std::string op;
  while (std::getline(in, op, ',')) {
    int result = 0;
    if (op == "inc") {
      result = zmq_atomic_counter_inc(counter);
    } else if (op == "dec") {
      result = zmq_atomic_counter_dec(counter);
    } else if (op == "value") {
      result = zmq_atomic_counter_value(counter);
    } else if (op.rfind("set=", 0) == 0) {
      zmq_atomic_counter_set(counter, static_cast<int>(strtol(op.c_str() + 4, nullptr, 10)));
      continue;
    } else {
      zmq_atomic_counter_destroy(&counter);
      return "bad request";
    }
    out += (out.empty() ? "" : " ") + std::to_string(result);
  }
  zmq_atomic_counter_destroy(&counter);
  return out;
}

}  // namespace

std::string ToHex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char b : bytes) {
    hex += kDigits[b >> 4];
    hex += kDigits[b & 0xF];
  }
  return hex;
}

bool FromHex(const std::string& hex, std::string* bytes) {
  if (hex.size() % 2 != 0) return false;
  bytes->clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    char* end = nullptr;
    const std::string pair = hex.substr(i, 2);
    const long value = strtol(pair.c_str(), &end, 16);
    if (end != pair.c_str() + 2) return false;
    bytes->push_back(static_cast<char>(value));
  }
  return true;
}

std::string AnswerApiCall(const std::string& request) {
  const size_t space = request.find(' ');
  const std::string verb = request.substr(0, space);
  const std::string arg = space == std::string::npos ? "" : request.substr(space + 1);
  if (verb == "version") {
    int major = 0, minor = 0, patch = 0;
    zmq_version(&major, &minor, &patch);
    return std::to_string(major) + " " + std::to_string(minor) + " " + std::to_string(patch);
  }
  if (verb == "strerror") return zmq_strerror(static_cast<int>(strtol(arg.c_str(), nullptr, 10)));
  if (verb == "z85_encode") return Z85Encode(arg);
  if (verb == "z85_decode") return Z85Decode(arg);
  if (verb == "counter") return Counter(arg);
  return "bad request";
}

}  // namespace zlab::interop

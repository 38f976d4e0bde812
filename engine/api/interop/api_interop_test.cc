// zlab's engine-free API calls against the installed libzmq 4.3.4, call by call: the same
// requests (api_calls.h) are answered in-process by zlab and by libzmq_peer, a separate process
// linked with libzmq, and the replies must be identical.
#include <gtest/gtest.h>
#include <limits.h>
#include <stdlib.h>

#include <fstream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "engine/api/interop/api_calls.h"
#include "engine/api/zmq.h"

namespace zlab::interop {
namespace {

const std::string kZ85Alphabet =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

std::string PeerPath() {
  const char* srcdir = getenv("TEST_SRCDIR");
  const char* workspace = getenv("TEST_WORKSPACE");
  return std::string(srcdir ? srcdir : ".") + "/" + (workspace ? workspace : "zlab") +
         "/engine/api/interop/libzmq_peer";
}

std::string TempPath(const std::string& name) {
  const char* tmp = getenv("TEST_TMPDIR");
  return std::string(tmp ? tmp : "/tmp") + "/" + name;
}

// Answers every request in one run of the libzmq peer.
std::vector<std::string> AskLibzmq(const std::vector<std::string>& requests) {
  const std::string in = TempPath("requests.txt");
  const std::string out = TempPath("replies.txt");
  {
    std::ofstream f(in);
    for (const std::string& r : requests) f << r << '\n';
  }
  const std::string command = "'" + PeerPath() + "' < '" + in + "' > '" + out + "'";
  const int status = system(command.c_str());
  EXPECT_EQ(status, 0) << command;
  std::vector<std::string> replies;
  std::ifstream f(out);
  for (std::string line; std::getline(f, line);) replies.push_back(line);
  return replies;
}

// Asks both sides and expects identical replies; returns libzmq's.
std::vector<std::string> ExpectSameReplies(const std::vector<std::string>& requests) {
  const std::vector<std::string> theirs = AskLibzmq(requests);
  EXPECT_EQ(theirs.size(), requests.size());
  int mismatches = 0;
  for (size_t i = 0; i < requests.size() && i < theirs.size(); ++i) {
    const std::string ours = AnswerApiCall(requests[i]);
    EXPECT_NE(ours, "bad request") << requests[i];
    if (ours != theirs[i] && ++mismatches <= 20) {
      ADD_FAILURE() << "request: " << requests[i] << "\n  zlab:   " << ours
                    << "\n  libzmq: " << theirs[i];
    }
  }
  EXPECT_EQ(mismatches, 0) << "of " << requests.size() << " requests";
  return theirs;
}

std::string RandomBytes(std::mt19937& rng, size_t size) {
  std::string bytes(size, '\0');
  for (char& b : bytes) b = static_cast<char>(rng());
  return bytes;
}

TEST(ApiInterop, PeerIsReachable) {
  const std::vector<std::string> replies = AskLibzmq({"version"});
  ASSERT_EQ(replies.size(), 1u) << "peer at " << PeerPath();
}

TEST(ApiInterop, Version) { ExpectSameReplies({"version"}); }

TEST(ApiInterop, StrerrorOfEveryOtherErrnoIsLibzmqs) {
  const std::set<int> zmq_own = {EFSM, ENOCOMPATPROTO, ETERM, EMTHREAD};
  std::vector<std::string> requests;
  for (int e = -2; e <= 200; ++e) requests.push_back("strerror " + std::to_string(e));
  for (int e = ZMQ_HAUSNUMERO - 1; e <= ZMQ_HAUSNUMERO + 60; ++e) {
    if (zmq_own.count(e) == 0) requests.push_back("strerror " + std::to_string(e));
  }
  requests.push_back("strerror " + std::to_string(INT_MAX));
  requests.push_back("strerror " + std::to_string(INT_MIN));
  ExpectSameReplies(requests);
}

TEST(ApiInterop, StrerrorOfZmqErrorsIsOursButAsInformative) {
  // zlab words these four itself; both libraries must describe them, not call them unknown.
  std::vector<std::string> requests;
  for (int e : {EFSM, ENOCOMPATPROTO, ETERM, EMTHREAD}) {
    requests.push_back("strerror " + std::to_string(e));
  }
  const std::vector<std::string> theirs = AskLibzmq(requests);
  ASSERT_EQ(theirs.size(), requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    const std::string ours = AnswerApiCall(requests[i]);
    EXPECT_GT(ours.size(), 10u) << requests[i];
    EXPECT_GT(theirs[i].size(), 10u) << requests[i];
    EXPECT_EQ(ours.find("Unknown"), std::string::npos) << requests[i];
    EXPECT_EQ(theirs[i].find("Unknown"), std::string::npos) << requests[i];
  }
}

TEST(ApiInterop, Z85Encode) {
  std::mt19937 rng(4321);
  std::vector<std::string> requests;
  for (size_t size = 0; size <= 44; ++size) {
    for (int round = 0; round < 8; ++round) {
      requests.push_back("z85_encode " + ToHex(RandomBytes(rng, size)));
    }
    requests.push_back("z85_encode " + ToHex(std::string(size, '\xff')));
    requests.push_back("z85_encode " + ToHex(std::string(size, '\0')));
  }
  const std::vector<std::string> replies = ExpectSameReplies(requests);
  int refused = 0;
  for (const std::string& r : replies) refused += r.rfind("null", 0) == 0;
  EXPECT_GT(refused, 0);                                 // Sizes not a multiple of 4...
  EXPECT_LT(refused, static_cast<int>(replies.size()));  // ...and the others encode.
}

TEST(ApiInterop, Z85Decode) {
  std::mt19937 rng(8765);
  std::vector<std::string> texts = {"",      "HelloWorld", "%nSc0",      "%nSc1",      "%nSd0",
                                    "#####", "%%%%%",      "$0000",      "@0000",      "00000",
                                    "0000",  "000000",     "%nSc0%nSc0", "00000#####", "Hello "};
  // Valid encodings of random data.
  for (int round = 0; round < 200; ++round) {
    const std::string bytes = RandomBytes(rng, 4 * (1 + rng() % 10));
    std::string text(bytes.size() * 5 / 4 + 1, '\0');
    zmq_z85_encode(text.data(), reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    text.pop_back();
    texts.push_back(text);
  }
  // Random alphabet strings of every length: bad lengths, overflowing and valid groups.
  for (int round = 0; round < 600; ++round) {
    std::string text(rng() % 26, ' ');
    for (char& c : text) c = kZ85Alphabet[rng() % 85];
    texts.push_back(text);
  }
  // Every byte outside the alphabet, first and last.
  for (int c = 1; c < 256; ++c) {
    if (kZ85Alphabet.find(static_cast<char>(c)) != std::string::npos) continue;
    texts.push_back(std::string(1, static_cast<char>(c)) + "elloWorld");
    texts.push_back(std::string("HelloWorl") + static_cast<char>(c));
  }
  std::vector<std::string> requests;
  for (const std::string& text : texts) requests.push_back("z85_decode " + ToHex(text));
  const std::vector<std::string> replies = ExpectSameReplies(requests);
  int decoded = 0;
  for (const std::string& r : replies) decoded += r.rfind("ok", 0) == 0;
  EXPECT_GT(decoded, 200);
  EXPECT_LT(decoded, static_cast<int>(replies.size()) - 300);
}

TEST(ApiInterop, AtomicCounter) {
  std::mt19937 rng(99);
  const std::vector<std::string> sets = {"set=0",          "set=1",           "set=-1", "set=2",
                                         "set=2147483647", "set=-2147483648", "set=-2", "set=100"};
  std::vector<std::string> requests = {"counter inc,inc,dec,dec,dec,value"};
  for (int round = 0; round < 300; ++round) {
    std::string ops;
    const int length = 1 + static_cast<int>(rng() % 20);
    for (int i = 0; i < length; ++i) {
      static const char* const kOps[] = {"inc", "dec", "value"};
      const std::string op = rng() % 5 == 0 ? sets[rng() % sets.size()] : kOps[rng() % 3];
      ops += (ops.empty() ? "" : ",") + op;
    }
    requests.push_back("counter " + ops + ",value");
  }
  ExpectSameReplies(requests);
}

}  // namespace
}  // namespace zlab::interop

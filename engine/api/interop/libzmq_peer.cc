// The reference side of api_interop_test: answers api_calls requests (one per stdin line) with
// the installed libzmq, one reply per stdout line.
#include <iostream>
#include <string>

#include "engine/api/interop/api_calls.h"

int main() {
  std::string line;
  while (std::getline(std::cin, line)) {
    std::cout << zlab::interop::AnswerApiCall(line) << '\n';
  }
  return std::cout.good() ? 0 : 1;
}

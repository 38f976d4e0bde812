#include "conformance/harness/property.h"

#include <algorithm>

namespace zlab::conform {
namespace {

Evidence* current = nullptr;
Evidence scratch;  // when no runner is around (a property called from a unit test)

}  // namespace

void Evidence::max(std::string_view name, int64_t n) {
  int64_t& v = counters_[std::string(name)];
  v = std::max(v, n);
}

Evidence& evidence() { return current != nullptr ? *current : scratch; }

void set_current_evidence(Evidence* e) { current = e; }

}  // namespace zlab::conform

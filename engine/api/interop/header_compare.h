// Differences between two header tables (see header_table.h), matched by name.
#ifndef ZLAB_ENGINE_API_INTEROP_HEADER_COMPARE_H_
#define ZLAB_ENGINE_API_INTEROP_HEADER_COMPARE_H_

#include <string>
#include <vector>

#include "engine/api/interop/header_table.h"

namespace zlab::interop {

// Human-readable description of a macro's value, e.g. `17 (signed 4-byte)`.
std::string Describe(const Value& value);

// One line per difference, sorted, e.g.
//   "constant ZMQ_LINGER: zlab not defined, libzmq 17 (signed 4-byte)".
// A name listed by one table and not the other is a difference too. Empty means identical.
std::vector<std::string> CompareHeaderTables(const HeaderTable& zlab, const HeaderTable& libzmq);

}  // namespace zlab::interop

#endif  // ZLAB_ENGINE_API_INTEROP_HEADER_COMPARE_H_

#include "conformance/properties/spec_table.h"

#include <stdexcept>

namespace zlab::conform {

const std::vector<SpecRecord>& spec_records() {
  static const std::vector<SpecRecord> kRecords = {
#include "conformance/properties/spec_table.inc"
  };
  return kRecords;
}

std::string spec_value(std::string_view type, std::string_view column) {
  for (const SpecRecord& r : spec_records()) {
    if (type == r.type && column == r.column) return r.value;
  }
  throw std::out_of_range("no spec record for " + std::string(type) + "/" + std::string(column));
}

std::string type_name(SocketType type) { return std::string(socket_type_info(type).name); }

SocketType type_named(std::string_view name) {
  auto t = socket_type_from_name(name);
  if (!t) throw std::out_of_range("unknown socket type " + std::string(name));
  return *t;
}

std::vector<SocketType> spec_peers(SocketType type) {
  std::vector<SocketType> out;
  std::string list = spec_value(type_name(type), "compatible");
  size_t start = 0;
  while (start < list.size()) {
    size_t comma = list.find(',', start);
    std::string name =
        list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (auto t = socket_type_from_name(name)) out.push_back(*t);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace zlab::conform

#include "conformance/properties/spec_table.h"

#include <algorithm>
#include <stdexcept>

namespace zlab::conform {

const std::vector<SpecRecord>& spec_records() {
  static const std::vector<SpecRecord> kRecords = {
#include "conformance/properties/spec_table.inc"
  };
  return kRecords;
}

namespace {

struct SpecRule {
  const char* id;
  const char* applies_to;  // comma-separated type names
  bool active;
};

const std::vector<SpecRule>& spec_rules() {
  static const std::vector<SpecRule> kRules = {
#include "conformance/properties/spec_rules.inc"
  };
  return kRules;
}

const SpecRule& rule(std::string_view id) {
  for (const SpecRule& r : spec_rules()) {
    if (id == r.id) return r;
  }
  throw std::out_of_range("no rule " + std::string(id));
}

const SpecRecord& record(std::string_view type, std::string_view column) {
  for (const SpecRecord& r : spec_records()) {
    if (type == r.type && column == r.column) return r;
  }
  throw std::out_of_range("no spec record for " + std::string(type) + "/" + std::string(column));
}

}  // namespace

std::string spec_value(std::string_view type, std::string_view column) {
  return record(type, column).value;
}

bool rule_applies(std::string_view rule_id, SocketType type) {
  std::string list = std::string(",") + rule(rule_id).applies_to + ",";
  return list.find("," + type_name(type) + ",") != std::string::npos;
}

bool rule_active(std::string_view rule_id) { return rule(rule_id).active; }

std::string type_name(SocketType type) { return std::string(socket_type_info(type).name); }

SocketType type_named(std::string_view name) {
  auto t = socket_type_from_name(name);
  if (!t) throw std::out_of_range("unknown socket type " + std::string(name));
  return *t;
}

std::vector<SocketType> spec_peers(SocketType type) {
  std::vector<SocketType> out;
  std::string list = record(type_name(type), "compatible").strict;
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

std::vector<SocketType> spec_types() {
  std::vector<SocketType> out;
  for (const SpecRecord& r : spec_records()) {
    SocketType t = type_named(r.type);
    if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
  }
  std::sort(out.begin(), out.end());  // zmq.h's numbering: the classic twelve first
  return out;
}

bool spec_active(SocketType type) { return record(type_name(type), "compatible").active; }

std::vector<SocketType> active_types() {
  std::vector<SocketType> out;
  for (SocketType t : spec_types()) {
    if (spec_active(t)) out.push_back(t);
  }
  return out;
}

}  // namespace zlab::conform

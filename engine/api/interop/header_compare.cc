#include "engine/api/interop/header_compare.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>

namespace zlab::interop {
namespace {

// Name -> description, for one kind of row of one table.
using Rows = std::map<std::string, std::string>;

std::string Bytes(std::size_t n) { return std::to_string(n) + " bytes"; }

Rows ConstantRows(const HeaderTable& table) {
  Rows rows;
  for (const Constant& c : table.constants) rows[c.name] = Describe(c.value);
  return rows;
}

Rows FunctionRows(const HeaderTable& table) {
  Rows rows;
  for (const Function& f : table.functions) rows[f.name] = std::string("type ") + f.type;
  return rows;
}

Rows TypedefRows(const HeaderTable& table) {
  Rows rows;
  for (const Typedef& t : table.typedefs) {
    std::string text = std::string("type ") + t.type;
    if (t.size != 0) text += ", size " + Bytes(t.size) + ", alignment " + Bytes(t.align);
    rows[t.name] = text;
  }
  return rows;
}

Rows FieldRows(const HeaderTable& table) {
  Rows rows;
  for (const Field& f : table.fields) {
    rows[f.name] = "offset " + std::to_string(f.offset) + ", size " + Bytes(f.size);
  }
  return rows;
}

void Diff(const char* kind, const Rows& zlab, const Rows& libzmq, std::vector<std::string>* out) {
  std::set<std::string> names;
  for (const auto& [name, _] : zlab) names.insert(name);
  for (const auto& [name, _] : libzmq) names.insert(name);
  for (const std::string& name : names) {
    auto ours = zlab.find(name);
    auto theirs = libzmq.find(name);
    const std::string ours_text = ours == zlab.end() ? "no row" : ours->second;
    const std::string theirs_text = theirs == libzmq.end() ? "no row" : theirs->second;
    if (ours_text != theirs_text) {
      out->push_back(std::string(kind) + " " + name + ": zlab " + ours_text + ", libzmq " +
                     theirs_text);
    }
  }
}

}  // namespace

std::string Describe(const Value& value) {
  switch (value.kind) {
    case Value::Kind::kAbsent:
      return "not defined";
    case Value::Kind::kEmpty:
      return "defined empty";
    case Value::Kind::kString:
      return std::string("\"") + value.text + "\"";
    case Value::Kind::kInteger: {
      const std::string number = value.is_signed
                                     ? std::to_string(static_cast<long long>(value.bits))
                                     : std::to_string(value.bits);
      return number + (value.is_signed ? " (signed " : " (unsigned ") + std::to_string(value.size) +
             "-byte)";
    }
  }
  return "?";
}

std::vector<std::string> CompareHeaderTables(const HeaderTable& zlab, const HeaderTable& libzmq) {
  std::vector<std::string> out;
  Diff("constant", ConstantRows(zlab), ConstantRows(libzmq), &out);
  Diff("function", FunctionRows(zlab), FunctionRows(libzmq), &out);
  Diff("typedef", TypedefRows(zlab), TypedefRows(libzmq), &out);
  Diff("field", FieldRows(zlab), FieldRows(libzmq), &out);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace zlab::interop

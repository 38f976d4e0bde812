// What a zmq.h defines, as data: the rows header_table.cc collects when compiled against one
// header (ours, libzmq's, or a deliberately broken copy of ours), for header_compare to diff.
//
// The two real headers declare the same names, so each table comes from its own translation
// unit; only plain data (names, numbers, mangled type names) crosses between them.
#ifndef ZLAB_ENGINE_API_INTEROP_HEADER_TABLE_H_
#define ZLAB_ENGINE_API_INTEROP_HEADER_TABLE_H_

#include <cstddef>
#include <type_traits>
#include <typeinfo>
#include <vector>

namespace zlab::interop {

// A macro as the compiler sees it after including the header.
struct Value {
  enum class Kind { kAbsent, kEmpty, kInteger, kString };
  Kind kind = Kind::kAbsent;
  unsigned long long bits = 0;  // kInteger: the value, two's complement.
  int size = 0;                 // kInteger: sizeof its type.
  bool is_signed = false;       // kInteger: signedness of its type.
  const char* text = nullptr;   // kString.
};

constexpr Value Absent() { return {}; }
// Probe(MACRO) works for any expansion: empty, an integer expression or a string literal.
constexpr Value Probe() { return {Value::Kind::kEmpty}; }
template <typename T>
requires std::is_integral_v<T>
constexpr Value Probe(T v) {
  return {Value::Kind::kInteger, static_cast<unsigned long long>(v), static_cast<int>(sizeof(T)),
          std::is_signed_v<T>};
}
constexpr Value Probe(const char* text) { return {Value::Kind::kString, 0, 0, false, text}; }

struct Constant {
  const char* name;
  Value value;
};

// A declared function: its type as a mangled name (return and parameter types, exactly).
struct Function {
  const char* name;
  const char* type;
};

// A typedef: its type's mangled name, and size and alignment for object types (0 for functions).
struct Typedef {
  const char* name;
  const char* type;
  std::size_t size;
  std::size_t align;
};

// A struct member: where it sits and how big it is.
struct Field {
  const char* name;
  std::size_t offset;
  std::size_t size;
};

struct HeaderTable {
  std::vector<Constant> constants;
  std::vector<Function> functions;
  std::vector<Typedef> typedefs;
  std::vector<Field> fields;
};

// One per compilation of header_table.cc (see BUILD): header x configuration.
const HeaderTable& OursStableTable();
const HeaderTable& OursDraftTable();
const HeaderTable& OursErrnoFallbackTable();
const HeaderTable& LibzmqStableTable();
const HeaderTable& LibzmqDraftTable();
const HeaderTable& LibzmqErrnoFallbackTable();
const HeaderTable& BrokenStableTable();

}  // namespace zlab::interop

#endif  // ZLAB_ENGINE_API_INTEROP_HEADER_TABLE_H_

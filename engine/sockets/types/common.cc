#include <cstring>

#include "engine/sockets/types/types.h"

namespace zlab {

std::optional<bool> bool_option(std::span<const uint8_t> value, BoolForm form) {
  int v = 0;
  if (value.size() != sizeof v) return std::nullopt;
  std::memcpy(&v, value.data(), sizeof v);
  if (form == BoolForm::kStrict && v != 0 && v != 1) return std::nullopt;
  if (form == BoolForm::kNonNegative && v < 0) return std::nullopt;
  return v != 0;
}

Err put_int_option(int v, uint8_t* out, size_t* size) {
  if (*size < sizeof v) return Err::kInvalid;
  std::memcpy(out, &v, sizeof v);
  *size = sizeof v;
  return Err::kOk;
}

}  // namespace zlab

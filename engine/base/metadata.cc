#include "engine/base/metadata.h"

namespace zlab {

Metadata* Metadata::create(std::vector<Property> properties) {
  return new Metadata(std::move(properties));
}

void Metadata::unref() const {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
}

const std::string* Metadata::find(std::string_view name) const {
  for (const auto& [key, value] : properties_) {
    if (equals_ignore_case(key, name)) return &value;
  }
  return nullptr;
}

bool equals_ignore_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

}  // namespace zlab

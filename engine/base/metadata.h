// Properties a peer announced (READY metadata) plus what the transport knows (Peer-Address).
// Shared by every message from one connection; immutable once built.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace zlab {

class Metadata {
 public:
  using Property = std::pair<std::string, std::string>;

  static Metadata* create(std::vector<Property> properties);
  void ref() const { refs_.fetch_add(1, std::memory_order_relaxed); }
  void unref() const;

  // Property names are case-insensitive (ZMTP 3.1); nullptr when absent.
  const std::string* find(std::string_view name) const;
  const std::vector<Property>& properties() const { return properties_; }

 private:
  explicit Metadata(std::vector<Property> properties) : properties_(std::move(properties)) {}
  mutable std::atomic<uint32_t> refs_{1};
  std::vector<Property> properties_;
};

bool equals_ignore_case(std::string_view a, std::string_view b);

}  // namespace zlab

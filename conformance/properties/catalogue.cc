// The catalogue: every property, by family.
#include "conformance/harness/property.h"

namespace zlab::conform {

void add_compat_direction_properties(std::vector<Property>& out);
void add_routing_properties(std::vector<Property>& out);

void add_table_properties(std::vector<Property>& out) {
  add_compat_direction_properties(out);
  add_routing_properties(out);
}

// The surrounding rules (rules.json) come next; none has a property yet.
void add_rule_properties(std::vector<Property>& out) { (void)out; }

std::vector<Property> catalogue() {
  std::vector<Property> out;
  add_table_properties(out);
  add_rule_properties(out);
  return out;
}

}  // namespace zlab::conform

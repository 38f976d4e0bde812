// PUSH, PULL and PAIR rules, and the general and HWM rules that span types (spec/rules.json).
#include "conformance/properties/common.h"

namespace zlab::conform {

void add_pipeline_pair_rule_properties(std::vector<Property>& out) { (void)out; }

}  // namespace zlab::conform

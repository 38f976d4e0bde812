// STREAM rules and table columns: raw TCP peers, routing ids, connect/disconnect notifications (spec/rules.json).
#include "conformance/properties/common.h"

namespace zlab::conform {

void add_stream_rule_properties(std::vector<Property>& out) { (void)out; }

}  // namespace zlab::conform

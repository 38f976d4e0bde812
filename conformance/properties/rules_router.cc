// ROUTER rules: routing ids, envelopes, ZMQ_ROUTER_MANDATORY, unroutable and mute drops (spec/rules.json).
#include "conformance/properties/common.h"

namespace zlab::conform {

void add_router_rule_properties(std::vector<Property>& out) { (void)out; }

}  // namespace zlab::conform

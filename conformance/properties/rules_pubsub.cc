// PUB, SUB, XPUB and XSUB rules: fan-out, prefix matching, subscription messages, drops (spec/rules.json).
#include "conformance/properties/common.h"

namespace zlab::conform {

void add_pubsub_rule_properties(std::vector<Property>& out) { (void)out; }

}  // namespace zlab::conform

// The catalogue: every property, by family.
#include "conformance/harness/property.h"

namespace zlab::conform {

void add_compat_direction_properties(std::vector<Property>& out);
void add_routing_properties(std::vector<Property>& out);
void add_table_na_properties(std::vector<Property>& out);
void add_draft_table_properties(std::vector<Property>& out);

void add_table_properties(std::vector<Property>& out) {
  add_compat_direction_properties(out);
  add_routing_properties(out);
  add_table_na_properties(out);
  add_draft_table_properties(out);
}

void add_req_rep_rule_properties(std::vector<Property>& out);
void add_router_rule_properties(std::vector<Property>& out);
void add_stream_rule_properties(std::vector<Property>& out);
void add_pubsub_rule_properties(std::vector<Property>& out);
void add_pipeline_pair_rule_properties(std::vector<Property>& out);
void add_option_rule_properties(std::vector<Property>& out);
void add_xpub_option_rule_properties(std::vector<Property>& out);
void add_peer_death_rule_properties(std::vector<Property>& out);
void add_wire_rule_properties(std::vector<Property>& out);
void add_security_rule_properties(std::vector<Property>& out);
void add_draft_rule_properties(std::vector<Property>& out);
void add_draft_option_rule_properties(std::vector<Property>& out);
void add_udp_rule_properties(std::vector<Property>& out);

// The rules stated around the tables (spec/rules.json), one file per family.
void add_rule_properties(std::vector<Property>& out) {
  add_req_rep_rule_properties(out);
  add_router_rule_properties(out);
  add_stream_rule_properties(out);
  add_pubsub_rule_properties(out);
  add_pipeline_pair_rule_properties(out);
  add_option_rule_properties(out);
  add_xpub_option_rule_properties(out);
  add_peer_death_rule_properties(out);
  add_wire_rule_properties(out);
  add_security_rule_properties(out);
  add_draft_rule_properties(out);
  add_draft_option_rule_properties(out);
  add_udp_rule_properties(out);
}

std::vector<Property> catalogue() {
  std::vector<Property> out;
  add_table_properties(out);
  add_rule_properties(out);
  return out;
}

}  // namespace zlab::conform

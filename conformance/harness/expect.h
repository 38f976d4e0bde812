// EXPECT_RULE: a property's check that names what was expected (see below).
#pragma once

#include <rapidcheck.h>

#include <sstream>

// A check that says what the rule expected, with the values that matter named:
//   EXPECT_RULE(reply.has_value(), "a reply to request " << i << " within " << wait_ms << " ms");
// fails with "expected a reply to request 3 within 500 ms [reply.has_value() was false]".
// A bare RC_ASSERT(ok) would say only "false" (tools/property_messages.py refuses one in
// conformance/properties/).
#define EXPECT_RULE(cond, expected)                                             \
  do {                                                                          \
    if (!(cond)) {                                                              \
      std::ostringstream expect_rule_text_;                                     \
      expect_rule_text_ << "expected " << expected << " [" #cond " was false]"; \
      RC_FAIL(expect_rule_text_.str());                                         \
    }                                                                           \
  } while (false)

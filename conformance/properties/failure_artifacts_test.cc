// A failing property's shrunk case is replayed once more with recording on (RunConfig
// artifacts_dir): every simulated world of it leaves a trace and a pcapng, and recording
// changes nothing the run reports. The failure is planted (planted_failure), so this test
// fails if the recording does not happen.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include "conformance/harness/runner.h"
#include "conformance/properties/lab.h"

namespace zlab::conform {
namespace {

Property planted(const std::string& rule) {
  for (const Property& p : catalogue()) {
    if (p.rule == rule) return planted_failure(p);
  }
  ADD_FAILURE() << "no property " << rule;
  return {};
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(FailureArtifacts, AFailuresReplayLeavesATraceAndAPcapng) {
  set_current_transport(Transport::kSim);
  Property p = planted("socket/PUSH/outgoing");
  RunConfig config;
  config.seed = 3;
  config.cases = 10;
  RuleResult plain = run_property(p, config);
  ASSERT_EQ(plain.status, "FAIL");
  EXPECT_TRUE(plain.artifacts.empty());

  const char* tmp = std::getenv("TEST_TMPDIR");
  config.artifacts_dir = tmp != nullptr ? tmp : "/tmp";
  RuleResult recorded = run_property(p, config);
  EXPECT_EQ(difference(plain, recorded), "");  // recording only watches
  const std::string stem = config.artifacts_dir + "/socket-PUSH-outgoing-3";
  ASSERT_GE(recorded.artifacts.size(), 2u);
  EXPECT_EQ(recorded.artifacts[0], stem + ".jsonl");
  EXPECT_EQ(recorded.artifacts[1], stem + ".pcapng");
  std::string trace = read_file(stem + ".jsonl");
  EXPECT_GT(trace.size(), 100u);
  EXPECT_EQ(trace[0], '{');
  std::string pcap = read_file(stem + ".pcapng");
  ASSERT_GT(pcap.size(), 100u);
  EXPECT_EQ(pcap.substr(0, 4), std::string("\x0a\x0d\x0d\x0a", 4));  // a pcapng section
  EXPECT_NE(pcap.find("NULL"), std::string::npos);  // a ZMTP greeting went over the wire
  EXPECT_NE(to_json_line(recorded, 3).find("\"artifacts\":[\"" + stem + ".jsonl\""),
            std::string::npos);
}

TEST(FailureArtifacts, APassIsNotReplayed) {
  set_current_transport(Transport::kSim);
  for (const Property& p : catalogue()) {
    if (p.rule != "socket/PUSH/outgoing") continue;
    RunConfig config;
    config.cases = 3;
    config.artifacts_dir = "/nonexistent/never-written";
    RuleResult r = run_property(p, config);
    EXPECT_EQ(r.status, "PASS");
    EXPECT_TRUE(r.artifacts.empty());
  }
}

}  // namespace
}  // namespace zlab::conform

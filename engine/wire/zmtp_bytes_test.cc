#include "engine/wire/zmtp_bytes.h"

#include <gtest/gtest.h>

namespace zlab::wire::bytes {
namespace {

using namespace std::string_literals;

TEST(ZmtpBytesTest, GreetingIsTheCodecsGreeting) {
  Bytes g = greeting("PLAIN", true, 0);
  ASSERT_EQ(g.size(), 64u);
  EXPECT_EQ(g.substr(0, 10), raw_signature());
  EXPECT_EQ(g[10], 3);
  EXPECT_EQ(g[11], 0);
  EXPECT_EQ(g.substr(12, 6), "PLAIN\0"s);
  EXPECT_EQ(g[32], 1);
  Stream s = parse_stream(g);
  ASSERT_TRUE(s.greeting.has_value());
  EXPECT_EQ(s.greeting->mechanism, "PLAIN");
  EXPECT_TRUE(s.greeting->as_server);
  EXPECT_EQ(s.greeting->minor, 0);
}

TEST(ZmtpBytesTest, Zmtp20GreetingThenFrames) {
  EXPECT_EQ(greeting_v2(5), "\xff\0\0\0\0\0\0\0\x01\x7f\x01\x05"s);
  Stream s = parse_stream(greeting_v2(8, 4) + frame("abc") + frame("m", true) + frame("x"));
  EXPECT_EQ(s.greeting_state, GreetingReader::State::kCompleteZmtp20);
  EXPECT_FALSE(s.greeting.has_value());
  ASSERT_EQ(s.frames.size(), 3u);
  EXPECT_EQ(s.frames[0].body, "abc");
  EXPECT_TRUE(s.frames[1].more);
}

TEST(ZmtpBytesTest, FramesShortAndLong) {
  EXPECT_EQ(frame("ab"),
            "\x00\x02"
            "ab"s);
  EXPECT_EQ(frame("ab", true),
            "\x01\x02"
            "ab"s);
  Bytes big(300, 'x');
  EXPECT_EQ(frame(big), "\x02\0\0\0\0\0\0\x01\x2c"s + big);
  EXPECT_EQ(raw_frame(0x00, "ab", true),
            "\x02\0\0\0\0\0\0\0\x02"
            "ab"s);
  EXPECT_EQ(raw_frame_header(0x10, 1, false), "\x10\x01"s);
}

TEST(ZmtpBytesTest, CommandsMatchRfc23) {
  EXPECT_EQ(ready_socket_type("PUB"), "\x04\x19\x05READY\x0bSocket-Type\0\0\0\x03PUB"s);
  EXPECT_EQ(ping(10, "ab"),
            "\x04\x09\x04PING\x00\x0a"
            "ab"s);
  EXPECT_EQ(pong("ab"), "\x04\x07\x04PONGab"s);
  EXPECT_EQ(error("no"),
            "\x04\x09\x05"
            "ERROR\x02no"s);
  EXPECT_EQ(subscribe("t"), "\x04\x0b\x09SUBSCRIBEt"s);
  EXPECT_EQ(cancel("t"),
            "\x04\x08\x06"
            "CANCELt"s);
  EXPECT_EQ(subscribe_v30("t"), "\x00\x02\x01t"s);
  EXPECT_EQ(cancel_v30("t"), "\x00\x02\x00t"s);
  EXPECT_EQ(join("TV"), "\x04\x07\x04JOINTV"s);
  EXPECT_EQ(leave("TV"), "\x04\x08\x05LEAVETV"s);
  EXPECT_EQ(radio_message("TV", "hi"), "\x01\x02TV\x00\x02hi"s);
  EXPECT_EQ(raw_property("Id", 9, "x"), "\x02Id\0\0\0\x09x"s);
}

TEST(ZmtpBytesTest, ParsesWhatItBuilds) {
  Bytes in = null_handshake("DEALER") + message({"a", std::string(400, 'b')}) + ping(1, "c") +
             frame("tai");
  Stream s = parse_stream(in.substr(0, in.size() - 1));  // the last frame is cut short
  ASSERT_TRUE(s.greeting.has_value());
  ASSERT_EQ(s.frames.size(), 4u);
  EXPECT_EQ(s.frames[0].command_name(), "READY");
  EXPECT_EQ(s.frames[0].command_data(), properties({{"Socket-Type", "DEALER"}}));
  EXPECT_TRUE(s.frames[1].more);
  EXPECT_EQ(s.frames[2].body.size(), 400u);
  EXPECT_FALSE(s.frames[2].more);
  EXPECT_EQ(s.command_names(), (std::vector<std::string>{"READY", "PING"}));
  EXPECT_EQ(s.trailing, 4u);
  EXPECT_EQ(s.frame_error, FrameDecoder::Error::kNone);
}

TEST(ZmtpBytesTest, ParserReportsWhatTheDecoderRefuses) {
  EXPECT_EQ(parse_frames(raw_frame(0x10, "x")).frame_error, FrameDecoder::Error::kReservedFlags);
  EXPECT_EQ(parse_frames(raw_frame(0x05, "x")).frame_error, FrameDecoder::Error::kMoreOnCommand);
  // A size that lies is an incomplete frame, never an allocation of that size.
  Stream s = parse_frames(raw_frame_header(0, uint64_t(1) << 62, true) + "xyz");
  EXPECT_EQ(s.frame_error, FrameDecoder::Error::kNone);
  EXPECT_TRUE(s.frames.empty());
  EXPECT_EQ(s.trailing, 12u);
  EXPECT_EQ(parse_stream("GET / HTTP").greeting_state, GreetingReader::State::kLegacyZmtp10);
  EXPECT_FALSE(parse_stream(greeting().substr(0, 40)).greeting.has_value());
}

}  // namespace
}  // namespace zlab::wire::bytes

#include "engine/proto/zap.h"

#include "engine/proto/events.h"

namespace zlab::proto {

std::vector<Msg> make_zap_request(const ZapRequestFields& f) {
  std::vector<std::string_view> parts = {"",        kZapVersion, f.request_id, f.domain,
                                         f.address, f.identity,  f.mechanism};
  parts.insert(parts.end(), f.credentials.begin(), f.credentials.end());
  std::vector<Msg> frames;
  for (size_t i = 0; i < parts.size(); ++i) {
    Msg m = Msg::copy_of(parts[i]);
    m.set_more(i + 1 < parts.size());
    frames.push_back(std::move(m));
  }
  return frames;
}

namespace {

ZapReply refused(uint32_t code, std::string why) {
  ZapReply r;
  r.protocol_error = code;
  r.error = std::move(why);
  return r;
}

bool valid_status(std::string_view s) {
  return s.size() == 3 && s[0] >= '2' && s[0] <= '5' && s[1] == '0' && s[2] == '0';
}

}  // namespace

ZapReply parse_zap_reply(std::span<const Msg> frames, std::string_view request_id) {
  constexpr size_t kFrames = 7;
  // MORE on the first six and not on the seventh: anything else is not one 7-frame message.
  for (size_t i = 0; i < kFrames; ++i) {
    if (i >= frames.size() || frames[i].more() != (i + 1 < kFrames)) {
      return refused(protocol_error::kZapMalformedReply, "ZAP reply is not seven frames");
    }
  }
  if (frames[0].size() != 0) {
    return refused(protocol_error::kZapUnspecified, "ZAP reply lacks the empty delimiter");
  }
  if (frames[1].view() != kZapVersion) {
    return refused(protocol_error::kZapBadVersion, "ZAP reply has a version other than 1.0");
  }
  if (frames[2].view() != request_id) {
    return refused(protocol_error::kZapBadRequestId, "ZAP reply names another request");
  }
  if (!valid_status(frames[3].view())) {
    return refused(protocol_error::kZapInvalidStatusCode, "ZAP reply has an invalid status");
  }
  auto meta = wire::parse_properties({frames[6].data(), frames[6].size()});
  if (!meta.ok()) {
    return refused(protocol_error::kZapInvalidMetadata,
                   "ZAP reply metadata: " + std::string(meta.error));
  }
  ZapReply r;
  r.status_code = std::string(frames[3].view());
  r.user_id = std::string(frames[5].view());
  r.metadata = std::move(*meta.value);
  return r;
}

}  // namespace zlab::proto

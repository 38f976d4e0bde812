// A pcapng writer (the IETF pcapng draft): section header, interfaces with nanosecond
// timestamps, enhanced packet blocks with comments, and a name resolution block, so Wireshark
// shows host names. Writes to any byte sink; the output is a pure function of the calls made,
// so the same simulated run gives a byte-identical file.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace zlab::pcap {

inline constexpr uint16_t kLinkEthernet = 1;
// Wireshark's exported PDUs: a TLV header naming the dissector, then the payload. Our "events"
// interface uses it with data-text-lines, so Wireshark shows the text with no "User
// encapsulation not handled" warning (what LINKTYPE_USER0 gave).
inline constexpr uint16_t kLinkUpperPdu = 252;

// An event's text as an exported-PDU frame for a kLinkUpperPdu interface.
std::vector<uint8_t> text_pdu(std::string_view text);

class PcapngWriter {
 public:
  // Starts a section; `application` goes into the shb_userappl option.
  explicit PcapngWriter(std::string_view application);

  // Returns the interface id. Timestamps are in nanoseconds (if_tsresol = 9).
  uint32_t add_interface(uint16_t link_type, std::string_view name, std::string_view description);
  // A name resolution record: IPv4 address (network order bytes) -> name.
  void add_name(const uint8_t ipv4[4], std::string_view name);
  // One packet; `comment` (may be empty) becomes opt_comment.
  void add_packet(uint32_t interface_id, uint64_t t_ns, std::span<const uint8_t> frame,
                  std::string_view comment = {});

  // The file so far (name records are flushed into it first).
  const std::vector<uint8_t>& bytes();
  bool write_file(const std::string& path);

 private:
  void flush_names();
  void block(uint32_t type, const std::vector<uint8_t>& body);

  std::vector<uint8_t> out_;
  std::vector<uint8_t> pending_names_;
  uint32_t interfaces_ = 0;
};

}  // namespace zlab::pcap

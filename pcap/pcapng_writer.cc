#include "pcap/pcapng_writer.h"

#include <cstdio>

namespace zlab::pcap {
namespace {

constexpr uint32_t kSectionHeader = 0x0A0D0D0A;
constexpr uint32_t kInterfaceDescription = 0x00000001;
constexpr uint32_t kEnhancedPacket = 0x00000006;
constexpr uint32_t kNameResolution = 0x00000004;
constexpr uint16_t kOptEnd = 0;
constexpr uint16_t kOptComment = 1;
constexpr uint16_t kOptShbUserAppl = 4;
constexpr uint16_t kOptIfName = 2;
constexpr uint16_t kOptIfDescription = 3;
constexpr uint16_t kOptIfTsresol = 9;
constexpr uint16_t kNrbIpv4 = 1;

// pcapng is written in the host's byte order, declared by the byte-order magic; we write
// little-endian explicitly so the file does not depend on the machine.
void put16(std::vector<uint8_t>& v, uint16_t x) {
  v.push_back(uint8_t(x));
  v.push_back(uint8_t(x >> 8));
}

// Network byte order, for the exported-PDU tags.
void put_be16(std::vector<uint8_t>& v, uint16_t x) {
  v.push_back(uint8_t(x >> 8));
  v.push_back(uint8_t(x));
}

void put32(std::vector<uint8_t>& v, uint32_t x) {
  for (int i = 0; i < 4; ++i) v.push_back(uint8_t(x >> (8 * i)));
}

void pad4(std::vector<uint8_t>& v) {
  while (v.size() % 4 != 0) v.push_back(0);
}

void option(std::vector<uint8_t>& v, uint16_t code, std::span<const uint8_t> value) {
  put16(v, code);
  put16(v, uint16_t(value.size()));
  v.insert(v.end(), value.begin(), value.end());
  pad4(v);
}

void option(std::vector<uint8_t>& v, uint16_t code, std::string_view text) {
  option(v, code, {reinterpret_cast<const uint8_t*>(text.data()), text.size()});
}

void end_options(std::vector<uint8_t>& v) {
  put16(v, kOptEnd);
  put16(v, 0);
}

}  // namespace

PcapngWriter::PcapngWriter(std::string_view application) {
  std::vector<uint8_t> body;
  put32(body, 0x1A2B3C4D);  // byte-order magic
  put16(body, 1);           // major version
  put16(body, 0);           // minor version
  put32(body, 0xFFFFFFFF);  // section length: unknown (-1)
  put32(body, 0xFFFFFFFF);
  option(body, kOptShbUserAppl, application);
  end_options(body);
  block(kSectionHeader, body);
}

void PcapngWriter::block(uint32_t type, const std::vector<uint8_t>& body) {
  uint32_t total = uint32_t(12 + body.size());
  put32(out_, type);
  put32(out_, total);
  out_.insert(out_.end(), body.begin(), body.end());
  put32(out_, total);
}

std::vector<uint8_t> text_pdu(std::string_view text) {
  constexpr uint16_t kTagDissectorName = 12;  // EXP_PDU_TAG_DISSECTOR_NAME
  constexpr std::string_view kDissector = "data-text-lines";
  // TLVs are big-endian; a string value is NUL-padded to a multiple of 4 bytes.
  size_t padded = (kDissector.size() + 4) & ~size_t(3);
  std::vector<uint8_t> out;
  out.reserve(8 + padded + text.size() + 1);
  put_be16(out, kTagDissectorName);
  put_be16(out, uint16_t(padded));
  for (size_t i = 0; i < padded; ++i) out.push_back(i < kDissector.size() ? kDissector[i] : 0);
  put_be16(out, 0);  // end of options: tag 0, length 0
  put_be16(out, 0);
  for (char c : text) out.push_back(uint8_t(c));
  out.push_back('\n');
  return out;
}

uint32_t PcapngWriter::add_interface(uint16_t link_type, std::string_view name,
                                     std::string_view description) {
  std::vector<uint8_t> body;
  put16(body, link_type);
  put16(body, 0);       // reserved
  put32(body, 262144);  // snap length
  option(body, kOptIfName, name);
  if (!description.empty()) option(body, kOptIfDescription, description);
  const uint8_t tsresol = 9;  // 10^-9 s
  option(body, kOptIfTsresol, std::span<const uint8_t>(&tsresol, 1));
  end_options(body);
  block(kInterfaceDescription, body);
  return interfaces_++;
}

void PcapngWriter::add_name(const uint8_t ipv4[4], std::string_view name) {
  std::vector<uint8_t> record(ipv4, ipv4 + 4);
  record.insert(record.end(), name.begin(), name.end());
  record.push_back(0);
  put16(pending_names_, kNrbIpv4);
  put16(pending_names_, uint16_t(record.size()));
  pending_names_.insert(pending_names_.end(), record.begin(), record.end());
  pad4(pending_names_);
}

void PcapngWriter::flush_names() {
  if (pending_names_.empty()) return;
  std::vector<uint8_t> body = std::move(pending_names_);
  pending_names_.clear();
  put16(body, 0);  // nrb_record_end
  put16(body, 0);
  block(kNameResolution, body);
}

void PcapngWriter::add_packet(uint32_t interface_id, uint64_t t_ns, std::span<const uint8_t> frame,
                              std::string_view comment) {
  flush_names();  // names come before the packets that use them
  std::vector<uint8_t> body;
  put32(body, interface_id);
  put32(body, uint32_t(t_ns >> 32));
  put32(body, uint32_t(t_ns));
  put32(body, uint32_t(frame.size()));  // captured length
  put32(body, uint32_t(frame.size()));  // original length
  body.insert(body.end(), frame.begin(), frame.end());
  pad4(body);
  if (!comment.empty()) {
    option(body, kOptComment, comment);
    end_options(body);
  }
  block(kEnhancedPacket, body);
}

const std::vector<uint8_t>& PcapngWriter::bytes() {
  flush_names();
  return out_;
}

bool PcapngWriter::write_file(const std::string& path) {
  const std::vector<uint8_t>& data = bytes();
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return false;
  bool ok = std::fwrite(data.data(), 1, data.size(), f) == data.size();
  return std::fclose(f) == 0 && ok;
}

}  // namespace zlab::pcap

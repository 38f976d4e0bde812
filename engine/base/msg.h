// A message part: bytes, flags, and the metadata of the connection it came from.
//
// Small bodies live inline; large ones in a shared, immutable, reference-counted Body, so a
// copy (fan-out, zmq_msg_copy) never copies bytes. The layout fits libzmq's 64-byte zmq_msg_t,
// so the C API can construct a Msg in place: body 40 (inline bytes, or the Body with its data
// and size), group 8, metadata 8, routing id 4, flags (with an inline body's size) and kind 2;
// bytes 62-63 are the C API's tag.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

#include "engine/base/err.h"
#include "engine/base/metadata.h"

namespace zlab {

// Called when the last reference to user-provided data goes (zmq_msg_init_data).
using FreeFn = void (*)(void* data, void* hint);

class Body {
 public:
  // One allocation holds the header and `size` bytes after it.
  static Body* allocate(size_t size);
  // Wraps caller-owned bytes; `free_fn` (may be null) releases them.
  static Body* wrap(void* data, size_t size, FreeFn free_fn, void* hint);

  uint8_t* data() { return data_; }
  size_t size() const { return size_; }
  void ref() { refs_.fetch_add(1, std::memory_order_relaxed); }
  void unref() {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) destroy();
  }
  bool unique() const { return refs_.load(std::memory_order_acquire) == 1; }
  // Caller bytes wrapped without a free function: the caller keeps them (constant data, as
  // libzmq's zmq_msg_init_data with no ffn), so the body is always shared with the caller.
  bool borrowed() const { return borrowed_; }

 private:
  Body() = default;
  void destroy();
  std::atomic<uint32_t> refs_{1};
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  FreeFn free_fn_ = nullptr;
  void* hint_ = nullptr;
  bool borrowed_ = false;
};

// RADIO/DISH group names are at most this long (libzmq 4.3.4's ZMQ_GROUP_MAX_LENGTH).
inline constexpr size_t kGroupMaxLength = 255;

class Msg {
 public:
  // libzmq inlines up to 33 bytes. An inline body's size is a byte (in flags_), an external
  // one's sits beside its pointers, so 40 bytes stay inline next to the group.
  static constexpr size_t kInlineMax = 40;
  enum Flag : uint8_t {
    kMore = 0x01,     // another part of the same message follows
    kCommand = 0x02,  // a ZMTP command, not data
  };

  Msg() = default;
  ~Msg() { release(); }
  // Moves are on every hop of a message (pipe, queue, API): inline, the source left empty.
  Msg(Msg&& other) noexcept { move_from(other); }
  Msg& operator=(Msg&& other) noexcept {
    if (this != &other) {
      release();
      move_from(other);
    }
    return *this;
  }
  Msg(const Msg&) = delete;
  Msg& operator=(const Msg&) = delete;

  // A body of `size` bytes the caller fills through mutable_data().
  static Msg with_size(size_t size);
  static Msg copy_of(std::span<const uint8_t> bytes);
  static Msg copy_of(std::string_view text);
  // Zero-copy: takes ownership of caller bytes, released through free_fn.
  static Msg wrap(void* data, size_t size, FreeFn free_fn, void* hint);

  // Another reference to the same bytes (an inline body is copied: it is at most 40 bytes).
  Msg share() const;

  const uint8_t* data() const { return is_inline() ? inline_ : ext_.data; }
  // Writable only while no other Msg shares the body.
  uint8_t* mutable_data();
  size_t size() const { return is_inline() ? flags_ >> kInlineSizeShift : ext_.size; }
  bool empty() const { return size() == 0; }
  std::span<const uint8_t> bytes() const { return {data(), size()}; }
  std::string_view view() const { return {reinterpret_cast<const char*>(data()), size()}; }

  bool more() const { return flags_ & kMore; }
  void set_more(bool more) { flags_ = more ? (flags_ | kMore) : (flags_ & ~kMore); }
  bool command() const { return flags_ & kCommand; }
  void set_command(bool command) { flags_ = command ? (flags_ | kCommand) : (flags_ & ~kCommand); }
  // Another Msg, or the caller (borrowed bytes), also holds the body: ZMQ_SHARED.
  bool shared() const { return !is_inline() && (ext_.body->borrowed() || !ext_.body->unique()); }

  const Metadata* metadata() const { return meta_; }
  // Shares `meta` (may be null).
  void set_metadata(const Metadata* meta);

  // Routing id for the thread-safe draft types (CLIENT/SERVER, PEER); 0 = none.
  uint32_t routing_id() const { return routing_id_; }
  void set_routing_id(uint32_t id) { routing_id_ = id; }

  // RADIO/DISH group; empty = none. A group of up to 6 bytes lives in the Msg, a longer one in a
  // shared reference-counted allocation (a fan-out copy shares it, never copies it). A NUL
  // follows it (group().data()[group().size()] == 0), so zmq_msg_group hands it out as a C string.
  std::string_view group() const;
  // kInvalid when longer than kGroupMaxLength (the group is then unchanged); empty clears it.
  Err set_group(std::string_view group);

  // Back to an empty part, releasing the body, group and metadata.
  void reset();

 private:
  bool is_inline() const { return !(kind_ & kExternal); }
  void release() {
    // One test for the commonest release, a moved-from or inline part (kind_ 0, as before
    // groups); a shared body without a group pays one compare more.
    if (kind_ != 0) {
      if (kind_ == kExternal) {
        ext_.body->unref();
      } else {
        release_with_group();
      }
    }
    if (meta_ != nullptr) meta_->unref();
    kind_ = 0;
    meta_ = nullptr;
  }
  // Member by member, never the whole object: a zmq_msg_t keeps its tag in Msg's tail padding
  // (engine/api/msg_slot.h). The union is copied whole: a fixed 40 bytes beats a sized copy.
  // The source ends inline with size 0 (kind_ and flags_ both 0).
  void move_from(Msg& other) {
    std::memcpy(inline_, other.inline_, kInlineMax);
    std::memcpy(&group_, &other.group_, sizeof group_);
    meta_ = other.meta_;
    routing_id_ = other.routing_id_;
    flags_ = other.flags_;
    kind_ = other.kind_;
    other.flags_ = 0;
    other.kind_ = 0;
    other.routing_id_ = 0;
    other.meta_ = nullptr;
  }

  void unref_group();
  void release_with_group();  // a group, and maybe a shared body

  static constexpr uint8_t kExternal = 0x01;
  static constexpr uint8_t kGroupShort = 0x02;   // group_.chars, its length in the last byte
  static constexpr uint8_t kGroupShared = 0x04;  // group_.shared
  static constexpr size_t kGroupShortMax = 6;    // then a NUL, then the length
  // flags_: bits 0-1 are Flag, bits 2-7 an inline body's size (0..kInlineMax).
  static constexpr unsigned kInlineSizeShift = 2;
  static_assert((kInlineMax << kInlineSizeShift) <= 0xff, "the inline size fits flags_");
  struct External {
    Body* body;
    uint8_t* data;
    size_t size;
  };
  struct SharedGroup;
  union GroupSlot {
    char chars[8];
    SharedGroup* shared;
  };

  union {
    uint8_t inline_[kInlineMax];
    External ext_;
  };
  GroupSlot group_;  // meaningful only under kGroupShort or kGroupShared
  const Metadata* meta_ = nullptr;
  uint32_t routing_id_ = 0;
  uint8_t flags_ = 0;
  uint8_t kind_ = 0;
};

static_assert(sizeof(Msg) <= 64, "Msg must fit libzmq's 64-byte zmq_msg_t");
static_assert(alignof(Msg) <= 8, "Msg must fit zmq_msg_t's alignment");

}  // namespace zlab

#include "engine/base/msg.h"

#include <cassert>
#include <cstdlib>
#include <cstring>
#include <new>

namespace zlab {

// A long group: one allocation, its bytes after the header, shared by fan-out copies.
struct Msg::SharedGroup {
  std::atomic<uint32_t> refs;
  uint32_t size;
  char* chars() { return reinterpret_cast<char*>(this + 1); }
};

Body* Body::allocate(size_t size) {
  void* raw = std::malloc(sizeof(Body) + size);
  if (raw == nullptr) throw std::bad_alloc();
  Body* body = new (raw) Body();
  body->data_ = reinterpret_cast<uint8_t*>(body + 1);
  body->size_ = size;
  return body;
}

Body* Body::wrap(void* data, size_t size, FreeFn free_fn, void* hint) {
  Body* body = allocate(0);
  body->data_ = static_cast<uint8_t*>(data);
  body->size_ = size;
  body->free_fn_ = free_fn;
  body->hint_ = hint;
  body->borrowed_ = free_fn == nullptr;
  return body;
}

void Body::destroy() {
  if (free_fn_ != nullptr) free_fn_(data_, hint_);
  this->~Body();
  std::free(this);
}

Msg Msg::with_size(size_t size) {
  Msg msg;
  if (size > kInlineMax) {
    msg.kind_ = kExternal;
    msg.ext_.body = Body::allocate(size);
    msg.ext_.data = msg.ext_.body->data();
    msg.ext_.size = size;
  } else {
    msg.flags_ = static_cast<uint8_t>(size << kInlineSizeShift);
  }
  return msg;
}

Msg Msg::copy_of(std::span<const uint8_t> bytes) {
  Msg msg = with_size(bytes.size());
  if (!bytes.empty()) std::memcpy(msg.mutable_data(), bytes.data(), bytes.size());
  return msg;
}

Msg Msg::copy_of(std::string_view text) {
  return copy_of(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

Msg Msg::wrap(void* data, size_t size, FreeFn free_fn, void* hint) {
  Msg msg;
  msg.kind_ = kExternal;
  msg.ext_.body = Body::wrap(data, size, free_fn, hint);
  msg.ext_.data = msg.ext_.body->data();
  msg.ext_.size = size;
  return msg;
}

Msg Msg::share() const {
  Msg copy;
  copy.flags_ = flags_;  // and an inline body's size
  copy.kind_ = kind_;
  copy.routing_id_ = routing_id_;
  copy.group_ = group_;
  if (kind_ & kGroupShared) group_.shared->refs.fetch_add(1, std::memory_order_relaxed);
  copy.set_metadata(meta_);
  if (is_inline()) {
    std::memcpy(copy.inline_, inline_, size());
  } else {
    copy.ext_ = ext_;
    ext_.body->ref();
  }
  return copy;
}

uint8_t* Msg::mutable_data() {
  if (is_inline()) return inline_;
  assert(ext_.body->unique() && "a shared body is immutable");
  return ext_.data;
}

void Msg::set_metadata(const Metadata* meta) {
  if (meta != nullptr) meta->ref();
  if (meta_ != nullptr) meta_->unref();
  meta_ = meta;
}

void Msg::unref_group() {
  SharedGroup* g = group_.shared;
  if (g->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  g->~SharedGroup();
  std::free(g);
}

void Msg::release_with_group() {
  if (kind_ & kGroupShared) unref_group();
  if (kind_ & kExternal) ext_.body->unref();
}

std::string_view Msg::group() const {
  if (kind_ & kGroupShort) return {group_.chars, static_cast<uint8_t>(group_.chars[7])};
  if (kind_ & kGroupShared) return {group_.shared->chars(), group_.shared->size};
  return {"", 0};  // NUL-terminated too
}

Err Msg::set_group(std::string_view group) {
  if (group.size() > kGroupMaxLength) return Err::kInvalid;
  if (kind_ & kGroupShared) unref_group();
  kind_ &= ~(kGroupShort | kGroupShared);
  if (group.empty()) return Err::kOk;
  if (group.size() <= kGroupShortMax) {
    std::memcpy(group_.chars, group.data(), group.size());
    group_.chars[group.size()] = '\0';
    group_.chars[7] = static_cast<char>(group.size());
    kind_ |= kGroupShort;
    return Err::kOk;
  }
  void* raw = std::malloc(sizeof(SharedGroup) + group.size() + 1);  // and a NUL
  if (raw == nullptr) throw std::bad_alloc();
  SharedGroup* g = new (raw) SharedGroup{{1}, static_cast<uint32_t>(group.size())};
  std::memcpy(g->chars(), group.data(), group.size());
  g->chars()[group.size()] = '\0';
  group_.shared = g;
  kind_ |= kGroupShared;
  return Err::kOk;
}

void Msg::reset() {
  release();
  flags_ = 0;  // inline (release cleared kind_), size 0
  routing_id_ = 0;
}

}  // namespace zlab

/* The PDU loop over what TCP hands us (asking TCP to reassemble exactly what a PDU still
 * needs), frame headers of ZMTP 3.x / 2.0 / 1.0, and data frames grouped into messages with
 * per-direction message and part numbers, envelope delimiters and 3.0-style subscriptions. */
#include "dissector/zmtp.h"

/* Packet-scoped key: the columns of this frame were claimed already. */
#define ZMTP_KEY_COLUMNS 0xFFFFFFFEu

static int hf_frame = -1;
static int hf_flags = -1;
static int hf_flag_more = -1;
static int hf_flag_long = -1;
static int hf_flag_command = -1;
static int hf_flag_reserved3 = -1;
static int hf_flag_reserved2 = -1;
static int hf_flag_reserved1 = -1;
static int hf_size = -1;
static int hf_length = -1;
static int hf_body = -1;
static int hf_body_text = -1;
static int hf_message = -1;
static int hf_msg_num = -1;
static int hf_part_num = -1;
static int hf_msg_parts = -1;
static int hf_msg_size = -1;
static int hf_msg_first = -1;
static int hf_msg_last = -1;
static int hf_delimiter = -1;
static int hf_sub = -1;
static int hf_sub_topic = -1;
static int hf_sub_topic_text = -1;
static int hf_identity_frame = -1;
static int hf_undecoded = -1;
static gint ett_zmtp = -1;
static gint ett_frame = -1;
static gint ett_flags = -1;
static gint ett_message = -1;

static int* const flags3[] = {&hf_flag_more, &hf_flag_long, &hf_flag_command, &hf_flag_reserved3,
                              NULL};
static int* const flags2[] = {&hf_flag_more, &hf_flag_long, &hf_flag_reserved2, NULL};
static int* const flags1[] = {&hf_flag_more, &hf_flag_reserved1, NULL};

static const value_string sub_vals[] = {{0, "Cancel"}, {1, "Subscribe"}, {0, NULL}};

zmtp_pdu_status zmtp_frame_measure(tvbuff_t* tvb, int offset, zmtp_framing framing,
                                   zmtp_frame_hdr* h, guint* len) {
  guint avail = tvb_captured_length_remaining(tvb, offset);
  memset(h, 0, sizeof *h);
  guint8 b0 = tvb_get_guint8(tvb, offset);
  if (framing == ZMTP_FRAMING_1) {
    /* length (1 byte, or 0xFF and 8 bytes) counting the flags byte, flags, body */
    h->length_bytes = b0 == 0xFF ? 9 : 1;
    if (avail < h->length_bytes) {
      *len = h->length_bytes;
      return ZMTP_PDU_NEED_MORE;
    }
    h->declared = b0 == 0xFF ? tvb_get_ntoh64(tvb, offset + 1) : b0;
    if (h->declared == 0) {
      h->zero_length = TRUE;
      h->hdr = h->length_bytes;
      *len = h->hdr;
      return ZMTP_PDU_COMPLETE;
    }
    h->hdr = h->length_bytes + 1u;
    h->size = h->declared - 1;
    *len = h->hdr;
    if (h->declared > ZMTP_MAX_SIZE) return ZMTP_PDU_UNUSABLE;
    if (avail < h->hdr) return ZMTP_PDU_NEED_MORE;
    h->flags = tvb_get_guint8(tvb, offset + h->length_bytes);
  } else {
    /* flags, size (1 byte, or 8 when LONG), body */
    h->flags = b0;
    h->length_bytes = (b0 & ZMTP_FLAG_LONG) ? 8 : 1;
    h->hdr = 1u + h->length_bytes;
    *len = h->hdr;
    if (avail < h->hdr) return ZMTP_PDU_NEED_MORE;
    h->declared =
        h->length_bytes == 8 ? tvb_get_ntoh64(tvb, offset + 1) : tvb_get_guint8(tvb, offset + 1);
    h->size = h->declared;
    if (h->declared > ZMTP_MAX_SIZE) return ZMTP_PDU_UNUSABLE;
  }
  if (h->size > ZMTP_MAX_REASSEMBLY - h->hdr) return ZMTP_PDU_UNUSABLE;
  *len = h->hdr + (guint)h->size;
  return avail < *len ? ZMTP_PDU_NEED_MORE : ZMTP_PDU_COMPLETE;
}

void zmtp_flag_unusable(zmtp_ctx* ctx, proto_item* item, const zmtp_frame_hdr* h, int offset) {
  if (h->declared > ZMTP_MAX_SIZE) {
    expert_add_info_format(ctx->pinfo, item, &ei_zmtp_size_over_max,
                           "Size %" G_GUINT64_FORMAT " exceeds 2^63-1; rest not decoded",
                           h->declared);
  } else {
    expert_add_info_format(
        ctx->pinfo, item, &ei_zmtp_unreassemblable,
        "Size %" G_GUINT64_FORMAT " is too large to reassemble; rest not decoded", h->declared);
  }
  gint rest = tvb_captured_length_remaining(ctx->tvb, offset);
  if (rest > 0) proto_tree_add_item(ctx->tree, hf_undecoded, ctx->tvb, offset, rest, ENC_NA);
  ctx->st->phase = ZMTP_PHASE_LOST;
  col_append_sep_str(ctx->pinfo->cinfo, COL_INFO, ", ", "[frame too large]");
}

gboolean zmtp_all_printable(tvbuff_t* tvb, int offset, int len) {
  if (len <= 0) return FALSE;
  const guint8* p = tvb_get_ptr(tvb, offset, len);
  for (int i = 0; i < len; i++) {
    if (!((p[i] >= 0x20 && p[i] < 0x7F) || p[i] == '\t' || p[i] == '\n' || p[i] == '\r')) {
      return FALSE;
    }
  }
  return TRUE;
}

void zmtp_add_body(zmtp_ctx* ctx, proto_tree* tree, int hf_bytes, int hf_text, int offset,
                   int len) {
  if (len <= 0) return;
  proto_tree_add_item(tree, hf_bytes, ctx->tvb, offset, len, ENC_NA);
  if (zmtp_all_printable(ctx->tvb, offset, len)) {
    proto_tree_add_item(tree, hf_text, ctx->tvb, offset, len, ENC_ASCII);
  }
}

static proto_item* add_frame_item(zmtp_ctx* ctx, proto_tree* parent, int offset, guint len,
                                  const char* what, proto_tree** tree) {
  proto_item* item = proto_tree_add_item(parent, hf_frame, ctx->tvb, offset, (gint)len, ENC_NA);
  proto_item_append_text(item, ": %s", what);
  *tree = proto_item_add_subtree(item, ett_frame);
  return item;
}

/* Adds flags and size (or the 1.0 length); returns the size item for size-related experts. */
static proto_item* add_header(zmtp_ctx* ctx, proto_tree* tree, int offset,
                              const zmtp_frame_hdr* h) {
  tvbuff_t* tvb = ctx->tvb;
  guint avail = tvb_captured_length_remaining(tvb, offset);
  zmtp_framing framing = (zmtp_framing)ctx->st->framing;
  proto_item* size_item = NULL;
  int flags_at = offset;
  if (framing == ZMTP_FRAMING_1) {
    size_item = proto_tree_add_uint64(tree, hf_length, tvb, offset, h->length_bytes, h->declared);
    flags_at = offset + h->length_bytes;
    if (h->zero_length || avail < h->length_bytes + 1u) return size_item;
  }
  int* const* fields = framing == ZMTP_FRAMING_3   ? flags3
                       : framing == ZMTP_FRAMING_2 ? flags2
                                                   : flags1;
  guint8 reserved = framing == ZMTP_FRAMING_3   ? ZMTP_FLAGS_RESERVED_3
                    : framing == ZMTP_FRAMING_2 ? ZMTP_FLAGS_RESERVED_2
                                                : ZMTP_FLAGS_RESERVED_1;
  proto_item* flags =
      proto_tree_add_bitmask(tree, tvb, flags_at, hf_flags, ett_flags, fields, ENC_NA);
  if (h->flags & reserved) {
    expert_add_info_format(ctx->pinfo, flags, &ei_zmtp_reserved_flags,
                           "Reserved flag bits set: 0x%02x", h->flags & reserved);
  }
  if (framing != ZMTP_FRAMING_1) {
    size_item = proto_tree_add_uint64(tree, hf_size, tvb, offset + 1, h->length_bytes, h->declared);
  }
  return size_item;
}

static gboolean is_req_rep(guint8 t) { return t == ZMTP_SOCK_REQ || t == ZMTP_SOCK_REP; }

static void add_generated_uint(proto_tree* tree, int hf, zmtp_ctx* ctx, guint32 v) {
  proto_item_set_generated(proto_tree_add_uint(tree, hf, ctx->tvb, 0, 0, v));
}

static void dissect_data_frame(zmtp_ctx* ctx, int offset, guint len, const zmtp_frame_hdr* h) {
  zmtp_dir* st = ctx->st;
  packet_info* pinfo = ctx->pinfo;
  gboolean more = (h->flags & ZMTP_FLAG_MORE) != 0;
  gboolean first = !st->in_multipart;
  if (first) {
    st->msg_num++;
    st->part_num = 0;
    st->msg_bytes = 0;
    st->msg_first_frame = pinfo->num;
  }
  st->part_num++;
  st->msg_bytes += h->size;
  st->in_multipart = more;
  if (!more) zmtp_note_message(ctx, pinfo->num);
  if (ctx->msg_tree_num != st->msg_num) {
    ctx->msg_item = proto_tree_add_item(ctx->tree, hf_message, ctx->tvb, offset, (gint)len, ENC_NA);
    proto_item_append_text(ctx->msg_item, " %u", st->msg_num);
    ctx->msg_tree = proto_item_add_subtree(ctx->msg_item, ett_message);
    ctx->msg_tree_num = st->msg_num;
    col_append_sep_fstr(pinfo->cinfo, COL_INFO, ", ",
                        st->part_num == 1 ? "Msg %u" : "Msg %u (cont.)", st->msg_num);
  } else {
    proto_item_set_end(ctx->msg_item, ctx->tvb, offset + (gint)len);
  }
  proto_tree* tree;
  proto_item* item = add_frame_item(ctx, ctx->msg_tree, offset, len, "Data", &tree);
  proto_item_append_text(item, " (message %u, part %u%s)", st->msg_num, st->part_num,
                         more ? ", more" : ", last");
  add_generated_uint(tree, hf_msg_num, ctx, st->msg_num);
  add_generated_uint(tree, hf_part_num, ctx, st->part_num);
  const zmtp_msg_info* info = zmtp_message_info(ctx, st->msg_num);
  if (info) {
    add_generated_uint(tree, hf_msg_parts, ctx, info->parts);
    proto_item_set_generated(proto_tree_add_uint64(tree, hf_msg_size, ctx->tvb, 0, 0, info->bytes));
    proto_item_set_generated(
        proto_tree_add_uint(tree, hf_msg_first, ctx->tvb, 0, 0, info->first_frame));
    proto_item_set_generated(
        proto_tree_add_uint(tree, hf_msg_last, ctx->tvb, 0, 0, info->last_frame));
  }
  add_header(ctx, tree, offset, h);
  if (st->framing == ZMTP_FRAMING_3 && st->greeting_seen && !st->handshake_done) {
    expert_add_info(pinfo, item, &ei_zmtp_data_before_ready);
  }
  int body = offset + (gint)h->hdr;
  int size = (int)h->size;
  if (st->part_num == 1 && size == 0 && more &&
      (is_req_rep(st->socket_type) || is_req_rep(ctx->peer->socket_type))) {
    proto_item_set_generated(
        proto_tree_add_item(tree, hf_delimiter, ctx->tvb, offset, (gint)len, ENC_NA));
    proto_item_append_text(item, " [delimiter]");
  } else if ((st->socket_type == ZMTP_SOCK_SUB || st->socket_type == ZMTP_SOCK_XSUB) &&
             st->part_num == 1 && !more && size >= 1 && tvb_get_guint8(ctx->tvb, body) <= 1) {
    guint8 kind = tvb_get_guint8(ctx->tvb, body);
    proto_tree_add_item(tree, hf_sub, ctx->tvb, body, 1, ENC_NA);
    zmtp_add_body(ctx, tree, hf_sub_topic, hf_sub_topic_text, body + 1, size - 1);
    proto_item_append_text(item, " [%s]", kind ? "subscribe" : "cancel");
    col_append_fstr(pinfo->cinfo, COL_INFO, " %s \"%s\"", kind ? "Subscribe" : "Cancel",
                    tvb_format_text(pinfo->pool, ctx->tvb, body + 1, size - 1));
  } else {
    zmtp_add_body(ctx, tree, hf_body, hf_body_text, body, size);
  }
}

static void dissect_frame(zmtp_ctx* ctx, int offset, guint len, gboolean unusable) {
  zmtp_dir* st = ctx->st;
  zmtp_frame_hdr h;
  guint need;
  zmtp_frame_measure(ctx->tvb, offset, (zmtp_framing)st->framing, &h, &need);
  gboolean command =
      st->framing == ZMTP_FRAMING_3 && !h.zero_length && (h.flags & ZMTP_FLAG_COMMAND) != 0;
  proto_tree* tree;
  proto_item* item;
  if (unusable || h.zero_length) {
    item = add_frame_item(ctx, ctx->tree, offset, len, command ? "Command" : "Data", &tree);
    proto_item* size_item = add_header(ctx, tree, offset, &h);
    if (unusable) {
      zmtp_flag_unusable(ctx, size_item, &h, offset + (gint)h.hdr);
    } else {
      expert_add_info(ctx->pinfo, size_item, &ei_zmtp_zero_length);
    }
    return;
  }
  if (command) {
    item = add_frame_item(ctx, ctx->tree, offset, len, "Command", &tree);
    add_header(ctx, tree, offset, &h);
    if (h.flags & ZMTP_FLAG_MORE) expert_add_info(ctx->pinfo, item, &ei_zmtp_command_more);
    if (st->in_multipart) expert_add_info(ctx->pinfo, item, &ei_zmtp_command_in_multipart);
    zmtp_dissect_command(ctx, tree, item, offset + (gint)h.hdr, (int)h.size);
    return;
  }
  /* libzmq's CURVE (and so zlab's) carries each message as a MESSAGE command in a data frame
   * (flags without the command bit): show it as the command it is. */
  if (st->framing == ZMTP_FRAMING_3 && st->mech == ZMTP_MECH_CURVE && st->handshake_done &&
      h.size >= 8 &&
      tvb_memeql(ctx->tvb, offset + (gint)h.hdr, (const guint8*)"\x07MESSAGE", 8) == 0) {
    item = add_frame_item(ctx, ctx->tree, offset, len, "Command", &tree);
    add_header(ctx, tree, offset, &h);
    zmtp_dissect_command(ctx, tree, item, offset + (gint)h.hdr, (int)h.size);
    return;
  }
  if (st->expect_identity) {
    item = add_frame_item(ctx, ctx->tree, offset, len, "Identity", &tree);
    add_header(ctx, tree, offset, &h);
    if (h.size > 0) {
      proto_tree_add_item(tree, hf_identity_frame, ctx->tvb, offset + (gint)h.hdr, (gint)h.size,
                          ENC_NA);
    }
    st->expect_identity = FALSE;
    col_append_sep_str(ctx->pinfo->cinfo, COL_INFO, ", ", "Identity");
    return;
  }
  dissect_data_frame(ctx, offset, len, &h);
}

static void open_tree(zmtp_ctx* ctx, proto_tree* parent) {
  if (ctx->opened) return;
  ctx->opened = TRUE;
  packet_info* pinfo = ctx->pinfo;
  if (!p_get_proto_data(pinfo->pool, pinfo, proto_zlabzmtp, ZMTP_KEY_COLUMNS)) {
    p_add_proto_data(pinfo->pool, pinfo, proto_zlabzmtp, ZMTP_KEY_COLUMNS, GUINT_TO_POINTER(1));
    col_set_str(pinfo->cinfo, COL_PROTOCOL, "zlabZMTP");
    col_clear(pinfo->cinfo, COL_INFO);
  }
  ctx->root = proto_tree_add_item(parent, proto_zlabzmtp, ctx->tvb, 0, -1, ENC_NA);
  ctx->tree = proto_item_add_subtree(ctx->root, ett_zmtp);
  zmtp_add_connection_fields(ctx);
}

int zmtp_dissect_stream(tvbuff_t* tvb, packet_info* pinfo, proto_tree* tree) {
  zmtp_ctx ctx;
  memset(&ctx, 0, sizeof ctx);
  ctx.tvb = tvb;
  ctx.pinfo = pinfo;
  ctx.conv = zmtp_conversation(pinfo, &ctx.dir);
  guint32 batch;
  ctx.st = zmtp_begin_batch(pinfo, ctx.conv, ctx.dir, &ctx.peer, &batch);
  guint total = tvb_captured_length(tvb);
  guint offset = 0;
  while (offset < total) {
    zmtp_dir* st = ctx.st;
    guint avail = total - offset;
    guint len = 0;
    zmtp_frame_hdr h;
    zmtp_pdu_status s;
    if (st->phase == ZMTP_PHASE_LOST) {
      open_tree(&ctx, tree);
      proto_item* pi = proto_tree_add_item(ctx.tree, hf_undecoded, tvb, offset, avail, ENC_NA);
      expert_add_info(pinfo, pi, &ei_zmtp_not_decoded);
      col_append_sep_str(pinfo->cinfo, COL_INFO, ", ", "[not decoded]");
      break;
    }
    if (st->phase == ZMTP_PHASE_GREETING) {
      s = zmtp_greeting_measure(&ctx, offset, &len);
    } else {
      s = zmtp_frame_measure(tvb, offset, (zmtp_framing)st->framing, &h, &len);
    }
    if (s == ZMTP_PDU_NEED_MORE) {
      if (pinfo->can_desegment && tvb_reported_length(tvb) == total) {
        pinfo->desegment_offset = offset;
        pinfo->desegment_len = len - avail;
        /* A signature alone (libzmq and zlab send it first, the rest once the peer's came)
         * does not say how long the greeting is: take the next segment whole rather than one
         * byte, since TCP cannot then grow that one-byte PDU to the greeting within a frame. */
        if (st->phase == ZMTP_PHASE_GREETING && len == ZMTP_SIGNATURE_LEN + 1) {
          pinfo->desegment_len = DESEGMENT_ONE_MORE_SEGMENT;
        }
        return total;
      }
      open_tree(&ctx, tree);
      proto_item* pi = proto_tree_add_item(ctx.tree, hf_undecoded, tvb, offset, avail, ENC_NA);
      expert_add_info(pinfo, pi, &ei_zmtp_incomplete);
      st->phase = ZMTP_PHASE_LOST;
      break;
    }
    open_tree(&ctx, tree);
    if (s == ZMTP_PDU_UNUSABLE) {
      len = avail;
    } else if (len == 0) {
      expert_add_info(pinfo, ctx.root, &ei_zmtp_greeting_not_seen);
      continue;
    }
    if (st->phase == ZMTP_PHASE_GREETING) {
      zmtp_greeting_dissect(&ctx, (int)offset, len);
    } else {
      dissect_frame(&ctx, (int)offset, len, s == ZMTP_PDU_UNUSABLE);
    }
    offset += len;
  }
  return (int)total;
}

void zmtp_register_frames(int proto) {
  static hf_register_info hf[] = {
      {&hf_frame, {"Frame", "zlabzmtp.frame", FT_NONE, BASE_NONE, NULL, 0x0, NULL, HFILL}},
      {&hf_flags, {"Flags", "zlabzmtp.flags", FT_UINT8, BASE_HEX, NULL, 0x0, NULL, HFILL}},
      {&hf_flag_more,
       {"More", "zlabzmtp.flags.more", FT_BOOLEAN, 8, NULL, ZMTP_FLAG_MORE, NULL, HFILL}},
      {&hf_flag_long,
       {"Long", "zlabzmtp.flags.long", FT_BOOLEAN, 8, NULL, ZMTP_FLAG_LONG, NULL, HFILL}},
      {&hf_flag_command,
       {"Command", "zlabzmtp.flags.command", FT_BOOLEAN, 8, NULL, ZMTP_FLAG_COMMAND, NULL, HFILL}},
      {&hf_flag_reserved3,
       {"Reserved", "zlabzmtp.flags.reserved", FT_UINT8, BASE_HEX, NULL, ZMTP_FLAGS_RESERVED_3,
        NULL, HFILL}},
      {&hf_flag_reserved2,
       {"Reserved", "zlabzmtp.flags.reserved", FT_UINT8, BASE_HEX, NULL, ZMTP_FLAGS_RESERVED_2,
        NULL, HFILL}},
      {&hf_flag_reserved1,
       {"Reserved", "zlabzmtp.flags.reserved", FT_UINT8, BASE_HEX, NULL, ZMTP_FLAGS_RESERVED_1,
        NULL, HFILL}},
      {&hf_size, {"Size", "zlabzmtp.size", FT_UINT64, BASE_DEC, NULL, 0x0, NULL, HFILL}},
      {&hf_length,
       {"Length", "zlabzmtp.length", FT_UINT64, BASE_DEC, NULL, 0x0,
        "ZMTP/1.0 length (flags byte plus body)", HFILL}},
      {&hf_body, {"Body", "zlabzmtp.body", FT_BYTES, BASE_NONE, NULL, 0x0, NULL, HFILL}},
      {&hf_body_text,
       {"Body text", "zlabzmtp.body.text", FT_STRING, BASE_NONE, NULL, 0x0,
        "The body, when every byte of it is printable", HFILL}},
      {&hf_message, {"Message", "zlabzmtp.message", FT_NONE, BASE_NONE, NULL, 0x0, NULL, HFILL}},
      {&hf_msg_num,
       {"Message number", "zlabzmtp.msg", FT_UINT32, BASE_DEC, NULL, 0x0,
        "Message number in this direction, from 1", HFILL}},
      {&hf_part_num,
       {"Part number", "zlabzmtp.part", FT_UINT32, BASE_DEC, NULL, 0x0,
        "Part number in the message, from 1", HFILL}},
      {&hf_msg_parts,
       {"Parts in message", "zlabzmtp.msg.parts", FT_UINT32, BASE_DEC, NULL, 0x0, NULL, HFILL}},
      {&hf_msg_size,
       {"Message size", "zlabzmtp.msg.size", FT_UINT64, BASE_DEC, NULL, 0x0,
        "Bytes in all parts of the message", HFILL}},
      {&hf_msg_first,
       {"Message starts in", "zlabzmtp.msg.first_frame", FT_FRAMENUM, BASE_NONE, NULL, 0x0, NULL,
        HFILL}},
      {&hf_msg_last,
       {"Message ends in", "zlabzmtp.msg.last_frame", FT_FRAMENUM, BASE_NONE, NULL, 0x0, NULL,
        HFILL}},
      {&hf_delimiter,
       {"Envelope delimiter", "zlabzmtp.delimiter", FT_NONE, BASE_NONE, NULL, 0x0,
        "Empty first part separating the REQ/REP envelope from the body", HFILL}},
      {&hf_sub,
       {"Subscription", "zlabzmtp.subscription", FT_UINT8, BASE_DEC, VALS(sub_vals), 0x0,
        "ZMTP 3.0-style subscription message: 1 subscribe, 0 cancel", HFILL}},
      {&hf_sub_topic,
       {"Topic", "zlabzmtp.subscription.topic", FT_BYTES, BASE_NONE, NULL, 0x0, NULL, HFILL}},
      {&hf_sub_topic_text,
       {"Topic text", "zlabzmtp.subscription.topic_text", FT_STRING, BASE_NONE, NULL, 0x0, NULL,
        HFILL}},
      {&hf_identity_frame,
       {"Identity", "zlabzmtp.identity", FT_BYTES, BASE_NONE, NULL, 0x0,
        "ZMTP/2.0 identity frame after the greeting", HFILL}},
      {&hf_undecoded,
       {"Undecoded", "zlabzmtp.undecoded", FT_BYTES, BASE_NONE, NULL, 0x0, NULL, HFILL}},
  };
  static gint* ett[] = {&ett_zmtp, &ett_frame, &ett_flags, &ett_message};
  proto_register_field_array(proto, hf, array_length(hf));
  proto_register_subtree_array(ett, array_length(ett));
}

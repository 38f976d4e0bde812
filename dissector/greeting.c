/* Greetings: ZMTP 3.x (RFC 23/37: signature, version, mechanism, as-server, filler; 64 bytes),
 * ZMTP 2.0 (RFC 15: signature, revision 0x01, socket type, then an identity frame) and
 * ZMTP 1.0 (RFC 13: no signature; the greeting is a length-prefixed identity frame). */
#include <string.h>

#include "dissector/zmtp.h"

static int hf_greeting = -1;
static int hf_signature = -1;
static int hf_sig_padding = -1;
static int hf_major = -1;
static int hf_minor = -1;
static int hf_version = -1;
static int hf_mechanism = -1;
static int hf_as_server = -1;
static int hf_filler = -1;
static int hf_legacy = -1;
static int hf_revision = -1;
static int hf_legacy_socket = -1;
static int hf_v1_length = -1;
static int hf_v1_flags = -1;
static int hf_identity = -1;
static gint ett_greeting = -1;
static gint ett_signature = -1;

static const value_string legacy_socket_vals[] = {
    {0, "PAIR"},   {1, "PUB"},    {2, "SUB"},  {3, "REQ"},  {4, "REP"},
    {5, "DEALER"}, {6, "ROUTER"}, {7, "PULL"}, {8, "PUSH"}, {0, NULL}};

/* A command frame starting where the rest of a 3.x greeting should be (after the major or the
 * minor version byte): the sender cut its greeting short. Returns its offset or 0. */
static guint early_command_at(tvbuff_t* tvb, int offset, guint avail) {
  for (guint p = 11; p <= 12; p++) {
    if (avail < p + 3) break;
    guint8 flags = tvb_get_guint8(tvb, offset + p);
    guint64 size;
    guint name_at;
    if (flags == ZMTP_FLAG_COMMAND) {
      size = tvb_get_guint8(tvb, offset + p + 1);
      name_at = p + 2;
    } else if (flags == (ZMTP_FLAG_COMMAND | ZMTP_FLAG_LONG)) {
      if (avail < p + 10) continue;
      size = tvb_get_ntoh64(tvb, offset + p + 1);
      name_at = p + 9;
    } else {
      continue;
    }
    guint name_len = tvb_get_guint8(tvb, offset + name_at);
    if (name_len == 0 || name_len + 1 > size || avail < name_at + 1 + name_len) continue;
    if (zmtp_is_command_name(tvb_get_ptr(tvb, offset + name_at + 1, name_len), name_len)) return p;
  }
  return 0;
}

zmtp_pdu_status zmtp_greeting_measure(zmtp_ctx* ctx, int offset, guint* len) {
  tvbuff_t* tvb = ctx->tvb;
  guint avail = tvb_captured_length_remaining(tvb, offset);
  zmtp_frame_hdr h;
  guint8 b0 = tvb_get_guint8(tvb, offset);
  if (b0 != 0xFF) {
    if (avail < 2) {
      *len = 2;
      return ZMTP_PDU_NEED_MORE;
    }
    if (b0 >= 1 && tvb_get_guint8(tvb, offset + 1) == 0x00) {
      return zmtp_frame_measure(tvb, offset, ZMTP_FRAMING_1, &h, len);
    }
    /* Neither a signature nor a 1.0 identity frame: the capture started mid-stream. */
    ctx->st->phase = ZMTP_PHASE_FRAMES;
    ctx->st->framing = ZMTP_FRAMING_3;
    *len = 0;
    return ZMTP_PDU_COMPLETE;
  }
  if (avail < ZMTP_SIGNATURE_LEN) {
    *len = ZMTP_SIGNATURE_LEN;
    return ZMTP_PDU_NEED_MORE;
  }
  if (!(tvb_get_guint8(tvb, offset + 9) & 0x01)) {
    /* 0xFF then an 8-byte length and a final flags byte: a 1.0 long identity frame. */
    return zmtp_frame_measure(tvb, offset, ZMTP_FRAMING_1, &h, len);
  }
  if (avail < ZMTP_SIGNATURE_LEN + 1) {
    *len = ZMTP_SIGNATURE_LEN + 1;
    return ZMTP_PDU_NEED_MORE;
  }
  if (tvb_get_guint8(tvb, offset + 10) == 0x01) {
    *len = ZMTP2_GREETING_LEN;
  } else {
    guint early = early_command_at(tvb, offset, avail);
    *len = early ? early : ZMTP3_GREETING_LEN;
  }
  return avail < *len ? ZMTP_PDU_NEED_MORE : ZMTP_PDU_COMPLETE;
}

static proto_tree* add_greeting(zmtp_ctx* ctx, int offset, guint len, proto_item** item) {
  *item = proto_tree_add_item(ctx->tree, hf_greeting, ctx->tvb, offset, (gint)len, ENC_NA);
  return proto_item_add_subtree(*item, ett_greeting);
}

static void add_signature(zmtp_ctx* ctx, proto_tree* tree, int offset) {
  proto_item* sig = proto_tree_add_item(tree, hf_signature, ctx->tvb, offset, 10, ENC_NA);
  proto_tree* sig_tree = proto_item_add_subtree(sig, ett_signature);
  proto_tree_add_item(sig_tree, hf_sig_padding, ctx->tvb, offset + 1, 8, ENC_NA);
  if (tvb_get_guint8(ctx->tvb, offset + 9) != 0x7F) {
    expert_add_info(ctx->pinfo, sig, &ei_zmtp_bad_signature);
  }
}

static void add_version(zmtp_ctx* ctx, proto_tree* tree, const char* text) {
  proto_item* pi = proto_tree_add_string(tree, hf_version, ctx->tvb, 0, 0, text);
  proto_item_set_generated(pi);
}

static void add_legacy(zmtp_ctx* ctx, proto_tree* tree, proto_item* item, const char* version) {
  zmtp_dir* st = ctx->st;
  st->greeting_seen = TRUE;
  st->phase = ZMTP_PHASE_FRAMES;
  st->handshake_done = TRUE; /* 1.0 and 2.0 have no handshake commands */
  proto_item* pi = proto_tree_add_boolean(tree, hf_legacy, ctx->tvb, 0, 0, TRUE);
  proto_item_set_generated(pi);
  add_version(ctx, tree, version);
  proto_item_append_text(item, " (ZMTP/%s, legacy)", version);
  expert_add_info_format(ctx->pinfo, item, &ei_zmtp_legacy, "Legacy ZMTP/%s peer", version);
  col_append_sep_fstr(ctx->pinfo->cinfo, COL_INFO, ", ", "Greeting ZMTP/%s", version);
}

static void dissect_v1(zmtp_ctx* ctx, int offset, guint len) {
  zmtp_frame_hdr h;
  guint need;
  zmtp_pdu_status s = zmtp_frame_measure(ctx->tvb, offset, ZMTP_FRAMING_1, &h, &need);
  proto_item* item;
  proto_tree* tree = add_greeting(ctx, offset, len, &item);
  ctx->st->major = 1;
  ctx->st->minor = 0;
  ctx->st->framing = ZMTP_FRAMING_1;
  proto_item* len_item =
      proto_tree_add_uint64(tree, hf_v1_length, ctx->tvb, offset, h.length_bytes, h.declared);
  add_legacy(ctx, tree, item, "1.0");
  if (s == ZMTP_PDU_UNUSABLE) {
    zmtp_flag_unusable(ctx, len_item, &h, offset + h.hdr);
    return;
  }
  if (h.zero_length) {
    expert_add_info(ctx->pinfo, len_item, &ei_zmtp_zero_length);
    return;
  }
  proto_item* flags =
      proto_tree_add_item(tree, hf_v1_flags, ctx->tvb, offset + h.length_bytes, 1, ENC_BIG_ENDIAN);
  if (h.flags & ZMTP_FLAGS_RESERVED_1) expert_add_info(ctx->pinfo, flags, &ei_zmtp_reserved_flags);
  if (h.size > 0) {
    proto_tree_add_item(tree, hf_identity, ctx->tvb, offset + h.hdr, (gint)h.size, ENC_NA);
  }
}

static void dissect_v2(zmtp_ctx* ctx, int offset) {
  proto_item* item;
  proto_tree* tree = add_greeting(ctx, offset, ZMTP2_GREETING_LEN, &item);
  add_signature(ctx, tree, offset);
  proto_tree_add_item(tree, hf_revision, ctx->tvb, offset + 10, 1, ENC_BIG_ENDIAN);
  proto_item* sock =
      proto_tree_add_item(tree, hf_legacy_socket, ctx->tvb, offset + 11, 1, ENC_BIG_ENDIAN);
  ctx->st->major = 2;
  ctx->st->minor = 0;
  ctx->st->framing = ZMTP_FRAMING_2;
  ctx->st->expect_identity = TRUE;
  add_legacy(ctx, tree, item, "2.0");
  guint8 byte = tvb_get_guint8(ctx->tvb, offset + 11);
  zmtp_socket_type t = zmtp_socket_type_from_legacy(byte);
  const char* name = val_to_str(byte, legacy_socket_vals, "0x%02x");
  zmtp_set_socket_type(ctx, sock, name, t);
}

static gboolean mechanism_char(guint8 c) {
  return g_ascii_isupper(c) || g_ascii_isdigit(c) || c == '-' || c == '_' || c == '.' || c == '+';
}

static void dissect_mechanism(zmtp_ctx* ctx, proto_tree* tree, int offset) {
  zmtp_dir* st = ctx->st;
  const guint8* raw = tvb_get_ptr(ctx->tvb, offset, ZMTP_MECHANISM_LEN);
  guint n = 0;
  gboolean valid = TRUE;
  while (n < ZMTP_MECHANISM_LEN && raw[n] != 0) {
    if (!mechanism_char(raw[n])) valid = FALSE;
    n++;
  }
  for (guint i = n; i < ZMTP_MECHANISM_LEN; i++) {
    if (raw[i] != 0) valid = FALSE;
  }
  if (n == 0) valid = FALSE;
  proto_item* pi =
      proto_tree_add_item(tree, hf_mechanism, ctx->tvb, offset, ZMTP_MECHANISM_LEN, ENC_ASCII);
  char* name = tvb_format_text(ctx->pinfo->pool, ctx->tvb, offset, (gint)n);
  g_strlcpy(st->mechanism, name, sizeof st->mechanism);
  if (!valid) {
    expert_add_info(ctx->pinfo, pi, &ei_zmtp_bad_mechanism);
    st->mech = ZMTP_MECH_OTHER;
  } else if (strcmp(st->mechanism, "NULL") == 0) {
    st->mech = ZMTP_MECH_NULL;
  } else if (strcmp(st->mechanism, "PLAIN") == 0) {
    st->mech = ZMTP_MECH_PLAIN;
  } else if (strcmp(st->mechanism, "CURVE") == 0) {
    st->mech = ZMTP_MECH_CURVE;
  } else {
    st->mech = ZMTP_MECH_OTHER;
  }
  const zmtp_dir* peer = ctx->peer;
  if (peer->mech != ZMTP_MECH_UNKNOWN && strcmp(peer->mechanism, st->mechanism) != 0 &&
      !((peer->reported | st->reported) & ZMTP_REPORTED_MECH_MISMATCH)) {
    st->reported |= ZMTP_REPORTED_MECH_MISMATCH;
    expert_add_info_format(ctx->pinfo, pi, &ei_zmtp_mechanism_mismatch,
                           "Mechanism %s differs from the peer's %s", st->mechanism,
                           peer->mechanism);
  }
}

static void dissect_v3(zmtp_ctx* ctx, int offset, guint len) {
  tvbuff_t* tvb = ctx->tvb;
  zmtp_dir* st = ctx->st;
  proto_item* item;
  proto_tree* tree = add_greeting(ctx, offset, len, &item);
  add_signature(ctx, tree, offset);
  proto_item* major = proto_tree_add_item(tree, hf_major, tvb, offset + 10, 1, ENC_BIG_ENDIAN);
  st->greeting_seen = TRUE;
  st->phase = ZMTP_PHASE_FRAMES;
  st->framing = ZMTP_FRAMING_3;
  st->major = tvb_get_guint8(tvb, offset + 10);
  st->minor = 0;
  if (st->major != 3) expert_add_info(ctx->pinfo, major, &ei_zmtp_unknown_version);
  if (len >= 12) {
    proto_tree_add_item(tree, hf_minor, tvb, offset + 11, 1, ENC_BIG_ENDIAN);
    st->minor = tvb_get_guint8(tvb, offset + 11);
  }
  add_version(ctx, tree,
              len >= 12 ? wmem_strdup_printf(ctx->pinfo->pool, "%u.%u", st->major, st->minor)
                        : wmem_strdup_printf(ctx->pinfo->pool, "%u", st->major));
  if (len < ZMTP3_GREETING_LEN) {
    proto_item_append_text(item, " (ZMTP %u, cut short)", st->major);
    expert_add_info(ctx->pinfo, item, &ei_zmtp_before_greeting_end);
    col_append_sep_str(ctx->pinfo->cinfo, COL_INFO, ", ", "Greeting (cut short)");
    return;
  }
  dissect_mechanism(ctx, tree, offset + 12);
  proto_item* as_server = proto_tree_add_item(tree, hf_as_server, tvb, offset + 32, 1, ENC_NA);
  guint8 as_server_byte = tvb_get_guint8(tvb, offset + 32);
  if (as_server_byte > 1) expert_add_info(ctx->pinfo, as_server, &ei_zmtp_bad_as_server);
  st->as_server = as_server_byte != 0;
  proto_item* filler = proto_tree_add_item(tree, hf_filler, tvb, offset + 33, 31, ENC_NA);
  const guint8* fill = tvb_get_ptr(tvb, offset + 33, ZMTP_FILLER_LEN);
  for (int i = 0; i < ZMTP_FILLER_LEN; i++) {
    if (fill[i] != 0) {
      expert_add_info(ctx->pinfo, filler, &ei_zmtp_filler_not_zero);
      break;
    }
  }
  proto_item_append_text(item, " (ZMTP %u.%u, %s%s)", st->major, st->minor, st->mechanism,
                         st->as_server ? ", as server" : "");
  col_append_sep_fstr(ctx->pinfo->cinfo, COL_INFO, ", ", "Greeting %u.%u %s", st->major, st->minor,
                      st->mechanism);
}

void zmtp_greeting_dissect(zmtp_ctx* ctx, int offset, guint len) {
  tvbuff_t* tvb = ctx->tvb;
  if (tvb_get_guint8(tvb, offset) != 0xFF || !(tvb_get_guint8(tvb, offset + 9) & 0x01)) {
    dissect_v1(ctx, offset, len);
  } else if (tvb_get_guint8(tvb, offset + 10) == 0x01) {
    dissect_v2(ctx, offset);
  } else {
    dissect_v3(ctx, offset, len);
  }
}

void zmtp_register_greeting(int proto) {
  static hf_register_info hf[] = {
      {&hf_greeting, {"Greeting", "zlabzmtp.greeting", FT_NONE, BASE_NONE, NULL, 0x0, NULL, HFILL}},
      {&hf_signature,
       {"Signature", "zlabzmtp.greeting.signature", FT_BYTES, BASE_NONE, NULL, 0x0,
        "0xFF, 8 bytes of padding, 0x7F", HFILL}},
      {&hf_sig_padding,
       {"Padding", "zlabzmtp.greeting.signature.padding", FT_BYTES, BASE_NONE, NULL, 0x0, NULL,
        HFILL}},
      {&hf_major,
       {"Major version", "zlabzmtp.greeting.version.major", FT_UINT8, BASE_DEC, NULL, 0x0, NULL,
        HFILL}},
      {&hf_minor,
       {"Minor version", "zlabzmtp.greeting.version.minor", FT_UINT8, BASE_DEC, NULL, 0x0, NULL,
        HFILL}},
      {&hf_version,
       {"Version", "zlabzmtp.greeting.version", FT_STRING, BASE_NONE, NULL, 0x0,
        "ZMTP version announced (1.0 and 2.0 are legacy forms)", HFILL}},
      {&hf_mechanism,
       {"Mechanism", "zlabzmtp.greeting.mechanism", FT_STRINGZPAD, BASE_NONE, NULL, 0x0, NULL,
        HFILL}},
      {&hf_as_server,
       {"As server", "zlabzmtp.greeting.as_server", FT_BOOLEAN, BASE_NONE, NULL, 0x0, NULL, HFILL}},
      {&hf_filler,
       {"Filler", "zlabzmtp.greeting.filler", FT_BYTES, BASE_NONE, NULL, 0x0, NULL, HFILL}},
      {&hf_legacy,
       {"Legacy greeting", "zlabzmtp.greeting.legacy", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
        "A ZMTP/1.0 or ZMTP/2.0 greeting", HFILL}},
      {&hf_revision,
       {"Revision", "zlabzmtp.greeting.revision", FT_UINT8, BASE_HEX, NULL, 0x0,
        "ZMTP/2.0 revision (0x01)", HFILL}},
      {&hf_legacy_socket,
       {"Socket type", "zlabzmtp.greeting.socket_type", FT_UINT8, BASE_DEC,
        VALS(legacy_socket_vals), 0x0, "ZMTP/2.0 socket type", HFILL}},
      {&hf_v1_length,
       {"Identity frame length", "zlabzmtp.greeting.identity_length", FT_UINT64, BASE_DEC, NULL,
        0x0, "ZMTP/1.0 length (flags byte plus identity)", HFILL}},
      {&hf_v1_flags,
       {"Identity frame flags", "zlabzmtp.greeting.identity_flags", FT_UINT8, BASE_HEX, NULL, 0x0,
        NULL, HFILL}},
      {&hf_identity,
       {"Identity", "zlabzmtp.greeting.identity", FT_BYTES, BASE_NONE, NULL, 0x0, NULL, HFILL}},
  };
  static gint* ett[] = {&ett_greeting, &ett_signature};
  proto_register_field_array(proto, hf, array_length(hf));
  proto_register_subtree_array(ett, array_length(ett));
}

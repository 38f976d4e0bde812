/* Security mechanism commands. PLAIN (RFC 24): HELLO (username, password), WELCOME (empty),
 * INITIATE (metadata). CURVE (RFC 25 / CurveZMQ RFC 26), sizes of the command data after the
 * name:
 *   HELLO     version (2) + padding (72) + client transient key C' (32) + short nonce (8)
 *             + signature box (80)                                        = 194
 *   WELCOME   long nonce (16) + welcome box (144)                          = 160
 *   INITIATE  cookie (96) + short nonce (8) + initiate box (>= 144)        >= 248
 *   READY     short nonce (8) + ready box (>= 16)                          >= 24
 *   MESSAGE   short nonce (8) + message box (>= 17)                        >= 25
 * ERROR is the same for every mechanism and is left to commands.c, like PLAIN's READY. */
#include <string.h>

#include "dissector/zmtp.h"

static int hf_plain_user_len = -1;
static int hf_plain_user = -1;
static int hf_plain_pass_len = -1;
static int hf_plain_pass = -1;
static int hf_curve_major = -1;
static int hf_curve_minor = -1;
static int hf_curve_padding = -1;
static int hf_curve_client_key = -1;
static int hf_curve_short_nonce = -1;
static int hf_curve_long_nonce = -1;
static int hf_curve_hello_box = -1;
static int hf_curve_welcome_box = -1;
static int hf_curve_cookie = -1;
static int hf_curve_initiate_box = -1;
static int hf_curve_ready_box = -1;
static int hf_curve_message_box = -1;
static int hf_extra = -1;

#define CURVE_HELLO_SIZE 194
#define CURVE_WELCOME_SIZE 160
#define CURVE_INITIATE_MIN 248
#define CURVE_READY_MIN 24
#define CURVE_MESSAGE_MIN 25

/* Adds a fixed-size field if it fits before end; returns the offset after it (or end). */
static int fixed(proto_tree* tree, int hf, zmtp_ctx* ctx, int offset, int end, int size) {
  if (offset >= end) return end;
  int n = MIN(size, end - offset);
  proto_tree_add_item(tree, hf, ctx->tvb, offset, n, ENC_NA);
  return offset + n;
}

/* A length-prefixed PLAIN field; returns the offset after it, or -1 when it is truncated. */
static int plain_field(zmtp_ctx* ctx, proto_tree* tree, proto_item* item, int hf_len, int hf,
                       int offset, int end, const char* what) {
  if (offset >= end) {
    expert_add_info_format(ctx->pinfo, item, &ei_zmtp_command_truncated, "%s is missing", what);
    return -1;
  }
  int n = tvb_get_guint8(ctx->tvb, offset);
  proto_tree_add_item(tree, hf_len, ctx->tvb, offset, 1, ENC_NA);
  if (offset + 1 + n > end) {
    expert_add_info_format(ctx->pinfo, item, &ei_zmtp_command_truncated, "%s is truncated", what);
    n = end - offset - 1;
  }
  proto_tree_add_item(tree, hf, ctx->tvb, offset + 1, n, ENC_ASCII);
  return offset + 1 + n;
}

static gboolean plain_command(zmtp_ctx* ctx, proto_tree* tree, proto_item* item, const char* name,
                              int offset, int len) {
  int end = offset + len;
  if (strcmp(name, "HELLO") == 0) {
    int after = plain_field(ctx, tree, item, hf_plain_user_len, hf_plain_user, offset, end,
                            "PLAIN username");
    if (after >= 0) {
      col_append_fstr(ctx->pinfo->cinfo, COL_INFO, " (user \"%s\")",
                      tvb_format_text(ctx->pinfo->pool, ctx->tvb, offset + 1, after - offset - 1));
      after = plain_field(ctx, tree, item, hf_plain_pass_len, hf_plain_pass, after, end,
                          "PLAIN password");
    }
    if (after >= 0 && after < end) fixed(tree, hf_extra, ctx, after, end, end - after);
    return TRUE;
  }
  if (strcmp(name, "WELCOME") == 0) {
    if (len > 0) fixed(tree, hf_extra, ctx, offset, end, len);
    return TRUE;
  }
  if (strcmp(name, "INITIATE") == 0) {
    ctx->st->handshake_done = TRUE;
    zmtp_dissect_metadata(ctx, tree, offset, len);
    return TRUE;
  }
  return FALSE;
}

static void curve_size(zmtp_ctx* ctx, proto_item* item, const char* name, int len, int want,
                       gboolean exact) {
  if (exact ? len != want : len < want) {
    expert_add_info_format(ctx->pinfo, item, &ei_zmtp_curve_size,
                           "CURVE %s data is %d bytes; it must be %s%d", name, len,
                           exact ? "" : "at least ", want);
  }
}

static gboolean curve_command(zmtp_ctx* ctx, proto_tree* tree, proto_item* item, const char* name,
                              int offset, int len) {
  int end = offset + len;
  int o = offset;
  if (strcmp(name, "HELLO") == 0) {
    curve_size(ctx, item, name, len, CURVE_HELLO_SIZE, TRUE);
    o = fixed(tree, hf_curve_major, ctx, o, end, 1);
    o = fixed(tree, hf_curve_minor, ctx, o, end, 1);
    o = fixed(tree, hf_curve_padding, ctx, o, end, 72);
    o = fixed(tree, hf_curve_client_key, ctx, o, end, 32);
    o = fixed(tree, hf_curve_short_nonce, ctx, o, end, 8);
    o = fixed(tree, hf_curve_hello_box, ctx, o, end, 80);
  } else if (strcmp(name, "WELCOME") == 0) {
    curve_size(ctx, item, name, len, CURVE_WELCOME_SIZE, TRUE);
    o = fixed(tree, hf_curve_long_nonce, ctx, o, end, 16);
    o = fixed(tree, hf_curve_welcome_box, ctx, o, end, 144);
  } else if (strcmp(name, "INITIATE") == 0) {
    curve_size(ctx, item, name, len, CURVE_INITIATE_MIN, FALSE);
    ctx->st->handshake_done = TRUE;
    o = fixed(tree, hf_curve_cookie, ctx, o, end, 96);
    o = fixed(tree, hf_curve_short_nonce, ctx, o, end, 8);
    o = fixed(tree, hf_curve_initiate_box, ctx, o, end, end - o);
  } else if (strcmp(name, "READY") == 0) {
    curve_size(ctx, item, name, len, CURVE_READY_MIN, FALSE);
    ctx->st->handshake_done = TRUE;
    if (++ctx->st->ready_count > 1) expert_add_info(ctx->pinfo, item, &ei_zmtp_duplicate_ready);
    o = fixed(tree, hf_curve_short_nonce, ctx, o, end, 8);
    o = fixed(tree, hf_curve_ready_box, ctx, o, end, end - o);
  } else if (strcmp(name, "MESSAGE") == 0) {
    curve_size(ctx, item, name, len, CURVE_MESSAGE_MIN, FALSE);
    o = fixed(tree, hf_curve_short_nonce, ctx, o, end, 8);
    o = fixed(tree, hf_curve_message_box, ctx, o, end, end - o);
  } else {
    return FALSE;
  }
  if (o < end) fixed(tree, hf_extra, ctx, o, end, end - o);
  return TRUE;
}

gboolean zmtp_dissect_mechanism_command(zmtp_ctx* ctx, proto_tree* tree, proto_item* item,
                                        const char* name, int offset, int len) {
  switch (ctx->st->mech) {
    case ZMTP_MECH_PLAIN:
      return plain_command(ctx, tree, item, name, offset, len);
    case ZMTP_MECH_CURVE:
      return curve_command(ctx, tree, item, name, offset, len);
    default:
      return FALSE;
  }
}

#define BYTES_FIELD(var, name, abbrev, blurb)                            \
  {                                                                      \
    &var, { name, abbrev, FT_BYTES, BASE_NONE, NULL, 0x0, blurb, HFILL } \
  }

void zmtp_register_mechanisms(int proto) {
  static hf_register_info hf[] = {
      {&hf_plain_user_len,
       {"Username length", "zlabzmtp.plain.username_length", FT_UINT8, BASE_DEC, NULL, 0x0, NULL,
        HFILL}},
      {&hf_plain_user,
       {"Username", "zlabzmtp.plain.username", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
      {&hf_plain_pass_len,
       {"Password length", "zlabzmtp.plain.password_length", FT_UINT8, BASE_DEC, NULL, 0x0, NULL,
        HFILL}},
      {&hf_plain_pass,
       {"Password", "zlabzmtp.plain.password", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
      {&hf_curve_major,
       {"CurveZMQ major version", "zlabzmtp.curve.version.major", FT_UINT8, BASE_DEC, NULL, 0x0,
        NULL, HFILL}},
      {&hf_curve_minor,
       {"CurveZMQ minor version", "zlabzmtp.curve.version.minor", FT_UINT8, BASE_DEC, NULL, 0x0,
        NULL, HFILL}},
      BYTES_FIELD(hf_curve_padding, "Anti-amplification padding", "zlabzmtp.curve.padding",
                  "72 zero bytes"),
      BYTES_FIELD(hf_curve_client_key, "Client transient public key (C')",
                  "zlabzmtp.curve.client_key", NULL),
      BYTES_FIELD(hf_curve_short_nonce, "Short nonce", "zlabzmtp.curve.short_nonce", NULL),
      BYTES_FIELD(hf_curve_long_nonce, "Long nonce", "zlabzmtp.curve.long_nonce", NULL),
      BYTES_FIELD(hf_curve_hello_box, "Signature box", "zlabzmtp.curve.hello_box",
                  "Box[64 zero bytes](C'->S), 80 bytes"),
      BYTES_FIELD(hf_curve_welcome_box, "Welcome box", "zlabzmtp.curve.welcome_box",
                  "Box[S' + cookie](S->C'), 144 bytes"),
      BYTES_FIELD(hf_curve_cookie, "Cookie", "zlabzmtp.curve.cookie", "96 bytes"),
      BYTES_FIELD(hf_curve_initiate_box, "Initiate box", "zlabzmtp.curve.initiate_box",
                  "Box[C + vouch + metadata](C'->S')"),
      BYTES_FIELD(hf_curve_ready_box, "Ready box", "zlabzmtp.curve.ready_box",
                  "Box[metadata](S'->C')"),
      BYTES_FIELD(hf_curve_message_box, "Message box", "zlabzmtp.curve.message_box",
                  "Box[flags + message]"),
      BYTES_FIELD(hf_extra, "Extra data", "zlabzmtp.command.extra", "Bytes after the last field"),
  };
  proto_register_field_array(proto, hf, array_length(hf));
}

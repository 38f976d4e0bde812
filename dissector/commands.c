/* Command bodies (ZMTP 3.x, RFC 23 / 37): name-size, name, data. READY (and PLAIN INITIATE)
 * carry metadata properties: name-size (1), name, value-size (4, network order), value. */
#include <string.h>

#include "dissector/zmtp.h"

static int hf_cmd_name_len = -1;
static int hf_cmd_name = -1;
static int hf_cmd_data = -1;
static int hf_cmd_data_text = -1;
static int hf_prop = -1;
static int hf_prop_name_len = -1;
static int hf_prop_name = -1;
static int hf_prop_value_len = -1;
static int hf_prop_value = -1;
static int hf_prop_value_text = -1;
static int hf_socket_type = -1;
static int hf_identity = -1;
static int hf_error_reason_len = -1;
static int hf_error_reason = -1;
static int hf_subscribe_topic = -1;
static int hf_subscribe_topic_text = -1;
static int hf_cancel_topic = -1;
static int hf_cancel_topic_text = -1;
static int hf_ping_ttl = -1;
static int hf_ping_ttl_seconds = -1;
static int hf_ping_context = -1;
static int hf_pong_context = -1;
static int hf_join_group = -1;
static int hf_join_group_text = -1;
static int hf_leave_group = -1;
static int hf_leave_group_text = -1;
static gint ett_prop = -1;

static const char* const command_names[] = {"READY", "ERROR",   "SUBSCRIBE", "CANCEL",
                                            "PING",  "PONG",    "JOIN",      "LEAVE",
                                            "HELLO", "WELCOME", "INITIATE",  "MESSAGE"};

gboolean zmtp_is_command_name(const guint8* name, guint len) {
  for (size_t i = 0; i < G_N_ELEMENTS(command_names); i++) {
    if (strlen(command_names[i]) == len && memcmp(command_names[i], name, len) == 0) return TRUE;
  }
  return FALSE;
}

static void truncated(zmtp_ctx* ctx, proto_item* item, const char* what) {
  expert_add_info_format(ctx->pinfo, item, &ei_zmtp_command_truncated, "%s is truncated", what);
}

static void dissect_property(zmtp_ctx* ctx, proto_tree* tree, int offset, guint name_len,
                             guint32 value_len) {
  tvbuff_t* tvb = ctx->tvb;
  int total = 1 + (int)name_len + 4 + (int)value_len;
  char* name = tvb_format_text(ctx->pinfo->pool, tvb, offset + 1, (gint)name_len);
  proto_item* prop = proto_tree_add_item(tree, hf_prop, tvb, offset, total, ENC_NA);
  proto_tree* pt = proto_item_add_subtree(prop, ett_prop);
  proto_item* name_len_item = proto_tree_add_item(pt, hf_prop_name_len, tvb, offset, 1, ENC_NA);
  if (name_len > 0) {
    proto_tree_add_item(pt, hf_prop_name, tvb, offset + 1, (gint)name_len, ENC_ASCII);
  } else {
    expert_add_info(ctx->pinfo, name_len_item, &ei_zmtp_metadata_empty_name);
  }
  int v = offset + 1 + (int)name_len + 4;
  proto_tree_add_item(pt, hf_prop_value_len, tvb, v - 4, 4, ENC_BIG_ENDIAN);
  zmtp_add_body(ctx, pt, hf_prop_value, hf_prop_value_text, v, (int)value_len);
  char* value = tvb_format_text(ctx->pinfo->pool, tvb, v, (gint)value_len);
  proto_item_append_text(prop, ": %s = %s", name, value);
  /* Property names are case-insensitive (RFC 23). */
  if (g_ascii_strcasecmp(name, "Socket-Type") == 0) {
    proto_item* st = proto_tree_add_item(pt, hf_socket_type, tvb, v, (gint)value_len, ENC_ASCII);
    char* type = (char*)tvb_get_string_enc(ctx->pinfo->pool, tvb, v, (gint)value_len, ENC_ASCII);
    zmtp_set_socket_type(ctx, st, type, zmtp_socket_type_from_name(type));
    col_append_fstr(ctx->pinfo->cinfo, COL_INFO, " (%s)", value);
  } else if (g_ascii_strcasecmp(name, "Identity") == 0) {
    if (value_len > 0) {
      proto_tree_add_item(pt, hf_identity, tvb, v, (gint)value_len, ENC_NA);
    } else {
      proto_tree_add_bytes_format_value(pt, hf_identity, tvb, v, 0, NULL, "(empty)");
    }
  }
}

void zmtp_dissect_metadata(zmtp_ctx* ctx, proto_tree* tree, int offset, int len) {
  tvbuff_t* tvb = ctx->tvb;
  int end = offset + len;
  while (offset < end) {
    guint rest = (guint)(end - offset);
    guint name_len = tvb_get_guint8(tvb, offset);
    guint32 value_len = 0;
    gboolean ok = rest >= 1u + name_len + 4u;
    if (ok) {
      value_len = tvb_get_ntohl(tvb, offset + 1 + (int)name_len);
      ok = (guint64)value_len <= (guint64)rest - 1u - name_len - 4u;
    }
    if (!ok) {
      proto_item* pi = proto_tree_add_item(tree, hf_prop, tvb, offset, (gint)rest, ENC_NA);
      proto_item_append_text(pi, " (truncated)");
      expert_add_info(ctx->pinfo, pi, &ei_zmtp_metadata_truncated);
      if (name_len == 0) expert_add_info(ctx->pinfo, pi, &ei_zmtp_metadata_empty_name);
      return;
    }
    dissect_property(ctx, tree, offset, name_len, value_len);
    offset += 1 + (int)name_len + 4 + (int)value_len;
  }
}

/* READY of the NULL and PLAIN mechanisms (CURVE's is boxed: mechanisms.c). */
static void dissect_ready(zmtp_ctx* ctx, proto_tree* tree, proto_item* item, int offset, int len) {
  zmtp_dir* st = ctx->st;
  st->ready_count++;
  st->handshake_done = TRUE;
  if (st->ready_count > 1) expert_add_info(ctx->pinfo, item, &ei_zmtp_duplicate_ready);
  zmtp_dissect_metadata(ctx, tree, offset, len);
}

static void dissect_error(zmtp_ctx* ctx, proto_tree* tree, proto_item* item, int offset, int len) {
  if (len < 1) {
    truncated(ctx, item, "ERROR reason");
    return;
  }
  guint reason_len = tvb_get_guint8(ctx->tvb, offset);
  proto_tree_add_item(tree, hf_error_reason_len, ctx->tvb, offset, 1, ENC_NA);
  if (reason_len + 1u > (guint)len) {
    truncated(ctx, item, "ERROR reason");
    reason_len = (guint)len - 1u;
  }
  proto_tree_add_item(tree, hf_error_reason, ctx->tvb, offset + 1, (gint)reason_len, ENC_ASCII);
  col_append_fstr(ctx->pinfo->cinfo, COL_INFO, " \"%s\"",
                  tvb_format_text(ctx->pinfo->pool, ctx->tvb, offset + 1, (gint)reason_len));
}

static void dissect_ping(zmtp_ctx* ctx, proto_tree* tree, proto_item* item, int offset, int len) {
  if (len < 2) {
    truncated(ctx, item, "PING TTL");
    return;
  }
  guint16 ttl = tvb_get_ntohs(ctx->tvb, offset);
  proto_tree_add_item(tree, hf_ping_ttl, ctx->tvb, offset, 2, ENC_BIG_ENDIAN);
  proto_item* secs =
      proto_tree_add_double(tree, hf_ping_ttl_seconds, ctx->tvb, offset, 2, ttl / 10.0);
  proto_item_set_generated(secs);
  if (len > 2) {
    proto_item* c =
        proto_tree_add_item(tree, hf_ping_context, ctx->tvb, offset + 2, len - 2, ENC_NA);
    if (len - 2 > ZMTP_PING_CONTEXT_MAX) expert_add_info(ctx->pinfo, c, &ei_zmtp_ping_context_long);
  }
  col_append_fstr(ctx->pinfo->cinfo, COL_INFO, " (TTL %.1f s)", ttl / 10.0);
}

static void dissect_pong(zmtp_ctx* ctx, proto_tree* tree, int offset, int len) {
  if (len <= 0) return;
  proto_item* c = proto_tree_add_item(tree, hf_pong_context, ctx->tvb, offset, len, ENC_NA);
  if (len > ZMTP_PING_CONTEXT_MAX) expert_add_info(ctx->pinfo, c, &ei_zmtp_ping_context_long);
}

void zmtp_dissect_command(zmtp_ctx* ctx, proto_tree* tree, proto_item* item, int offset, int len) {
  tvbuff_t* tvb = ctx->tvb;
  if (len < 1) {
    truncated(ctx, item, "Command name");
    col_append_sep_str(ctx->pinfo->cinfo, COL_INFO, ", ", "(empty command)");
    return;
  }
  guint name_len = tvb_get_guint8(tvb, offset);
  proto_tree_add_item(tree, hf_cmd_name_len, tvb, offset, 1, ENC_NA);
  if (name_len + 1u > (guint)len) {
    truncated(ctx, item, "Command name");
    col_append_sep_str(ctx->pinfo->cinfo, COL_INFO, ", ", "(bad command)");
    return;
  }
  char* name = tvb_format_text(ctx->pinfo->pool, tvb, offset + 1, (gint)name_len);
  proto_tree_add_item(tree, hf_cmd_name, tvb, offset + 1, (gint)name_len, ENC_ASCII);
  proto_item_append_text(item, " %s", name);
  col_append_sep_str(ctx->pinfo->cinfo, COL_INFO, ", ", name);
  int data = offset + 1 + (int)name_len;
  int data_len = len - 1 - (int)name_len;
  if (zmtp_dissect_mechanism_command(ctx, tree, item, name, data, data_len)) return;
  if (strcmp(name, "READY") == 0) {
    dissect_ready(ctx, tree, item, data, data_len);
  } else if (strcmp(name, "ERROR") == 0) {
    dissect_error(ctx, tree, item, data, data_len);
  } else if (strcmp(name, "SUBSCRIBE") == 0) {
    zmtp_add_body(ctx, tree, hf_subscribe_topic, hf_subscribe_topic_text, data, data_len);
  } else if (strcmp(name, "CANCEL") == 0) {
    zmtp_add_body(ctx, tree, hf_cancel_topic, hf_cancel_topic_text, data, data_len);
  } else if (strcmp(name, "PING") == 0) {
    dissect_ping(ctx, tree, item, data, data_len);
  } else if (strcmp(name, "PONG") == 0) {
    dissect_pong(ctx, tree, data, data_len);
  } else if (strcmp(name, "JOIN") == 0) {
    zmtp_add_body(ctx, tree, hf_join_group, hf_join_group_text, data, data_len);
  } else if (strcmp(name, "LEAVE") == 0) {
    zmtp_add_body(ctx, tree, hf_leave_group, hf_leave_group_text, data, data_len);
  } else {
    if (zmtp_is_command_name((const guint8*)name, name_len)) {
      expert_add_info_format(ctx->pinfo, item, &ei_zmtp_wrong_mechanism,
                             "%s is not a command of the %s mechanism", name,
                             ctx->st->mech == ZMTP_MECH_UNKNOWN ? "(unknown)" : ctx->st->mechanism);
    } else {
      expert_add_info_format(ctx->pinfo, item, &ei_zmtp_unknown_command, "Unknown command \"%s\"",
                             name);
    }
    zmtp_add_body(ctx, tree, hf_cmd_data, hf_cmd_data_text, data, data_len);
  }
}

#define BYTES_FIELD(var, name, abbrev, blurb)                            \
  {                                                                      \
    &var, { name, abbrev, FT_BYTES, BASE_NONE, NULL, 0x0, blurb, HFILL } \
  }
#define TEXT_FIELD(var, name, abbrev, blurb)                              \
  {                                                                       \
    &var, { name, abbrev, FT_STRING, BASE_NONE, NULL, 0x0, blurb, HFILL } \
  }
#define UINT_FIELD(var, name, abbrev, type, blurb)                  \
  {                                                                 \
    &var, { name, abbrev, type, BASE_DEC, NULL, 0x0, blurb, HFILL } \
  }

void zmtp_register_commands(int proto) {
  static hf_register_info hf[] = {
      UINT_FIELD(hf_cmd_name_len, "Name length", "zlabzmtp.command.name_length", FT_UINT8, NULL),
      TEXT_FIELD(hf_cmd_name, "Command", "zlabzmtp.command.name", NULL),
      BYTES_FIELD(hf_cmd_data, "Data", "zlabzmtp.command.data", NULL),
      TEXT_FIELD(hf_cmd_data_text, "Data text", "zlabzmtp.command.data_text", NULL),
      {&hf_prop, {"Property", "zlabzmtp.metadata", FT_NONE, BASE_NONE, NULL, 0x0, NULL, HFILL}},
      UINT_FIELD(hf_prop_name_len, "Name length", "zlabzmtp.metadata.name_length", FT_UINT8, NULL),
      TEXT_FIELD(hf_prop_name, "Name", "zlabzmtp.metadata.name", NULL),
      UINT_FIELD(hf_prop_value_len, "Value length", "zlabzmtp.metadata.value_length", FT_UINT32,
                 NULL),
      BYTES_FIELD(hf_prop_value, "Value", "zlabzmtp.metadata.value", NULL),
      TEXT_FIELD(hf_prop_value_text, "Value text", "zlabzmtp.metadata.value_text", NULL),
      TEXT_FIELD(hf_socket_type, "Socket-Type", "zlabzmtp.metadata.socket_type", NULL),
      BYTES_FIELD(hf_identity, "Identity", "zlabzmtp.metadata.identity", NULL),
      UINT_FIELD(hf_error_reason_len, "Reason length", "zlabzmtp.error.reason_length", FT_UINT8,
                 NULL),
      TEXT_FIELD(hf_error_reason, "Reason", "zlabzmtp.error.reason", NULL),
      BYTES_FIELD(hf_subscribe_topic, "Topic", "zlabzmtp.subscribe.topic", NULL),
      TEXT_FIELD(hf_subscribe_topic_text, "Topic text", "zlabzmtp.subscribe.topic_text", NULL),
      BYTES_FIELD(hf_cancel_topic, "Topic", "zlabzmtp.cancel.topic", NULL),
      TEXT_FIELD(hf_cancel_topic_text, "Topic text", "zlabzmtp.cancel.topic_text", NULL),
      UINT_FIELD(hf_ping_ttl, "TTL (deciseconds)", "zlabzmtp.ping.ttl", FT_UINT16,
                 "Time to live in tenths of a second"),
      {&hf_ping_ttl_seconds,
       {"TTL (seconds)", "zlabzmtp.ping.ttl_seconds", FT_DOUBLE, BASE_NONE, NULL, 0x0, NULL,
        HFILL}},
      BYTES_FIELD(hf_ping_context, "Context", "zlabzmtp.ping.context", NULL),
      BYTES_FIELD(hf_pong_context, "Context", "zlabzmtp.pong.context", NULL),
      BYTES_FIELD(hf_join_group, "Group", "zlabzmtp.join.group", NULL),
      TEXT_FIELD(hf_join_group_text, "Group text", "zlabzmtp.join.group_text", NULL),
      BYTES_FIELD(hf_leave_group, "Group", "zlabzmtp.leave.group", NULL),
      TEXT_FIELD(hf_leave_group_text, "Group text", "zlabzmtp.leave.group_text", NULL),
  };
  static gint* ett[] = {&ett_prop};
  proto_register_field_array(proto, hf, array_length(hf));
  proto_register_subtree_array(ett, array_length(ett));
}

/* Per-connection, per-direction state; socket types and their compatibility; the generated
 * per-connection fields.
 *
 * Replaying state: a direction's bytes can only be decoded in order (the greeting decides the
 * framing, READY decides what messages mean). On the first pass the live state in zmtp_conv is
 * updated as PDUs are decoded, and a copy of it is saved per "batch" (one call of our
 * dissector; TCP may call it several times per frame) before anything is decoded. Later passes
 * decode each batch again from its saved copy, so they show exactly what the first pass did. */
#include <epan/conversation.h>
#include <string.h>

#include "dissector/zmtp.h"

/* Packet-scoped key counting the batches of this dissection of a frame. File-scoped keys
 * 0, 1, ... hold the saved state of each batch. */
#define ZMTP_KEY_BATCH_COUNTER 0xFFFFFFFFu

typedef struct {
  zmtp_dir self;
  zmtp_dir peer;
} zmtp_saved;

static int hf_conn_socket_types = -1;
static int hf_conn_mechanism = -1;
static int hf_conn_direction = -1;

zmtp_conv* zmtp_conversation(packet_info* pinfo, int* dir) {
  conversation_t* conversation = find_or_create_conversation(pinfo);
  zmtp_conv* c = (zmtp_conv*)conversation_get_proto_data(conversation, proto_zlabzmtp);
  if (!c) {
    c = wmem_new0(wmem_file_scope(), zmtp_conv);
    c->messages[0] = wmem_map_new(wmem_file_scope(), g_direct_hash, g_direct_equal);
    c->messages[1] = wmem_map_new(wmem_file_scope(), g_direct_hash, g_direct_equal);
    conversation_add_proto_data(conversation, proto_zlabzmtp, c);
  }
  for (int d = 0; d < 2; d++) {
    if (c->known[d] && c->srcport[d] == pinfo->srcport &&
        addresses_equal(&c->src[d], &pinfo->src)) {
      *dir = d;
      return c;
    }
  }
  int d = c->known[0] ? 1 : 0;
  if (c->known[d]) {
    /* A third endpoint on one conversation (should not happen with TCP): share direction 1. */
    *dir = 1;
    return c;
  }
  copy_address_wmem(wmem_file_scope(), &c->src[d], &pinfo->src);
  c->srcport[d] = pinfo->srcport;
  c->known[d] = TRUE;
  *dir = d;
  return c;
}

zmtp_dir* zmtp_begin_batch(packet_info* pinfo, zmtp_conv* conv, int dir, const zmtp_dir** peer,
                           guint32* batch) {
  guint32* counter =
      (guint32*)p_get_proto_data(pinfo->pool, pinfo, proto_zlabzmtp, ZMTP_KEY_BATCH_COUNTER);
  if (!counter) {
    counter = wmem_new0(pinfo->pool, guint32);
    p_add_proto_data(pinfo->pool, pinfo, proto_zlabzmtp, ZMTP_KEY_BATCH_COUNTER, counter);
  }
  *batch = (*counter)++;
  zmtp_saved* saved =
      (zmtp_saved*)p_get_proto_data(wmem_file_scope(), pinfo, proto_zlabzmtp, *batch);
  if (!PINFO_FD_VISITED(pinfo)) {
    if (!saved) {
      saved = wmem_new(wmem_file_scope(), zmtp_saved);
      p_add_proto_data(wmem_file_scope(), pinfo, proto_zlabzmtp, *batch, saved);
    }
    saved->self = conv->dir[dir];
    saved->peer = conv->dir[1 - dir];
    *peer = &conv->dir[1 - dir];
    return &conv->dir[dir];
  }
  /* A later pass: decode from a scratch copy, never touching the live state. A batch the
   * first pass never saw (rare TCP corner cases) starts from the final state. */
  zmtp_saved* scratch = wmem_new(pinfo->pool, zmtp_saved);
  if (saved) {
    *scratch = *saved;
  } else {
    scratch->self = conv->dir[dir];
    scratch->peer = conv->dir[1 - dir];
  }
  *peer = &scratch->peer;
  return &scratch->self;
}

static const char* const socket_names[] = {
    [ZMTP_SOCK_PAIR] = "PAIR",     [ZMTP_SOCK_PUB] = "PUB",       [ZMTP_SOCK_SUB] = "SUB",
    [ZMTP_SOCK_REQ] = "REQ",       [ZMTP_SOCK_REP] = "REP",       [ZMTP_SOCK_DEALER] = "DEALER",
    [ZMTP_SOCK_ROUTER] = "ROUTER", [ZMTP_SOCK_PULL] = "PULL",     [ZMTP_SOCK_PUSH] = "PUSH",
    [ZMTP_SOCK_XPUB] = "XPUB",     [ZMTP_SOCK_XSUB] = "XSUB",     [ZMTP_SOCK_STREAM] = "STREAM",
    [ZMTP_SOCK_SERVER] = "SERVER", [ZMTP_SOCK_CLIENT] = "CLIENT", [ZMTP_SOCK_RADIO] = "RADIO",
    [ZMTP_SOCK_DISH] = "DISH",     [ZMTP_SOCK_GATHER] = "GATHER", [ZMTP_SOCK_SCATTER] = "SCATTER",
    [ZMTP_SOCK_DGRAM] = "DGRAM",   [ZMTP_SOCK_PEER] = "PEER",     [ZMTP_SOCK_CHANNEL] = "CHANNEL",
};

zmtp_socket_type zmtp_socket_type_from_name(const char* name) {
  for (int t = ZMTP_SOCK_PAIR; t < ZMTP_SOCK_OTHER; t++) {
    if (strcmp(socket_names[t], name) == 0) return (zmtp_socket_type)t;
  }
  return ZMTP_SOCK_OTHER;
}

/* ZMTP 2.0 (RFC 15) greeting socket-type byte. */
zmtp_socket_type zmtp_socket_type_from_legacy(guint8 byte) {
  static const zmtp_socket_type legacy[] = {ZMTP_SOCK_PAIR,   ZMTP_SOCK_PUB,  ZMTP_SOCK_SUB,
                                            ZMTP_SOCK_REQ,    ZMTP_SOCK_REP,  ZMTP_SOCK_DEALER,
                                            ZMTP_SOCK_ROUTER, ZMTP_SOCK_PULL, ZMTP_SOCK_PUSH};
  return byte < G_N_ELEMENTS(legacy) ? legacy[byte] : ZMTP_SOCK_OTHER;
}

const char* zmtp_socket_type_name(const zmtp_dir* d) {
  if (d->socket_type == ZMTP_SOCK_UNKNOWN) return "?";
  if (d->socket_type == ZMTP_SOCK_OTHER) return d->socket_name;
  return socket_names[d->socket_type];
}

static gboolean pair_is(zmtp_socket_type a, zmtp_socket_type b, zmtp_socket_type x,
                        zmtp_socket_type y) {
  return (a == x && b == y) || (a == y && b == x);
}

/* The valid pairs of ZMTP 3.x (RFC 23) plus the draft sockets of RFC 37/48/49/51/52. */
gboolean zmtp_socket_types_compatible(zmtp_socket_type a, zmtp_socket_type b) {
  static const zmtp_socket_type pairs[][2] = {
      {ZMTP_SOCK_PAIR, ZMTP_SOCK_PAIR},       {ZMTP_SOCK_PUB, ZMTP_SOCK_SUB},
      {ZMTP_SOCK_PUB, ZMTP_SOCK_XSUB},        {ZMTP_SOCK_XPUB, ZMTP_SOCK_SUB},
      {ZMTP_SOCK_XPUB, ZMTP_SOCK_XSUB},       {ZMTP_SOCK_PUSH, ZMTP_SOCK_PULL},
      {ZMTP_SOCK_REQ, ZMTP_SOCK_REP},         {ZMTP_SOCK_REQ, ZMTP_SOCK_ROUTER},
      {ZMTP_SOCK_DEALER, ZMTP_SOCK_REP},      {ZMTP_SOCK_DEALER, ZMTP_SOCK_DEALER},
      {ZMTP_SOCK_DEALER, ZMTP_SOCK_ROUTER},   {ZMTP_SOCK_ROUTER, ZMTP_SOCK_ROUTER},
      {ZMTP_SOCK_CLIENT, ZMTP_SOCK_SERVER},   {ZMTP_SOCK_RADIO, ZMTP_SOCK_DISH},
      {ZMTP_SOCK_SCATTER, ZMTP_SOCK_GATHER},  {ZMTP_SOCK_PEER, ZMTP_SOCK_PEER},
      {ZMTP_SOCK_CHANNEL, ZMTP_SOCK_CHANNEL},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(pairs); i++) {
    if (pair_is(a, b, pairs[i][0], pairs[i][1])) return TRUE;
  }
  return FALSE;
}

/* Records this sender's socket type (from READY / INITIATE metadata or a 2.0 greeting) and
 * checks it against the peer's. */
void zmtp_set_socket_type(zmtp_ctx* ctx, proto_item* where, const char* name, zmtp_socket_type t) {
  zmtp_dir* st = ctx->st;
  st->socket_type = (guint8)t;
  g_strlcpy(st->socket_name, name, sizeof st->socket_name);
  if (t == ZMTP_SOCK_OTHER) {
    expert_add_info_format(ctx->pinfo, where, &ei_zmtp_unknown_socket_type,
                           "Unknown socket type \"%s\"", name);
    return;
  }
  const zmtp_dir* peer = ctx->peer;
  if (peer->socket_type == ZMTP_SOCK_UNKNOWN || peer->socket_type == ZMTP_SOCK_OTHER) return;
  if ((peer->reported | st->reported) & ZMTP_REPORTED_INCOMPATIBLE) return;
  if (!zmtp_socket_types_compatible(t, (zmtp_socket_type)peer->socket_type)) {
    st->reported |= ZMTP_REPORTED_INCOMPATIBLE;
    expert_add_info_format(ctx->pinfo, where, &ei_zmtp_incompatible_sockets,
                           "Socket types %s and %s cannot talk to each other", name,
                           zmtp_socket_type_name(peer));
  }
}

/* Called on the first pass when a message's last part is decoded. */
void zmtp_note_message(zmtp_ctx* ctx, guint32 frame_num) {
  if (PINFO_FD_VISITED(ctx->pinfo)) return;
  zmtp_msg_info* info = wmem_new(wmem_file_scope(), zmtp_msg_info);
  info->parts = ctx->st->part_num;
  info->bytes = ctx->st->msg_bytes;
  info->first_frame = ctx->st->msg_first_frame;
  info->last_frame = frame_num;
  wmem_map_insert(ctx->conv->messages[ctx->dir], GUINT_TO_POINTER(ctx->st->msg_num), info);
}

const zmtp_msg_info* zmtp_message_info(zmtp_ctx* ctx, guint32 msg_num) {
  return (const zmtp_msg_info*)wmem_map_lookup(ctx->conv->messages[ctx->dir],
                                               GUINT_TO_POINTER(msg_num));
}

static const char* mechanism_of(const zmtp_dir* d) {
  return d->mech == ZMTP_MECH_UNKNOWN ? "?" : d->mechanism;
}

/* Generated fields describing the whole connection, as far as the first pass has seen it (on
 * later passes: all of it). Shown "sender-peer". */
void zmtp_add_connection_fields(zmtp_ctx* ctx) {
  const zmtp_dir* me = &ctx->conv->dir[ctx->dir];
  const zmtp_dir* other = &ctx->conv->dir[1 - ctx->dir];
  proto_item* pi =
      proto_tree_add_string(ctx->tree, hf_conn_socket_types, ctx->tvb, 0, 0,
                            wmem_strdup_printf(ctx->pinfo->pool, "%s-%s", zmtp_socket_type_name(me),
                                               zmtp_socket_type_name(other)));
  proto_item_set_generated(pi);
  const char* mech = mechanism_of(me);
  if (me->mech != ZMTP_MECH_UNKNOWN && other->mech != ZMTP_MECH_UNKNOWN &&
      strcmp(me->mechanism, other->mechanism) != 0) {
    mech = wmem_strdup_printf(ctx->pinfo->pool, "%s/%s", me->mechanism, other->mechanism);
  } else if (me->mech == ZMTP_MECH_UNKNOWN) {
    mech = mechanism_of(other);
  }
  pi = proto_tree_add_string(ctx->tree, hf_conn_mechanism, ctx->tvb, 0, 0, mech);
  proto_item_set_generated(pi);
  pi = proto_tree_add_uint(ctx->tree, hf_conn_direction, ctx->tvb, 0, 0, (guint32)ctx->dir);
  proto_item_set_generated(pi);
}

void zmtp_register_conversation(int proto) {
  static hf_register_info hf[] = {
      {&hf_conn_socket_types,
       {"Socket types (sender-peer)", "zlabzmtp.conn.socket_types", FT_STRING, BASE_NONE, NULL, 0x0,
        "Socket types of this connection, this packet's sender first", HFILL}},
      {&hf_conn_mechanism,
       {"Mechanism", "zlabzmtp.conn.mechanism", FT_STRING, BASE_NONE, NULL, 0x0,
        "Security mechanism of this connection (\"A/B\" when the peers disagree)", HFILL}},
      {&hf_conn_direction,
       {"Direction", "zlabzmtp.conn.direction", FT_UINT32, BASE_DEC, NULL, 0x0,
        "0: the first peer seen sending; 1: the other", HFILL}},
  };
  proto_register_field_array(proto, hf, array_length(hf));
}

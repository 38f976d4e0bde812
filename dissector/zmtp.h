/* Private declarations shared by the source files of the zlab ZMTP dissector (a Wireshark 4.0
 * epan plugin). Layout of the plugin:
 *   plugin.c        plugin ABI, protocol registration, preferences, handoff, heuristic, entry
 *   conversation.c  per-connection and per-direction state, socket types, connection fields
 *   greeting.c      ZMTP 3.x greeting and the legacy 1.0 / 2.0 forms
 *   frames.c        the PDU loop (TCP reassembly), frame headers, messages, bodies
 *   commands.c      command bodies: READY and metadata, ERROR, SUBSCRIBE, PING, JOIN, ...
 *   mechanisms.c    PLAIN and CURVE handshake and message commands
 *   expert.c        expert info fields
 *   udp.c           RADIO/DISH datagrams over UDP (group length, group, body)
 * Wire facts come from the ZMTP specs (RFC 13, 15, 23, 37), ZMTP-PLAIN (24) and ZMTP-CURVE /
 * CurveZMQ (25, 26). */
#ifndef ZLAB_DISSECTOR_ZMTP_H_
#define ZLAB_DISSECTOR_ZMTP_H_

#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/proto_data.h>
#include <glib.h>

#define ZMTP_SIGNATURE_LEN 10
#define ZMTP3_GREETING_LEN 64
#define ZMTP2_GREETING_LEN 12
#define ZMTP_MECHANISM_LEN 20
#define ZMTP_FILLER_LEN 31

/* Frame flags. ZMTP 3.x uses all three; 2.0 has MORE and LONG; 1.0 only MORE. */
#define ZMTP_FLAG_MORE 0x01
#define ZMTP_FLAG_LONG 0x02
#define ZMTP_FLAG_COMMAND 0x04
#define ZMTP_FLAGS_RESERVED_3 0xF8
#define ZMTP_FLAGS_RESERVED_2 0xFC
#define ZMTP_FLAGS_RESERVED_1 0xFE

/* The largest size field the specs allow (a 64-bit size with the top bit clear). */
#define ZMTP_MAX_SIZE G_GUINT64_CONSTANT(0x7FFFFFFFFFFFFFFF)
/* The largest PDU we ask TCP to reassemble: a tvbuff's length is a gint. Larger frames are
 * flagged and the rest of that direction is shown undecoded instead of being waited for. */
#define ZMTP_MAX_REASSEMBLY ((guint64)G_MAXINT32 - 64)

#define ZMTP_PING_CONTEXT_MAX 16

typedef enum { ZMTP_PHASE_GREETING = 0, ZMTP_PHASE_FRAMES, ZMTP_PHASE_LOST } zmtp_phase;

/* How a direction frames its traffic, chosen by its greeting. */
typedef enum { ZMTP_FRAMING_3 = 0, ZMTP_FRAMING_2, ZMTP_FRAMING_1 } zmtp_framing;

typedef enum {
  ZMTP_MECH_UNKNOWN = 0,
  ZMTP_MECH_NULL,
  ZMTP_MECH_PLAIN,
  ZMTP_MECH_CURVE,
  ZMTP_MECH_OTHER
} zmtp_mechanism;

typedef enum {
  ZMTP_SOCK_UNKNOWN = 0,
  ZMTP_SOCK_PAIR,
  ZMTP_SOCK_PUB,
  ZMTP_SOCK_SUB,
  ZMTP_SOCK_REQ,
  ZMTP_SOCK_REP,
  ZMTP_SOCK_DEALER,
  ZMTP_SOCK_ROUTER,
  ZMTP_SOCK_PULL,
  ZMTP_SOCK_PUSH,
  ZMTP_SOCK_XPUB,
  ZMTP_SOCK_XSUB,
  ZMTP_SOCK_STREAM,
  ZMTP_SOCK_SERVER,
  ZMTP_SOCK_CLIENT,
  ZMTP_SOCK_RADIO,
  ZMTP_SOCK_DISH,
  ZMTP_SOCK_GATHER,
  ZMTP_SOCK_SCATTER,
  ZMTP_SOCK_DGRAM,
  ZMTP_SOCK_PEER,
  ZMTP_SOCK_CHANNEL,
  ZMTP_SOCK_OTHER /* a name we do not know; kept in zmtp_dir.socket_name */
} zmtp_socket_type;

/* One-time reports kept in zmtp_dir.reported. */
#define ZMTP_REPORTED_MECH_MISMATCH 0x01
#define ZMTP_REPORTED_INCOMPATIBLE 0x02

/* Everything one sender of a connection has said so far that later bytes depend on. It is a
 * plain value: saved per PDU batch on the first pass and replayed on later passes. */
typedef struct {
  guint8 phase;   /* zmtp_phase */
  guint8 framing; /* zmtp_framing */
  guint8 major, minor;
  guint8 mech;        /* zmtp_mechanism */
  guint8 socket_type; /* zmtp_socket_type */
  guint8 reported;    /* ZMTP_REPORTED_* */
  gboolean greeting_seen;
  gboolean as_server;
  gboolean expect_identity; /* 1.0 / 2.0: the next frame is the identity frame */
  gboolean handshake_done;  /* sent READY (or INITIATE for PLAIN / CURVE clients) */
  gboolean in_multipart;    /* the last data frame had MORE set */
  guint32 ready_count;
  guint32 msg_num;  /* number of the current (or last) message, from 1 */
  guint32 part_num; /* parts of the current message seen so far */
  guint64 msg_bytes;
  guint32 msg_first_frame;
  char mechanism[ZMTP_MECHANISM_LEN + 1];
  char socket_name[24];
} zmtp_dir;

/* What the first pass learnt about a finished message, for showing "part i of n". */
typedef struct {
  guint32 parts;
  guint64 bytes;
  guint32 first_frame;
  guint32 last_frame;
} zmtp_msg_info;

/* Per TCP connection. dir[0] is the first sender seen. */
typedef struct {
  address src[2];
  guint32 srcport[2];
  gboolean known[2];
  zmtp_dir dir[2];         /* live first-pass state; final once the first pass is over */
  wmem_map_t* messages[2]; /* msg_num -> zmtp_msg_info */
} zmtp_conv;

/* What the dissection of one invocation works on. */
typedef struct {
  tvbuff_t* tvb;
  packet_info* pinfo;
  proto_item* root; /* the zlabzmtp item, added before the first complete PDU */
  proto_tree* tree; /* its subtree */
  gboolean opened;
  zmtp_conv* conv;
  int dir;
  zmtp_dir* st;         /* this sender's state, updated as PDUs are decoded */
  const zmtp_dir* peer; /* the other sender's state when this batch started */
  proto_item* msg_item; /* the open "Message N" subtree of this batch, if any */
  proto_tree* msg_tree;
  guint32 msg_tree_num;
} zmtp_ctx;

/* Measuring the next PDU: COMPLETE with its length; NEED_MORE with the total length needed so
 * far; UNUSABLE when its declared size can never be reassembled (the dissect function then
 * flags it and stops decoding the direction). */
typedef enum { ZMTP_PDU_COMPLETE, ZMTP_PDU_NEED_MORE, ZMTP_PDU_UNUSABLE } zmtp_pdu_status;

/* A frame header: flags, header length (everything before the body) and body size. */
typedef struct {
  guint8 flags;
  guint8 length_bytes; /* 1 or 9 for a 1.0 length; 1 or 8 for a 2.0/3.x size */
  guint hdr;
  guint64 size;
  guint64 declared;     /* the length / size field as sent */
  gboolean zero_length; /* a 1.0 length of 0: no flags byte, no body */
} zmtp_frame_hdr;

/* plugin.c */
extern int proto_zlabzmtp;

/* expert.c */
extern expert_field ei_zmtp_reserved_flags;
extern expert_field ei_zmtp_command_more;
extern expert_field ei_zmtp_size_over_max;
extern expert_field ei_zmtp_unreassemblable;
extern expert_field ei_zmtp_before_greeting_end;
extern expert_field ei_zmtp_data_before_ready;
extern expert_field ei_zmtp_command_in_multipart;
extern expert_field ei_zmtp_mechanism_mismatch;
extern expert_field ei_zmtp_metadata_truncated;
extern expert_field ei_zmtp_metadata_empty_name;
extern expert_field ei_zmtp_duplicate_ready;
extern expert_field ei_zmtp_ping_context_long;
extern expert_field ei_zmtp_incompatible_sockets;
extern expert_field ei_zmtp_unknown_command;
extern expert_field ei_zmtp_bad_signature;
extern expert_field ei_zmtp_bad_mechanism;
extern expert_field ei_zmtp_bad_as_server;
extern expert_field ei_zmtp_filler_not_zero;
extern expert_field ei_zmtp_unknown_version;
extern expert_field ei_zmtp_command_truncated;
extern expert_field ei_zmtp_curve_size;
extern expert_field ei_zmtp_wrong_mechanism;
extern expert_field ei_zmtp_unknown_socket_type;
extern expert_field ei_zmtp_greeting_not_seen;
extern expert_field ei_zmtp_legacy;
extern expert_field ei_zmtp_incomplete;
extern expert_field ei_zmtp_not_decoded;
extern expert_field ei_zmtp_zero_length;
void zmtp_register_expert(int proto);
/* udp.c: RADIO/DISH datagrams over UDP (registration, then the heuristic and port at handoff). */
void zmtp_register_udp(int proto);
void zmtp_handoff_udp(int proto);

/* conversation.c */
zmtp_conv* zmtp_conversation(packet_info* pinfo, int* dir);
zmtp_dir* zmtp_begin_batch(packet_info* pinfo, zmtp_conv* conv, int dir, const zmtp_dir** peer,
                           guint32* batch);
zmtp_socket_type zmtp_socket_type_from_name(const char* name);
zmtp_socket_type zmtp_socket_type_from_legacy(guint8 byte);
const char* zmtp_socket_type_name(const zmtp_dir* d);
gboolean zmtp_socket_types_compatible(zmtp_socket_type a, zmtp_socket_type b);
void zmtp_set_socket_type(zmtp_ctx* ctx, proto_item* where, const char* name, zmtp_socket_type t);
void zmtp_note_message(zmtp_ctx* ctx, guint32 frame_num);
const zmtp_msg_info* zmtp_message_info(zmtp_ctx* ctx, guint32 msg_num);
void zmtp_add_connection_fields(zmtp_ctx* ctx);
void zmtp_register_conversation(int proto);

/* greeting.c. Measuring may decide there is no greeting (a capture started mid-stream): it then
 * switches the state to frames and returns COMPLETE with length 0. */
zmtp_pdu_status zmtp_greeting_measure(zmtp_ctx* ctx, int offset, guint* len);
void zmtp_greeting_dissect(zmtp_ctx* ctx, int offset, guint len);
void zmtp_register_greeting(int proto);

/* frames.c */
zmtp_pdu_status zmtp_frame_measure(tvbuff_t* tvb, int offset, zmtp_framing framing,
                                   zmtp_frame_hdr* h, guint* len);
int zmtp_dissect_stream(tvbuff_t* tvb, packet_info* pinfo, proto_tree* tree);
void zmtp_flag_unusable(zmtp_ctx* ctx, proto_item* item, const zmtp_frame_hdr* h, int offset);
gboolean zmtp_all_printable(tvbuff_t* tvb, int offset, int len);
void zmtp_add_body(zmtp_ctx* ctx, proto_tree* tree, int hf_bytes, int hf_text, int offset, int len);
void zmtp_register_frames(int proto);

/* commands.c */
gboolean zmtp_is_command_name(const guint8* name, guint len);
void zmtp_dissect_command(zmtp_ctx* ctx, proto_tree* tree, proto_item* frame_item, int offset,
                          int len);
void zmtp_dissect_metadata(zmtp_ctx* ctx, proto_tree* tree, int offset, int len);
void zmtp_register_commands(int proto);

/* mechanisms.c: returns FALSE when the command is not one of the mechanism's. */
gboolean zmtp_dissect_mechanism_command(zmtp_ctx* ctx, proto_tree* tree, proto_item* item,
                                        const char* name, int offset, int len);
void zmtp_register_mechanisms(int proto);

#endif /* ZLAB_DISSECTOR_ZMTP_H_ */

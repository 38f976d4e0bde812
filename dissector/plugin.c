/* The zlab ZMTP dissector as a Wireshark 4.0 epan plugin: the plugin ABI, protocol
 * registration, preferences and how it attaches to TCP.
 *
 * Protocol "zlabzmtp" (fields zlabzmtp.*), so it coexists with the "zmtp" dissector that
 * Wireshark 4.4 and later ship. It attaches to TCP
 *   - by heuristic: 0xFF, 8 padding bytes, 0x7F, then (if present) a version byte; the
 *     conversation then stays ours. A connection's first segment shorter than that (a sender
 *     that cuts its writes) is held until TCP has the whole signature;
 *   - by port: the "TCP port(s)" range preference (empty by default) and Decode As.
 * RADIO/DISH datagrams over UDP are udp.c's (its own heuristic, port preference). */
#include <epan/conversation.h>
#include <epan/dissectors/packet-tcp.h>
#include <epan/prefs.h>
#include <ws_version.h>

#include "dissector/zmtp.h"

WS_DLL_PUBLIC_DEF const gchar plugin_version[] = "1.0.0";
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;
WS_DLL_PUBLIC void plugin_register(void);

int proto_zlabzmtp = -1;
static dissector_handle_t zmtp_handle;

static int dissect_zmtp(tvbuff_t* tvb, packet_info* pinfo, proto_tree* tree, void* data _U_) {
  return zmtp_dissect_stream(tvb, pinfo, tree);
}

/* A greeting starts with 0xFF, 8 bytes of padding and 0x7F; then comes the version byte:
 * 0x01 (ZMTP/2.0 revision) or a 3.x major version. libzmq sends the 10-byte signature on its
 * own first, so a segment of exactly 10 bytes is accepted too. */
static gboolean looks_like_greeting(tvbuff_t* tvb) {
  guint len = tvb_captured_length(tvb);
  if (len < ZMTP_SIGNATURE_LEN) return FALSE;
  if (tvb_get_guint8(tvb, 0) != 0xFF || tvb_get_guint8(tvb, 9) != 0x7F) return FALSE;
  if (len == ZMTP_SIGNATURE_LEN) return TRUE;
  guint8 version = tvb_get_guint8(tvb, 10);
  return version == 0x01 || (version >= 3 && version <= 15);
}

/* A first segment cut below the signature's 10 bytes (the simulator's split_io fault, or any
 * sender writing a byte at a time) cannot be judged alone: if it is the very start of its
 * direction's byte stream (relative sequence number 1, Wireshark's default numbering) and
 * begins with 0xFF, TCP is asked for the rest of the signature, and the heuristic decides on
 * the reassembled 10 bytes. Nothing is claimed for good until looks_like_greeting() agrees. */
static gboolean signature_cut_short(tvbuff_t* tvb, packet_info* pinfo, const struct tcpinfo* tcp) {
  guint len = tvb_captured_length(tvb);
  if (tcp == NULL || !pinfo->can_desegment || len == 0 || len >= ZMTP_SIGNATURE_LEN) return FALSE;
  return tcp->seq == 1 && tvb_reported_length(tvb) == len && tvb_get_guint8(tvb, 0) == 0xFF;
}

static gboolean dissect_zmtp_heur(tvbuff_t* tvb, packet_info* pinfo, proto_tree* tree, void* data) {
  if (signature_cut_short(tvb, pinfo, (const struct tcpinfo*)data)) {
    pinfo->desegment_offset = 0;
    pinfo->desegment_len = ZMTP_SIGNATURE_LEN - tvb_captured_length(tvb);
    return TRUE;
  }
  if (!looks_like_greeting(tvb)) return FALSE;
  conversation_t* conversation = find_or_create_conversation(pinfo);
  conversation_set_dissector(conversation, zmtp_handle);
  zmtp_dissect_stream(tvb, pinfo, tree);
  return TRUE;
}

static void register_protoinfo(void) {
  proto_zlabzmtp =
      proto_register_protocol("ZeroMQ Message Transport Protocol (zlab)", "zlabZMTP", "zlabzmtp");
  zmtp_register_conversation(proto_zlabzmtp);
  zmtp_register_greeting(proto_zlabzmtp);
  zmtp_register_frames(proto_zlabzmtp);
  zmtp_register_commands(proto_zlabzmtp);
  zmtp_register_mechanisms(proto_zlabzmtp);
  zmtp_register_expert(proto_zlabzmtp);
  zmtp_register_udp(proto_zlabzmtp);
  zmtp_handle = register_dissector("zlabzmtp", dissect_zmtp, proto_zlabzmtp);
  /* The module the "tcp.port" range preference (added at handoff) lives in. */
  prefs_register_protocol(proto_zlabzmtp, NULL);
}

static void register_handoff(void) {
  /* Creates the zlabzmtp.tcp.port range preference and the Decode As entry. */
  dissector_add_uint_range_with_preference("tcp.port", "", zmtp_handle);
  heur_dissector_add("tcp", dissect_zmtp_heur, "ZMTP over TCP (zlab)", "zlabzmtp_tcp",
                     proto_zlabzmtp, HEURISTIC_ENABLE);
  zmtp_handoff_udp(proto_zlabzmtp);
}

void plugin_register(void) {
  static proto_plugin plugin;
  plugin.register_protoinfo = register_protoinfo;
  plugin.register_handoff = register_handoff;
  proto_register_plugin(&plugin);
}

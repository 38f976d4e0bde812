/* RADIO/DISH datagrams over udp:// (libzmq 4.3's udp engine; RFC 48 leaves the transport
 * open): no greeting, no ZMTP framing, one message per datagram,
 *
 *   group length (1 byte) | group (that many bytes) | body (the rest of the datagram)
 *
 * Attached to UDP by a heuristic ("RADIO/DISH over UDP (zlab)", zlabzmtp_udp: a non-empty
 * printable group that fits the datagram, at most 8192 bytes in all), by the udp port range
 * preference zlabzmtp.udp.port and Decode As. A datagram whose group runs past its end, or one
 * above libzmq's 8192-byte limit, is flagged (zlabzmtp.expert.udp_group_truncated,
 * zlabzmtp.expert.udp_too_large). */
#include "dissector/zmtp.h"

#define ZMTP_UDP_MAX_DATAGRAM 8192

static int hf_udp_group_length = -1;
static int hf_udp_group = -1;
static int hf_udp_body = -1;
static int hf_udp_body_length = -1;
static int hf_udp_body_text = -1;
static gint ett_udp = -1;
static expert_field ei_udp_group_truncated = EI_INIT;
static expert_field ei_udp_too_large = EI_INIT;
static expert_field ei_udp_empty = EI_INIT;
static dissector_handle_t udp_handle;
static int udp_proto = -1;

static gboolean printable(tvbuff_t* tvb, int offset, int length) {
  for (int i = 0; i < length; i++) {
    guint8 c = tvb_get_guint8(tvb, offset + i);
    if (c < 0x20 || c > 0x7E) return FALSE;
  }
  return TRUE;
}

static int dissect_datagram(tvbuff_t* tvb, packet_info* pinfo, proto_tree* tree, void* data _U_) {
  int len = (int)tvb_reported_length(tvb);
  col_set_str(pinfo->cinfo, COL_PROTOCOL, "zlabZMTP/UDP");
  proto_item* top = proto_tree_add_item(tree, udp_proto, tvb, 0, -1, ENC_NA);
  proto_item_append_text(top, ", RADIO/DISH datagram");
  proto_tree* t = proto_item_add_subtree(top, ett_udp);
  if (len == 0) {
    expert_add_info(pinfo, top, &ei_udp_empty);
    col_set_str(pinfo->cinfo, COL_INFO, "RADIO/DISH datagram (empty)");
    return 0;
  }
  if (len > ZMTP_UDP_MAX_DATAGRAM) expert_add_info(pinfo, top, &ei_udp_too_large);
  int group_len = tvb_get_guint8(tvb, 0);
  proto_item* gl = proto_tree_add_item(t, hf_udp_group_length, tvb, 0, 1, ENC_NA);
  if (1 + group_len > len) {
    expert_add_info(pinfo, gl, &ei_udp_group_truncated);
    col_set_str(pinfo->cinfo, COL_INFO, "RADIO/DISH datagram (group truncated)");
    return len;
  }
  proto_tree_add_item(t, hf_udp_group, tvb, 1, group_len, ENC_ASCII | ENC_NA);
  int body_offset = 1 + group_len;
  int body_len = len - body_offset;
  proto_tree_add_uint(t, hf_udp_body_length, tvb, body_offset, body_len, (guint32)body_len);
  if (body_len > 0) {
    proto_tree_add_item(t, hf_udp_body, tvb, body_offset, body_len, ENC_NA);
    if (printable(tvb, body_offset, body_len)) {
      proto_tree_add_item(t, hf_udp_body_text, tvb, body_offset, body_len, ENC_ASCII | ENC_NA);
    }
  }
  char* group = (char*)tvb_get_string_enc(pinfo->pool, tvb, 1, group_len, ENC_ASCII);
  col_add_fstr(pinfo->cinfo, COL_INFO, "RADIO/DISH datagram, group \"%s\", %d byte body", group,
               body_len);
  return len;
}

/* Strict enough not to claim other UDP traffic: a group of 1..255 printable bytes that fits,
 * and no more than libzmq's largest datagram. The empty group needs the port preference. */
static gboolean dissect_datagram_heur(tvbuff_t* tvb, packet_info* pinfo, proto_tree* tree,
                                      void* data) {
  int len = (int)tvb_captured_length(tvb);
  if (len < 2 || len > ZMTP_UDP_MAX_DATAGRAM) return FALSE;
  int group_len = tvb_get_guint8(tvb, 0);
  if (group_len == 0 || 1 + group_len > len || !printable(tvb, 1, group_len)) return FALSE;
  dissect_datagram(tvb, pinfo, tree, data);
  return TRUE;
}

void zmtp_register_udp(int proto) {
  udp_proto = proto;
  static hf_register_info hf[] = {
      {&hf_udp_group_length,
       {"Group length", "zlabzmtp.udp.group_length", FT_UINT8, BASE_DEC, NULL, 0x0,
        "Length of the group that follows (RADIO/DISH over udp)", HFILL}},
      {&hf_udp_group,
       {"Group", "zlabzmtp.udp.group", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
      {&hf_udp_body, {"Body", "zlabzmtp.udp.body", FT_BYTES, BASE_NONE, NULL, 0x0, NULL, HFILL}},
      {&hf_udp_body_length,
       {"Body length", "zlabzmtp.udp.body_length", FT_UINT32, BASE_DEC, NULL, 0x0, NULL, HFILL}},
      {&hf_udp_body_text,
       {"Body (text)", "zlabzmtp.udp.body_text", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
  };
  static gint* ett[] = {&ett_udp};
  static ei_register_info ei[] = {
      {&ei_udp_group_truncated,
       {"zlabzmtp.expert.udp_group_truncated", PI_MALFORMED, PI_ERROR,
        "Group length runs past the end of the datagram", EXPFILL}},
      {&ei_udp_too_large,
       {"zlabzmtp.expert.udp_too_large", PI_PROTOCOL, PI_WARN,
        "Datagram larger than libzmq's 8192-byte udp buffer", EXPFILL}},
      {&ei_udp_empty,
       {"zlabzmtp.expert.udp_empty", PI_MALFORMED, PI_ERROR,
        "Empty datagram: not even the group length byte", EXPFILL}},
  };
  proto_register_field_array(proto, hf, array_length(hf));
  proto_register_subtree_array(ett, array_length(ett));
  expert_module_t* expert = expert_register_protocol(proto);
  expert_register_field_array(expert, ei, array_length(ei));
  udp_handle = register_dissector("zlabzmtp_udp", dissect_datagram, proto);
}

void zmtp_handoff_udp(int proto) {
  /* Creates the zlabzmtp.udp.port range preference and the Decode As entry. */
  dissector_add_uint_range_with_preference("udp.port", "", udp_handle);
  heur_dissector_add("udp", dissect_datagram_heur, "RADIO/DISH over UDP (zlab)", "zlabzmtp_udp",
                     proto, HEURISTIC_ENABLE);
}

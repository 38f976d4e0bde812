/* Expert info of the zlab ZMTP dissector: every malformed or suspicious case has its own
 * filterable field, zlabzmtp.expert.<name>. */
#include "dissector/zmtp.h"

expert_field ei_zmtp_reserved_flags = EI_INIT;
expert_field ei_zmtp_command_more = EI_INIT;
expert_field ei_zmtp_size_over_max = EI_INIT;
expert_field ei_zmtp_unreassemblable = EI_INIT;
expert_field ei_zmtp_before_greeting_end = EI_INIT;
expert_field ei_zmtp_data_before_ready = EI_INIT;
expert_field ei_zmtp_command_in_multipart = EI_INIT;
expert_field ei_zmtp_mechanism_mismatch = EI_INIT;
expert_field ei_zmtp_metadata_truncated = EI_INIT;
expert_field ei_zmtp_metadata_empty_name = EI_INIT;
expert_field ei_zmtp_duplicate_ready = EI_INIT;
expert_field ei_zmtp_ping_context_long = EI_INIT;
expert_field ei_zmtp_incompatible_sockets = EI_INIT;
expert_field ei_zmtp_unknown_command = EI_INIT;
expert_field ei_zmtp_bad_signature = EI_INIT;
expert_field ei_zmtp_bad_mechanism = EI_INIT;
expert_field ei_zmtp_bad_as_server = EI_INIT;
expert_field ei_zmtp_filler_not_zero = EI_INIT;
expert_field ei_zmtp_unknown_version = EI_INIT;
expert_field ei_zmtp_command_truncated = EI_INIT;
expert_field ei_zmtp_curve_size = EI_INIT;
expert_field ei_zmtp_wrong_mechanism = EI_INIT;
expert_field ei_zmtp_unknown_socket_type = EI_INIT;
expert_field ei_zmtp_greeting_not_seen = EI_INIT;
expert_field ei_zmtp_legacy = EI_INIT;
expert_field ei_zmtp_incomplete = EI_INIT;
expert_field ei_zmtp_not_decoded = EI_INIT;
expert_field ei_zmtp_zero_length = EI_INIT;

void zmtp_register_expert(int proto) {
  static ei_register_info ei[] = {
      {&ei_zmtp_reserved_flags,
       {"zlabzmtp.expert.reserved_flags", PI_MALFORMED, PI_ERROR, "Reserved flag bits are set",
        EXPFILL}},
      {&ei_zmtp_command_more,
       {"zlabzmtp.expert.command_more", PI_PROTOCOL, PI_ERROR, "MORE flag set on a command frame",
        EXPFILL}},
      {&ei_zmtp_size_over_max,
       {"zlabzmtp.expert.size_over_max", PI_MALFORMED, PI_ERROR,
        "Frame size exceeds 2^63-1; rest of this direction not decoded", EXPFILL}},
      {&ei_zmtp_unreassemblable,
       {"zlabzmtp.expert.size_unreassemblable", PI_UNDECODED, PI_WARN,
        "Frame too large to reassemble; rest of this direction not decoded", EXPFILL}},
      {&ei_zmtp_before_greeting_end,
       {"zlabzmtp.expert.command_before_greeting_end", PI_PROTOCOL, PI_ERROR,
        "Command sent before the greeting ended", EXPFILL}},
      {&ei_zmtp_data_before_ready,
       {"zlabzmtp.expert.data_before_ready", PI_PROTOCOL, PI_ERROR,
        "Data frame sent before the handshake (READY) completed", EXPFILL}},
      {&ei_zmtp_command_in_multipart,
       {"zlabzmtp.expert.command_in_multipart", PI_PROTOCOL, PI_ERROR,
        "Command frame inside a multipart message", EXPFILL}},
      {&ei_zmtp_mechanism_mismatch,
       {"zlabzmtp.expert.mechanism_mismatch", PI_PROTOCOL, PI_ERROR,
        "The two peers announced different security mechanisms", EXPFILL}},
      {&ei_zmtp_metadata_truncated,
       {"zlabzmtp.expert.metadata_truncated", PI_MALFORMED, PI_ERROR,
        "Metadata property runs past the end of the command", EXPFILL}},
      {&ei_zmtp_metadata_empty_name,
       {"zlabzmtp.expert.metadata_empty_name", PI_MALFORMED, PI_ERROR,
        "Metadata property has a zero-length name", EXPFILL}},
      {&ei_zmtp_duplicate_ready,
       {"zlabzmtp.expert.duplicate_ready", PI_PROTOCOL, PI_ERROR, "Second READY from the same peer",
        EXPFILL}},
      {&ei_zmtp_ping_context_long,
       {"zlabzmtp.expert.ping_context_long", PI_PROTOCOL, PI_ERROR,
        "PING context longer than 16 bytes", EXPFILL}},
      {&ei_zmtp_incompatible_sockets,
       {"zlabzmtp.expert.incompatible_sockets", PI_PROTOCOL, PI_ERROR,
        "The peers' socket types cannot talk to each other", EXPFILL}},
      {&ei_zmtp_unknown_command,
       {"zlabzmtp.expert.unknown_command", PI_PROTOCOL, PI_WARN, "Unknown command name", EXPFILL}},
      {&ei_zmtp_bad_signature,
       {"zlabzmtp.expert.bad_signature", PI_MALFORMED, PI_ERROR,
        "Greeting signature does not end in 0x7F", EXPFILL}},
      {&ei_zmtp_bad_mechanism,
       {"zlabzmtp.expert.bad_mechanism", PI_MALFORMED, PI_ERROR,
        "Mechanism is not a NUL-padded name of A-Z, 0-9, '-', '_', '.', '+'", EXPFILL}},
      {&ei_zmtp_bad_as_server,
       {"zlabzmtp.expert.bad_as_server", PI_MALFORMED, PI_WARN, "as-server is neither 0 nor 1",
        EXPFILL}},
      {&ei_zmtp_filler_not_zero,
       {"zlabzmtp.expert.filler_not_zero", PI_MALFORMED, PI_WARN, "Greeting filler is not zero",
        EXPFILL}},
      {&ei_zmtp_unknown_version,
       {"zlabzmtp.expert.unknown_version", PI_PROTOCOL, PI_WARN, "Unknown ZMTP version", EXPFILL}},
      {&ei_zmtp_command_truncated,
       {"zlabzmtp.expert.command_truncated", PI_MALFORMED, PI_ERROR,
        "Command body shorter than its fields", EXPFILL}},
      {&ei_zmtp_curve_size,
       {"zlabzmtp.expert.curve_size", PI_MALFORMED, PI_ERROR, "CURVE command has the wrong size",
        EXPFILL}},
      {&ei_zmtp_wrong_mechanism,
       {"zlabzmtp.expert.wrong_mechanism", PI_PROTOCOL, PI_WARN,
        "Command does not belong to this peer's mechanism", EXPFILL}},
      {&ei_zmtp_unknown_socket_type,
       {"zlabzmtp.expert.unknown_socket_type", PI_PROTOCOL, PI_WARN, "Unknown socket type",
        EXPFILL}},
      {&ei_zmtp_greeting_not_seen,
       {"zlabzmtp.expert.greeting_not_seen", PI_SEQUENCE, PI_NOTE,
        "Greeting not seen (capture started mid-stream); assuming ZMTP 3.x frames", EXPFILL}},
      {&ei_zmtp_legacy,
       {"zlabzmtp.expert.legacy", PI_PROTOCOL, PI_CHAT, "Legacy ZMTP peer", EXPFILL}},
      {&ei_zmtp_incomplete,
       {"zlabzmtp.expert.incomplete", PI_MALFORMED, PI_ERROR,
        "Incomplete PDU that cannot be reassembled; rest of this direction not decoded", EXPFILL}},
      {&ei_zmtp_not_decoded,
       {"zlabzmtp.expert.not_decoded", PI_UNDECODED, PI_NOTE,
        "Not decoded: this direction lost its framing earlier", EXPFILL}},
      {&ei_zmtp_zero_length,
       {"zlabzmtp.expert.zero_length", PI_MALFORMED, PI_ERROR,
        "ZMTP/1.0 frame length 0 (it must count the flags byte)", EXPFILL}},
  };
  expert_module_t* module = expert_register_protocol(proto);
  expert_register_field_array(module, ei, array_length(ei));
}

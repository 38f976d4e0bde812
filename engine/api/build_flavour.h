// Which build of the library this is: the default libzmq.so.5 (libzmq's stable API, as Debian's
// libzmq) or the draft build //engine/api/draft:libzmq.so.5 (libzmq's --enable-drafts: the draft
// socket types, zmq_has("draft"), and the draft functions, which only that build links in).
//
// Exactly one of :flavour_stable / :flavour_draft is linked into a library; the families of
// calls ask at run time, so they are compiled once for both builds.
#pragma once

namespace zlab::api {

bool draft_api_built();

}  // namespace zlab::api

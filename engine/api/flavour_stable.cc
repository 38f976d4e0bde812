#include "engine/api/build_flavour.h"

namespace zlab::api {

bool draft_api_built() { return false; }

}  // namespace zlab::api

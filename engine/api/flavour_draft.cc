#include "engine/api/build_flavour.h"

namespace zlab::api {

bool draft_api_built() { return true; }

}  // namespace zlab::api

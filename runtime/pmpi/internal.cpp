#include "internal.hpp"

namespace cairn::detail {

__thread int internal_depth __attribute__((tls_model("initial-exec"))) = 0;  // NOLINT

internal_scope::internal_scope() { ++internal_depth; }
internal_scope::~internal_scope() { --internal_depth; }

}  // namespace cairn::detail

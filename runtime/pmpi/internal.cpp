#include "internal.hpp"

namespace cairn::detail {

namespace {
thread_local int depth = 0;  // NOLINT: per-thread nesting depth
}  // namespace

bool in_internal_scope() { return depth > 0; }
internal_scope::internal_scope() { ++depth; }
internal_scope::~internal_scope() { --depth; }

}  // namespace cairn::detail

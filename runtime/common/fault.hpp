// Fault injection for tests (config key `fault`, CAIRN_FAULT): SIGKILL at a named point of the
// N-th checkpoint, so that kills inside the short windows of the commit protocol are repeatable.
// Disarmed, each hook is one load and one predictable branch.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace cairn::detail::fault {

/// Where a fault can be injected.
enum class point : int {
    none = 0,
    stage,    ///< non-blocking mode: mid staging copy (after half the registered buffers)
    write,    ///< mid collective write of the .tmp file (after half the datasets)
    written,  ///< .tmp file complete on every rank, before fsync and rename
    renamed,  ///< after the rename to ckpt.<epoch>.h5, before the directory fsync and retention
};

/// A parsed `fault` value: `<point>:<checkpoint>[:<rank>[:<target>]]`.
struct spec {
    point where = point::none;
    std::uint64_t checkpoint = 0;  ///< N-th checkpoint started by this process, from 1
    int rank = -1;                 ///< -1: every rank that reaches the point
    bool parent = false;           ///< also SIGKILL the parent process (the launcher) first
};

/// Parses a `fault` value ("" or "off" disarms). Throws std::invalid_argument.
spec parse(const std::string& text);

/// Text form of a spec, for logs.
std::string describe(const spec& s);

/// The armed point (point::none when disarmed). Written only by arm(), before the runtime's
/// threads start.
inline point armed = point::none;

/// Arms `s` for this process (rank `rank`). In blocking mode there is no staging copy: the
/// registered buffers are written directly, so `stage` becomes `write`.
void arm(const spec& s, int rank, bool nonblocking);

/// Disarms and resets the checkpoint count (finalize).
void disarm();

/// Counts a new checkpoint started by this process (main thread, no write in flight).
void begin_checkpoint();

[[noreturn]] void fire(point p);

/// Whether the armed fault matches p for the current checkpoint on this rank.
bool matches(point p);

/// The hook: kills this process if the armed fault is p for the current checkpoint.
inline void at(point p) {
    if (armed == p) [[unlikely]] {
        if (matches(p)) fire(p);
    }
}

}  // namespace cairn::detail::fault

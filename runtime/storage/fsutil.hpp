// Small POSIX file-system helpers with errors that name the path and errno text.
#pragma once

#include <cstdint>
#include <string>

namespace cairn::detail {

/// mkdir -p. Throws std::runtime_error naming the path and the cause.
void make_directories(const std::string& dir);

/// Throws std::runtime_error unless a file can be created in `dir` (creates and removes a probe).
void check_writable(const std::string& dir);

/// fsync of a file or directory by path. Throws std::runtime_error.
void fsync_path(const std::string& path);

/// rename(2) then fsync of the containing directory. Throws std::runtime_error.
void rename_durable(const std::string& from, const std::string& to);

/// rename(2) alone. Throws std::runtime_error.
void rename_path(const std::string& from, const std::string& to);

/// fsync of the directory that contains `path`. Throws std::runtime_error.
void fsync_parent_dir(const std::string& path);

/// unlink(2); a missing file is not an error. Returns false (and fills `why`) on other errors.
bool remove_file(const std::string& path, std::string& why);

/// Bytes available to an unprivileged writer in the file system holding `dir` (statvfs), or -1.
std::int64_t available_bytes(const std::string& dir);

/// Size of a file in bytes, or -1.
std::int64_t file_size(const std::string& path);

/// dir + "/" + name (no double slash).
std::string join_path(const std::string& dir, const std::string& name);

}  // namespace cairn::detail

namespace cairn::detail {

/// An advisory lock (fcntl) on <dir>/.cairn.lock held for the object's life; the file records
/// who holds it. Released automatically when the process dies.
class dir_lock {
public:
    /// Takes the lock. Throws std::runtime_error naming the holder if another process has it.
    explicit dir_lock(const std::string& dir);
    ~dir_lock();
    dir_lock(const dir_lock&) = delete;
    dir_lock& operator=(const dir_lock&) = delete;

private:
    int fd_ = -1;
};

}  // namespace cairn::detail

#include "storage/direct_io.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace cairn::detail {

namespace {

struct free_deleter {
    void operator()(unsigned char* p) const noexcept { std::free(p); }
};

/// The calling thread's bounce buffer of at least `bytes`, allocated on first use and kept (its
/// pages stay mapped, so later checkpoints do not fault them in again); grown if a larger piece
/// is asked for.
unsigned char* bounce(std::size_t bytes) {
    thread_local std::unique_ptr<unsigned char, free_deleter> buf;
    thread_local std::size_t size = 0;
    if (size < bytes) {
        buf.reset();
        size = 0;
        void* p = std::aligned_alloc(direct_file::align, bytes);
        if (p == nullptr) throw std::runtime_error("cannot allocate the direct I/O buffer");
        buf.reset(static_cast<unsigned char*>(p));
        size = bytes;
    }
    return buf.get();
}

[[noreturn]] void fail(const std::string& what, const std::string& path, int err) {
    throw std::runtime_error(what + " '" + path + "': " + std::strerror(err));
}

/// pwrite/pread of exactly `len` bytes, retrying short transfers and EINTR.
void transfer_all(bool write, int fd, unsigned char* p, std::size_t len, std::uint64_t off,
                  const std::string& path) {
    while (len > 0) {
        const ssize_t n = write ? ::pwrite(fd, p, len, static_cast<off_t>(off))
                                : ::pread(fd, p, len, static_cast<off_t>(off));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail(write ? "direct write failed for" : "direct read failed for", path, errno);
        if (n == 0) {
            throw std::runtime_error(std::string(write ? "write" : "read") + " of '" + path +
                                     "' at offset " + std::to_string(off) +
                                     " transferred nothing (file shorter than its datasets?)");
        }
        p += n;
        len -= static_cast<std::size_t>(n);
        off += static_cast<std::uint64_t>(n);
    }
}

}  // namespace

direct_file::direct_file(const std::string& path, bool for_write, bool buffered_fallback)
    : path_(path) {
    const int mode = (for_write ? O_WRONLY : O_RDONLY) | O_CLOEXEC;
    direct_fd_ = ::open(path.c_str(), mode | O_DIRECT);
    if (direct_fd_ < 0 && !(buffered_fallback && errno == EINVAL)) {
        fail("cannot open with O_DIRECT", path, errno);
    }
    buffered_fd_ = ::open(path.c_str(), mode);
    if (buffered_fd_ < 0) {
        const int err = errno;
        if (direct_fd_ >= 0) ::close(direct_fd_);
        direct_fd_ = -1;
        fail("cannot open", path, err);
    }
}

direct_file::~direct_file() {
    if (direct_fd_ >= 0) ::close(direct_fd_);
    if (buffered_fd_ >= 0) ::close(buffered_fd_);
}

void direct_file::buffered(bool write, std::uint64_t off, unsigned char* p, std::size_t len) {
    transfer_all(write, buffered_fd_, p, len, off, path_);
}

void direct_file::write(std::uint64_t off, const void* src, std::size_t len, const piece_fn& each) {
    auto* p = static_cast<unsigned char*>(const_cast<void*>(src));  // only read from
    if (direct_fd_ < 0) {  // buffered fallback: one transfer
        buffered(true, off, p, len);
        if (each && len > 0) each(p, len);
        return;
    }
    const std::uint64_t end = off + len;
    const std::uint64_t mid0 = std::min(end, (off + align - 1) / align * align);
    const std::uint64_t mid1 = std::max(mid0, end / align * align);
    if (mid0 > off) {
        buffered(true, off, p, mid0 - off);
        if (each) each(p, mid0 - off);
    }
    unsigned char* b = mid1 > mid0 ? bounce(write_piece) : nullptr;
    // The copy into the bounce buffer goes in slices small enough to stay in the cache, each
    // handed to `each` right after it is copied.
    constexpr std::size_t slice = std::size_t{256} << 10U;
    for (std::uint64_t o = mid0; o < mid1;) {
        const std::size_t n = std::min<std::uint64_t>(write_piece, mid1 - o);
        for (std::size_t s = 0; s < n; s += slice) {
            const std::size_t m = std::min(slice, n - s);
            std::memcpy(b + s, p + (o - off) + s, m);
            if (each) each(b + s, m);
        }
        transfer_all(true, direct_fd_, b, n, o, path_);
        o += n;
    }
    if (end > mid1) {
        buffered(true, mid1, p + (mid1 - off), end - mid1);
        if (each) each(p + (mid1 - off), end - mid1);
    }
}

void direct_file::read(std::uint64_t off, void* dst, std::size_t len, const piece_fn& each) {
    auto* p = static_cast<unsigned char*>(dst);
    if (direct_fd_ < 0) {  // buffered fallback: one transfer
        buffered(false, off, p, len);
        if (each && len > 0) each(p, len);
        return;
    }
    const std::uint64_t end = off + len;
    const std::uint64_t mid0 = std::min(end, (off + align - 1) / align * align);
    const std::uint64_t mid1 = std::max(mid0, end / align * align);
    auto done = [&](std::uint64_t from, std::uint64_t to) {
        if (each && to > from) each(p + (from - off), to - from);
    };
    if (mid0 > off) buffered(false, off, p, mid0 - off);
    done(off, mid0);
    unsigned char* b = mid1 > mid0 ? bounce(read_piece) : nullptr;
    for (std::uint64_t o = mid0; o < mid1;) {
        const std::size_t n = std::min<std::uint64_t>(read_piece, mid1 - o);
        transfer_all(false, direct_fd_, b, n, o, path_);
        std::memcpy(p + (o - off), b, n);
        done(o, o + n);
        o += n;
    }
    if (end > mid1) buffered(false, mid1, p + (mid1 - off), end - mid1);
    done(mid1, end);
}

}  // namespace cairn::detail

#include "storage/fsutil.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace cairn::detail {

namespace {

[[noreturn]] void fail(const std::string& what, const std::string& path) {
    throw std::runtime_error(what + " '" + path + "': " + std::strerror(errno));
}

}  // namespace

std::string join_path(const std::string& dir, const std::string& name) {
    if (dir.empty()) return name;
    if (dir.back() == '/') return dir + name;
    return dir + "/" + name;
}

void make_directories(const std::string& dir) {
    std::string cur;
    std::size_t pos = 0;
    while (pos != std::string::npos) {
        pos = dir.find('/', pos + 1);
        cur = dir.substr(0, pos);
        if (cur.empty()) continue;
        if (mkdir(cur.c_str(), 0777) != 0 && errno != EEXIST) {
            fail("cannot create checkpoint directory", cur);
        }
    }
    struct stat st {};
    if (stat(dir.c_str(), &st) != 0) fail("cannot access checkpoint directory", dir);
    if (!S_ISDIR(st.st_mode)) {
        throw std::runtime_error("checkpoint directory '" + dir + "' exists but is not a directory");
    }
}

void check_writable(const std::string& dir) {
    const std::string probe = join_path(dir, ".cairn-write-probe." + std::to_string(getpid()));
    const int fd = open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) fail("cannot write to checkpoint directory", dir);
    close(fd);
    unlink(probe.c_str());
}

void fsync_path(const std::string& path) {
    const int fd = open(path.c_str(), O_RDONLY);
    if (fd < 0) fail("cannot open for fsync", path);
    const int rc = fsync(fd);
    const int err = errno;
    close(fd);
    if (rc != 0) {
        errno = err;
        fail("fsync failed for", path);
    }
}

void rename_path(const std::string& from, const std::string& to) {
    if (std::rename(from.c_str(), to.c_str()) != 0) fail("cannot rename '" + from + "' to", to);
}

void fsync_parent_dir(const std::string& path) {
    const auto slash = path.find_last_of('/');
    fsync_path(slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash)));
}

void rename_durable(const std::string& from, const std::string& to) {
    rename_path(from, to);
    fsync_parent_dir(to);
}

bool remove_file(const std::string& path, std::string& why) {
    if (unlink(path.c_str()) == 0 || errno == ENOENT) return true;
    why = std::strerror(errno);
    return false;
}

std::int64_t available_bytes(const std::string& dir) {
    struct statvfs vfs {};
    if (statvfs(dir.c_str(), &vfs) != 0) return -1;
    return static_cast<std::int64_t>(vfs.f_bavail) * static_cast<std::int64_t>(vfs.f_frsize);
}

std::int64_t file_size(const std::string& path) {
    struct stat st {};
    if (stat(path.c_str(), &st) != 0) return -1;
    return static_cast<std::int64_t>(st.st_size);
}

}  // namespace cairn::detail

namespace cairn::detail {

dir_lock::dir_lock(const std::string& dir) {
    const std::string path = join_path(dir, ".cairn.lock");
    fd_ = open(path.c_str(), O_RDWR | O_CREAT, 0644);
    if (fd_ < 0) fail("cannot create lock file", path);
    struct flock fl {};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    if (fcntl(fd_, F_SETLK, &fl) != 0) {
        char holder[256] = {0};
        const ssize_t n = pread(fd_, holder, sizeof holder - 1, 0);
        close(fd_);
        fd_ = -1;
        std::string who = n > 0 ? std::string(holder, static_cast<std::size_t>(n)) : "unknown";
        while (!who.empty() && (who.back() == '\n' || who.back() == '\0')) who.pop_back();
        throw std::runtime_error("checkpoint directory '" + dir +
                                 "' is in use by another job (" + who +
                                 "); give each job its own directory (CAIRN_DIR)");
    }
    char host[256] = {0};
    gethostname(host, sizeof host - 1);
    const std::string me = "pid " + std::to_string(getpid()) + " on " + host + "\n";
    if (ftruncate(fd_, 0) == 0) {
        [[maybe_unused]] const ssize_t w = pwrite(fd_, me.data(), me.size(), 0);
    }
}

dir_lock::~dir_lock() {
    if (fd_ >= 0) close(fd_);  // closing releases the fcntl lock
}

}  // namespace cairn::detail

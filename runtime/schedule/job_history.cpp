#include "schedule/job_history.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace cairn::detail {
namespace {

constexpr const char* header_line = "cairn-history 1";

struct cause_name {
    attempt_cause cause;
    const char* name;
};
constexpr cause_name cause_names[] = {
    {attempt_cause::ok, "ok"},
    {attempt_cause::failed, "failed"},
    {attempt_cause::killed, "killed"},
    {attempt_cause::signal, "signal"},
    {attempt_cause::injected, "injected"},
    {attempt_cause::timeout, "timeout"},
};

[[noreturn]] void malformed(const std::string& path, int line, const std::string& what) {
    throw std::runtime_error(path + ":" + std::to_string(line) + ": " + what);
}

double parse_number(const std::string& path, int line, const std::string& key,
                    const std::string& value) {
    char* end = nullptr;
    errno = 0;
    const double v = std::strtod(value.c_str(), &end);
    if (value.empty() || end != value.c_str() + value.size() || errno != 0 || !std::isfinite(v))
        malformed(path, line, "field " + key + "=\"" + value + "\" is not a number");
    return v;
}

long long parse_integer(const std::string& path, int line, const std::string& key,
                        const std::string& value, long long min) {
    char* end = nullptr;
    errno = 0;
    const long long v = std::strtoll(value.c_str(), &end, 10);
    if (value.empty() || end != value.c_str() + value.size() || errno != 0)
        malformed(path, line, "field " + key + "=\"" + value + "\" is not an integer");
    if (v < min)
        malformed(path, line, "field " + key + "=" + value + " is below " + std::to_string(min));
    return v;
}

[[noreturn]] void system_error(const std::string& what, const std::string& path) {
    throw std::runtime_error(what + " " + path + ": " + std::strerror(errno));
}

void write_all(int fd, const std::string& data, const std::string& path) {
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            const int saved = errno;
            ::close(fd);
            errno = saved;
            system_error("cannot write job history", path);
        }
        done += static_cast<std::size_t>(n);
    }
}

void fsync_parent_dir(const std::string& path) {
    const auto slash = path.find_last_of('/');
    const std::string dir =
        slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

}  // namespace

const char* to_string(attempt_cause c) {
    for (const auto& n : cause_names)
        if (n.cause == c) return n.name;
    return "unknown";
}

attempt_cause parse_attempt_cause(std::string_view text) {
    for (const auto& n : cause_names)
        if (text == n.name) return n.cause;
    throw std::invalid_argument("unknown attempt cause \"" + std::string(text) +
                                "\" (expected ok, failed, killed, signal, injected or timeout)");
}

bool counts_as_failure(attempt_cause c) {
    return c == attempt_cause::failed || c == attempt_cause::killed;
}

std::string format_job_attempt(const job_attempt& a) {
    char buf[320];
    std::snprintf(buf, sizeof buf,
                  "attempt=%d start=%.3f end=%.3f exit=%d cause=%s epoch_before=%llu "
                  "epoch_after=%llu",
                  a.number, a.start_unix, a.end_unix, a.exit_code, to_string(a.cause),
                  static_cast<unsigned long long>(a.epoch_before),
                  static_cast<unsigned long long>(a.epoch_after));
    return buf;
}

job_history read_job_history(const std::string& path) {
    job_history h;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        if (errno == ENOENT) return h;
        system_error("cannot open job history", path);
    }
    std::ifstream in(path);
    if (!in) system_error("cannot open job history", path);
    std::string text;
    int line_no = 0;
    bool header_seen = false;
    while (std::getline(in, text)) {
        ++line_no;
        if (!text.empty() && text.back() == '\r') text.pop_back();
        if (text.empty() || text[0] == '#') continue;
        if (!header_seen) {
            if (text.rfind("cairn-history ", 0) != 0)
                malformed(path, line_no,
                          "not a cairn job history (first line must be \"" +
                              std::string(header_line) + "\", got \"" + text + "\")");
            if (text != header_line)
                malformed(path, line_no,
                          "unsupported history version \"" + text.substr(14) +
                              "\" (this cairn reads version 1)");
            header_seen = true;
            continue;
        }
        job_attempt a;
        unsigned seen = 0;
        std::istringstream fields(text);
        std::string field;
        while (fields >> field) {
            const auto eq = field.find('=');
            if (eq == std::string::npos || eq == 0)
                malformed(path, line_no, "expected key=value, got \"" + field + "\"");
            const std::string key = field.substr(0, eq);
            const std::string value = field.substr(eq + 1);
            if (key == "attempt") {
                a.number = static_cast<int>(parse_integer(path, line_no, key, value, 1));
                seen |= 1U;
            } else if (key == "start") {
                a.start_unix = parse_number(path, line_no, key, value);
                seen |= 2U;
            } else if (key == "end") {
                a.end_unix = parse_number(path, line_no, key, value);
                seen |= 4U;
            } else if (key == "exit") {
                a.exit_code = static_cast<int>(parse_integer(path, line_no, key, value, -255));
                seen |= 8U;
            } else if (key == "cause") {
                try {
                    a.cause = parse_attempt_cause(value);
                } catch (const std::invalid_argument& e) {
                    malformed(path, line_no, e.what());
                }
                seen |= 16U;
            } else if (key == "epoch_before") {
                a.epoch_before =
                    static_cast<std::uint64_t>(parse_integer(path, line_no, key, value, 0));
                seen |= 32U;
            } else if (key == "epoch_after") {
                a.epoch_after =
                    static_cast<std::uint64_t>(parse_integer(path, line_no, key, value, 0));
                seen |= 64U;
            }
            // Unknown keys are ignored so that later versions can add fields.
        }
        static constexpr const char* required[] = {"attempt", "start",        "end",        "exit",
                                                   "cause",   "epoch_before", "epoch_after"};
        for (unsigned i = 0; i < 7; ++i)
            if ((seen & (1U << i)) == 0)
                malformed(path, line_no, std::string("missing field ") + required[i]);
        h.attempts.push_back(a);
    }
    if (in.bad()) system_error("cannot read job history", path);
    return h;
}

void append_job_attempt(const std::string& path, const job_attempt& attempt) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) system_error("cannot open job history", path);
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int saved = errno;
        ::close(fd);
        errno = saved;
        system_error("cannot stat job history", path);
    }
    std::string data;
    if (st.st_size == 0) {
        data = header_line;  // (appended piecewise: GCC 12 warns falsely on string + literal)
        data += '\n';
    }
    data += format_job_attempt(attempt);
    data += '\n';
    write_all(fd, data, path);
    if (::fsync(fd) != 0) {
        const int saved = errno;
        ::close(fd);
        errno = saved;
        system_error("cannot fsync job history", path);
    }
    ::close(fd);
    if (st.st_size == 0) fsync_parent_dir(path);
}

double refined_job_mtbf(const job_history& history, double configured_job_mtbf) {
    if (!std::isfinite(configured_job_mtbf) || configured_job_mtbf <= 0)
        throw std::invalid_argument(
            "refined_job_mtbf: configured job MTBF must be a finite "
            "number > 0 (got " +
            std::to_string(configured_job_mtbf) + ")");
    double runtime = 0;
    int failures = 0;
    for (const auto& a : history.attempts) {
        runtime += a.duration();
        if (counts_as_failure(a.cause)) ++failures;
    }
    return (configured_job_mtbf + runtime) / (1.0 + failures);
}

}  // namespace cairn::detail

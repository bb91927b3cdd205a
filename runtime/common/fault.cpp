#include "common/fault.hpp"

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <stdexcept>
#include <vector>

namespace cairn::detail::fault {

namespace {

spec armed_spec;
int armed_rank = -1;
std::atomic<std::uint64_t> current{0};

const char* name_of(point p) {
    switch (p) {
        case point::stage: return "stage";
        case point::write: return "write";
        case point::written: return "written";
        case point::renamed: return "renamed";
        case point::none: break;
    }
    return "off";
}

std::vector<std::string> split(const std::string& s) {
    std::vector<std::string> parts;
    std::string cur;
    for (const char c : s) {
        if (c == ':') {
            parts.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    parts.push_back(cur);
    return parts;
}

long long parse_number(const std::string& text, const char* what, long long lo) {
    std::size_t used = 0;
    long long n = 0;
    try {
        n = std::stoll(text, &used, 10);
    } catch (const std::exception&) {
        used = 0;
    }
    if (text.empty() || used != text.size() || n < lo) {
        throw std::invalid_argument(std::string(what) + " '" + text + "' must be an integer >= " +
                                    std::to_string(lo));
    }
    return n;
}

}  // namespace

spec parse(const std::string& text) {
    spec s;
    if (text.empty() || text == "off" || text == "none") return s;
    const std::string usage =
        "expected off or <point>:<checkpoint>[:<rank>|any[:self|parent]] with point stage, "
        "write, written or renamed (e.g. written:2:0)";
    const std::vector<std::string> f = split(text);
    if (f.size() < 2 || f.size() > 4) throw std::invalid_argument(usage);
    if (f[0] == "stage") s.where = point::stage;
    else if (f[0] == "write") s.where = point::write;
    else if (f[0] == "written") s.where = point::written;
    else if (f[0] == "renamed") s.where = point::renamed;
    else throw std::invalid_argument("unknown fault point '" + f[0] + "'; " + usage);
    s.checkpoint = static_cast<std::uint64_t>(parse_number(f[1], "checkpoint number", 1));
    if (f.size() > 2 && f[2] != "any" && f[2] != "*") {
        s.rank = static_cast<int>(parse_number(f[2], "rank", 0));
    }
    if (f.size() > 3) {
        if (f[3] == "parent") s.parent = true;
        else if (f[3] != "self") throw std::invalid_argument("unknown fault target '" + f[3] + "'; " + usage);
    }
    return s;
}

std::string describe(const spec& s) {
    if (s.where == point::none) return "off";
    return std::string(name_of(s.where)) + ":" + std::to_string(s.checkpoint) + ":" +
           (s.rank < 0 ? std::string("any") : std::to_string(s.rank)) +
           (s.parent ? ":parent" : ":self");
}

void arm(const spec& s, int rank, bool nonblocking) {
    armed_spec = s;
    armed_rank = rank;
    current = 0;
    armed = (s.where == point::stage && !nonblocking) ? point::write : s.where;
    if (s.rank >= 0 && s.rank != rank) armed = point::none;
}

void disarm() {
    armed = point::none;
    current = 0;
}

void begin_checkpoint() { current.fetch_add(1, std::memory_order_relaxed); }

bool matches(point p) {
    return armed == p && current.load(std::memory_order_relaxed) == armed_spec.checkpoint;
}

void fire(point p) {
    std::fprintf(stderr, "cairn: fault injection: rank %d killed at point %s of checkpoint %llu%s\n",
                 armed_rank, name_of(p), static_cast<unsigned long long>(armed_spec.checkpoint),
                 armed_spec.parent ? " (and its parent process)" : "");
    std::fflush(stderr);
    if (armed_spec.parent) kill(getppid(), SIGKILL);
    raise(SIGKILL);
    _exit(137);  // not reached
}

}  // namespace cairn::detail::fault

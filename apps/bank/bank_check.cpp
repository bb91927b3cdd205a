// bank_check: the conservation check of the bank oracle, run on snapshots without MPI.
//
//   bank_check --initial N [--require-channel] ckpt.*.h5
//   bank_check --initial N --uncoordinated bank-snap.*.txt
//
// For a cairn checkpoint: sum(/data/balance) + sum(amounts logged in /cairn/channel) must equal
// nranks * N exactly, and per channel s -> d: sent_white[s][d] == recv_before[d][s] + logged[d][s],
// with logged[d][s] equal to the messages from s in d's log. For an uncoordinated snapshot (the
// text files of bank --uncoordinated) the same check is applied without channel state. Exit 0 if
// every snapshot conserves, 1 if one is violated, 2 on a usage or read error, 3 when
// --require-channel is given and every channel log was empty.
#include "h5/checkpoint_file.hpp"
#include "h5/handles.hpp"

#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

using matrix = std::vector<std::vector<std::uint64_t>>;

/// One rank-consistent snapshot of the bank.
struct snapshot {
    std::vector<std::int64_t> balances;
    std::int64_t in_channels = 0;  ///< sum of logged amounts
    std::uint64_t messages = 0;    ///< logged messages
    matrix sent;                   ///< [s][d] white transfers s sent to d
    matrix received;               ///< [d][s] transfers d received from s before its cut
    matrix logged;                 ///< [d][s] transfers from s in d's channel log
    std::string problem;           ///< structural problem found while reading
};

std::vector<std::int64_t> read_balances(const std::string& path) {
    namespace h5 = cairn::detail::h5;
    h5::silence_errors();
    h5::file f(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "open " + path);
    h5::dataset d(H5Dopen2(f.get(), "/data/balance", H5P_DEFAULT), "open /data/balance");
    h5::dataspace sp(H5Dget_space(d.get()), "dataspace of /data/balance");
    const hssize_t n = h5::check(H5Sget_simple_extent_npoints(sp.get()), "size of /data/balance");
    std::vector<std::int64_t> v(static_cast<std::size_t>(n));
    h5::check(H5Dread(d.get(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()),
              "read /data/balance");
    return v;
}

snapshot read_checkpoint(const std::string& path) {
    using namespace cairn::detail;
    snapshot s;
    s.balances = read_balances(path);
    const auto p = s.balances.size();
    s.sent = read_channel_counters(path, "sent_white");
    s.received = read_channel_counters(path, "recv_before");
    s.logged = read_channel_counters(path, "logged");
    if (s.sent.size() != p || s.received.size() != p || s.logged.size() != p) {
        s.problem = "no channel counters for " + std::to_string(p) + " ranks";
        return s;
    }
    for (std::size_t d = 0; d < p; ++d) {
        const channel_state ch = read_channel_state(path, static_cast<int>(d));
        std::vector<std::uint64_t> from(p, 0);
        for (const auto& m : ch.messages) {
            if (m.payload.size() != sizeof(std::int64_t) || m.comm_id != 0 || m.source < 0 ||
                static_cast<std::size_t>(m.source) >= p) {
                s.problem = "rank " + std::to_string(d) + " logged a message that is not a " +
                            "transfer (" + std::to_string(m.payload.size()) + " bytes, comm " +
                            std::to_string(m.comm_id) + ", source " + std::to_string(m.source) +
                            ")";
                continue;
            }
            std::int64_t amount = 0;
            std::memcpy(&amount, m.payload.data(), sizeof amount);
            s.in_channels += amount;
            ++s.messages;
            ++from[static_cast<std::size_t>(m.source)];
        }
        for (std::size_t src = 0; src < p; ++src) {
            if (from[src] != s.logged[d][src]) {
                s.problem = "rank " + std::to_string(d) + " logged " + std::to_string(from[src]) +
                            " messages from " + std::to_string(src) + " but its counter says " +
                            std::to_string(s.logged[d][src]);
            }
        }
    }
    return s;
}

/// Reads the text files of bank --uncoordinated (one per rank, any order).
snapshot read_uncoordinated(const std::vector<std::string>& files) {
    snapshot s;
    const std::size_t p = files.size();
    s.balances.assign(p, 0);
    s.sent.assign(p, std::vector<std::uint64_t>(p, 0));
    s.received.assign(p, std::vector<std::uint64_t>(p, 0));
    s.logged.assign(p, std::vector<std::uint64_t>(p, 0));
    for (const auto& path : files) {
        std::ifstream f(path);
        std::string word;
        std::size_t rank = 0;
        std::uint64_t step = 0;
        std::int64_t balance = 0;
        if (!(f >> word >> rank >> word >> step >> word >> balance) || rank >= p) {
            throw std::runtime_error(path + ": not a bank snapshot of " + std::to_string(p) +
                                     " ranks");
        }
        s.balances[rank] = balance;
        f >> word;
        for (std::size_t d = 0; d < p; ++d) f >> s.sent[rank][d];
        f >> word;
        for (std::size_t src = 0; src < p; ++src) f >> s.received[rank][src];
        if (!f) throw std::runtime_error(path + ": truncated");
    }
    return s;
}

/// Prints the verdict on one snapshot; true if it conserves money and messages.
bool judge(const std::string& name, const snapshot& s, std::int64_t initial) {
    std::int64_t sum = 0;
    for (auto b : s.balances) sum += b;
    const auto p = static_cast<std::int64_t>(s.balances.size());
    const std::int64_t expected = p * initial;
    bool ok = s.problem.empty() && sum + s.in_channels == expected;
    std::string channels;
    for (std::size_t src = 0; src < s.sent.size(); ++src) {
        for (std::size_t d = 0; d < s.sent.size(); ++d) {
            if (src == d) continue;
            const std::uint64_t got = s.received[d][src] + s.logged[d][src];
            if (s.sent[src][d] != got) {
                ok = false;
                channels += " " + std::to_string(src) + "->" + std::to_string(d) + ":sent " +
                            std::to_string(s.sent[src][d]) + "!=recv+logged " + std::to_string(got);
            }
        }
    }
    std::printf("bank_check: %s: balances %" PRId64 " + channel %" PRId64 " (%" PRIu64
                " messages) = %" PRId64 ", expected %" PRId64 ": %s\n",
                name.c_str(), sum, s.in_channels, s.messages, sum + s.in_channels, expected,
                ok ? "OK" : "VIOLATED");
    if (!s.problem.empty()) std::printf("bank_check:   %s\n", s.problem.c_str());
    if (!channels.empty()) std::printf("bank_check:   channels:%s\n", channels.c_str());
    return ok;
}

}  // namespace

int main(int argc, char** argv) {
    std::int64_t initial = -1;
    bool uncoordinated = false;
    bool require_channel = false;
    std::vector<std::string> files;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--initial" && i + 1 < argc)
            initial = std::strtoll(argv[++i], nullptr, 10);
        else if (a == "--uncoordinated")
            uncoordinated = true;
        else if (a == "--require-channel")
            require_channel = true;
        else if (a == "--help" || a == "-h") {
            std::puts(
                "usage: bank_check --initial N [--require-channel] ckpt.*.h5\n"
                "       bank_check --initial N --uncoordinated PREFIX.*.txt");
            return 0;
        } else
            files.push_back(a);
    }
    if (initial < 0 || files.empty()) {
        std::fprintf(stderr, "bank_check: need --initial N and at least one file (see --help)\n");
        return 2;
    }
    try {
        if (uncoordinated)
            return judge("uncoordinated", read_uncoordinated(files), initial) ? 0 : 1;
        bool all_ok = true;
        std::uint64_t nonempty = 0;
        for (const auto& f : files) {
            const snapshot s = read_checkpoint(f);
            all_ok = judge(f, s, initial) && all_ok;
            if (s.messages != 0) ++nonempty;
        }
        std::printf("bank_check: %zu checkpoints, %" PRIu64 " with a non-empty channel log: %s\n",
                    files.size(), nonempty, all_ok ? "all conserve" : "VIOLATIONS");
        if (!all_ok) return 1;
        return require_channel && nonempty == 0 ? 3 : 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bank_check: %s\n", e.what());
        return 2;
    }
}

// kvstore: a distributed key-value store over MPI checkpointed with cairn (docs/kvstore.md).
// Every rank is an owner (keys hashed to ranks) and a client sending batches of put/get/delete.
#include "store.hpp"

#include <cairn/cairn.hpp>
#include <mpi.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct options {
    long ops = 20000;            // operations per client
    double write_ratio = 0.5;    // puts + deletes among operations
    double delete_ratio = 0.1;   // deletes among writes
    long keys = 1000;            // keys per client
    double zipf = 0.9;
    int value_size = 32;
    unsigned seed = 1;
    int batch = 64;              // operations per client per round
    int checkpoint_every = 20;   // rounds between checkpoints (0 = none)
    int full_every = 4;          // every K-th checkpoint is a full image
    bool log = true;
    int group_commit = 64;
    std::string dir;             // data directory (default $CAIRN_DIR/kv)
    bool check = false;          // after recovery: compare with the clients' ledgers and exit
    bool ledger = false;         // clients keep durable ledgers of acknowledged operations
    int sleep_us = 0;            // pause per round (to make a kill land under load)
    bool async_checkpoint = false;  // request_checkpoint(): committed in the background
    int kill_after_save = 0;     // test hook: rank 1 SIGKILLs itself after its N-th chain file
    int checkpoints = 0;         // at most this many checkpoints in this run (0 = no limit)
    bool hold = false;           // after the last operation: wait to be killed (benchmarks)
};

[[noreturn]] void usage(const char* why) {
    std::fprintf(stderr,
                 "kvstore: %s\nusage: kvstore [--ops N] [--write-ratio F] [--keys N] [--zipf S] "
                 "[--value-size B] [--seed S] [--batch N] [--checkpoint-every ROUNDS] "
                 "[--full-every K] [--log on|off] [--group-commit N] [--dir D] [--ledger] "
                 "[--check] [--sleep-us U] [--async-checkpoint] [--kill-after-save N] [--checkpoints N] [--hold]\n",
                 why);
    std::exit(2);
}

options parse(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto val = [&]() -> std::string {
            if (i + 1 >= argc) usage(("missing value for " + a).c_str());
            return argv[++i];
        };
        if (a == "--ops") o.ops = std::stol(val());
        else if (a == "--write-ratio") o.write_ratio = std::stod(val());
        else if (a == "--keys") o.keys = std::max(1L, std::stol(val()));
        else if (a == "--zipf") o.zipf = std::stod(val());
        else if (a == "--value-size") o.value_size = std::max(1, std::stoi(val()));
        else if (a == "--seed") o.seed = static_cast<unsigned>(std::stoul(val()));
        else if (a == "--batch") o.batch = std::max(1, std::stoi(val()));
        else if (a == "--checkpoint-every") o.checkpoint_every = std::stoi(val());
        else if (a == "--full-every") o.full_every = std::max(1, std::stoi(val()));
        else if (a == "--log") {
            const std::string v = val();
            if (v != "on" && v != "off") usage("--log takes on or off");
            o.log = v == "on";
        } else if (a == "--group-commit") o.group_commit = std::max(1, std::stoi(val()));
        else if (a == "--dir") o.dir = val();
        else if (a == "--check") o.check = true;
        else if (a == "--ledger") o.ledger = true;
        else if (a == "--sleep-us") o.sleep_us = std::stoi(val());
        else if (a == "--async-checkpoint") o.async_checkpoint = true;
        else if (a == "--checkpoints") o.checkpoints = std::max(0, std::stoi(val()));
        else if (a == "--hold") o.hold = true;
        else if (a == "--kill-after-save") o.kill_after_save = std::stoi(val());
        else if (a == "--help" || a == "-h") usage("help");
        else usage(("unknown option " + a).c_str());
    }
    if (o.dir.empty()) {
        const char* d = std::getenv("CAIRN_DIR");
        o.dir = std::string(d != nullptr ? d : "checkpoints") + "/kv";
    }
    return o;
}

std::uint64_t fnv1a(const std::string& s) {
    std::uint64_t h = 1469598103934665603ULL;
    for (const unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
    return h;
}

// Zipf sampler over [0, n) by inverse CDF.
class zipf_sampler {
public:
    zipf_sampler(long n, double s) : cdf_(static_cast<std::size_t>(n)) {
        double sum = 0;
        for (long i = 0; i < n; ++i) sum += 1.0 / std::pow(static_cast<double>(i + 1), s);
        double acc = 0;
        for (long i = 0; i < n; ++i) {
            acc += 1.0 / std::pow(static_cast<double>(i + 1), s) / sum;
            cdf_[static_cast<std::size_t>(i)] = acc;
        }
    }
    long operator()(std::mt19937_64& g) const {
        const double u = std::uniform_real_distribution<double>(0, 1)(g);
        return static_cast<long>(std::lower_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin()) %
               static_cast<long>(cdf_.size());
    }

private:
    std::vector<double> cdf_;
};

struct request {
    kv::op o;
    std::string key;
    std::string value;
};

void put_str(std::vector<char>& b, const std::string& s) {
    const auto n = static_cast<std::uint32_t>(s.size());
    b.insert(b.end(), reinterpret_cast<const char*>(&n), reinterpret_cast<const char*>(&n) + 4);
    b.insert(b.end(), s.begin(), s.end());
}
std::string get_str(const std::vector<char>& b, std::size_t& pos) {
    std::uint32_t n = 0;
    std::memcpy(&n, b.data() + pos, 4);
    pos += 4;
    std::string s(b.data() + pos, n);
    pos += n;
    return s;
}

// Point-to-point exchange: out[r] goes to rank r, returns what every rank sent here.
std::vector<std::vector<char>> exchange(const std::vector<std::vector<char>>& out, int tag,
                                        MPI_Comm comm) {
    const auto n = out.size();
    std::vector<std::uint64_t> send_n(n);
    std::vector<std::uint64_t> recv_n(n);
    std::vector<MPI_Request> reqs;
    reqs.reserve(2 * n);
    for (std::size_t r = 0; r < n; ++r) {
        send_n[r] = out[r].size();
        reqs.emplace_back();
        MPI_Irecv(&recv_n[r], 1, MPI_UINT64_T, static_cast<int>(r), tag, comm, &reqs.back());
        reqs.emplace_back();
        MPI_Isend(&send_n[r], 1, MPI_UINT64_T, static_cast<int>(r), tag, comm, &reqs.back());
    }
    MPI_Waitall(static_cast<int>(reqs.size()), reqs.data(), MPI_STATUSES_IGNORE);
    reqs.clear();
    std::vector<std::vector<char>> in(n);
    for (std::size_t r = 0; r < n; ++r) {
        in[r].resize(recv_n[r]);
        if (recv_n[r] > 0) {
            reqs.emplace_back();
            MPI_Irecv(in[r].data(), static_cast<int>(recv_n[r]), MPI_CHAR, static_cast<int>(r),
                      tag + 1, comm, &reqs.back());
        }
        if (!out[r].empty()) {
            reqs.emplace_back();
            MPI_Isend(out[r].data(), static_cast<int>(out[r].size()), MPI_CHAR,
                      static_cast<int>(r), tag + 1, comm, &reqs.back());
        }
    }
    MPI_Waitall(static_cast<int>(reqs.size()), reqs.data(), MPI_STATUSES_IGNORE);
    return in;
}

// A client's durable ledger: "R" when a run starts, "P op key value" before sending, "A" once the
// batch is acknowledged, "S ops" at each checkpoint's save (the client's done_ops there), "C epoch"
// once a commit is noticed (informative). Each line group is fdatasync'ed.
class ledger {
public:
    explicit ledger(const std::string& path) {
        fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd_ < 0) throw std::runtime_error("cannot open ledger " + path);
    }
    ~ledger() { ::close(fd_); }
    ledger(const ledger&) = delete;
    ledger& operator=(const ledger&) = delete;
    void line(const std::string& s) { buf_ += s + "\n"; }
    void commit() {
        if (buf_.empty()) return;
        const char* p = buf_.data();
        std::size_t n = buf_.size();
        while (n > 0) {
            const ssize_t w = ::write(fd_, p, n);
            if (w < 0) throw std::runtime_error("ledger write failed");
            p += w;
            n -= static_cast<std::size_t>(w);
        }
        ::fdatasync(fd_);
        buf_.clear();
    }

private:
    int fd_ = -1;
    std::string buf_;
};

std::uint64_t map_digest(const std::unordered_map<std::string, std::string>& m) {
    std::uint64_t d = 0;
    for (const auto& [k, v] : m) d += fnv1a(k + '\x01' + v) * 0x9E3779B97F4A7C15ULL;
    return d;
}

// Expected map of one client from its ledger (see --check in docs/kvstore.md). Log on: every
// acknowledged write; keys of a batch that was never acknowledged (before a restart or at the end)
// may hold either value until a later acknowledged write. Log off: the state at the "S ops" line
// of the restored checkpoint (`ops` = the client's restored done_ops).
struct expectation {
    std::map<std::string, std::string> present;
    std::map<std::string, bool> uncertain;
    bool found = true;  // log off: the restored checkpoint's S line was found
};

expectation expected_from_ledger(const std::string& path, bool log_on, long ops) {
    std::ifstream in(path);
    expectation e;
    std::vector<std::pair<std::string, std::string>> pending;  // key, value ("\x01" = deleted)
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        if (line[0] == 'P') {
            std::istringstream s(line.substr(2));
            int o = 0;
            std::string key;
            std::string value;
            s >> o >> key >> value;
            pending.emplace_back(key, o == static_cast<int>(kv::op::del) ? "\x01" : value);
        } else if (line[0] == 'A') {
            for (const auto& [k, v] : pending) {
                if (v == "\x01") e.present.erase(k);
                else e.present[k] = v;
                e.uncertain.erase(k);
            }
            pending.clear();
        } else if (line[0] == 'R') {
            for (const auto& kvp : pending) e.uncertain[kvp.first] = true;
            pending.clear();
        } else if (line[0] == 'S' && !log_on) {
            if (std::stol(line.substr(2)) == ops) return e;
        }
    }
    if (!log_on) {
        e.found = false;
        return e;
    }
    for (const auto& kvp : pending) e.uncertain[kvp.first] = true;
    return e;
}

int run_check(const options& o, const kv::owner& own, long done_ops, int rank, int size,
              MPI_Comm comm) {
    std::vector<long> ops(static_cast<std::size_t>(size));
    MPI_Gather(&done_ops, 1, MPI_LONG, ops.data(), 1, MPI_LONG, 0, comm);
    {
        std::ofstream d(o.dir + "/dump." + std::to_string(rank) + ".txt", std::ios::trunc);
        for (const auto& [k, v] : own.map()) d << k << ' ' << v << '\n';
    }
    MPI_Barrier(comm);
    int bad = 0;
    if (rank == 0) {
        std::map<std::string, std::string> got;
        for (int r = 0; r < size; ++r) {
            std::ifstream d(o.dir + "/dump." + std::to_string(r) + ".txt");
            std::string k;
            std::string v;
            while (d >> k >> v) got[k] = v;
        }
        std::size_t checked = 0;
        for (int c = 0; c < size; ++c) {
            const expectation e =
                expected_from_ledger(o.dir + "/ledger." + std::to_string(c) + ".txt", o.log,
                                     ops[static_cast<std::size_t>(c)]);
            if (!e.found) {
                std::printf("kvstore check: client %d's ledger has no checkpoint at %ld ops\n", c,
                            ops[static_cast<std::size_t>(c)]);
                bad = 1;
                continue;
            }
            const std::string prefix = "c" + std::to_string(c) + "-";
            for (auto it = got.lower_bound(prefix); it != got.end() && it->first.rfind(prefix, 0) == 0; ++it) {
                if (e.uncertain.count(it->first) != 0) continue;
                const auto x = e.present.find(it->first);
                if (x == e.present.end() || x->second != it->second) {
                    if (bad++ < 10) {
                        std::printf("kvstore check: MISMATCH %s = %s, expected %s\n",
                                    it->first.c_str(), it->second.c_str(),
                                    x == e.present.end() ? "(absent)" : x->second.c_str());
                    }
                }
                ++checked;
            }
            for (const auto& [k, v] : e.present) {
                if (e.uncertain.count(k) == 0 && got.count(k) == 0) {
                    if (bad++ < 10) std::printf("kvstore check: MISSING %s = %s\n", k.c_str(), v.c_str());
                }
            }
        }
        std::printf("kvstore check: %s (%zu keys compared, log %s, epoch %llu)\n",
                    bad == 0 ? "OK" : "FAILED", checked, o.log ? "on" : "off",
                    static_cast<unsigned long long>(cairn::epoch()));
    }
    MPI_Bcast(&bad, 1, MPI_INT, 0, comm);
    return bad == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    const options o = parse(argc, argv);
    // The store is defined by its data directory, not by the arguments: a recovery or --check run
    // goes on from whatever an earlier run left, with other arguments.
    cairn::init_options init;
    init.run_key = "";
    cairn::init(&argc, &argv, init);
    int rank = 0;
    int size = 1;
    MPI_Comm comm = MPI_COMM_NULL;
    MPI_Comm_dup(MPI_COMM_WORLD, &comm);
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);

    const std::string mydir = o.dir + "/r" + std::to_string(rank);
    kv::owner own(mydir, rank, o.full_every, o.log, o.group_commit);
    {
        std::ofstream(mydir + "/pid") << getpid() << '\n';
    }
    long done_ops = 0;
    cairn::register_scalar("done_ops", done_ops);
    std::unique_ptr<ledger> led;
    int saves = 0;
    cairn::register_object(
        "kvmap", "kvstore-chain-v1",
        [&](cairn::byte_writer& w) {
            own.save(w);
            if (++saves == o.kill_after_save && rank == 1) {
                // test hook: the chain file is durable, the checkpoint is not committed
                std::fprintf(stderr, "kvstore rank 1: --kill-after-save %d: SIGKILL\n", saves);
                std::raise(SIGKILL);
            }
            if (led) {
                led->line("S " + std::to_string(done_ops));
                led->commit();
            }
        },
        [&](cairn::byte_reader& r) { own.load(r); });

    const double t_rec = MPI_Wtime();
    const bool restored = cairn::restore();
    const double t_restored = MPI_Wtime();
    std::uint64_t replayed = 0;
    if (o.log) replayed = own.replay();
    own.open_segment();
    // recovery = restore + replay (+ opening the new log segment); each the maximum over ranks
    double times[3] = {MPI_Wtime() - t_rec, t_restored - t_rec, 0};
    times[2] = times[0] - times[1];
    if (restored) own.restored(cairn::epoch());  // chain files no kept checkpoint needs go now
    MPI_Allreduce(MPI_IN_PLACE, times, 3, MPI_DOUBLE, MPI_MAX, comm);
    unsigned long long rep_total = replayed;
    MPI_Allreduce(MPI_IN_PLACE, &rep_total, 1, MPI_UNSIGNED_LONG_LONG, MPI_SUM, comm);
    if (rank == 0) {
        std::printf("kvstore: %d ranks, %s, epoch %llu, %llu log records replayed, recovery %.3f s "
                    "(restore %.3f s, replay %.3f s)\n",
                    size, restored ? "restored" : "fresh start",
                    static_cast<unsigned long long>(cairn::epoch()), rep_total, times[0], times[1],
                    times[2]);
        std::fflush(stdout);
    }
    if (o.check) {
        const int rc = run_check(o, own, done_ops, rank, size, comm);
        MPI_Comm_free(&comm);
        cairn::finalize();
        return rc;
    }

    if (o.ledger) {
        led = std::make_unique<ledger>(o.dir + "/ledger." + std::to_string(rank) + ".txt");
        led->line("R");
        led->commit();
    }
    std::mt19937_64 gen(o.seed * 7919ULL + static_cast<unsigned>(rank) * 104729ULL +
                        static_cast<unsigned long long>(done_ops));
    const zipf_sampler pick(o.keys, o.zipf);
    std::uniform_real_distribution<double> u(0, 1);
    std::uint64_t epoch_seen = cairn::epoch();
    long rounds = 0;
    int checkpoints_taken = 0;
    const double t0 = MPI_Wtime();
    long my_ops = 0;
    for (;;) {
        int more = done_ops < o.ops ? 1 : 0;
        MPI_Allreduce(MPI_IN_PLACE, &more, 1, MPI_INT, MPI_MAX, comm);
        if (more == 0) break;
        // client: build a batch
        std::vector<std::vector<char>> out(static_cast<std::size_t>(size));
        std::vector<std::vector<request>> sent(static_cast<std::size_t>(size));
        const long n = std::min<long>(o.batch, std::max(0L, o.ops - done_ops));
        for (long i = 0; i < n; ++i) {
            request q;
            q.key = "c" + std::to_string(rank) + "-" + std::to_string(pick(gen));
            const double x = u(gen);
            q.o = x >= o.write_ratio ? kv::op::get
                  : u(gen) < o.delete_ratio ? kv::op::del
                                            : kv::op::put;
            if (q.o == kv::op::put) {
                q.value = "v" + std::to_string(done_ops + i) + "x";
                q.value.resize(static_cast<std::size_t>(o.value_size), 'a' + static_cast<char>(i % 26));
            }
            if (led && q.o != kv::op::get) {
                led->line("P " + std::to_string(static_cast<int>(q.o)) + " " + q.key + " " +
                          (q.o == kv::op::put ? q.value : "-"));
            }
            const auto owner_rank = static_cast<std::size_t>(fnv1a(q.key) % static_cast<std::uint64_t>(size));
            auto& b = out[owner_rank];
            b.push_back(static_cast<char>(q.o));
            put_str(b, q.key);
            put_str(b, q.value);
            sent[owner_rank].push_back(std::move(q));
        }
        if (led) led->commit();
        // owner: apply, make durable, acknowledge
        const std::vector<std::vector<char>> in = exchange(out, 100, comm);
        std::vector<std::vector<char>> acks(static_cast<std::size_t>(size));
        for (std::size_t c = 0; c < in.size(); ++c) {
            std::size_t pos = 0;
            while (pos < in[c].size()) {
                const auto op = static_cast<kv::op>(in[c][pos++]);
                const std::string key = get_str(in[c], pos);
                const std::string value = get_str(in[c], pos);
                std::string reply;
                if (op == kv::op::get) {
                    const std::string* v = own.find(key);
                    reply = v != nullptr ? *v : std::string();
                } else {
                    own.apply(op, key, value);
                }
                acks[c].push_back(1);
                put_str(acks[c], reply);
            }
        }
        own.sync();  // group commit before any acknowledgement leaves
        const std::vector<std::vector<char>> replies = exchange(acks, 200, comm);
        long acked = 0;
        for (std::size_t r = 0; r < replies.size(); ++r) {
            std::size_t pos = 0;
            while (pos < replies[r].size()) {
                ++pos;
                get_str(replies[r], pos);
                ++acked;
            }
        }
        if (acked != n) {
            std::fprintf(stderr, "kvstore rank %d: %ld of %ld requests acknowledged\n", rank, acked, n);
            MPI_Abort(comm, 3);
        }
        if (led) {
            led->line("A");
            led->commit();
        }
        done_ops += n;
        my_ops += n;
        ++rounds;
        if (o.sleep_us > 0) usleep(static_cast<useconds_t>(o.sleep_us));
        cairn::safe_point();
        if (o.checkpoint_every > 0 && rounds % o.checkpoint_every == 0 &&
            (o.checkpoints == 0 || checkpoints_taken++ < o.checkpoints)) {
            if (o.async_checkpoint) {
                cairn::request_checkpoint();  // cut at an agreed safe point, written in background
            } else {
                cairn::checkpoint_now();
            }
        }
        if (cairn::epoch() != epoch_seen) {
            epoch_seen = cairn::epoch();
            own.on_commit();
            if (led) {
                led->line("C " + std::to_string(epoch_seen));
                led->commit();
            }
        }
        if (rank == 0 && rounds % 100 == 0) {
            std::printf("kvstore: round %ld, %ld ops per client, epoch %llu\n", rounds, done_ops,
                        static_cast<unsigned long long>(epoch_seen));
            std::fflush(stdout);
        }
        if (cairn::exit_requested()) break;
    }
    const double secs = MPI_Wtime() - t0;
    if (o.hold) {
        // Every operation is acknowledged (and logged durably): wait here to be killed, so that
        // a benchmark controls how many log records follow the last checkpoint.
        MPI_Barrier(comm);
        if (rank == 0) {
            std::printf("kvstore: holding after %ld ops per client, epoch %llu\n", done_ops,
                        static_cast<unsigned long long>(cairn::epoch()));
            std::fflush(stdout);
        }
        for (;;) sleep(1);
    }
    unsigned long long v[5] = {static_cast<unsigned long long>(my_ops), own.full_bytes(),
                               own.delta_bytes(), own.fulls(), own.deltas()};
    MPI_Allreduce(MPI_IN_PLACE, v, 5, MPI_UNSIGNED_LONG_LONG, MPI_SUM, comm);
    unsigned long long digest = map_digest(own.map());
    MPI_Allreduce(MPI_IN_PLACE, &digest, 1, MPI_UNSIGNED_LONG_LONG, MPI_SUM, comm);
    if (rank == 0) {
        std::printf("kvstore: %llu ops in %.3f s = %.0f ops/s (log %s, group commit %d)\n", v[0],
                    secs, secs > 0 ? static_cast<double>(v[0]) / secs : 0.0, o.log ? "on" : "off",
                    o.group_commit);
        std::printf("kvstore: full checkpoints %llu, %llu bytes (%.0f per full); deltas %llu, "
                    "%llu bytes (%.0f per delta)\n",
                    v[3], v[1], v[3] ? static_cast<double>(v[1]) / static_cast<double>(v[3]) : 0.0,
                    v[4], v[2], v[4] ? static_cast<double>(v[2]) / static_cast<double>(v[4]) : 0.0);
        std::printf("kvstore: digest %016llx\n", digest);
    }
    MPI_Comm_free(&comm);
    cairn::finalize();
    return 0;
}

#include "inspect_report.hpp"

#include "common/duration.hpp"

#include <cstdio>
#include <string>

namespace cd = cairn::detail;

namespace cairn::cli {
namespace {

std::string human_bytes(std::uint64_t b) {
    char buf[64];
    if (b < 1024)
        std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(b));
    else if (b < 1024ULL * 1024)
        std::snprintf(buf, sizeof buf, "%.1f KiB", static_cast<double>(b) / 1024);
    else if (b < 1024ULL * 1024 * 1024)
        std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(b) / (1024.0 * 1024));
    else
        std::snprintf(buf, sizeof buf, "%.2f GiB", static_cast<double>(b) / (1024.0 * 1024 * 1024));
    return buf;
}

const char* kind_name(cd::buffer_kind k) {
    return k == cd::buffer_kind::distributed ? "distributed" : "per-rank";
}

std::string shape_text(const std::vector<std::uint64_t>& shape) {
    std::string s;
    for (auto d : shape) s += (s.empty() ? "" : "x") + std::to_string(d);
    return s.empty() ? "-" : s;
}

std::string json_string(const std::string& s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\r':
                out += "\\r";
                break;
            default:
                if (c < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
    return out + "\"";
}

std::string json_number(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

std::string interval_text(const cd::checkpoint_meta& m) {
    if (m.interval_delta <= 0 && m.interval_mtbf <= 0 && m.interval_t <= 0) return "not recorded";
    auto part = [](double v) { return v > 0 ? cd::format_duration(v) : std::string("unknown"); };
    return "delta " + part(m.interval_delta) + ", M " + part(m.interval_mtbf) + ", T " +
           part(m.interval_t);
}

std::string chain_text(const cd::checkpoint_summary& s) {
    if (s.kind != "delta") return "full";
    std::string chain;
    for (const auto e : s.chain) chain += std::to_string(e) + " -> ";
    return "delta of epoch " + std::to_string(s.parent_epoch) + " (base " +
           std::to_string(s.base_epoch) + "), chain " + chain + std::to_string(s.meta.epoch) +
           "; " + std::to_string(s.stored_blocks) + " changed block(s) of " +
           human_bytes(s.block_size) + ", " + human_bytes(s.stored_bytes) + " stored";
}

void print_file(std::ostream& os, const file_report& f) {
    os << "\n" << f.path << "\n";
    if (!f.readable) {
        os << "  UNREADABLE: " << f.error << "\n";
        return;
    }
    const auto& m = f.summary.meta;
    os << "  epoch " << m.epoch << ", safe point " << m.safe_point << ", taken "
       << (m.time_iso.empty() ? std::to_string(m.time_unix) : m.time_iso) << "\n";
    os << "  app " << (m.app_name.empty() ? "-" : m.app_name) << ", " << m.nranks << " ranks"
       << (m.job_id.empty() ? "" : ", Slurm job " + m.job_id) << ", cairn "
       << (m.cairn_version.empty() ? "?" : m.cairn_version) << ", format " << m.format_version
       << "\n";
    if (m.has_run_key) os << "  run_key '" << m.run_key << "'\n";
    os << "  size " << human_bytes(f.summary.file_bytes) << ", checksums "
       << (m.checksum_algorithm.empty() ? "-" : m.checksum_algorithm) << "\n";
    os << "  interval: " << interval_text(m) << "\n";
    os << "  kind: " << chain_text(f.summary) << "\n";
    os << "  mode: " << (m.stats.nonblocking != 0 ? "non-blocking snapshot" : "blocking")
       << ", channel log: ";
    if (f.summary.channel_messages == 0) {
        os << "empty\n";
    } else {
        os << f.summary.channel_messages << " in-flight message(s), "
           << human_bytes(f.summary.channel_bytes) << " (replayed on restart)\n";
    }
    os << "  buffers (" << f.summary.datasets.size() << "):\n";
    char line[256];
    std::snprintf(line, sizeof line, "    %-20s %-12s %-8s %-16s %s\n", "name", "kind", "type",
                  "shape", "bytes");
    os << line;
    for (const auto& d : f.summary.datasets) {
        std::snprintf(line, sizeof line, "    %-20s %-12s %-8s %-16s %llu\n", d.name.c_str(),
                      kind_name(d.kind), cairn::type_name(d.elem),
                      shape_text(d.global_shape).c_str(), static_cast<unsigned long long>(d.bytes));
        os << line;
    }
    if (f.verified) {
        if (f.problems.empty()) os << "  verify: OK (every rank's checksums match)\n";
        for (const auto& p : f.problems) os << "  verify: FAILED: " << p << "\n";
    }
}

}  // namespace

void print_local_text(std::ostream& os, const inspect_report& r) {
    if (r.local_dir.empty()) return;
    os << "node-local tier " << r.local_dir << ": " << r.local.size() << " committed checkpoint"
       << (r.local.size() == 1 ? "" : "s") << "\n";
    for (const auto& e : r.local) {
        os << "  epoch " << e.epoch << ": tiers " << e.tiers << ", redundancy " << e.redundancy
           << ", " << e.nranks << " ranks, markers on " << e.nodes.size() << " node(s)\n"
           << "    " << e.images << " rank image(s) " << human_bytes(e.image_bytes);
        if (e.partner_copies > 0) os << ", " << e.partner_copies << " partner copies";
        if (e.parity_files > 0) os << ", " << e.parity_files << " parity file(s)";
        if (e.partner_copies + e.parity_files > 0) {
            char ratio[32];
            std::snprintf(ratio, sizeof ratio, "%.2f",
                          e.image_bytes == 0 ? 0.0
                                             : static_cast<double>(e.redundancy_bytes) /
                                                   static_cast<double>(e.image_bytes));
            os << " " << human_bytes(e.redundancy_bytes) << " (" << ratio << "x the images)";
        }
        os << "\n";
    }
}

void print_local_json(std::ostream& os, const inspect_report& r) {
    if (r.local_dir.empty()) return;
    os << ",\n  \"local_dir\": " << json_string(r.local_dir) << ",\n  \"local_tier\": [";
    for (std::size_t i = 0; i < r.local.size(); ++i) {
        const auto& e = r.local[i];
        os << (i ? "," : "") << "\n    {\"epoch\": " << e.epoch << ", \"tiers\": "
           << json_string(e.tiers) << ", \"redundancy\": " << json_string(e.redundancy)
           << ", \"nranks\": " << e.nranks << ", \"nodes\": [";
        for (std::size_t j = 0; j < e.nodes.size(); ++j) os << (j ? ", " : "") << json_string(e.nodes[j]);
        os << "], \"images\": " << e.images << ", \"image_bytes\": " << e.image_bytes
           << ", \"partner_copies\": " << e.partner_copies << ", \"parity_files\": "
           << e.parity_files << ", \"redundancy_bytes\": " << e.redundancy_bytes << "}";
    }
    os << "\n  ]";
}

void print_text(std::ostream& os, const inspect_report& r) {
    if (r.is_directory) {
        os << r.target << ": " << r.files.size() << " committed checkpoint"
           << (r.files.size() == 1 ? "" : "s");
        if (r.files.size() == 1) os << " (epoch " << r.files.front().epoch << ")";
        if (r.files.size() > 1)
            os << " (epochs " << r.files.front().epoch << ".." << r.files.back().epoch
               << ", newest last)";
        os << "\n";
        for (const auto& t : r.uncommitted)
            os << "  uncommitted: " << t << " (a write that never committed; not a checkpoint)\n";
    }
    for (const auto& f : r.files) print_file(os, f);
    print_local_text(os, r);
}

void print_json(std::ostream& os, const inspect_report& r) {
    os << "{\n  \"target\": " << json_string(r.target)
       << ",\n  \"directory\": " << (r.is_directory ? "true" : "false")
       << ",\n  \"uncommitted\": [";
    for (std::size_t i = 0; i < r.uncommitted.size(); ++i)
        os << (i ? ", " : "") << json_string(r.uncommitted[i]);
    os << "],\n  \"checkpoints\": [";
    for (std::size_t i = 0; i < r.files.size(); ++i) {
        const auto& f = r.files[i];
        const auto& m = f.summary.meta;
        os << (i ? "," : "") << "\n    {\"path\": " << json_string(f.path)
           << ", \"readable\": " << (f.readable ? "true" : "false");
        if (!f.readable) os << ", \"error\": " << json_string(f.error);
        if (f.readable) {
            os << ", \"epoch\": " << m.epoch << ", \"safe_point\": " << m.safe_point
               << ", \"time_unix\": " << m.time_unix << ", \"time\": " << json_string(m.time_iso)
               << ", \"nranks\": " << m.nranks << ", \"app\": " << json_string(m.app_name)
               << ", \"run_key\": " << (m.has_run_key ? json_string(m.run_key) : "null")
               << ", \"job_id\": " << json_string(m.job_id)
               << ", \"cairn_version\": " << json_string(m.cairn_version)
               << ", \"format_version\": " << m.format_version
               << ", \"checksum_algorithm\": " << json_string(m.checksum_algorithm)
               << ", \"bytes\": " << f.summary.file_bytes
               << ", \"kind\": " << json_string(f.summary.kind);
            if (f.summary.kind == "delta") {
                os << ", \"base_epoch\": " << f.summary.base_epoch
                   << ", \"parent_epoch\": " << f.summary.parent_epoch << ", \"chain\": [";
                for (std::size_t k = 0; k < f.summary.chain.size(); ++k)
                    os << (k ? ", " : "") << f.summary.chain[k];
                os << "], \"block_size\": " << f.summary.block_size
                   << ", \"stored_bytes\": " << f.summary.stored_bytes
                   << ", \"stored_blocks\": " << f.summary.stored_blocks;
            }
            os << R"(, "interval": {"delta": )" << json_number(m.interval_delta) << R"(, "mtbf": )"
               << json_number(m.interval_mtbf) << R"(, "t": )" << json_number(m.interval_t)
               << R"(}, "mode": ")" << (m.stats.nonblocking != 0 ? "nonblocking" : "blocking")
               << R"(", "channel_log_messages": )" << f.summary.channel_messages
               << R"(, "channel_log_bytes": )" << f.summary.channel_bytes << R"(, "buffers": [)";
            for (std::size_t j = 0; j < f.summary.datasets.size(); ++j) {
                const auto& d = f.summary.datasets[j];
                os << (j ? ", " : "") << R"({"name": )" << json_string(d.name) << R"(, "kind": ")"
                   << kind_name(d.kind) << R"(", "type": ")" << cairn::type_name(d.elem)
                   << R"(", "shape": [)";
                for (std::size_t k = 0; k < d.global_shape.size(); ++k)
                    os << (k ? ", " : "") << d.global_shape[k];
                os << "], \"bytes\": " << d.bytes << "}";
            }
            os << "]";
        }
        if (f.verified) {
            os << ", \"verified\": " << (f.problems.empty() ? "true" : "false")
               << ", \"problems\": [";
            for (std::size_t j = 0; j < f.problems.size(); ++j)
                os << (j ? ", " : "") << json_string(f.problems[j]);
            os << "]";
        }
        os << "}";
    }
    os << "\n  ]";
    print_local_json(os, r);
    os << "\n}\n";
}

}  // namespace cairn::cli

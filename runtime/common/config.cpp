#include "common/config.hpp"

#include "common/duration.hpp"

#include <algorithm>
#include <cctype>
#include <csignal>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

extern char** environ;  // NOLINT

namespace cairn::detail {

namespace {

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return "";
    const auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    return s;
}

[[noreturn]] void bad(const std::string& key, const std::string& value, const std::string& why) {
    throw std::invalid_argument("bad value '" + value + "' for " + key + ": " + why);
}

long long parse_int(const std::string& key, const std::string& value, long long lo, long long hi) {
    const std::string v = trim(value);
    if (v.empty()) bad(key, value, "expected an integer");
    std::size_t used = 0;
    long long n = 0;
    try {
        n = std::stoll(v, &used, 10);
    } catch (const std::exception&) {
        bad(key, value, "expected an integer");
    }
    if (used != v.size()) bad(key, value, "expected an integer");
    if (n < lo || n > hi) {
        bad(key, value, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
    }
    return n;
}

// redundancy = partner | xor:N | rs:N+K (N nodes per xor set; N data and K parity shares).
void set_redundancy(config& c, const std::string& key, const std::string& value) {
    const std::string v = lower(trim(value));
    const std::string accepted =
        "expected partner, xor:N (sets of N nodes, 2 <= N <= 64) or rs:N+K (sets of N+K nodes, "
        "N >= 1, K >= 1, N+K <= 64)";
    auto number = [&](const std::string& text) {
        if (text.empty() || text.size() > 3 ||
            !std::all_of(text.begin(), text.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
            bad(key, value, accepted);
        }
        return std::stoi(text);
    };
    if (v == "partner") {
        c.redundancy = redundancy_kind::partner;
        c.set_data = c.set_parity = 0;
    } else if (v.rfind("xor:", 0) == 0) {
        const int n = number(v.substr(4));
        if (n < 2 || n > 64) bad(key, value, accepted);
        c.redundancy = redundancy_kind::xor_set;
        c.set_data = n - 1;
        c.set_parity = 1;
    } else if (v.rfind("rs:", 0) == 0) {
        const auto plus = v.find('+');
        if (plus == std::string::npos) bad(key, value, accepted);
        const int n = number(v.substr(3, plus - 3));
        const int k = number(v.substr(plus + 1));
        if (n < 1 || k < 1 || n + k > 64) bad(key, value, accepted);
        c.redundancy = redundancy_kind::rs;
        c.set_data = n;
        c.set_parity = k;
    } else {
        bad(key, value, accepted);
    }
}

// failure_domain = off | env:NAME | host:REGEX (checked here so that a bad pattern fails early).
void set_failure_domain(config& c, const std::string& key, const std::string& value) {
    const std::string v = trim(value);
    const std::string lv = lower(v);
    if (v.empty() || lv == "off") {
        c.failure_domain.clear();
    } else if (lv.rfind("env:", 0) == 0 && v.size() > 4) {
        c.failure_domain = "env:" + v.substr(4);
    } else if (lv.rfind("host:", 0) == 0 && v.size() > 5) {
        try {
            std::regex re(v.substr(5));
        } catch (const std::regex_error& e) {
            bad(key, value, std::string("not a valid regular expression (") + e.what() + ")");
        }
        c.failure_domain = "host:" + v.substr(5);
    } else {
        bad(key, value,
            "expected off, env:NAME (the failure domain, e.g. the rack, in variable NAME) or "
            "host:REGEX (the part of the node name the expression matches, or its first group)");
    }
}

int parse_signal(const std::string& key, const std::string& name) {
    std::string n = name;
    std::transform(n.begin(), n.end(), n.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
    if (n.rfind("SIG", 0) == 0) n = n.substr(3);
    if (n == "USR1") return SIGUSR1;
    if (n == "USR2") return SIGUSR2;
    if (n == "TERM") return SIGTERM;
    if (n == "INT") return SIGINT;
    if (n == "HUP") return SIGHUP;
    bad(key, name, "expected USR1, USR2, TERM, INT, HUP or none");
}

void set_interval(config& c, const std::string& key, const std::string& raw) {
    const std::string v = lower(trim(raw));
    const std::string accepted = "expected off (or none, never), steps:N, fixed:DURATION (e.g. fixed:10m), young or daly";
    if (v == "off" || v == "none" || v == "never") {
        c.interval = interval_mode::off;
    } else if (v == "young") {
        c.interval = interval_mode::young;
    } else if (v == "daly") {
        c.interval = interval_mode::daly;
    } else if (v.rfind("steps:", 0) == 0) {
        c.interval = interval_mode::steps;
        c.interval_steps =
            static_cast<std::uint64_t>(parse_int(key, v.substr(6), 1, 1LL << 62));
    } else {
        const std::string d = v.rfind("fixed:", 0) == 0 ? v.substr(6) : v;
        double s = 0;
        try {
            s = parse_duration(d);
        } catch (const std::invalid_argument& e) {
            bad(key, raw, accepted + " (" + e.what() + ")");
        }
        if (!(s > 0)) bad(key, raw, "the interval must be longer than zero");
        c.interval = interval_mode::fixed;
        c.interval_seconds = s;
    }
}

}  // namespace

const std::vector<std::string>& config_keys() {
    static const std::vector<std::string> keys = {
        "dir",     "keep",      "verbose",  "interval", "node_mtbf",     "restart",
        "signal",  "lookahead", "app_name", "run_key", "on_error", "history",       "mode",
        "staging_limit", "staging_prefault", "epoch_timeout", "abort_limit", "interpose", "compression", "direct_io", "incremental", "block_size",
        "full_every", "local_dir", "flush", "partner", "redundancy", "failure_domain", "node_split",
        "parallel_staging", "fault"};
    return keys;
}

void apply_config_key(config& c, const std::string& key_in, const std::string& value_in) {
    const std::string key = lower(trim(key_in));
    const std::string value = trim(value_in);
    if (key == "dir") {
        if (value.empty()) bad(key, value, "the checkpoint directory must not be empty");
        c.dir = value;
    } else if (key == "keep") {
        c.keep = static_cast<int>(parse_int(key, value, 1, 1000000));
    } else if (key == "verbose") {
        c.verbose = static_cast<int>(parse_int(key, value, 0, 3));
    } else if (key == "interval") {
        set_interval(c, key, value);
    } else if (key == "node_mtbf") {
        double s = 0;
        try {
            s = parse_duration(value);
        } catch (const std::invalid_argument& e) {
            bad(key, value, e.what());
        }
        if (!(s > 0)) bad(key, value, "the MTBF must be longer than zero");
        c.node_mtbf = s;
    } else if (key == "restart") {
        const std::string v = lower(value);
        if (v == "auto") c.restart = restart_mode::automatic;
        else if (v == "never") c.restart = restart_mode::never;
        else if (v == "required") c.restart = restart_mode::required;
        else if (v == "force") c.restart = restart_mode::force;
        else bad(key, value, "expected auto, never, required or force");
    } else if (key == "signal") {
        c.signals.clear();
        const std::string v = lower(value);
        if (v == "none" || v.empty()) return;
        std::stringstream ss(value);
        std::string item;
        while (std::getline(ss, item, ',')) {
            const int sig = parse_signal(key, trim(item));
            if (std::find(c.signals.begin(), c.signals.end(), sig) == c.signals.end()) {
                c.signals.push_back(sig);
            }
        }
    } else if (key == "lookahead") {
        c.lookahead = static_cast<int>(parse_int(key, value, 1, 1000));
    } else if (key == "app_name") {
        if (value.empty()) bad(key, value, "must not be empty");
        c.app_name = value;
    } else if (key == "run_key") {
        c.run_key = value;  // may be empty: then every run of the application matches
        c.run_key_set = true;
    } else if (key == "on_error") {
        const std::string v = lower(value);
        if (v == "continue") c.abort_on_error = false;
        else if (v == "abort") c.abort_on_error = true;
        else bad(key, value, "expected continue or abort");
    } else if (key == "history") {
        c.history = value;
    } else if (key == "mode") {
        const std::string v = lower(value);
        if (v == "nonblocking" || v == "non-blocking") c.nonblocking = true;
        else if (v == "blocking") c.nonblocking = false;
        else bad(key, value, "expected nonblocking or blocking");
    } else if (key == "staging_limit") {
        try {
            c.staging_limit = parse_size(value);
        } catch (const std::invalid_argument& e) {
            bad(key, value, e.what());
        }
    } else if (key == "staging_prefault") {
        const std::string v = lower(value);
        if (v == "on" || v == "true" || v == "1") c.staging_prefault = true;
        else if (v == "off" || v == "false" || v == "0") c.staging_prefault = false;
        else bad(key, value, "expected on or off");
    } else if (key == "epoch_timeout") {
        double s = 0;
        try {
            s = parse_duration(value);
        } catch (const std::invalid_argument& e) {
            bad(key, value, e.what());
        }
        if (!(s > 0)) bad(key, value, "the timeout must be longer than zero");
        c.epoch_timeout = s;
    } else if (key == "interpose") {
        const std::string v = lower(value);
        if (v == "on" || v == "true" || v == "1") c.interpose = true;
        else if (v == "off" || v == "false" || v == "0") c.interpose = false;
        else bad(key, value, "expected on or off");
    } else if (key == "abort_limit") {
        c.abort_limit = static_cast<int>(parse_int(key, value, 0, 1000000));
    } else if (key == "compression") {
        const std::string v = lower(value);
        if (v == "none" || v == "off") {
            c.deflate_level = 0;
        } else if (v == "deflate") {
            c.deflate_level = 1;
        } else if (v.rfind("deflate:", 0) == 0) {
            c.deflate_level = static_cast<int>(parse_int(key, v.substr(8), 1, 9));
        } else {
            bad(key, value, "expected none, deflate or deflate:LEVEL (LEVEL 1-9)");
        }
    } else if (key == "direct_io") {
        const std::string v = lower(value);
        if (v == "on" || v == "true" || v == "1") c.direct_io = true;
        else if (v == "off" || v == "false" || v == "0") c.direct_io = false;
        else bad(key, value, "expected on or off");
    } else if (key == "parallel_staging") {
        const std::string v = lower(value);
        if (v == "on" || v == "true" || v == "1")
            c.parallel_staging = staging_split::on;
        else if (v == "off" || v == "false" || v == "0")
            c.parallel_staging = staging_split::off;
        else if (v == "auto")
            c.parallel_staging = staging_split::automatic;
        else
            bad(key, value, "expected auto, on or off");
    } else if (key == "incremental") {
        const std::string v = lower(value);
        if (v == "on" || v == "true" || v == "1") c.incremental = true;
        else if (v == "off" || v == "false" || v == "0") c.incremental = false;
        else bad(key, value, "expected on or off");
    } else if (key == "block_size") {
        std::uint64_t n = 0;
        try {
            n = parse_size(value);
        } catch (const std::invalid_argument& e) {
            bad(key, value, e.what());
        }
        if (n < 512 || n > (1ULL << 30)) bad(key, value, "must be between 512 bytes and 1GiB");
        c.block_size = n;
    } else if (key == "full_every") {
        c.full_every = static_cast<int>(parse_int(key, value, 1, 1000000));
    } else if (key == "local_dir") {
        c.local_dir = value;
    } else if (key == "flush") {
        const std::string v = lower(value);
        const std::string accepted = "expected every, every:K (K >= 1) or end";
        if (v == "every") {
            c.flush = flush_mode::every;
            c.flush_every = 1;
        } else if (v == "end") {
            c.flush = flush_mode::end;
        } else if (v.rfind("every:", 0) == 0) {
            std::uint64_t k = 0;
            try {
                k = static_cast<std::uint64_t>(parse_int(key, v.substr(6), 1, 1LL << 40));
            } catch (const std::invalid_argument&) {
                bad(key, value, accepted);
            }
            c.flush = k == 1 ? flush_mode::every : flush_mode::every_k;
            c.flush_every = k;
        } else {
            bad(key, value, accepted);
        }
    } else if (key == "partner") {
        c.partner = static_cast<int>(parse_int(key, value, 0, 1000000));
    } else if (key == "redundancy") {
        set_redundancy(c, key, value);
    } else if (key == "failure_domain") {
        set_failure_domain(c, key, value);
    } else if (key == "node_split") {
        const std::string v = lower(value);
        if (v.empty() || v == "off" || v == "auto") {
            c.node_split = 0;
        } else if (v.rfind("ranks:", 0) == 0) {
            c.node_split = static_cast<int>(parse_int(key, v.substr(6), 1, 1000000));
        } else {
            bad(key, value, "expected off or ranks:N (N consecutive ranks form a simulated node)");
        }
    } else if (key == "fault") {
        try {
            c.fault = fault::parse(lower(value));
        } catch (const std::invalid_argument& e) {
            bad(key, value, e.what());
        }
    } else {
        std::string known;
        for (const auto& k : config_keys()) known += (known.empty() ? "" : ", ") + k;
        throw std::invalid_argument("unknown key '" + trim(key_in) + "' (known keys: " + known + ")");
    }
}

void apply_config_text(config& c, const std::string& text, const std::string& origin) {
    std::istringstream in(text);
    std::string line;
    int lineno = 0;
    while (std::getline(in, line)) {
        ++lineno;
        const auto hash = line.find('#');
        if (hash != std::string::npos) line.erase(hash);
        line = trim(line);
        if (line.empty()) continue;
        const auto eq = line.find('=');
        const std::string at = origin + ":" + std::to_string(lineno) + ": ";
        if (eq == std::string::npos) {
            throw std::invalid_argument(at + "expected 'key = value', got '" + line + "'");
        }
        try {
            apply_config_key(c, line.substr(0, eq), line.substr(eq + 1));
        } catch (const std::invalid_argument& e) {
            throw std::invalid_argument(at + e.what());
        }
    }
}

config load_config(const std::string& file, const std::vector<std::string>& env) {
    config c;
    c.signals = {SIGUSR1};
    std::string path = file;
    for (const auto& kv : env) {
        if (kv.rfind("CAIRN_CONFIG=", 0) == 0 && path.empty()) path = kv.substr(13);
    }
    if (!path.empty()) {
        std::ifstream in(path);
        if (!in) throw std::invalid_argument("cannot read config file '" + path + "'");
        std::stringstream ss;
        ss << in.rdbuf();
        apply_config_text(c, ss.str(), path);
        c.config_file = path;
    }
    for (const auto& kv : env) {
        if (kv.rfind("CAIRN_", 0) != 0) continue;
        const auto eq = kv.find('=');
        const std::string name = kv.substr(0, eq);
        const std::string value = eq == std::string::npos ? "" : kv.substr(eq + 1);
        if (name == "CAIRN_CONFIG") continue;
        try {
            apply_config_key(c, lower(name.substr(6)), value);
        } catch (const std::invalid_argument& e) {
            throw std::invalid_argument("environment variable " + name + ": " + e.what());
        }
    }
    return c;
}

std::vector<std::string> cairn_environment() {
    std::vector<std::string> out;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
        if (std::string(*e).rfind("CAIRN_", 0) == 0) out.emplace_back(*e);
    }
    return out;
}

std::uint64_t parse_size(const std::string& text) {
    const std::string t = trim(text);
    std::size_t i = 0;
    while (i < t.size() && (std::isdigit(static_cast<unsigned char>(t[i])) != 0 || t[i] == '.')) ++i;
    if (i == 0) throw std::invalid_argument("expected a size such as 512MiB or 4GiB");
    double v = 0;
    try {
        v = std::stod(t.substr(0, i));
    } catch (const std::exception&) {
        throw std::invalid_argument("expected a size such as 512MiB or 4GiB");
    }
    std::string unit = lower(trim(t.substr(i)));
    if (unit.size() > 1 && unit.back() == 'b') unit.pop_back();   // "mib" -> "mi", "gb" -> "g"
    if (unit.size() > 1 && unit.back() == 'i') unit.pop_back();   // "mi" -> "m"
    double mult = 1;
    if (unit.empty() || unit == "b") mult = 1;
    else if (unit == "k") mult = 1024.0;
    else if (unit == "m") mult = 1024.0 * 1024;
    else if (unit == "g") mult = 1024.0 * 1024 * 1024;
    else if (unit == "t") mult = 1024.0 * 1024 * 1024 * 1024;
    else throw std::invalid_argument("unknown size unit '" + t.substr(i) + "' (use KiB, MiB, GiB, TiB)");
    const double bytes = v * mult;
    // 2^63: far beyond any memory, and exactly representable, so the cast below is defined.
    if (!(bytes >= 0) || bytes >= 9223372036854775808.0) {
        throw std::invalid_argument("size '" + t + "' is too large");
    }
    return static_cast<std::uint64_t>(bytes);
}

std::string redundancy_name(const config& c) {
    switch (c.redundancy) {
        case redundancy_kind::partner: return "partner";
        case redundancy_kind::xor_set: return "xor:" + std::to_string(c.set_data + 1);
        case redundancy_kind::rs:
            return "rs:" + std::to_string(c.set_data) + "+" + std::to_string(c.set_parity);
    }
    return "partner";
}

std::string describe(const config& c) {
    std::ostringstream o;
    o << "dir=" << c.dir << " keep=" << c.keep << " interval=";
    switch (c.interval) {
        case interval_mode::off: o << "off"; break;
        case interval_mode::steps: o << "steps:" << c.interval_steps; break;
        case interval_mode::fixed: o << "fixed:" << c.interval_seconds << "s"; break;
        case interval_mode::young: o << "young"; break;
        case interval_mode::daly: o << "daly"; break;
    }
    o << " mode=" << (c.nonblocking ? "nonblocking" : "blocking") << " restart="
      << (c.restart == restart_mode::automatic ? "auto"
          : c.restart == restart_mode::never   ? "never"
          : c.restart == restart_mode::force   ? "force"
                                                : "required");
    if (c.deflate_level > 0) o << " compression=deflate:" << c.deflate_level;
    if (c.nonblocking && !c.staging_prefault) o << " staging_prefault=off";
    if (!c.direct_io) o << " direct_io=off";
    if (c.parallel_staging != staging_split::automatic && c.nonblocking) {
        o << " parallel_staging=" << (c.parallel_staging == staging_split::on ? "on" : "off");
    }
    if (c.incremental) o << " incremental=on block_size=" << c.block_size << " full_every=" << c.full_every;
    if (!c.local_dir.empty()) {
        o << " local_dir=" << c.local_dir << " flush="
          << (c.flush == flush_mode::end ? "end"
              : c.flush == flush_mode::every ? "every"
                                             : "every:" + std::to_string(c.flush_every))
          << " partner=" << c.partner;
        if (c.redundancy != redundancy_kind::partner) o << " redundancy=" << redundancy_name(c);
        if (!c.failure_domain.empty()) o << " failure_domain=" << c.failure_domain;
        if (c.node_split > 0) o << " node_split=ranks:" << c.node_split;
    }
    return o.str();
}

}  // namespace cairn::detail

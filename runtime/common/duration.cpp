#include "common/duration.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace cairn::detail {
namespace {

[[noreturn]] void reject(std::string_view text, const std::string& reason) {
    throw std::invalid_argument("invalid duration \"" + std::string(text) + "\": " + reason);
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

double unit_seconds(char u) {
    switch (u) {
        case 's':
            return 1.0;
        case 'm':
            return 60.0;
        case 'h':
            return 3600.0;
        case 'd':
            return 86400.0;
        default:
            return 0.0;
    }
}

}  // namespace

double parse_duration(std::string_view text) {
    std::string_view s = text;
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    if (s.empty()) reject(text, "empty");
    if (s.front() == '-') reject(text, "negative durations are not allowed");
    if (s.front() == '+') s.remove_prefix(1);

    double total = 0;
    bool seen_unit = false;
    std::size_t i = 0;
    while (i < s.size()) {
        const std::size_t start = i;
        while (i < s.size() && is_digit(s[i])) ++i;
        if (i < s.size() && s[i] == '.') {
            ++i;
            while (i < s.size() && is_digit(s[i])) ++i;
        }
        const std::string number(s.substr(start, i - start));
        if (number.empty() || number == ".") {
            if (i < s.size() && unit_seconds(s[i]) > 0)
                reject(text, "unit '" + std::string(1, s[i]) + "' without a number");
            reject(text, "expected a number at \"" + std::string(s.substr(start)) +
                             "\" (examples: 600, 90s, 10m, 6h, 1.5d, 1h30m)");
        }
        const double value = std::strtod(number.c_str(), nullptr);
        if (i == s.size()) {
            if (seen_unit) reject(text, "number \"" + number + "\" at the end has no unit");
            total += value;
            break;
        }
        const double mult = unit_seconds(s[i]);
        if (mult == 0)
            reject(text, "unknown unit '" + std::string(1, s[i]) + "' (use s, m, h or d)");
        ++i;
        seen_unit = true;
        total += value * mult;
    }
    if (!std::isfinite(total)) reject(text, "not a finite number");
    return total;
}

std::string format_duration(double seconds) {
    char head[64];
    if (std::isfinite(seconds) && seconds >= 0 && seconds < 1) {
        std::snprintf(head, sizeof head, "%.3f s", seconds);
        return head;
    }
    std::snprintf(head, sizeof head, "%.1f s", seconds);
    if (!std::isfinite(seconds) || seconds < 0) return head;
    auto rest = static_cast<long long>(std::llround(seconds));
    const long long d = rest / 86400;
    rest %= 86400;
    const long long h = rest / 3600;
    rest %= 3600;
    const long long m = rest / 60;
    const long long sec = rest % 60;
    std::string parts;
    char buf[32];
    if (d > 0) {
        std::snprintf(buf, sizeof buf, "%lldd", d);
        parts += buf;
    }
    if (h > 0 || (d > 0 && (m > 0 || sec > 0))) {
        std::snprintf(buf, sizeof buf, "%lldh", h);
        parts += buf;
    }
    if (m > 0 || (!parts.empty() && sec > 0)) {
        std::snprintf(buf, sizeof buf, "%lldm", m);
        parts += buf;
    }
    if (sec > 0 || parts.empty()) {
        std::snprintf(buf, sizeof buf, "%llds", sec);
        parts += buf;
    }
    return std::string(head) + " (" + parts + ")";
}

}  // namespace cairn::detail

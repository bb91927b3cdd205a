// Parsing of durations such as "600", "90s", "10m", "6h", "1.5d", "1h30m".
#pragma once

#include <string>
#include <string_view>

namespace cairn::detail {

/// Parses a duration into seconds. A bare number is seconds; units s, m, h, d may be combined
/// ("1h30m"). Throws std::invalid_argument naming the text and the reason (empty, unparseable,
/// negative, unknown unit, not finite). Zero is accepted here; callers reject it where needed.
double parse_duration(std::string_view text);

/// Formats seconds for people: "3219.9 s (53m40s)".
std::string format_duration(double seconds);

}  // namespace cairn::detail

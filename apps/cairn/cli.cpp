#include "cli.hpp"

#include "common/duration.hpp"

#include <iostream>
#include <sstream>

namespace po = boost::program_options;

namespace cairn::cli {

split_args split_at_separator(const std::vector<std::string>& args) {
    split_args out;
    for (const auto& arg : args) {
        if (!out.has_separator && arg == "--") {
            out.has_separator = true;
            continue;
        }
        (out.has_separator ? out.command : out.options).push_back(arg);
    }
    return out;
}

void parse_options(const std::vector<std::string>& args, const po::options_description& desc,
                   const po::positional_options_description& positional, po::variables_map& vm) {
    try {
        po::store(po::command_line_parser(args).options(desc).positional(positional).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        throw usage_error(e.what());
    }
}

double duration_option(const std::string& option, const std::string& text, bool allow_zero) {
    double v = 0;
    try {
        v = cairn::detail::parse_duration(text);
    } catch (const std::invalid_argument& e) {
        throw usage_error("--" + option + ": " + e.what());
    }
    if (!allow_zero && v <= 0)
        throw usage_error("--" + option + ": invalid duration \"" + text + "\": must be > 0");
    return v;
}

void print_help(const std::string& usage, const std::string& description,
                const po::options_description& desc) {
    std::cout << "usage: " << usage << "\n\n" << description << "\n\n" << desc << "\n";
}

std::string shell_quote(const std::string& word) {
    if (word.empty()) return "''";
    bool safe = true;
    for (char c : word) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' || c == '/' ||
                        c == '=' || c == ':' || c == ',' || c == '+' || c == '@' || c == '%';
        safe = safe && ok;
    }
    if (safe) return word;
    std::string out = "'";
    for (char c : word) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}

std::vector<std::string> split_words(const std::string& text) {
    std::istringstream in(text);
    std::vector<std::string> words;
    std::string w;
    while (in >> w) words.push_back(w);
    return words;
}

}  // namespace cairn::cli

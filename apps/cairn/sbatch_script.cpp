#include "sbatch_script.hpp"

#include "cli.hpp"

#include <stdexcept>

namespace cairn::cli {
namespace {

void replace_all(std::string& text, const std::string& key, const std::string& value) {
    const std::string token = "{{" + key + "}}";
    for (auto pos = text.find(token); pos != std::string::npos;
         pos = text.find(token, pos + value.size()))
        text.replace(pos, token.size(), value);
}

std::string join_quoted(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words) out += (out.empty() ? "" : " ") + shell_quote(w);
    return out;
}

}  // namespace

std::string render_sbatch_script(const sbatch_values& v) {
    std::string text = sbatch_template_text();
    std::string extra;
    if (v.overcommit) extra += "#SBATCH --overcommit\n";
    if (!v.partition.empty()) extra += "#SBATCH --partition=" + v.partition + "\n";
    for (const auto& x : v.extra_sbatch) extra += "#SBATCH " + x + "\n";
    // The placeholder has a line of its own, which disappears when there is nothing to add.
    const std::string extra_token = "{{EXTRA_SBATCH}}\n";
    if (const auto pos = text.find(extra_token); pos != std::string::npos)
        text.replace(pos, extra_token.size(), extra);
    replace_all(text, "JOB_NAME", v.job_name);
    replace_all(text, "NODES", std::to_string(v.nodes));
    replace_all(text, "NTASKS", std::to_string(v.ntasks));
    replace_all(text, "TIME", v.time);
    replace_all(text, "SIGNAL_BEFORE", std::to_string(v.signal_before));
    replace_all(text, "MAX_RESTARTS", std::to_string(v.max_restarts));
    replace_all(text, "CHECKPOINT_DIR", shell_quote(v.checkpoint_dir));
    replace_all(text, "OUTPUT", v.output);
    replace_all(text, "MPIRUN_ARGS", v.mpirun_args.empty() ? "" : join_quoted(v.mpirun_args) + " ");
    replace_all(text, "MPIRUN", shell_quote(v.mpirun));
    replace_all(text, "COMMAND", join_quoted(v.command));
    if (const auto pos = text.find("{{"); pos != std::string::npos)
        throw std::runtime_error("sbatch template: unfilled placeholder " + text.substr(pos, 30));
    return text;
}

}  // namespace cairn::cli

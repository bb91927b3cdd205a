#include "launcher.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace cairn::cli {
namespace {

sigset_t handled_set() {
    sigset_t set;
    sigemptyset(&set);
    for (int s : {SIGINT, SIGTERM, SIGUSR1, SIGHUP, SIGCHLD}) sigaddset(&set, s);
    return set;
}

sigset_t original_mask;
bool prepared = false;
bool stop_flag = false;

double now_seconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

bool is_number(const char* s) {
    if (*s == '\0') return false;
    for (; *s; ++s)
        if (*s < '0' || *s > '9') return false;
    return true;
}

int parent_of(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    std::getline(in, text);
    const auto close = text.rfind(')');
    if (close == std::string::npos) return -1;
    std::istringstream rest(text.substr(close + 1));
    char state = 0;
    int ppid = -1;
    rest >> state >> ppid;
    return ppid;
}

}  // namespace

void prepare_signals() {
    const sigset_t set = handled_set();
    sigprocmask(SIG_BLOCK, &set, &original_mask);
    prepared = true;
}

bool stop_requested() {
    return stop_flag;
}

std::vector<int> child_processes(int pid) {
    std::vector<int> kids;
    const std::string task_dir = "/proc/" + std::to_string(pid) + "/task";
    if (DIR* d = opendir(task_dir.c_str())) {
        bool any_file = false;
        while (dirent* e = readdir(d)) {
            if (!is_number(e->d_name)) continue;
            std::ifstream in(task_dir + "/" + e->d_name + "/children");
            if (!in) continue;
            any_file = true;
            int child = 0;
            while (in >> child) kids.push_back(child);
        }
        closedir(d);
        if (any_file) return kids;
    }
    // Kernel without the children file: scan /proc for processes whose parent is pid.
    if (DIR* d = opendir("/proc")) {
        while (dirent* e = readdir(d)) {
            if (!is_number(e->d_name)) continue;
            const int p = std::atoi(e->d_name);
            if (parent_of(p) == pid) kids.push_back(p);
        }
        closedir(d);
    }
    return kids;
}

launch_result launch(const launch_request& req) {
    if (!prepared) prepare_signals();
    if (req.argv.empty()) throw std::runtime_error("nothing to launch");

    std::vector<std::string> env_strings;
    for (char** e = environ; *e; ++e) {
        const std::string kv = *e;
        bool overridden = false;
        for (const auto& x : req.extra_env)
            overridden = overridden || kv.compare(0, x.find('=') + 1, x, 0, x.find('=') + 1) == 0;
        if (!overridden) env_strings.push_back(kv);
    }
    env_strings.insert(env_strings.end(), req.extra_env.begin(), req.extra_env.end());
    std::vector<char*> envp;
    envp.reserve(env_strings.size() + 1);
    for (auto& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::vector<std::string> argv_strings = req.argv;
    std::vector<char*> argv;
    argv.reserve(argv_strings.size() + 1);
    for (auto& s : argv_strings) argv.push_back(s.data());
    argv.push_back(nullptr);

    int err_pipe[2];
    if (pipe2(err_pipe, O_CLOEXEC) != 0)
        throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));

    const double start = now_seconds();
    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (pid == 0) {
        // Own process group, so a terminal's Ctrl-C reaches mpirun once (forwarded by us).
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent) _exit(127);
        sigprocmask(SIG_SETMASK, &original_mask, nullptr);
        close(err_pipe[0]);
        execvpe(argv[0], argv.data(), envp.data());
        const int e = errno;
        (void)!write(err_pipe[1], &e, sizeof e);
        _exit(127);
    }
    close(err_pipe[1]);
    int exec_errno = 0;
    const ssize_t got = read(err_pipe[0], &exec_errno, sizeof exec_errno);
    close(err_pipe[0]);
    if (got == static_cast<ssize_t>(sizeof exec_errno)) {
        waitpid(pid, nullptr, 0);
        throw std::runtime_error("cannot run " + req.argv[0] + ": " + std::strerror(exec_errno));
    }

    launch_result res;
    const sigset_t set = handled_set();
    std::mt19937 rng(static_cast<unsigned>(std::random_device{}()));
    while (true) {
        int status = 0;
        const pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid) {
            res.exited = WIFEXITED(status);
            res.exit_status = res.exited ? WEXITSTATUS(status) : WTERMSIG(status);
            break;
        }
        const double elapsed = now_seconds() - start;
        if (req.inject_after >= 0 && !res.injected && elapsed >= req.inject_after &&
            res.forwarded_signal == 0 &&
            (req.inject_at_epoch == 0 || (req.newest_epoch && req.newest_epoch() >= req.inject_at_epoch))) {
            const auto kids = child_processes(pid);
            if (!kids.empty()) {
                const int victim =
                    kids[std::uniform_int_distribution<std::size_t>(0, kids.size() - 1)(rng)];
                if (kill(victim, SIGKILL) == 0) {
                    res.injected = true;
                    res.injected_pid = victim;
                    res.injected_at = elapsed;
                    std::printf(
                        "cairn run: injecting a failure: SIGKILL to rank process %d "
                        "(child of mpirun %d) after %.1f s\n",
                        victim, static_cast<int>(pid), elapsed);
                    std::fflush(stdout);
                }
            }
        }
        timespec ts{0, 100L * 1000 * 1000};
        const int sig = sigtimedwait(&set, nullptr, &ts);
        if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP || sig == SIGUSR1) {
            if (sig != SIGUSR1) stop_flag = true;
            res.forwarded_signal = sig;
            std::printf("cairn run: received %s, forwarding it to mpirun (pid %d)\n",
                        strsignal(sig), static_cast<int>(pid));
            std::fflush(stdout);
            kill(pid, sig);
        }
    }
    res.seconds = now_seconds() - start;
    return res;
}

}  // namespace cairn::cli

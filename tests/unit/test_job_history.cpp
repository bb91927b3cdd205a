#include "schedule/job_history.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>

using namespace cairn::detail;

namespace {

// A fresh file name in the test's working directory (each test has a directory of its own).
std::string fresh_path(const std::string& name) {
    const std::string path = name + "." + std::to_string(::getpid()) + ".history";
    std::remove(path.c_str());
    return path;
}

void write_text(const std::string& path, const std::string& text) {
    std::ofstream(path) << text;
}

}  // namespace

TEST_CASE("a missing history file is an empty history", "[job_history]") {
    CHECK(read_job_history(fresh_path("missing")).attempts.empty());
}

TEST_CASE("attempts round-trip through the history file", "[job_history]") {
    const auto path = fresh_path("roundtrip");
    job_attempt a{1, 1700000000.25, 1700000012.5, 137, attempt_cause::killed, 0, 3};
    job_attempt b{2, 1700000020, 1700000100, 0, attempt_cause::ok, 3, 9};
    append_job_attempt(path, a);
    append_job_attempt(path, b);

    std::ifstream in(path);
    std::string first;
    std::getline(in, first);
    CHECK(first == "cairn-history 1");

    const auto h = read_job_history(path);
    REQUIRE(h.attempts.size() == 2);
    CHECK(h.attempts[0].number == 1);
    CHECK(h.attempts[0].start_unix == Approx(1700000000.25));
    CHECK(h.attempts[0].end_unix == Approx(1700000012.5));
    CHECK(h.attempts[0].exit_code == 137);
    CHECK(h.attempts[0].cause == attempt_cause::killed);
    CHECK(h.attempts[0].epoch_before == 0);
    CHECK(h.attempts[0].epoch_after == 3);
    CHECK(h.attempts[1].cause == attempt_cause::ok);
    CHECK(h.attempts[1].epoch_after == 9);
    CHECK(h.attempts[1].duration() == Approx(80));
    std::remove(path.c_str());
}

TEST_CASE("comments, blank lines and unknown keys are accepted", "[job_history]") {
    const auto path = fresh_path("lenient");
    write_text(path,
               "cairn-history 1\n# a comment\n\n"
               "attempt=1 start=10 end=20 exit=1 cause=failed epoch_before=0 "
               "epoch_after=0 host=n1\n");
    const auto h = read_job_history(path);
    REQUIRE(h.attempts.size() == 1);
    CHECK(h.attempts[0].cause == attempt_cause::failed);
    std::remove(path.c_str());
}

TEST_CASE("malformed history lines name file:line and the problem", "[job_history]") {
    const auto path = fresh_path("bad");
    const std::string good =
        "attempt=1 start=10 end=20 exit=0 cause=ok epoch_before=0 epoch_after=1\n";
    struct bad_case {
        std::string text;
        std::string line;
        std::string what;
    };
    const bad_case cases[] = {
        {"something else\n", ":1:", "not a cairn job history"},
        {"cairn-history 2\n", ":1:", "unsupported history version"},
        {"cairn-history 1\n" + good +
             "attempt=2 start=x end=20 exit=0 cause=ok epoch_before=0 epoch_after=1\n",
         ":3:", "start=\"x\" is not a number"},
        {"cairn-history 1\nattempt=1 start=10 end=20 exit=0 cause=exploded epoch_before=0 "
         "epoch_after=1\n",
         ":2:", "unknown attempt cause \"exploded\""},
        {"cairn-history 1\nattempt=1 start=10 end=20 exit=0 epoch_before=0 epoch_after=1\n",
         ":2:", "missing field cause"},
        {"cairn-history 1\nattempt=1 start=10 junk end=20\n", ":2:", "expected key=value"},
        {"cairn-history 1\nattempt=0 start=10 end=20 exit=0 cause=ok epoch_before=0 "
         "epoch_after=1\n",
         ":2:", "attempt=0 is below 1"},
    };
    for (const auto& c : cases) {
        INFO(c.text);
        write_text(path, c.text);
        CHECK_THROWS_AS(read_job_history(path), std::runtime_error);
        CHECK_THROWS_WITH(read_job_history(path),
                          Catch::Contains(path + c.line) && Catch::Contains(c.what));
    }
    std::remove(path.c_str());
}

TEST_CASE("the refined MTBF counts the prior as one failure-free interval", "[job_history]") {
    job_history h;
    CHECK(refined_job_mtbf(h, 3600) == Approx(3600));
    // One real failure after 1000 s, one injected kill after 500 s (not a failure), one ok run.
    h.attempts.push_back({1, 0, 1000, 137, attempt_cause::killed, 0, 2});
    h.attempts.push_back({2, 1000, 1500, 137, attempt_cause::injected, 2, 3});
    h.attempts.push_back({3, 1500, 2100, 0, attempt_cause::ok, 3, 5});
    // (3600 + 1000 + 500 + 600) / (1 + 1)
    CHECK(refined_job_mtbf(h, 3600) == Approx(2850));
    h.attempts.push_back({4, 2100, 2200, 1, attempt_cause::failed, 5, 5});
    CHECK(refined_job_mtbf(h, 3600) == Approx((3600.0 + 2200) / 3));
    CHECK_THROWS_AS(refined_job_mtbf(h, 0), std::invalid_argument);
    CHECK_THROWS_AS(refined_job_mtbf(h, -1), std::invalid_argument);
}

TEST_CASE("causes convert to and from text", "[job_history]") {
    for (auto c : {attempt_cause::ok, attempt_cause::failed, attempt_cause::killed,
                   attempt_cause::signal, attempt_cause::injected, attempt_cause::timeout})
        CHECK(parse_attempt_cause(to_string(c)) == c);
    CHECK_THROWS_AS(parse_attempt_cause("boom"), std::invalid_argument);
    CHECK(counts_as_failure(attempt_cause::failed));
    CHECK(counts_as_failure(attempt_cause::killed));
    CHECK_FALSE(counts_as_failure(attempt_cause::injected));
    CHECK_FALSE(counts_as_failure(attempt_cause::timeout));
    CHECK_FALSE(counts_as_failure(attempt_cause::ok));
}

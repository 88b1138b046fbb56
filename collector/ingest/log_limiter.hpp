#pragma once
// One log line per key per interval, so a flood of bad messages or a database
// outage cannot flood the log. One instance per thread (not thread-safe).

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <map>
#include <string>

namespace wireflow::collector::ingest {

class log_limiter {
public:
    explicit log_limiter(std::chrono::seconds interval = std::chrono::seconds(10)) : interval_(interval) {}

    // Prints "TIME wireflow-collector: LINE" unless `key` printed within the
    // interval; then it is counted and reported with the next line that prints.
    void log(const std::string& key, const std::string& line) {
        const auto now = std::chrono::steady_clock::now();
        auto& s = slots_[key];
        if (s.printed && now - s.last < interval_) {
            ++s.suppressed;
            return;
        }
        const std::time_t t = std::time(nullptr);
        std::tm tm{};
        gmtime_r(&t, &tm);
        char ts[32];
        std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
        if (s.suppressed)
            std::fprintf(stderr, "%s wireflow-collector: %s (%llu similar suppressed)\n", ts, line.c_str(),
                         static_cast<unsigned long long>(s.suppressed));
        else
            std::fprintf(stderr, "%s wireflow-collector: %s\n", ts, line.c_str());
        s.printed = true;
        s.last = now;
        s.suppressed = 0;
    }

private:
    struct slot {
        bool printed{false};
        std::chrono::steady_clock::time_point last{};
        std::uint64_t suppressed{0};
    };
    std::chrono::seconds interval_;
    std::map<std::string, slot> slots_;
};

}  // namespace wireflow::collector::ingest

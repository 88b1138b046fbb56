#pragma once
// The load generator's read-only look at PostgreSQL: when does a sampled
// record become queryable, and, at the end, is every record there exactly once.
// (The bench reads the collector's tables as the integration tests do; the
// product's own SQL stays in collector/store.)

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "sim_probe.hpp"

namespace wireflow::bench {

// Polls for each sample until its row is visible, on its own connection and
// thread; latency = visible - export (the batch's send_time_ns).
class visibility_poller {
public:
    explicit visibility_poller(std::string dsn);
    ~visibility_poller();
    visibility_poller(const visibility_poller&) = delete;
    visibility_poller& operator=(const visibility_poller&) = delete;

    void add(visibility_sample s);
    // Waits until every sample is seen or `timeout_s` passed; returns latencies (ms).
    std::vector<double> finish(double timeout_s, std::size_t& unseen);

private:
    void run();

    std::string dsn_;
    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<visibility_sample> queue_;
    std::vector<double> latencies_ms_;
    std::atomic<bool> stop_{false};
    std::string error_;
    std::thread thread_;
};

struct probe_check {
    std::string probe_id;
    std::uint64_t rows{0};
    std::uint64_t distinct_flows{0};
    std::uint64_t min_flow{0}, max_flow{0};
    std::uint64_t c2s_bytes{0};
    std::uint64_t wrong_batch{0};              // rows whose batch_seq is not the one that carried the flow id
    bool ok{false};
    std::string problem;
};

// Counts each probe's rows: every flow id 1..records_made once, nothing else.
std::vector<probe_check> verify_exactly_once(const std::string& dsn, const std::vector<probe_result>& results,
                                             unsigned batch_records);

}  // namespace wireflow::bench

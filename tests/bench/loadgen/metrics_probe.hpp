#pragma once
// Reads the collector's spool gauges from GET /metrics (Prometheus text) while
// the load runs: the collector spools to disk when PostgreSQL is away or slow.

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <thread>

namespace wireflow::bench {

// One GET of http://HOST:PORT/metrics; name -> value of the unlabelled samples.
std::map<std::string, std::uint64_t> scrape_metrics(const std::string& host_port);

class spool_watch {
public:
    explicit spool_watch(std::string host_port);  // empty: watches nothing
    ~spool_watch();
    spool_watch(const spool_watch&) = delete;
    spool_watch& operator=(const spool_watch&) = delete;

    std::uint64_t max_spool_bytes() const { return max_bytes_.load(); }
    std::uint64_t max_spool_batches() const { return max_batches_.load(); }
    std::uint64_t scrapes() const { return scrapes_.load(); }

private:
    std::string host_port_;
    std::atomic<bool> stop_{false};
    std::atomic<std::uint64_t> max_bytes_{0}, max_batches_{0}, scrapes_{0};
    std::thread thread_;
};

}  // namespace wireflow::bench

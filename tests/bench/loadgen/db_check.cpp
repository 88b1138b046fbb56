#include "db_check.hpp"

#include <arpa/inet.h>

#include <chrono>
#include <cstdio>
#include <pqxx/pqxx>

namespace wireflow::bench {

namespace {

std::string ip_text(const std::string& raw) {
    char buf[INET6_ADDRSTRLEN] = "";
    inet_ntop(raw.size() == 4 ? AF_INET : AF_INET6, raw.data(), buf, sizeof buf);
    return buf;
}

// bigint columns hold uint64 values bit for bit (collector/store/schema.cpp).
long long as_bigint(std::uint64_t v) { return static_cast<long long>(v); }

std::uint64_t wall_ns() {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
}

}  // namespace

visibility_poller::visibility_poller(std::string dsn) : dsn_(std::move(dsn)), thread_([this] { run(); }) {}

visibility_poller::~visibility_poller() {
    stop_ = true;
    cv_.notify_all();
    thread_.join();
}

void visibility_poller::add(visibility_sample s) {
    {
        std::lock_guard lock(mutex_);
        queue_.push_back(std::move(s));
    }
    cv_.notify_all();
}

void visibility_poller::run() {
    try {
        pqxx::connection c{dsn_};
        // The collector's host lookup (schema v10: each sealed leaf's
        // b-tree, the open segment's Bloom filter) finds the record's
        // client, the rest picks the row.
        c.prepare("visible",
                  "SELECT count(*) FROM flows WHERE client_ip = $4::inet"
                  " AND probe_id = $1 AND boot_id = $2 AND flow_id = $3");
        while (!stop_) {
            visibility_sample s;
            {
                std::unique_lock lock(mutex_);
                cv_.wait_for(lock, std::chrono::milliseconds(50), [&] { return stop_ || !queue_.empty(); });
                if (queue_.empty()) continue;
                s = queue_.front();
            }
            pqxx::nontransaction tx{c};
            const auto n =
                tx.exec_prepared1("visible", s.probe_id, as_bigint(s.boot_id), as_bigint(s.flow_id), ip_text(s.client_ip))[0]
                    .as<long long>();
            tx.commit();
            if (n == 0) {
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
                continue;
            }
            const double ms = static_cast<double>(wall_ns() - s.send_time_ns) / 1e6;
            std::lock_guard lock(mutex_);
            latencies_ms_.push_back(ms);
            queue_.pop_front();
        }
    } catch (const std::exception& e) {
        std::lock_guard lock(mutex_);
        error_ = e.what();
    }
}

std::vector<double> visibility_poller::finish(double timeout_s, std::size_t& unseen) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    for (;;) {
        {
            std::lock_guard lock(mutex_);
            if (queue_.empty() || !error_.empty() || std::chrono::steady_clock::now() >= deadline) {
                if (!error_.empty()) std::fprintf(stderr, "loadgen: visibility poller: %s\n", error_.c_str());
                unseen = queue_.size();
                return latencies_ms_;
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

std::vector<probe_check> verify_exactly_once(const std::string& dsn, const std::vector<probe_result>& results,
                                             unsigned batch_records) {
    pqxx::connection c{dsn};
    std::vector<probe_check> out;
    for (const auto& r : results) {
        pqxx::read_transaction tx{c};
        const auto row = tx.exec_params1(
            "SELECT count(*), count(DISTINCT flow_id), coalesce(min(flow_id), 0), coalesce(max(flow_id), 0),"
            " coalesce(sum(c2s_bytes), 0)::bigint,"
            " count(*) FILTER (WHERE batch_seq <> (flow_id - 1) / $3 + 1)"
            " FROM flows WHERE probe_id = $1 AND boot_id = $2",
            r.probe_id, as_bigint(r.boot_id), static_cast<long long>(batch_records));
        probe_check pc;
        pc.probe_id = r.probe_id;
        pc.rows = row[0].as<std::uint64_t>();
        pc.distinct_flows = row[1].as<std::uint64_t>();
        pc.min_flow = row[2].as<std::uint64_t>();
        pc.max_flow = row[3].as<std::uint64_t>();
        pc.c2s_bytes = row[4].as<std::uint64_t>();
        pc.wrong_batch = row[5].as<std::uint64_t>();
        const std::uint64_t n = r.records_made;
        char buf[256];
        if (r.unacked_at_end != 0) {
            std::snprintf(buf, sizeof buf, "%llu batches never acknowledged", static_cast<unsigned long long>(r.unacked_at_end));
            pc.problem = buf;
        } else if (pc.rows != pc.distinct_flows) {
            std::snprintf(buf, sizeof buf, "%llu rows stored twice",
                          static_cast<unsigned long long>(pc.rows - pc.distinct_flows));
            pc.problem = buf;
        } else if (pc.rows != n || (n > 0 && (pc.min_flow != 1 || pc.max_flow != n))) {
            std::snprintf(buf, sizeof buf, "%llu distinct records of %llu made (flow ids %llu..%llu)",
                          static_cast<unsigned long long>(pc.distinct_flows), static_cast<unsigned long long>(n),
                          static_cast<unsigned long long>(pc.min_flow), static_cast<unsigned long long>(pc.max_flow));
            pc.problem = buf;
        } else if (pc.c2s_bytes != r.c2s_bytes_made || pc.wrong_batch != 0) {
            std::snprintf(buf, sizeof buf, "contents differ: c2s bytes %llu vs %llu made, %llu rows in the wrong batch",
                          static_cast<unsigned long long>(pc.c2s_bytes), static_cast<unsigned long long>(r.c2s_bytes_made),
                          static_cast<unsigned long long>(pc.wrong_batch));
            pc.problem = buf;
        }
        pc.ok = pc.problem.empty();
        out.push_back(std::move(pc));
    }
    return out;
}

}  // namespace wireflow::bench

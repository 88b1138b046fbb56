#include "counter_table.hpp"

namespace wireflow::collector::app {

namespace {

std::uint64_t load(const std::atomic<std::uint64_t>& c) { return c.load(std::memory_order_relaxed); }

}  // namespace

std::vector<counter_sample> counter_table(const ingest::collector_stats& s, std::size_t hosts,
                                          const alert::alert_engine_stats& a, std::size_t alerts_engaged) {
    using k = counter_kind;
    std::vector<counter_sample> t;
    const auto row = [&t](std::string name, k kind, std::uint64_t v, std::string help) {
        t.push_back({std::move(name), std::move(help), kind, v, {}, {}});
    };
    row("messages_received", k::counter, load(s.messages_received), "ZeroMQ messages received from probes.");
    row("batches_received", k::counter, load(s.batches_received), "Valid flow batches accepted for storing.");
    row("records_received", k::counter, load(s.records_received), "Flow records in accepted batches.");
    row("batches_read_fast", k::counter, load(s.batches_read_fast),
        "Accepted batches read by the wire-format fast path (the rest by the generated parser).");
    row("batches_stored", k::counter, load(s.batches_stored), "Batches committed to PostgreSQL.");
    row("records_stored", k::counter, load(s.records_stored), "Records in committed batches.");
    row("batches_duplicate", k::counter, load(s.batches_duplicate), "Batches received again after being stored.");
    row("batches_spooled", k::counter, load(s.batches_spooled), "Batches acked after the spool fsync.");
    row("batches_replayed", k::counter, load(s.batches_replayed), "Spooled batches later committed.");
    row("batches_busy", k::counter, load(s.batches_busy), "Batches answered BUSY (spool full or unwritable).");
    for (std::size_t i = 0; i < ingest::reject_reason_count; ++i)
        t.push_back({"batches_rejected", "Batches rejected, by reason.", k::counter, load(s.rejected[i]), "reason",
                     std::string(ingest::to_string(static_cast<ingest::reject_reason>(i)))});
    row("ingest_paused", k::counter, load(s.ingest_paused), "Times reading paused: bytes in flight or database queue full.");
    row("ingest_buffer_bytes", k::gauge, load(s.ingest_buffer_bytes), "Message bytes read and not yet stored or spooled.");
    row("rejected_unacked", k::counter, load(s.rejected_unacked), "Rejects whose identity was unreadable (no ack).");
    row("sequence_gaps", k::counter, load(s.sequence_gaps), "Batch sequence jumps ahead.");
    row("sequence_missing", k::counter, load(s.sequence_missing), "Batches skipped by those jumps.");
    row("sequence_repeats", k::counter, load(s.sequence_repeats), "Batches at or below the highest sequence seen.");
    row("probe_stats_received", k::counter, load(s.probe_stats_received), "Probe statistics messages received.");
    row("probe_stats_stored", k::counter, load(s.probe_stats_stored), "Probe statistics written to PostgreSQL.");
    row("probe_stats_dropped", k::counter, load(s.probe_stats_dropped), "Probe statistics lost while PostgreSQL was down.");
    row("spool_bytes", k::gauge, load(s.spool_bytes), "Bytes waiting in the spool.");
    row("spool_batches", k::gauge, load(s.spool_batches), "Batches waiting in the spool.");
    row("spool_truncated_bytes", k::counter, load(s.spool_truncated_bytes), "Torn spool tails cut at start.");
    row("db_writes", k::counter, load(s.db_writes), "Write transactions.");
    row("db_last_write_us", k::gauge, load(s.db_last_write_us), "Duration of the last write transaction (us).");
    const auto writes = load(s.db_writes);
    row("db_avg_write_us", k::gauge, writes ? load(s.db_total_write_us) / writes : 0, "Mean write transaction (us).");
    row("db_reconnects", k::counter, load(s.db_reconnects), "Successful database connections after the first.");
    row("db_errors", k::counter, load(s.db_errors), "Database errors.");
    row("db_up", k::flag, s.db_up.load() ? 1 : 0, "1 when PostgreSQL is reachable.");
    row("hosts", k::gauge, hosts, "Live hosts in memory.");
    row("alerts_raised", k::counter, load(a.engaged), "Alerts engaged.");
    row("alerts_released", k::counter, load(a.released), "Alerts released.");
    row("alerts_one_shot", k::counter, load(a.one_shot), "One-shot alerts.");
    row("alerts_suppressed_quiet", k::counter, load(a.suppressed_quiet), "Alerts suppressed by a quiet period.");
    row("alerts_db_errors", k::counter, load(a.db_errors), "Alert writes that failed (retried).");
    row("alerts_pending_dropped", k::counter, load(a.pending_dropped), "Alerts dropped while PostgreSQL was down.");
    row("alerts_untracked_hosts", k::counter, load(a.untracked_hosts), "Hosts beyond the alert window's limit.");
    row("alerts_engaged", k::gauge, alerts_engaged, "Alerts engaged now.");
    return t;
}

void add_http_counters(std::vector<counter_sample>& t, const http::http_stats& s) {
    const auto row = [&t](std::string name, std::uint64_t v, std::string help) {
        t.push_back({std::move(name), std::move(help), counter_kind::counter, v, {}, {}});
    };
    row("http_misdirected", load(s.misdirected), "HTTP requests whose Host names another server (421).");
    row("http_cross_origin", load(s.cross_origin), "State-changing HTTP requests from another origin (403).");
    row("http_login_failures", load(s.login_failures), "Wrong user name or password (login, own password change).");
    row("http_login_rate_limited", load(s.login_rate_limited), "Login and password attempts refused by the limits (429).");
    row("http_hash_busy", load(s.hash_busy), "Password hashes refused: every argon2id slot busy (503).");
    row("http_connections_refused", load(s.connections_refused), "HTTP connections closed at --http-max-connections.");
    row("http_accept_errors", load(s.accept_errors), "HTTP accept failures (e.g. out of descriptors), backed off.");
}

void add_active_flow_counters(std::vector<counter_sample>& t, std::uint64_t reports_received,
                              const aggregate::active_flows_counters& c, std::size_t size) {
    using k = counter_kind;
    const auto row = [&t](std::string name, k kind, std::uint64_t v, std::string help) {
        t.push_back({std::move(name), std::move(help), kind, v, {}, {}});
    };
    row("active_reports_received", k::counter, reports_received, "Interim active-flow reports received from probes.");
    row("active_flow_updates", k::counter, c.updates, "Flow entries in those reports.");
    row("active_flows", k::gauge, size, "Flows in progress held in memory.");
    row("active_flows_dropped", k::counter, c.dropped_full, "New active flows refused: table at --max-active-flows.");
    row("active_flows_ended", k::counter, c.ended, "Active flows ended by their stored final record.");
    row("active_flows_expired", k::counter, c.expired, "Active flows forgotten for want of reports.");
}

std::string counters_line(std::span<const counter_sample> table) {
    std::string line = "wireflow-collector: counters";
    for (const auto& c : table) {
        line += ' ';
        line += c.name;
        if (!c.label_value.empty()) {
            line += '_';
            line += c.label_value;
        }
        line += '=';
        line += std::to_string(c.value);
    }
    return line;
}

}  // namespace wireflow::collector::app

// GET /metrics: the Prometheus text exposition format (version 0.0.4).
#include "alert/alert_engine.hpp"
#include "app/collector_app.hpp"
#include "handlers.hpp"

#include <string>

namespace wireflow::collector::http::handlers {

namespace {

// Label values escape '\', '"' and newline (exposition format spec).
std::string label(std::string_view v) {
    std::string out;
    for (const char ch : v) {
        if (ch == '\\') out += "\\\\";
        else if (ch == '"') out += "\\\"";
        else if (ch == '\n') out += "\\n";
        else out += ch;
    }
    return out;
}

class writer {
public:
    void family(std::string_view name, std::string_view type, std::string_view help) {
        out_ += "# HELP wireflow_";
        out_ += name;
        out_ += ' ';
        out_ += help;
        out_ += "\n# TYPE wireflow_";
        out_ += name;
        out_ += ' ';
        out_ += type;
        out_ += '\n';
    }
    void sample(std::string_view name, std::uint64_t v, std::string_view labels = {}) {
        out_ += "wireflow_";
        out_ += name;
        if (!labels.empty()) {
            out_ += '{';
            out_ += labels;
            out_ += '}';
        }
        out_ += ' ';
        out_ += std::to_string(v);
        out_ += '\n';
    }
    void one(std::string_view name, std::string_view type, std::string_view help, std::uint64_t v) {
        family(name, type, help);
        sample(name, v);
    }
    std::string take() { return std::move(out_); }

private:
    std::string out_;
};

std::uint64_t load(const std::atomic<std::uint64_t>& c) { return c.load(std::memory_order_relaxed); }

}  // namespace

reply metrics(call& c) {
    auto& a = c.svc.app;
    const auto& s = a.stats();
    writer w;
    w.one("messages_received_total", "counter", "ZeroMQ messages received from probes.", load(s.messages_received));
    w.one("batches_received_total", "counter", "Valid flow batches accepted for storing.", load(s.batches_received));
    w.one("records_received_total", "counter", "Flow records in accepted batches.", load(s.records_received));
    w.one("batches_stored_total", "counter", "Batches committed to PostgreSQL.", load(s.batches_stored));
    w.one("records_stored_total", "counter", "Records in committed batches.", load(s.records_stored));
    w.one("batches_duplicate_total", "counter", "Batches received again after being stored.", load(s.batches_duplicate));
    w.one("batches_spooled_total", "counter", "Batches acked after the spool fsync.", load(s.batches_spooled));
    w.one("batches_busy_total", "counter", "Batches answered BUSY.", load(s.batches_busy));
    w.family("batches_rejected_total", "counter", "Batches rejected, by reason.");
    for (std::size_t i = 0; i < ingest::reject_reason_count; ++i)
        w.sample("batches_rejected_total", load(s.rejected[i]),
                 "reason=\"" + label(ingest::to_string(static_cast<ingest::reject_reason>(i))) + "\"");
    w.one("sequence_gaps_total", "counter", "Batch sequence jumps ahead.", load(s.sequence_gaps));
    w.one("spool_bytes", "gauge", "Bytes waiting in the spool.", load(s.spool_bytes));
    w.one("spool_batches", "gauge", "Batches waiting in the spool.", load(s.spool_batches));
    w.one("db_up", "gauge", "1 when PostgreSQL is reachable.", s.db_up.load() ? 1 : 0);
    w.one("db_writes_total", "counter", "Write transactions.", load(s.db_writes));
    w.one("db_errors_total", "counter", "Database errors.", load(s.db_errors));
    w.one("hosts", "gauge", "Live hosts in memory.", a.aggregator().hosts());
    const auto probes = a.probes().list();
    w.family("probe_up", "gauge", "1 while the probe reports statistics.");
    for (const auto& p : probes) w.sample("probe_up", p.up ? 1 : 0, "probe=\"" + label(p.probe_id) + "\"");
    w.family("probe_packets_total", "counter", "Packets received by the probe's NICs.");
    for (const auto& p : probes) w.sample("probe_packets_total", p.packets, "probe=\"" + label(p.probe_id) + "\"");
    w.family("probe_nic_drops_total", "counter", "Packets the probe's NICs dropped.");
    for (const auto& p : probes) w.sample("probe_nic_drops_total", p.nic_drops, "probe=\"" + label(p.probe_id) + "\"");
    w.family("probe_export_drops_total", "counter", "Records the probe could not export.");
    for (const auto& p : probes) w.sample("probe_export_drops_total", p.export_drops, "probe=\"" + label(p.probe_id) + "\"");
    if (auto* e = a.alert_engine()) {
        const auto& st = e->stats();
        w.one("alerts_engaged_total", "counter", "Alerts engaged.", load(st.engaged));
        w.one("alerts_released_total", "counter", "Alerts released.", load(st.released));
        w.one("alerts_engaged", "gauge", "Alerts engaged now.", e->engaged().size());
    }
    reply r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = w.take();
    return r;
}

}  // namespace wireflow::collector::http::handlers

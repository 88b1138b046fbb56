// store::write_probe_stats / latest_probe_stats: the probes row keeps the
// latest ProbeStats as jsonb, probe_stats keeps the time series.
#include "store_impl.hpp"

#include <boost/json.hpp>

namespace wireflow::collector {
namespace {

namespace json = boost::json;

constexpr long long bits(std::uint64_t v) noexcept { return static_cast<long long>(v); }

json::object to_json(const probe_stats& s) {
    json::array ports;
    for (const auto& p : s.ports) {
        ports.push_back(json::object{{"port_id", p.port_id},       {"name", p.name},
                                     {"rx_packets", p.rx_packets}, {"rx_bytes", p.rx_bytes},
                                     {"imissed", p.imissed},       {"rx_nombuf", p.rx_nombuf},
                                     {"ierrors", p.ierrors}});
    }
    json::array workers;
    for (const auto& w : s.workers) {
        workers.push_back(json::object{{"worker", w.worker},
                                       {"packets", w.packets},
                                       {"ip_packets", w.ip_packets},
                                       {"malformed_packets", w.malformed_packets},
                                       {"flows_active", w.flows_active},
                                       {"flows_created", w.flows_created},
                                       {"records_exported", w.records_exported},
                                       {"ring_full_drops", w.ring_full_drops},
                                       {"evictions", w.evictions}});
    }
    return json::object{{"probe_id", s.probe_id},
                        {"boot_id", s.boot_id},
                        {"time_ns", s.time_ns},
                        {"ports", std::move(ports)},
                        {"workers", std::move(workers)},
                        {"batches_sent", s.batches_sent},
                        {"batches_acked", s.batches_acked},
                        {"batches_pending", s.batches_pending},
                        {"export_drops", s.export_drops},
                        {"last_sequence", s.last_sequence},
                        {"uptime_ns", s.uptime_ns}};
}

std::uint64_t u64(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v ? v->to_number<std::uint64_t>() : 0;
}

std::string str(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

probe_stats from_json(const json::object& o) {
    probe_stats s;
    s.probe_id = str(o, "probe_id");
    s.boot_id = u64(o, "boot_id");
    s.time_ns = u64(o, "time_ns");
    if (const auto* ports = o.if_contains("ports"); ports && ports->is_array()) {
        for (const auto& pv : ports->get_array()) {
            const auto& p = pv.as_object();
            s.ports.push_back({static_cast<std::uint32_t>(u64(p, "port_id")), str(p, "name"), u64(p, "rx_packets"),
                               u64(p, "rx_bytes"), u64(p, "imissed"), u64(p, "rx_nombuf"), u64(p, "ierrors")});
        }
    }
    if (const auto* workers = o.if_contains("workers"); workers && workers->is_array()) {
        for (const auto& wv : workers->get_array()) {
            const auto& w = wv.as_object();
            s.workers.push_back({static_cast<std::uint32_t>(u64(w, "worker")), u64(w, "packets"),
                                 u64(w, "ip_packets"), u64(w, "malformed_packets"), u64(w, "flows_active"),
                                 u64(w, "flows_created"), u64(w, "records_exported"), u64(w, "ring_full_drops"),
                                 u64(w, "evictions")});
        }
    }
    s.batches_sent = u64(o, "batches_sent");
    s.batches_acked = u64(o, "batches_acked");
    s.batches_pending = u64(o, "batches_pending");
    s.export_drops = u64(o, "export_drops");
    s.last_sequence = u64(o, "last_sequence");
    s.uptime_ns = u64(o, "uptime_ns");
    return s;
}

}  // namespace

void store::write_probe_stats(const probe_stats& s) {
    guarded(*impl_, "write probe stats", [&] {
        probe_port_stats port_sum;
        for (const auto& p : s.ports) {
            port_sum.rx_packets += p.rx_packets;
            port_sum.rx_bytes += p.rx_bytes;
            port_sum.imissed += p.imissed;
            port_sum.rx_nombuf += p.rx_nombuf;
            port_sum.ierrors += p.ierrors;
        }
        probe_worker_stats w_sum;
        for (const auto& w : s.workers) {
            w_sum.packets += w.packets;
            w_sum.ip_packets += w.ip_packets;
            w_sum.malformed_packets += w.malformed_packets;
            w_sum.flows_active += w.flows_active;
            w_sum.flows_created += w.flows_created;
            w_sum.records_exported += w.records_exported;
            w_sum.ring_full_drops += w.ring_full_drops;
            w_sum.evictions += w.evictions;
        }
        const json::object doc = to_json(s);
        const std::string whole = json::serialize(doc);
        const std::string ports = json::serialize(doc.at("ports"));
        const std::string workers = json::serialize(doc.at("workers"));

        pqxx::work tx{impl_->connection()};
        // last_stats only moves forward in the probe's time within a boot; a
        // new boot_id always replaces it.
        tx.exec_params0(
            "INSERT INTO probes (probe_id, boot_id, last_stats_at, last_stats)"
            " VALUES ($1, $2, wf_ns_to_timestamptz($3), $4::jsonb)"
            " ON CONFLICT (probe_id) DO UPDATE SET last_seen = now(),"
            " boot_id = EXCLUDED.boot_id,"
            " last_stats_at = CASE WHEN probes.boot_id <> EXCLUDED.boot_id OR probes.last_stats_at IS NULL"
            "   OR EXCLUDED.last_stats_at >= probes.last_stats_at THEN EXCLUDED.last_stats_at ELSE probes.last_stats_at END,"
            " last_stats = CASE WHEN probes.boot_id <> EXCLUDED.boot_id OR probes.last_stats_at IS NULL"
            "   OR EXCLUDED.last_stats_at >= probes.last_stats_at THEN EXCLUDED.last_stats ELSE probes.last_stats END",
            s.probe_id, bits(s.boot_id), bits(s.time_ns), whole);
        tx.exec_params0(
            "INSERT INTO probe_stats (probe_id, boot_id, time_ns, ts, rx_packets, rx_bytes, imissed, rx_nombuf, ierrors,"
            " packets, ip_packets, malformed_packets, flows_active, flows_created, records_exported, ring_full_drops,"
            " evictions, batches_sent, batches_acked, batches_pending, export_drops, last_sequence, uptime_ns,"
            " ports, workers)"
            " VALUES ($1, $2, $3, wf_ns_to_timestamptz($3), $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,"
            " $17, $18, $19, $20, $21, $22, $23::jsonb, $24::jsonb)"
            " ON CONFLICT DO NOTHING",
            s.probe_id, bits(s.boot_id), bits(s.time_ns), bits(port_sum.rx_packets), bits(port_sum.rx_bytes),
            bits(port_sum.imissed), bits(port_sum.rx_nombuf), bits(port_sum.ierrors), bits(w_sum.packets),
            bits(w_sum.ip_packets), bits(w_sum.malformed_packets), bits(w_sum.flows_active),
            bits(w_sum.flows_created), bits(w_sum.records_exported), bits(w_sum.ring_full_drops),
            bits(w_sum.evictions), bits(s.batches_sent), bits(s.batches_acked), bits(s.batches_pending),
            bits(s.export_drops), bits(s.last_sequence), bits(s.uptime_ns), ports, workers);
        tx.commit();
    });
}

std::optional<probe_stats> store::latest_probe_stats(std::string_view probe_id) {
    return guarded(*impl_, "read probe stats", [&]() -> std::optional<probe_stats> {
        pqxx::nontransaction tx{impl_->connection()};
        const auto r =
            tx.exec_params("SELECT last_stats::text FROM probes WHERE probe_id = $1 AND last_stats IS NOT NULL",
                           std::string(probe_id));
        if (r.empty()) return std::nullopt;
        return from_json(json::parse(r[0][0].as<std::string>()).as_object());
    });
}

std::uint64_t store::count_probe_stats(std::string_view probe_id) {
    return guarded(*impl_, "count probe stats", [&] {
        pqxx::nontransaction tx{impl_->connection()};
        return static_cast<std::uint64_t>(
            tx.exec_params1("SELECT count(*) FROM probe_stats WHERE probe_id = $1", std::string(probe_id))[0]
                .as<long long>());
    });
}

}  // namespace wireflow::collector

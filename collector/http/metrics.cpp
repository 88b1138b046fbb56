// GET /metrics: the Prometheus text exposition format (version 0.0.4).
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

}  // namespace

reply metrics(call& c) {
    auto& a = c.svc.api;
    writer w;
    std::string_view family;
    for (const auto& row : a.counters()) {
        const std::string name = row.kind == counter_kind::counter ? row.name + "_total" : row.name;
        if (row.name != family)
            w.family(name, row.kind == counter_kind::counter ? "counter" : "gauge", row.help);
        family = row.name;
        w.sample(name, row.value,
                 row.label_name.empty() ? std::string() : row.label_name + "=\"" + label(row.label_value) + "\"");
    }
    const auto probes = a.probes();
    w.family("probe_up", "gauge", "1 while the probe reports statistics.");
    for (const auto& p : probes) w.sample("probe_up", p.up ? 1 : 0, "probe=\"" + label(p.probe_id) + "\"");
    w.family("probe_packets_total", "counter", "Packets received by the probe's NICs.");
    for (const auto& p : probes) w.sample("probe_packets_total", p.packets, "probe=\"" + label(p.probe_id) + "\"");
    w.family("probe_nic_drops_total", "counter", "Packets the probe's NICs dropped.");
    for (const auto& p : probes) w.sample("probe_nic_drops_total", p.nic_drops, "probe=\"" + label(p.probe_id) + "\"");
    w.family("probe_export_drops_total", "counter", "Records the probe could not export.");
    for (const auto& p : probes) w.sample("probe_export_drops_total", p.export_drops, "probe=\"" + label(p.probe_id) + "\"");
    reply r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = w.take();
    return r;
}

}  // namespace wireflow::collector::http::handlers

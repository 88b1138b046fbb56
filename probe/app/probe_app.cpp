#include "app/probe_app.hpp"

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf_dyn.h>

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "capture/eal.hpp"
#include "capture/port.hpp"
#include "capture/worker.hpp"
#include "dpi/dpi_engine.hpp"
#include "export/exporter.hpp"
#include "export/record_ring.hpp"
#include "privileges.hpp"

namespace wireflow::probe {

std::string_view name(capture_status s) noexcept {
    switch (s) {
    case capture_status::pending: return "pending";
    case capture_status::ok: return "ok";
    case capture_status::refused: return "refused";
    case capture_status::unreadable: return "unreadable";
    case capture_status::error: return "error";
    }
    return "unknown";
}

namespace {

constexpr const char* program = "wireflow-probe";

unsigned usable_cpus() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
    return static_cast<unsigned>(CPU_COUNT(&set));
}

// One replayed file, inspected before the EAL starts.

struct launch_slot {
    worker* w{nullptr};
    const std::atomic<bool>* stop{nullptr};
    std::atomic<bool> done{false};
};

int lcore_entry(void* arg) {
    auto* slot = static_cast<launch_slot*>(arg);
    slot->w->run(*slot->stop);
    slot->done.store(true, std::memory_order_release);
    return 0;
}

}  // namespace

probe_app::probe_app(probe_config cfg, const std::atomic<bool>& signalled)
    : cfg_(std::move(cfg)), signalled_(signalled) {}

// On an error path workers may still run: stop them before anything they use goes.
probe_app::~probe_app() {
    if (!eal_) return;
    stop_workers_.store(true);
    rte_eal_mp_wait_lcore();
    updates_.reset();
    exporter_.reset();
}

void probe_app::inspect_captures() {
    for (const auto& path : cfg_.pcaps) {
        capture_job job;
        try {
            job.info = inspect_capture(path);
        } catch (const std::exception& e) {
            job.info.path = path;
            job.status = capture_status::unreadable;
            std::fprintf(stderr, "%s: %s\n", program, e.what());
            captures_.push_back(std::move(job));
            continue;
        }
        job.link = link_type_from_pcap(job.info.pcap_link_type);
        if (!job.link) {
            // Never guess Ethernet: frames of another link type would be
            // misparsed into garbage flows.
            job.status = capture_status::refused;
            std::fprintf(stderr, "%s: capture %s has link type %d (%s), which the probe does not dissect\n", program,
                         path.c_str(), job.info.pcap_link_type, job.info.link_type_name.c_str());
        } else {
            job.status = capture_status::pending;
        }
        captures_.push_back(std::move(job));
    }
}

probe_app::pool_size probe_app::mbufs_needed(unsigned n_workers) const {
    // Every RX descriptor of every queue can hold an mbuf, plus per-lcore
    // caches and bursts in flight; at least 8191 (a 2^n - 1 mempool size).
    std::uint64_t mbufs = std::max(8191u, n_workers * (capture_port::rx_descriptors + 2 * 32 + 256) * 2 + 1023);
    std::uint16_t room = mbuf_pool::default_data_room;
    if (cfg_.pcap_loop) {
        // net_pcap's infinite_rx copies the whole file into mbufs when the
        // queue is set up: one mbuf per frame (chained when the frame is
        // longer than the data room), so the pool holds the file. Mbufs
        // only as large as the longest frame keep a snapped capture small.
        for (const auto& j : captures_) {
            if (j.status != capture_status::pending) continue;
            const std::uint32_t caplen = std::max<std::uint32_t>(j.info.max_caplen, 64);
            if (caplen < room) room = static_cast<std::uint16_t>((caplen + 63) / 64 * 64);
            const std::uint64_t segments = (caplen + room - 1) / room;
            mbufs += j.info.packets * segments;
        }
    }
    if (cfg_.mbufs != 0) mbufs = cfg_.mbufs;
    if (mbufs > (1u << 30)) throw std::runtime_error("the capture needs more than 2^30 mbufs: give --mbufs");
    return {static_cast<unsigned>(mbufs), room};
}

void probe_app::setup_workers() {
    unsigned lcore = 0;
    RTE_LCORE_FOREACH_WORKER(lcore) lcores_.push_back(lcore);
    if (lcores_.empty()) throw std::runtime_error("no worker lcore: give the EAL at least two lcores (-l 0-1)");
    if (!cfg_.eal_args_given && lcores_.size() > cfg_.workers) lcores_.resize(cfg_.workers);

    const unsigned n_workers = static_cast<unsigned>(lcores_.size());
    const pool_size ps = mbufs_needed(n_workers);
    pool_ = std::make_unique<mbuf_pool>("wf_mbufs", ps.mbufs, static_cast<int>(rte_socket_id()), ps.data_room);

    for (unsigned i = 0; i < n_workers; ++i) {
        rings_.push_back(std::make_unique<record_ring>("wf_records_" + std::to_string(i), cfg_.ring_records,
                                                       static_cast<int>(rte_lcore_to_socket_id(lcores_[i]))));
        flow_table_config t;
        t.capacity = cfg_.max_flows;
        t.idle_timeout_ns = static_cast<std::uint64_t>(cfg_.idle_timeout_s * 1e9);
        t.active_timeout_ns = static_cast<std::uint64_t>(cfg_.active_timeout_s * 1e9);
        t.worker = static_cast<std::uint16_t>(i);
        if (cfg_.no_dpi) {
            dpi_.push_back(nullptr);
        } else {
            dpi_config d;
            d.slots = cfg_.max_flows;
            d.pool_size = std::min<std::uint32_t>(cfg_.max_flows, cfg_.dpi_states);
            dpi_.push_back(std::make_unique<dpi_engine>(d));
        }
        worker_updates u;
        if (updates_wanted()) {
            update_rings_.push_back(std::make_unique<record_ring>("wf_updates_" + std::to_string(i), update_ring_records,
                                                                  static_cast<int>(rte_lcore_to_socket_id(lcores_[i]))));
            u.ring = update_rings_.back().get();
            u.period_ns = static_cast<std::uint64_t>(cfg_.flow_update_s * 1e9);
            u.max_per_s = std::max<std::uint64_t>(1, cfg_.flow_update_max_rate / n_workers);
        }
        workers_.push_back(
            std::make_unique<worker>(static_cast<std::uint16_t>(i), t, *rings_.back(), dpi_.back().get(), u));
    }
}

bool probe_app::run_workers(const std::vector<unsigned>& which) {
    std::vector<std::unique_ptr<launch_slot>> slots;
    for (unsigned i : which) {
        auto s = std::make_unique<launch_slot>();
        s->w = workers_[i].get();
        s->stop = &stop_workers_;
        if (rte_eal_remote_launch(lcore_entry, s.get(), lcores_[i]) != 0)
            throw std::runtime_error("cannot launch worker " + std::to_string(i) + " on lcore " +
                                     std::to_string(lcores_[i]));
        slots.push_back(std::move(s));
    }
    bool stopped = false;
    for (;;) {
        bool all_done = true;
        for (const auto& s : slots) all_done = all_done && s->done.load(std::memory_order_acquire);
        if (all_done) break;
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
        if (!stopped && (signalled_.load(std::memory_order_relaxed) || (cfg_.duration_s > 0 && elapsed >= cfg_.duration_s))) {
            stop_workers_.store(true, std::memory_order_relaxed);
            stopped = true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));  // control plane: short files end fast
    }
    for (unsigned i : which) rte_eal_wait_lcore(lcores_[i]);
    return stopped;
}

void probe_app::retire_port(std::unique_ptr<capture_port>& p) {
    std::lock_guard lock(ports_mu_);
    const port_stats s = p->stats();
    retired_nic_drops_ += s.imissed + s.rx_nombuf;
    p.reset();
}

void probe_app::run_captures() {
    std::size_t seq = 0;
    for (auto& job : captures_) {
        if (job.status != capture_status::pending) continue;
        if (stop_workers_.load()) break;
        // Device arguments are comma-separated key=value pairs: a path holding
        // ',' would be cut, so such a file is reached through a symlink.
        std::string path = job.info.path;
        std::filesystem::path link_dir;
        if (path.find_first_of(",;") != std::string::npos) {
            char tmpl[] = "/tmp/wireflow-probe-XXXXXX";
            if (mkdtemp(tmpl) == nullptr) throw std::runtime_error("cannot create a temporary directory");
            link_dir = tmpl;
            std::filesystem::create_symlink(std::filesystem::absolute(path), link_dir / "capture");
            path = (link_dir / "capture").string();
        }
        struct remove_dir {
            std::filesystem::path p;
            ~remove_dir() {
                std::error_code ec;
                if (!p.empty()) std::filesystem::remove_all(p, ec);
            }
        } cleanup{link_dir};
        std::string args = "rx_pcap=" + path;
        if (cfg_.pcap_loop) args += ",infinite_rx=1";
        std::unique_ptr<capture_port> port;
        try {
            port = std::make_unique<capture_port>("net_pcap" + std::to_string(seq++), args, 1, pool_->get());
        } catch (const std::exception& e) {
            job.status = capture_status::error;
            std::fprintf(stderr, "%s: capture %s: %s\n", program, job.info.path.c_str(), e.what());
            continue;
        }
        worker_job wj;
        wj.targets = {{port->id(), 0}};
        wj.link = *job.link;
        wj.offline = !cfg_.pcap_loop;
        wj.wait_for_ring = true;
        wj.expected_packets = job.info.packets;
        // net_pcap stamps each mbuf with the record's time in microseconds
        // (pcap_open_offline scales nanosecond files to microseconds) through
        // the standard RX timestamp dynamic field; its infinite_rx mode does
        // not, and those packets get wall-clock time.
        wj.timestamp_offset = rte_mbuf_dynfield_lookup(RTE_MBUF_DYNFIELD_TIMESTAMP_NAME, nullptr);
        const int bit = rte_mbuf_dynflag_lookup(RTE_MBUF_DYNFLAG_RX_TIMESTAMP_NAME, nullptr);
        wj.timestamp_flag = (wj.timestamp_offset >= 0 && bit >= 0) ? (1ull << bit) : 0;
        wj.timestamp_unit_ns = 1000;
        workers_[0]->assign(std::move(wj));
        {
            std::lock_guard lock(ports_mu_);
            ports_.push_back(std::move(port));
        }
        const auto rx_start = std::chrono::steady_clock::now();
        run_workers({0});
        rx_s_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - rx_start).count();
        std::unique_ptr<capture_port> done;
        {
            std::lock_guard lock(ports_mu_);
            done = std::move(ports_.back());
            ports_.pop_back();
        }
        retire_port(done);
        job.status = capture_status::ok;
    }
}

void probe_app::run_live_ports() {
    std::vector<std::uint16_t> ids;
    std::uint16_t id = 0;
    RTE_ETH_FOREACH_DEV(id) ids.push_back(id);
    if (ids.empty()) throw std::runtime_error("no DPDK port to capture from (check --port / --interface / EAL args)");
    std::vector<worker_job> jobs(workers_.size());
    {
        std::lock_guard lock(ports_mu_);
        for (std::uint16_t pid : ids) {
            ports_.push_back(std::make_unique<capture_port>(pid, static_cast<std::uint16_t>(workers_.size()),
                                                             pool_->get()));
            // Queue q of every port goes to worker q: with symmetric RSS both
            // directions of a flow land on the same worker.
            for (std::uint16_t q = 0; q < ports_.back()->queues(); ++q)
                jobs[q % jobs.size()].targets.push_back({pid, q});
        }
    }
    wireflow::drop_privileges(cfg_.user, std::array{std::filesystem::path(cfg_.spool_dir)});  // ports are set up
    std::vector<unsigned> which;
    for (unsigned i = 0; i < jobs.size(); ++i) {
        if (jobs[i].targets.empty()) continue;  // fewer queues than workers (virtual devices): worker idle
        jobs[i].link = link_type::ethernet;
        workers_[i]->assign(std::move(jobs[i]));
        which.push_back(i);
    }
    run_workers(which);
    std::lock_guard lock(ports_mu_);
    for (auto& p : ports_) {
        const port_stats s = p->stats();
        retired_nic_drops_ += s.imissed + s.rx_nombuf;
    }
    ports_.clear();
}

void probe_app::fill_stats(probe_stats& s) {
    {
        std::lock_guard lock(ports_mu_);
        for (const auto& p : ports_) s.ports.push_back(p->stats());
    }
    for (std::size_t i = 0; i < workers_.size(); ++i) {
        const worker_counters& c = workers_[i]->counters();
        worker_stats w;
        w.worker = static_cast<std::uint32_t>(i);
        w.packets = c.packets.load(std::memory_order_relaxed);
        w.ip_packets = count_of(c, parse_status::ok);
        w.malformed_packets = malformed_of(c);
        w.flows_active = c.flows_active.load(std::memory_order_relaxed);
        w.flows_created = c.flows_created.load(std::memory_order_relaxed);
        w.records_exported = c.records.load(std::memory_order_relaxed);
        w.ring_full_drops = rings_[i]->full_drops();
        w.evictions = c.evictions.load(std::memory_order_relaxed);
        s.workers.push_back(w);
    }
}

void probe_app::write_summary() const {
    namespace json = boost::json;
    json::object o;
    std::uint64_t rx = 0, ip = 0, non_ip = 0, flows = 0;
    std::array<std::uint64_t, parse_status_count> reasons{};
    json::array workers;
    for (std::size_t i = 0; i < workers_.size(); ++i) {
        const worker_counters& c = workers_[i]->counters();
        const std::uint64_t packets = c.packets.load(std::memory_order_relaxed);
        const std::uint64_t created = c.flows_created.load(std::memory_order_relaxed);
        rx += packets;
        ip += count_of(c, parse_status::ok);
        non_ip += count_of(c, parse_status::not_ip);
        flows += created;
        for (std::size_t r = 0; r < parse_status_count; ++r) reasons[r] += c.by_status[r].load(std::memory_order_relaxed);
        workers.push_back(json::object{{"worker", i}, {"packets", packets}, {"flows", created}});
    }
    json::object malformed;
    for (std::size_t r = 0; r < parse_status_count; ++r) {
        const auto st = static_cast<parse_status>(r);
        if (st == parse_status::ok || st == parse_status::not_ip) continue;
        malformed[std::string(name(st))] = reasons[r];
    }
    o["rx_packets"] = rx;
    o["ip_packets"] = ip;
    o["non_ip_packets"] = non_ip;
    o["malformed_packets"] = std::move(malformed);
    o["flows_created"] = flows;
    o["records_exported"] = export_counters_.records_exported;
    o["export_drops"] = export_counters_.export_drops;
    o["batches_sent"] = export_counters_.batches_sent;
    o["batches_acked"] = export_counters_.batches_acked;
    o["unacknowledged_batches"] = export_counters_.unacknowledged_batches;
    o["unacknowledged_records"] = export_counters_.unacknowledged_records;
    o["collector_disconnects"] = export_counters_.disconnects;
    o["nic_drops"] = retired_nic_drops_;
    o["elapsed_seconds"] = elapsed_s_;
    o["rx_seconds"] = rx_s_;
    std::string lt = "ethernet";
    json::array caps;
    bool first = true;
    for (const auto& c : captures_) {
        const std::string this_lt = c.link ? std::string(name(*c.link)) : c.info.link_type_name;
        if (c.status == capture_status::ok) {
            lt = first || lt == this_lt ? this_lt : "mixed";
            first = false;
        }
        caps.push_back(json::object{{"file", c.info.path},
                                    {"link_type", this_lt},
                                    {"pcap_link_type", c.info.pcap_link_type},
                                    {"packets", c.info.packets},
                                    {"status", std::string(name(c.status))}});
    }
    o["link_type"] = lt;
    o["workers"] = std::move(workers);
    if (!captures_.empty()) o["captures"] = std::move(caps);
    std::ofstream out(cfg_.summary_json);
    out << json::serialize(o) << '\n';
    if (!out) throw std::runtime_error("cannot write --summary-json " + cfg_.summary_json);
}

int probe_app::run() {
    inspect_captures();
    const bool any_pending =
        std::any_of(captures_.begin(), captures_.end(), [](const capture_job& j) { return j.status == capture_status::pending; });
    const bool any_failed = std::any_of(captures_.begin(), captures_.end(),
                                        [](const capture_job& j) { return j.status != capture_status::pending; });
    if (!cfg_.pcaps.empty() && !any_pending) return 1;  // every file refused: each said why

    const std::string unique = std::to_string(getpid());
    eal_ = std::make_unique<eal_session>(build_eal_args(cfg_, program, unique, usable_cpus()), !cfg_.eal_args_given);
    setup_workers();

    exporter_config ec;
    ec.probe_id = cfg_.probe_id;
    ec.collector = cfg_.collector;
    ec.batch_records = cfg_.batch_records;
    ec.batch_ms = std::chrono::milliseconds(cfg_.batch_ms);
    ec.buffer_batches = cfg_.buffer_batches;
    ec.spool_dir = cfg_.spool_dir;
    ec.spool_max_mb = cfg_.spool_max_mb;
    ec.stats_interval = std::chrono::milliseconds(static_cast<long long>(cfg_.stats_interval_s * 1000));
    ec.linger = std::chrono::milliseconds(
        static_cast<long long>(cfg_.linger_s.value_or(cfg_.collector == "none" ? 0.0 : 10.0) * 1000));
    ec.dump_flows = cfg_.dump_flows;
    ec.curve_server_key = cfg_.curve_server_key;
    ec.curve_public_key = cfg_.curve_public_key;
    ec.curve_secret_key = cfg_.curve_secret_key;
    std::vector<record_ring*> rings;
    for (auto& r : rings_) rings.push_back(r.get());
    exporter_ = std::make_unique<exporter>(ec, rings, [this](probe_stats& s) { fill_stats(s); });
    if (!update_rings_.empty()) {
        update_exporter_config uc;
        uc.probe_id = cfg_.probe_id;
        uc.collector = {cfg_.collector, cfg_.curve_server_key, cfg_.curve_public_key, cfg_.curve_secret_key};
        uc.interval = std::chrono::milliseconds(static_cast<long long>(cfg_.flow_update_s * 1000));
        std::vector<record_ring*> urings;
        for (auto& r : update_rings_) urings.push_back(r.get());
        updates_ = std::make_unique<update_exporter>(uc, urings, exporter_->boot_id());
    }

    started_ = std::chrono::steady_clock::now();
    if (!cfg_.pcaps.empty()) wireflow::drop_privileges(cfg_.user, std::array{std::filesystem::path(cfg_.spool_dir)});
    if (!cfg_.pcaps.empty()) run_captures();
    else run_live_ports();
    elapsed_s_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();

    if (updates_) updates_->stop();  // lossy: what is left in its rings is not sent
    exporter_->stop();
    export_counters_ = exporter_->counters();
    if (!cfg_.summary_json.empty()) write_summary();
    const bool later_failed = std::any_of(captures_.begin(), captures_.end(),
                                          [](const capture_job& j) { return j.status == capture_status::error; });
    return any_failed || later_failed ? 1 : 0;
}


}  // namespace wireflow::probe

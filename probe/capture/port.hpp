#pragma once
// One DPDK ethernet port set up for capture: N RX queues (one per worker that
// polls it), symmetric RSS when there is more than one queue, promiscuous,
// started. RAII: stopped and closed at destruction; a port hot-plugged from a
// vdev string (pcap replay) is also removed.

#include <cstdint>
#include <string>

#include "export/probe_stats.hpp"

struct rte_mempool;

namespace wireflow::probe {

// Mbuf pool, RAII. `data_room` excludes the headroom (RTE_PKTMBUF_HEADROOM).
class mbuf_pool {
public:
    static constexpr std::uint16_t default_data_room = 2048;
    mbuf_pool(const std::string& name, unsigned mbufs, int socket_id, std::uint16_t data_room = default_data_room);
    ~mbuf_pool();
    mbuf_pool(const mbuf_pool&) = delete;
    mbuf_pool& operator=(const mbuf_pool&) = delete;
    [[nodiscard]] rte_mempool* get() const noexcept { return pool_; }

private:
    rte_mempool* pool_;
};

class capture_port {
public:
    static constexpr std::uint16_t rx_descriptors = 1024;

    // Sets up an already probed port. `wanted_queues` is capped by what the
    // device offers (virtual devices often have one queue); queues() tells.
    capture_port(std::uint16_t port_id, std::uint16_t wanted_queues, rte_mempool* pool);
    // Hot-plugs a virtual device ("net_pcap7", "rx_pcap=/x.pcap"), then sets it up.
    capture_port(const std::string& vdev_name, const std::string& vdev_args, std::uint16_t wanted_queues,
                 rte_mempool* pool);
    ~capture_port();
    capture_port(const capture_port&) = delete;
    capture_port& operator=(const capture_port&) = delete;

    [[nodiscard]] std::uint16_t id() const noexcept { return port_id_; }
    [[nodiscard]] std::uint16_t queues() const noexcept { return queues_; }
    [[nodiscard]] const std::string& name() const noexcept { return name_; }
    // rte_eth_stats of the port (control plane only).
    [[nodiscard]] port_stats stats() const;

private:
    void setup(std::uint16_t wanted_queues, rte_mempool* pool);

    std::uint16_t port_id_{0};
    std::uint16_t queues_{0};
    std::string name_;
    std::string vdev_name_;   // non-empty: hot-plugged, removed at destruction
    bool started_{false};
};

}  // namespace wireflow::probe

#include "capture/port.hpp"

#include <rte_bus_vdev.h>
#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include <algorithm>
#include <array>
#include <stdexcept>

namespace wireflow::probe {

namespace {

// Toeplitz key of repeating 0x6d5a: with it the hash of (src, dst) equals the
// hash of (dst, src), so both directions of a flow reach the same queue and
// the same worker's flow table (Woo & Park, "Scalable TCP Session Monitoring
// with Symmetric Receive-side Scaling", 2012).
constexpr std::array<std::uint8_t, 40> symmetric_rss_key = [] {
    std::array<std::uint8_t, 40> k{};
    for (std::size_t i = 0; i < k.size(); i += 2) {
        k[i] = 0x6d;
        k[i + 1] = 0x5a;
    }
    return k;
}();

[[noreturn]] void fail(const std::string& what, int rc) {
    throw std::runtime_error(what + ": " + rte_strerror(rc < 0 ? -rc : rc));
}

}  // namespace

mbuf_pool::mbuf_pool(const std::string& name, unsigned mbufs, int socket_id, std::uint16_t data_room)
    : pool_(rte_pktmbuf_pool_create(name.c_str(), mbufs, 256, 0,
                                    static_cast<std::uint16_t>(data_room + RTE_PKTMBUF_HEADROOM), socket_id)) {
    if (pool_ == nullptr) fail("cannot create mbuf pool " + name, rte_errno);
}

mbuf_pool::~mbuf_pool() { rte_mempool_free(pool_); }

capture_port::capture_port(std::uint16_t port_id, std::uint16_t wanted_queues, rte_mempool* pool)
    : port_id_(port_id) {
    setup(wanted_queues, pool);
}

capture_port::capture_port(const std::string& vdev_name, const std::string& vdev_args, std::uint16_t wanted_queues,
                           rte_mempool* pool) {
    const int rc = rte_eal_hotplug_add("vdev", vdev_name.c_str(), vdev_args.c_str());
    if (rc < 0) fail("cannot create device " + vdev_name + "," + vdev_args, rc);
    vdev_name_ = vdev_name;
    if (rte_eth_dev_get_port_by_name(vdev_name.c_str(), &port_id_) != 0) {
        rte_eal_hotplug_remove("vdev", vdev_name.c_str());
        throw std::runtime_error("device " + vdev_name + " has no ethernet port");
    }
    try {
        setup(wanted_queues, pool);
    } catch (...) {
        rte_eth_dev_close(port_id_);
        rte_eal_hotplug_remove("vdev", vdev_name_.c_str());
        throw;
    }
}

void capture_port::setup(std::uint16_t wanted_queues, rte_mempool* pool) {
    char name[RTE_ETH_NAME_MAX_LEN] = {};
    rte_eth_dev_get_name_by_port(port_id_, name);
    name_ = name;
    rte_eth_dev_info info{};
    int rc = rte_eth_dev_info_get(port_id_, &info);
    if (rc != 0) fail("port " + name_ + ": no device info", rc);
    queues_ = std::max<std::uint16_t>(1, std::min<std::uint16_t>(wanted_queues, info.max_rx_queues));

    rte_eth_conf conf{};
    std::array<std::uint8_t, 40> key = symmetric_rss_key;
    if (queues_ > 1) {
        conf.rx_adv_conf.rss_conf.rss_hf =
            (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP) & info.flow_type_rss_offloads;
        if (conf.rx_adv_conf.rss_conf.rss_hf != 0) {
            conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
            // A device whose key has another size keeps its default key.
            if (info.hash_key_size == 0 || info.hash_key_size == key.size()) {
                conf.rx_adv_conf.rss_conf.rss_key = key.data();
                conf.rx_adv_conf.rss_conf.rss_key_len = static_cast<std::uint8_t>(key.size());
            }
        }
        // No RSS: every queue is still set up and polled, since such a device
        // may spread packets itself; an unpolled queue would lose its share.
    }
    rc = rte_eth_dev_configure(port_id_, queues_, 0, &conf);
    if (rc != 0) fail("port " + name_ + ": configure with " + std::to_string(queues_) + " RX queues", rc);
    std::uint16_t rxd = rx_descriptors, txd = 0;
    rte_eth_dev_adjust_nb_rx_tx_desc(port_id_, &rxd, &txd);
    const int socket = rte_eth_dev_socket_id(port_id_);
    for (std::uint16_t q = 0; q < queues_; ++q) {
        rc = rte_eth_rx_queue_setup(port_id_, q, rxd, socket < 0 ? 0 : static_cast<unsigned>(socket), nullptr, pool);
        if (rc != 0) fail("port " + name_ + ": RX queue " + std::to_string(q), rc);
    }
    rc = rte_eth_dev_start(port_id_);
    if (rc != 0) fail("port " + name_ + ": start", rc);
    started_ = true;
    // Virtual devices may not support it; capture still works on what they see.
    (void)rte_eth_promiscuous_enable(port_id_);
}

capture_port::~capture_port() {
    if (started_) (void)rte_eth_dev_stop(port_id_);
    (void)rte_eth_dev_close(port_id_);
    if (!vdev_name_.empty()) (void)rte_eal_hotplug_remove("vdev", vdev_name_.c_str());
}

port_stats capture_port::stats() const {
    port_stats out;
    out.port_id = port_id_;
    out.name = name_;
    rte_eth_stats s{};
    if (rte_eth_stats_get(port_id_, &s) == 0) {
        out.rx_packets = s.ipackets;
        out.rx_bytes = s.ibytes;
        out.imissed = s.imissed;
        out.rx_nombuf = s.rx_nombuf;
        out.ierrors = s.ierrors;
    }
    return out;
}

}  // namespace wireflow::probe

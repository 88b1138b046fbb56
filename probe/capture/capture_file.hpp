#pragma once
// What the probe needs to know about a pcap/pcapng file before replaying it:
// its link type (to pick the dissector and refuse what it cannot dissect, never
// guessing Ethernet) and how many packets libpcap can read from it (to detect
// the end of the replay, see worker.hpp). Uses libpcap only: no DPDK.

#include <cstdint>
#include <string>

namespace wireflow::probe {

struct capture_file_info {
    std::string path;
    int pcap_link_type{-1};       // LINKTYPE_* of the file (first interface for pcapng)
    std::string link_type_name;   // e.g. "EN10MB", "IEEE802_11_RADIO"; "unknown" if libpcap has none
    std::uint64_t packets{0};     // records libpcap returns before end of file or the first read error
    std::uint32_t max_caplen{0};  // longest captured frame (sizes the mbufs of an in-memory replay)
    bool read_error{false};       // the file ends with an unreadable record (truncated, corrupt)
};

// Opens and reads the whole file. Throws std::runtime_error with a one-line
// message naming the file when libpcap cannot open it.
[[nodiscard]] capture_file_info inspect_capture(const std::string& path);

}  // namespace wireflow::probe

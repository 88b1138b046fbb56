#include "dissect/link_type.hpp"

namespace wireflow::probe {

std::optional<link_type> link_type_from_pcap(int linktype) noexcept {
    switch (linktype) {
    case 0: return link_type::null_bsd;
    case 1: return link_type::ethernet;
    // DLT_RAW is 12 on most systems and 14 on OpenBSD; libpcap's pcap_datalink()
    // maps LINKTYPE_RAW (101) in a file to the local DLT_RAW, so all three occur.
    // LINKTYPE_IPV4 (228) and LINKTYPE_IPV6 (229) are raw IP restricted to one family.
    case 12:
    case 14:
    case 101:
    case 228:
    case 229: return link_type::raw_ip;
    case 108: return link_type::loop;
    case 113: return link_type::linux_sll;
    case 276: return link_type::linux_sll2;
    default: return std::nullopt;
    }
}

std::string_view name(link_type t) noexcept {
    switch (t) {
    case link_type::null_bsd: return "null";
    case link_type::ethernet: return "ethernet";
    case link_type::raw_ip: return "raw";
    case link_type::loop: return "loop";
    case link_type::linux_sll: return "linux_sll";
    case link_type::linux_sll2: return "linux_sll2";
    }
    return "unknown";
}

}  // namespace wireflow::probe

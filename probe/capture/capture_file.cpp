#include "capture/capture_file.hpp"

#include <pcap/pcap.h>

#include <memory>
#include <stdexcept>

namespace wireflow::probe {

capture_file_info inspect_capture(const std::string& path) {
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    std::unique_ptr<pcap_t, decltype(&pcap_close)> p(pcap_open_offline(path.c_str(), errbuf), &pcap_close);
    if (!p) throw std::runtime_error("cannot read capture " + path + ": " + errbuf);
    capture_file_info info;
    info.path = path;
    info.pcap_link_type = pcap_datalink(p.get());
    const char* n = pcap_datalink_val_to_name(info.pcap_link_type);
    info.link_type_name = n != nullptr ? n : "unknown";
    pcap_pkthdr* h = nullptr;
    const u_char* data = nullptr;
    for (;;) {
        const int r = pcap_next_ex(p.get(), &h, &data);
        if (r == 1) {
            ++info.packets;
            if (h->caplen > info.max_caplen) info.max_caplen = h->caplen;
            continue;
        }
        info.read_error = r == PCAP_ERROR;
        break;
    }
    return info;
}

}  // namespace wireflow::probe

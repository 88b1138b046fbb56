// Dissector throughput on real traffic: loads every capture under a folder
// into memory, then dissects all frames repeatedly and prints ns per frame.
// Not a test (no timing assertions); figures go in reports.
//   ninja -C BUILD probe/dissect/dissect_bench && BUILD/probe/dissect/dissect_bench /work/shared/corpus/real

#include <pcap/pcap.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include "dissect/dissect.hpp"

using namespace wireflow::probe;

namespace {
struct frame {
    link_type lt;
    std::size_t offset, size;
};
}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s CAPTURE_DIR [ROUNDS]\n", argv[0]);
        return 2;
    }
    const int rounds = argc > 2 ? std::atoi(argv[2]) : 20;
    std::vector<std::byte> store;
    std::vector<frame> frames;
    for (const auto& e : std::filesystem::recursive_directory_iterator(argv[1])) {
        if (!e.is_regular_file()) continue;
        char err[PCAP_ERRBUF_SIZE];
        pcap_t* p = pcap_open_offline(e.path().c_str(), err);
        if (p == nullptr) continue;
        if (const auto lt = link_type_from_pcap(pcap_datalink(p))) {
            pcap_pkthdr* h = nullptr;
            const u_char* d = nullptr;
            while (pcap_next_ex(p, &h, &d) == 1) {
                frames.push_back({*lt, store.size(), h->caplen});
                store.resize(store.size() + h->caplen);
                std::memcpy(store.data() + frames.back().offset, d, h->caplen);
            }
        }
        pcap_close(p);
    }
    if (frames.empty()) {
        std::fprintf(stderr, "no frames under %s\n", argv[1]);
        return 1;
    }
    std::uint64_t ok = 0;
    const auto t0 = std::chrono::steady_clock::now();
    for (int r = 0; r < rounds; ++r)
        for (const auto& f : frames) {
            const auto s = dissect(f.lt, std::span<const std::byte>(store.data() + f.offset, f.size));
            ok += s.status == parse_status::ok;
        }
    const double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
    const double per = ns / (static_cast<double>(frames.size()) * rounds);
    std::printf("%zu frames x %d rounds: %.1f ns/frame (%.1f Mframes/s), %.1f%% ok\n", frames.size(), rounds, per,
                1e3 / per, 100.0 * static_cast<double>(ok) / (static_cast<double>(frames.size()) * rounds));
    return 0;
}

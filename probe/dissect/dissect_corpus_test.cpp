// Dissects every packet of the real and malformed capture corpora. Under
// AddressSanitizer this proves the dissector never reads outside a frame on
// real traffic and on tcpdump's crash reproducers; the assertions check that
// every packet got exactly one status and that offsets stay inside the frame.

#include <catch2/catch.hpp>

#include <pcap/pcap.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "dissect/dissect.hpp"

using namespace wireflow::probe;
namespace fs = std::filesystem;

namespace {

struct pcap_closer {
    void operator()(pcap_t* p) const noexcept { pcap_close(p); }
};
using pcap_handle = std::unique_ptr<pcap_t, pcap_closer>;

struct tally {
    std::array<std::uint64_t, parse_status_count> by_status{};
    std::uint64_t packets = 0;
    std::uint64_t files = 0;
    std::uint64_t unreadable_files = 0;  // pcap_open_offline refused them
    std::uint64_t cut_files = 0;         // reading stopped on a damaged record
    std::uint64_t offset_violations = 0;
};

void check_summary(const packet_summary& s, std::size_t caplen, tally& t) {
    bool bad = s.l3_offset > caplen;
    if (s.has_l4)
        bad = bad || s.status != parse_status::ok || s.l4_offset >= s.payload_offset ||
              std::size_t{s.payload_offset} + s.payload_len > caplen;
    if (s.status == parse_status::ok) bad = bad || (s.ip_version != 4 && s.ip_version != 6);
    if (bad) ++t.offset_violations;
}

void dissect_file(const fs::path& path, tally& t) {
    char err[PCAP_ERRBUF_SIZE] = {};
    pcap_handle p{pcap_open_offline(path.c_str(), err)};
    ++t.files;
    if (!p) {
        ++t.unreadable_files;
        return;
    }
    const int dlt = pcap_datalink(p.get());
    const auto lt = link_type_from_pcap(dlt);
    for (;;) {
        pcap_pkthdr* hdr = nullptr;
        const u_char* data = nullptr;
        const int rc = pcap_next_ex(p.get(), &hdr, &data);
        if (rc == PCAP_ERROR_BREAK) break;
        if (rc != 1) {
            ++t.cut_files;
            break;
        }
        ++t.packets;
        packet_summary s;
        if (!lt) {
            // Unsupported links are refused before any byte is looked at.
            s = dissect(static_cast<link_type>(dlt), std::span<const std::byte>{});
            REQUIRE(s.status == parse_status::unsupported_link);
        } else {
            // An exact-size copy, so ASan sees any read past caplen.
            auto buf = std::make_unique<std::byte[]>(std::max<std::size_t>(hdr->caplen, 1));
            std::memcpy(buf.get(), data, hdr->caplen);
            s = dissect(*lt, std::span<const std::byte>(buf.get(), hdr->caplen));
            check_summary(s, hdr->caplen, t);
        }
        ++t.by_status[static_cast<std::size_t>(s.status)];
    }
}

std::vector<fs::path> captures_under(const fs::path& dir) {
    std::vector<fs::path> files;
    for (const auto& e : fs::recursive_directory_iterator(dir))
        if (e.is_regular_file()) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    return files;
}

void report(const char* label, const tally& t) {
    std::cout << label << ": " << t.files << " files (" << t.unreadable_files << " unreadable, " << t.cut_files
              << " cut short), " << t.packets << " packets\n";
    for (std::size_t i = 0; i < parse_status_count; ++i)
        if (t.by_status[i] != 0)
            std::cout << "  " << name(static_cast<parse_status>(i)) << ": " << t.by_status[i] << "\n";
}

std::uint64_t sum(const tally& t) {
    std::uint64_t n = 0;
    for (auto c : t.by_status) n += c;
    return n;
}

}  // namespace

TEST_CASE("every packet of the capture corpus dissects to exactly one status within its frame", "[dissect][corpus]") {
    const char* env = std::getenv("WIREFLOW_CORPUS");
    if (env == nullptr || !fs::is_directory(fs::path(env) / "real") || !fs::is_directory(fs::path(env) / "malformed")) {
        WARN("WIREFLOW_CORPUS not set or lacks real/ and malformed/: corpus test skipped");
        return;
    }
    const fs::path root(env);

    tally real;
    for (const auto& f : captures_under(root / "real")) dissect_file(f, real);
    report("real", real);
    tally malformed;
    for (const auto& f : captures_under(root / "malformed")) dissect_file(f, malformed);
    report("malformed", malformed);

    for (const tally* t : {&real, &malformed}) {
        CHECK(sum(*t) == t->packets);
        CHECK(t->offset_violations == 0);
        CHECK(t->files > 0);
    }
    // The real captures are mostly well-formed IP: the dissector understands them.
    const auto ok = real.by_status[static_cast<std::size_t>(parse_status::ok)];
    CHECK(ok * 10 > real.packets * 9);
}

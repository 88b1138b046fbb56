// The pure dissector on one frame. Input: the frame's pcap LINKTYPE (2 bytes,
// big-endian; the seeds carry the capture's own), then the frame. A link type
// the probe refuses is still fed to dissect() as the enum value, which must
// answer unsupported_link. Beyond ASan/UBSan, the summary must stay inside
// the frame it describes.
#include <cstddef>
#include <cstdint>

#include "dissect/dissect.hpp"
#include "fuzz_input.hpp"

using namespace wireflow::probe;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    wireflow::fuzz::input in(data, size);
    const std::uint16_t linktype = in.u16();
    const auto frame_bytes = in.rest();
    const std::span<const std::byte> frame{reinterpret_cast<const std::byte*>(frame_bytes.data()), frame_bytes.size()};
    const auto known = link_type_from_pcap(linktype);
    const packet_summary s = dissect(known ? *known : static_cast<link_type>(linktype), frame);

    if (!known) FUZZ_CHECK(s.status == parse_status::unsupported_link);
    FUZZ_CHECK(s.status < parse_status::count_);
    (void)name(s.status);
    if (s.status != parse_status::ok) return 0;
    const std::size_t seen = frame.size() < 65535 ? frame.size() : 65535;
    FUZZ_CHECK(s.ip_version == 4 || s.ip_version == 6);
    FUZZ_CHECK(s.l3_offset < seen);
    if (s.later_fragment) FUZZ_CHECK(s.fragment && !s.has_l4);
    // An opened tunnel: an outer IP header, and the inner one whole inside the frame.
    if (s.tunnel != tunnel_type::none) {
        FUZZ_CHECK(s.outer_ip_version == 4 || s.outer_ip_version == 6);
        FUZZ_CHECK(std::size_t{s.l3_offset} + 20 <= seen);
    } else {
        FUZZ_CHECK(s.ip_length == s.l3_bytes);
    }
    if (s.has_l4) {
        FUZZ_CHECK(s.l3_offset < s.l4_offset && s.l4_offset <= s.payload_offset);
        FUZZ_CHECK(std::size_t{s.payload_offset} + s.payload_len <= seen);
    } else {
        FUZZ_CHECK(s.src.port == 0 && s.dst.port == 0);
    }
    return 0;
}

// The pure dissector on one frame. Input: the frame's pcap LINKTYPE (2 bytes,
// big-endian; the seeds carry the capture's own), then the frame. A link type
// the probe refuses is still fed to dissect() as the enum value, which must
// answer unsupported_link. Beyond ASan/UBSan, the summary must stay inside
// the frame it describes, and the name services' reading of a UDP packet
// (probe/dpi/name_claim.hpp, pure like the dissector) gives a valid claim
// or none.
#include <cstddef>
#include <cstdint>

#include <cstring>

#include "dissect/dissect.hpp"
#include "dpi/name_claim.hpp"
#include "fuzz_input.hpp"
#include "net/utf8.hpp"

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
    // The name services' own reading (dpi/name_claim.hpp) of any UDP packet,
    // as each service: a claim is a valid address and bounded valid text.
    udp_view udp;
    const auto* l3 = frame_bytes.data() + s.l3_offset;
    if (udp_of({l3, seen - s.l3_offset}, udp)) {
        FUZZ_CHECK(udp.payload.data() >= l3 && udp.payload.data() + udp.payload.size() <= frame_bytes.data() + seen);
        for (const auto service : {name_service::mdns, name_service::netbios, name_service::llmnr}) {
            udp.source_port = udp.destination_port = service == name_service::mdns ? 5353
                                                     : service == name_service::llmnr ? 5355 : 137;
            name_claim c;
            if (!read_claim(service, udp, c)) {
                FUZZ_CHECK(c.service == name_service::none);
                continue;
            }
            FUZZ_CHECK(c.service == service);
            FUZZ_CHECK(c.address_len == 4 || c.address_len == 16);
            const std::size_t n = strnlen(c.name, sizeof c.name);
            FUZZ_CHECK(n > 0 && n < sizeof c.name);
            FUZZ_CHECK(wireflow::net::valid_utf8_text({c.name, n}));
        }
    }
    return 0;
}

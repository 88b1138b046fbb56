#pragma once
// Names of DNS question types (RFC 1035 3.2.2, RFC 3596, RFC 2782, RFC 9460)
// and response codes (RFC 1035 4.1.1, RFC 2136) for the views; a code
// without a name here is shown by number ("TYPE65280", "RCODE11"), as
// RFC 3597 writes unknown types.

#include <cstdint>
#include <string>

namespace wireflow::collector {

[[nodiscard]] inline std::string dns_type_name(std::uint16_t t) {
    switch (t) {
    case 1: return "A";
    case 2: return "NS";
    case 5: return "CNAME";
    case 6: return "SOA";
    case 12: return "PTR";
    case 15: return "MX";
    case 16: return "TXT";
    case 28: return "AAAA";
    case 33: return "SRV";
    case 35: return "NAPTR";
    case 43: return "DS";
    case 48: return "DNSKEY";
    case 64: return "SVCB";
    case 65: return "HTTPS";
    case 255: return "ANY";
    }
    return "TYPE" + std::to_string(t);
}

[[nodiscard]] inline std::string dns_rcode_name(std::uint8_t r) {
    switch (r) {
    case 0: return "NOERROR";
    case 1: return "FORMERR";
    case 2: return "SERVFAIL";
    case 3: return "NXDOMAIN";
    case 4: return "NOTIMP";
    case 5: return "REFUSED";
    case 6: return "YXDOMAIN";
    case 7: return "YXRRSET";
    case 8: return "NXRRSET";
    case 9: return "NOTAUTH";
    case 10: return "NOTZONE";
    }
    return "RCODE" + std::to_string(r);
}

}  // namespace wireflow::collector

#pragma once
// Tests only: addresses from literals for crafted flow records. A literal
// that does not parse is a bug in the test, so it throws.

#include <stdexcept>
#include <string>
#include <string_view>

#include "net/ip_address.hpp"
#include "net/mac_address.hpp"

namespace wireflow::collector::testing {

inline net::ip_address ip(std::string_view text) {
    const auto a = net::ip_address::parse(text);
    if (!a) throw std::invalid_argument("test address: " + std::string(text));
    return *a;
}

inline net::mac_address mac(std::string_view text) {
    const auto m = net::mac_address::parse(text);
    if (!m) throw std::invalid_argument("test MAC: " + std::string(text));
    return *m;
}

}  // namespace wireflow::collector::testing

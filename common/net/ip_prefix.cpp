#include "net/ip_prefix.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cstring>

namespace wireflow::net {

namespace {

__extension__ using u128 = unsigned __int128;

void set_error(std::string* error, std::string_view what, std::string_view text) {
    if (error == nullptr) return;
    // Quote hostile input without letting it run long.
    *error = std::string(what) + " in '" + std::string(text.substr(0, 64)) + (text.size() > 64 ? "...'" : "'");
}

u128 key_of(const ip_address& a) noexcept {
    u128 k = 0;
    for (const auto b : a.octets()) k = (k << 8) | b;
    return k;
}

ip_address address_of(ip_family family, u128 key) noexcept {
    ip_address a;
    a.family = family;
    const std::size_t n = family == ip_family::v4 ? 4 : 16;
    for (std::size_t i = n; i-- > 0;) {
        a.bytes[i] = static_cast<std::uint8_t>(key);
        key >>= 8;
    }
    return a;
}

}  // namespace

ip_prefix ip_prefix::of(const ip_address& address, unsigned length) noexcept {
    ip_prefix p;
    p.length = static_cast<std::uint8_t>(std::min(length, address.bit_width()));
    p.address = address.masked(p.length);
    return p;
}

ip_address ip_prefix::last() const noexcept {
    ip_address a = address;
    const unsigned width = a.bit_width() / 8;
    for (unsigned i = 0; i < width; ++i) {
        const unsigned first_bit = i * 8;
        if (first_bit >= length) {
            a.bytes[i] = 0xFF;
        } else if (length - first_bit < 8) {
            a.bytes[i] |= static_cast<std::uint8_t>(0xFFu >> (length - first_bit));
        }
    }
    return a;
}

std::string ip_prefix::to_string() const { return address.to_string() + "/" + std::to_string(length); }

std::string ip_prefix::to_compact_string() const { return is_host() ? address.to_string() : to_string(); }

std::optional<parsed_prefix> parse_prefix(std::string_view text, std::string* error) {
    const auto slash = text.find('/');
    const auto address = ip_address::parse(text.substr(0, slash));
    if (!address) {
        set_error(error, "invalid IP address", text);
        return std::nullopt;
    }
    unsigned length = address->bit_width();
    if (slash != std::string_view::npos) {
        const std::string_view digits = text.substr(slash + 1);
        const char* end = digits.data() + digits.size();
        const auto [p, ec] = std::from_chars(digits.data(), end, length);
        if (digits.empty() || digits.size() > 3 || ec != std::errc{} || p != end) {
            set_error(error, "invalid prefix length", text);
            return std::nullopt;
        }
        if (length > address->bit_width()) {
            set_error(error, std::string("prefix length exceeds ") + std::to_string(address->bit_width()), text);
            return std::nullopt;
        }
    }
    parsed_prefix out;
    out.prefix = ip_prefix::of(*address, length);
    out.had_host_bits = out.prefix.address != *address;
    return out;
}

std::optional<ip_prefix> ip_prefix::parse(std::string_view text, std::string* error) {
    const auto p = parse_prefix(text, error);
    if (!p) return std::nullopt;
    if (p->had_host_bits) {
        set_error(error, std::string("host bits set (did you mean ") + p->prefix.to_string() + "?)", text);
        return std::nullopt;
    }
    return p->prefix;
}

std::vector<ip_prefix> range_to_prefixes(const ip_address& first, const ip_address& last) {
    std::vector<ip_prefix> out;
    if (first.family != last.family || !first.valid()) return out;
    const unsigned bits = first.bit_width();
    u128 lo = key_of(first);
    const u128 hi = key_of(last);
    if (lo > hi) return out;
    const auto block_last = [](u128 start, unsigned host_bits) {
        return host_bits >= 128 ? ~u128{0} : start + ((u128{1} << host_bits) - 1);
    };
    while (true) {
        // The largest block aligned at lo that does not pass hi.
        const auto low64 = static_cast<std::uint64_t>(lo);
        const unsigned trailing = lo == 0      ? bits
                                  : low64 != 0 ? static_cast<unsigned>(std::countr_zero(low64))
                                               : 64u + static_cast<unsigned>(std::countr_zero(static_cast<std::uint64_t>(lo >> 64)));
        unsigned host_bits = std::min(bits, trailing);
        while (host_bits > 0 && block_last(lo, host_bits) > hi) --host_bits;
        out.push_back(ip_prefix::of(address_of(first.family, lo), bits - host_bits));
        const u128 end = block_last(lo, host_bits);
        if (end >= hi) break;
        lo = end + 1;
    }
    return out;
}

}  // namespace wireflow::net

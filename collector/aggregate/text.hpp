#pragma once
// Building one-line messages. concat() instead of chains of "literal" +
// std::string: GCC 12 at -O2/-O3 reports a false -Wrestrict inside
// operator+(const char*, std::string&&) (GCC bug 105329), and CI builds with -Werror.

#include <initializer_list>
#include <string>
#include <string_view>

namespace wireflow::collector::aggregate {

[[nodiscard]] inline std::string concat(std::initializer_list<std::string_view> parts) {
    std::size_t n = 0;
    for (auto p : parts) n += p.size();
    std::string s;
    s.reserve(n);
    for (auto p : parts) s.append(p);
    return s;
}

}  // namespace wireflow::collector::aggregate

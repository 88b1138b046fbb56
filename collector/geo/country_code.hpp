#pragma once
// A country as ISO 3166-1 alpha-2: two upper-case ASCII letters, or empty
// when unknown. Two bytes, so a host entry and a flow record carry it by
// value. Database and REST text is hostile: parse() accepts exactly two
// ASCII letters (any case) and nothing else.

#include <array>
#include <optional>
#include <string_view>

namespace wireflow::collector::geo {

struct country_code {
    std::array<char, 2> letters{};  // {0, 0}: unknown

    [[nodiscard]] static constexpr std::optional<country_code> parse(std::string_view s) noexcept {
        if (s.size() != 2) return std::nullopt;
        country_code c;
        for (std::size_t i = 0; i < 2; ++i) {
            char ch = s[i];
            if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
            if (ch < 'A' || ch > 'Z') return std::nullopt;
            c.letters[i] = ch;
        }
        return c;
    }

    [[nodiscard]] constexpr bool empty() const noexcept { return letters[0] == 0; }
    // "DE", or "" when unknown.
    [[nodiscard]] constexpr std::string_view view() const noexcept {
        return empty() ? std::string_view() : std::string_view(letters.data(), 2);
    }
    friend constexpr bool operator==(const country_code&, const country_code&) = default;
};
static_assert(sizeof(country_code) == 2);

}  // namespace wireflow::collector::geo

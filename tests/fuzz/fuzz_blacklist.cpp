// Every blacklist format on downloaded text: the format spec (named or
// detected, as `--blacklist FORMAT:LOCATION` gives it), parse_list, the
// lookup structure built from the result, and the nftables file made from it.
//
// Input: a selector byte, then the list text. The selector's low three bits
// pick the format: 0 detected, 1 plain, 2 drop, 3 dshield, 4 csv by column
// number (the next byte), 5 csv by header name (the next line), 6 a whole
// `--blacklist` value on the first line (parse_located_spec, then
// source_from_option), 7 two lists in one blacklist_loader (the text split at
// the first NUL) so sources overlap.
//
// Beyond ASan/UBSan: every address a list yields must be matched by the set
// built from it, and with the right source.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "blacklist/blacklist_loader.hpp"
#include "blacklist/blacklist_set.hpp"
#include "blacklist/blacklist_source.hpp"
#include "blacklist/list_format.hpp"
#include "blacklist/nft_export.hpp"
#include "fuzz_input.hpp"

using namespace wireflow::collector::blacklist;

namespace {

void check_set(const parse_result& r) {
    const blacklist_set::source_list list{0, r.prefixes};
    const auto set = blacklist_set::build({{"fuzz", "blacklist"}}, {&list, 1}, 1);
    for (const auto& p : r.prefixes) FUZZ_CHECK(set->lookup(p.address).has(0));
    (void)to_nft_set(*set);
}

void load_two(std::string_view a, std::string_view b) {
    std::vector<blacklist_source> sources(2);
    sources[0].name = "a";
    sources[0].location = "https://lists.test/a";
    sources[1].name = "b";
    sources[1].location = "https://lists.test/b";
    blacklist_loader loader(std::move(sources));
    (void)loader.load_text(0, a);
    (void)loader.load_text(1, b);
    (void)loader.status();
    (void)to_nft_set(*loader.published().current());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    wireflow::fuzz::input in(data, size);
    const unsigned selector = in.u8() & 7;
    format_spec spec;
    switch (selector) {
    case 1: spec.format = list_format::plain; break;
    case 2: spec.format = list_format::drop; break;
    case 3: spec.format = list_format::dshield; break;
    case 4:
        spec.format = list_format::csv;
        spec.column.number = in.u8();
        break;
    case 5:
        spec.format = list_format::csv;
        spec.column.name = std::string(in.until('\n'));
        break;
    case 6: {
        const std::string_view option = in.until('\n');
        try {
            const located_spec located = parse_located_spec(option);
            spec = located.spec;
            (void)to_string(spec);
            (void)source_from_option(option);
        } catch (const std::invalid_argument&) {
            return 0;  // a configuration error, refused at start
        }
        break;
    }
    case 7: {
        const std::string_view a = in.until('\0');
        load_two(a, in.text(in.rest()));
        return 0;
    }
    default: break;
    }
    const std::string_view text = in.text(in.rest());
    (void)detect_format(text);
    const parse_result r = parse_list(text, spec);
    FUZZ_CHECK(r.broken.size() <= max_reported_broken_lines && r.broken.size() <= r.broken_count);
    check_set(r);
    return 0;
}

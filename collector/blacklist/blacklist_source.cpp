#include "blacklist/blacklist_source.hpp"

#include <vector>

namespace wireflow::collector::blacklist {

namespace {

blacklist_source known(std::string name, std::string category, list_format format, std::string url,
                       std::chrono::seconds interval) {
    blacklist_source s;
    s.name = std::move(name);
    s.category = std::move(category);
    s.format.format = format;
    s.location = std::move(url);
    s.update_interval = interval;
    s.enabled = false;
    return s;
}

const std::vector<blacklist_source>& table() {
    using std::chrono::hours;
    // Spamhaus asks clients not to fetch DROP more than once an hour; the
    // lists change daily at most. Feodo Tracker updates every 5 minutes but
    // asks for no more than one download per 5 minutes.
    static const std::vector<blacklist_source> sources{
        known("spamhaus-drop", "hijacked-network", list_format::drop, "https://www.spamhaus.org/drop/drop.txt", hours(12)),
        known("spamhaus-edrop", "hijacked-network", list_format::drop, "https://www.spamhaus.org/drop/edrop.txt", hours(12)),
        known("spamhaus-dropv6", "hijacked-network", list_format::drop, "https://www.spamhaus.org/drop/dropv6.txt", hours(12)),
        known("dshield", "scanner", list_format::dshield, "https://feeds.dshield.org/block.txt", hours(6)),
        known("feodo-tracker", "botnet-c2", list_format::plain, "https://feodotracker.abuse.ch/downloads/ipblocklist.txt", hours(1)),
        known("et-compromised", "compromised-host", list_format::plain, "https://rules.emergingthreats.net/blockrules/compromised-ips.txt", hours(24)),
        known("cins-army", "bad-reputation", list_format::plain, "https://cinsscore.com/list/ci-badguys.txt", hours(24)),
        known("blocklist-de", "attacker", list_format::plain, "https://lists.blocklist.de/lists/all.txt", hours(24)),
    };
    return sources;
}

}  // namespace

std::span<const blacklist_source> well_known_sources() { return table(); }

blacklist_source source_from_option(std::string_view value) {
    located_spec located = parse_located_spec(value);
    blacklist_source s;
    for (const auto& k : table()) {
        if (k.location == located.location) {
            s = k;
            s.enabled = true;
            if (located.spec.format != list_format::automatic) s.format = located.spec;
            return s;
        }
    }
    s.format = located.spec;
    s.location = std::move(located.location);
    s.category = "blacklist";
    const auto slash = s.location.find_last_of('/');
    s.name = slash == std::string::npos ? s.location : s.location.substr(slash + 1);
    if (s.name.empty()) s.name = s.location;
    return s;
}

}  // namespace wireflow::collector::blacklist

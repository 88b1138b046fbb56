#include "conninfo_hosts.hpp"

#include <libpq-fe.h>

#include <memory>
#include <string_view>

namespace wireflow::collector {

std::vector<std::string> conninfo_hosts(const std::string& conninfo) {
    std::vector<std::string> out;
    char* error = nullptr;
    // libpq's own parser: key=value strings and URIs alike.
    std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(PQconninfoParse(conninfo.c_str(), &error),
                                                                         &PQconninfoFree);
    if (error) PQfreemem(error);
    if (!options) return out;
    for (auto* o = options.get(); o->keyword; ++o) {
        const std::string_view key = o->keyword;
        if ((key != "host" && key != "hostaddr") || !o->val) continue;
        std::string_view rest = o->val;
        while (!rest.empty()) {
            const auto comma = rest.find(',');
            const auto item = rest.substr(0, comma);
            rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
            if (!item.empty() && item.front() != '/' && item.front() != '@') out.emplace_back(item);
        }
    }
    return out;
}

}  // namespace wireflow::collector

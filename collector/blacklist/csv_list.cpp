#include "blacklist/csv_list.hpp"

namespace wireflow::collector::blacklist {

std::optional<std::vector<std::string>> split_csv_record(std::string_view line) {
    std::vector<std::string> fields;
    std::string field;
    std::size_t i = 0;
    while (true) {
        field.clear();
        // Spaces around a quoted field are tolerated, as many generators emit them.
        while (i < line.size() && line[i] == ' ') ++i;
        if (i < line.size() && line[i] == '"') {
            ++i;
            bool closed = false;
            while (i < line.size()) {
                if (line[i] == '"') {
                    if (i + 1 < line.size() && line[i + 1] == '"') {
                        field += '"';
                        i += 2;
                        continue;
                    }
                    closed = true;
                    ++i;
                    break;
                }
                field += line[i++];
            }
            if (!closed) return std::nullopt;
            while (i < line.size() && line[i] == ' ') ++i;
            if (i < line.size() && line[i] != ',') return std::nullopt;
        } else {
            while (i < line.size() && line[i] != ',') {
                if (line[i] == '"') return std::nullopt;
                field += line[i++];
            }
        }
        fields.push_back(field);
        if (i >= line.size()) break;
        ++i;   // the comma
    }
    return fields;
}

parse_result parse_csv_list(std::string_view text, const csv_column& column) {
    parse_result r;
    std::size_t index = column.number;   // 1-based once known
    bool first_record = true;
    for_each_line(text, r, [&](std::size_t number, std::string_view raw) {
        if (!r.error.empty()) return;
        const std::string_view line = trim(raw);
        if (line.empty() || line.starts_with('#')) return;
        const auto fields = split_csv_record(line);
        const bool was_first = first_record;
        first_record = false;
        if (!fields) {
            r.report(number, "malformed quoted field");
            return;
        }
        if (index == 0) {
            for (std::size_t i = 0; i < fields->size(); ++i) {
                if (trim((*fields)[i]) == column.name) index = i + 1;
            }
            if (index == 0) r.error = "CSV header has no column named '" + column.name + "'";
            return;
        }
        if (fields->size() < index) {
            r.report(number, "record has no such column");
            return;
        }
        const std::string_view cell = trim((*fields)[index - 1]);
        if (r.add_token(cell)) return;
        if (was_first) return;   // a header row
        r.report(number, cell.empty() ? "empty address column" : "not an IP address, prefix or range");
    });
    return r;
}

}  // namespace wireflow::collector::blacklist

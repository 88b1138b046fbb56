#include "options.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>

#include "text_lines.hpp"

namespace wireflow {

namespace {

const option_spec* find_long(std::span<const option_spec> specs, std::string_view name) {
    for (const auto& s : specs)
        if (s.name == name) return &s;
    return nullptr;
}

const option_spec* find_short(std::span<const option_spec> specs, char c) {
    for (const auto& s : specs)
        if (s.short_name != 0 && s.short_name == c) return &s;
    return nullptr;
}

std::string_view trim(std::string_view s) {
    const auto b = s.find_first_not_of(" \t\r");
    if (b == std::string_view::npos) return {};
    const auto e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
}

[[noreturn]] void fail(std::string_view where, std::string_view what) {
    throw std::invalid_argument(std::string(where) + ": " + std::string(what));
}

// Levenshtein distance, small strings only (option names).
std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = up;
        }
    }
    return row[b.size()];
}

[[noreturn]] void fail_unknown(std::span<const option_spec> specs, std::string_view where, std::string_view name) {
    std::string what = "unknown option '" + std::string(name.substr(0, 80)) + "'";
    if (const auto near = closest_option(specs, name); !near.empty()) what += "; did you mean --" + near + "?";
    fail(where, what);
}

// A flag (an option without a value) also takes ntopng's "--flag=1" and
// "--flag=0"; "0" turns the flag off, so a command-line "--disable-login=0"
// overrides the file's "--disable-login".
std::string flag_value(std::string_view where, const option_spec& s, std::string_view value) {
    if (value == "1" || value == "yes" || value == "true" || value == "on") return "1";
    if (value == "0" || value == "no" || value == "false" || value == "off") return "0";
    fail(where, "option --" + std::string(s.name) + " takes no value, or 1/0 (yes/no), got '" +
                    std::string(value.substr(0, 80)) + "'");
}

// ntopng's files allow a comment after a value: "--http=3005   # dashboard".
// Only a '#' after a blank starts one, so values holding '#' keep it.
std::string_view strip_trailing_comment(std::string_view line) {
    for (std::size_t i = 1; i < line.size(); ++i)
        if (line[i] == '#' && (line[i - 1] == ' ' || line[i - 1] == '\t')) return trim(line.substr(0, i));
    return line;
}

}  // namespace

std::string closest_option(std::span<const option_spec> specs, std::string_view name) {
    // A typo costs about one edit per three characters; farther names are not
    // suggestions but noise. A name that begins the other ("--no-hugepages"
    // for --no-huge) counts as one edit.
    std::size_t best = std::max<std::size_t>(2, name.size() / 3) + 1;
    std::string_view found;
    for (const auto& s : specs) {
        const bool prefix = std::min(name.size(), s.name.size()) >= 3 &&
                            (name.starts_with(s.name) || s.name.starts_with(name));
        // The length difference bounds the distance from below: a name far
        // longer than every option (a pasted value, garbage) costs no
        // quadratic comparison.
        const std::size_t gap = name.size() > s.name.size() ? name.size() - s.name.size() : s.name.size() - name.size();
        if (!prefix && gap >= best) continue;
        const std::size_t d = prefix ? 1 : edit_distance(name, s.name);
        if (d < best) {
            best = d;
            found = s.name;
        }
    }
    return std::string(found);
}

bool options::has(std::string_view name) const { return values_.find(name) != values_.end(); }

std::optional<std::string> options::get(std::string_view name) const {
    auto it = values_.find(name);
    if (it == values_.end() || it->second.empty()) return std::nullopt;
    return it->second.back();
}

std::string options::get_or(std::string_view name, std::string_view fallback) const {
    auto v = get(name);
    return v ? *v : std::string(fallback);
}

std::vector<std::string> options::all(std::string_view name) const {
    auto it = values_.find(name);
    return it == values_.end() ? std::vector<std::string>{} : it->second;
}

long long options::get_int(std::string_view name, long long fallback, long long lo, long long hi) const {
    auto v = get(name);
    if (!v) return fallback;
    long long out = 0;
    const char* end = v->data() + v->size();
    auto [p, ec] = std::from_chars(v->data(), end, out);
    if (ec != std::errc{} || p != end || out < lo || out > hi)
        fail("--" + std::string(name), "expects an integer from " + std::to_string(lo) + " to " +
                                            std::to_string(hi) + ", got '" + *v + "'");
    return out;
}

double options::get_double(std::string_view name, double fallback, double lo, double hi) const {
    auto v = get(name);
    if (!v) return fallback;
    std::size_t used = 0;
    double out = 0;
    try {
        out = std::stod(*v, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used == 0 || used != v->size() || !(out >= lo && out <= hi))
        fail("--" + std::string(name), "expects a number from " + std::to_string(lo) + " to " +
                                            std::to_string(hi) + ", got '" + *v + "'");
    return out;
}

void options::add(std::string name, std::string value) {
    off_.erase(name);
    values_[std::move(name)].push_back(std::move(value));
}

void options::turn_off(std::string name) {
    values_.erase(name);
    off_.insert(std::move(name));
}

bool options::turned_off(std::string_view name) const { return off_.find(name) != off_.end(); }

namespace {

// Records one option occurrence; parse_options keeps only the last value of a
// single-valued option when it merges file and command line.
void record(const option_spec& s, std::string value, options& out) {
    if (!s.takes_value && value == "0") out.turn_off(std::string(s.name));
    else out.add(std::string(s.name), std::move(value));
}

}  // namespace

void parse_config_text(std::span<const option_spec> specs, std::string_view text, std::string_view origin,
                       options& out) {
    for (const auto& [line_no, content] : content_lines(text)) {
        std::string_view line = strip_trailing_comment(content);
        const std::string where = std::string(origin) + ":" + std::to_string(line_no);
        if (line.size() < 2 || line[0] != '-')
            fail(where, "expected --name=value, got '" + std::string(line.substr(0, 80)) + "'");
        std::string_view name, value;
        bool has_value = false;
        if (line[1] == '-') {
            line.remove_prefix(2);
            const auto eq = line.find('=');
            name = trim(line.substr(0, eq));
            if (eq != std::string_view::npos) {
                value = trim(line.substr(eq + 1));
                has_value = true;
            }
        } else {
            // ntopng also accepts "-w=3000" and "-w 3000" in its file.
            name = line.substr(1, 1);
            std::string_view rest = trim(line.substr(2));
            if (!rest.empty() && rest.front() == '=') rest.remove_prefix(1);
            value = trim(rest);
            has_value = !value.empty();
        }
        const option_spec* s = name.size() == 1 ? find_short(specs, name[0]) : find_long(specs, name);
        if (s == nullptr) fail_unknown(specs, where, name);
        if (s->takes_value && !has_value) fail(where, "option --" + std::string(s->name) + " needs a value");
        record(*s, s->takes_value ? std::string(value) : flag_value(where, *s, has_value ? value : "1"), out);
    }
}

options parse_options(std::span<const option_spec> specs, std::span<const std::string> args) {
    options file_opts;
    options cli_opts;
    std::size_t i = 0;
    if (!args.empty() && !args[0].empty() && args[0][0] != '-') {
        const auto text = read_text_file(args[0]);
        if (!text) fail(args[0], "cannot read configuration file");
        parse_config_text(specs, *text, args[0], file_opts);
        i = 1;
    }
    for (; i < args.size(); ++i) {
        std::string_view a = args[i];
        const std::string where = "argument '" + std::string(a.substr(0, 80)) + "'";
        if (a.size() < 2 || a[0] != '-') fail(where, "unexpected positional argument");
        const option_spec* s = nullptr;
        std::optional<std::string> value;
        if (a[1] == '-') {
            a.remove_prefix(2);
            const auto eq = a.find('=');
            s = find_long(specs, a.substr(0, eq));
            if (eq != std::string_view::npos) value = std::string(a.substr(eq + 1));
            if (s == nullptr) fail_unknown(specs, where, a.substr(0, eq));
        } else {
            s = find_short(specs, a[1]);
            if (s == nullptr) fail(where, "unknown option");
            if (a.size() > 2) value = std::string(a.substr(a[2] == '=' ? 3 : 2));
        }
        if (s->takes_value && !value) {
            if (i + 1 >= args.size()) fail(where, "needs a value");
            value = args[++i];
        }
        record(*s, s->takes_value ? *value : flag_value(where, *s, value.value_or("1")), cli_opts);
    }
    // Merge: single-valued options from the command line replace the file's;
    // repeatable ones accumulate.
    options merged;
    for (const auto& s : specs) {
        const std::string n(s.name);
        auto f = file_opts.all(n);
        auto c = cli_opts.all(n);
        if (!s.repeatable) {
            if (!c.empty()) merged.add(n, c.back());
            else if (!f.empty() && !cli_opts.turned_off(n)) merged.add(n, f.back());
        } else {
            for (auto& v : f) merged.add(n, v);
            for (auto& v : c) merged.add(n, v);
        }
    }
    return merged;
}

std::string usage(std::string_view program, std::span<const option_spec> specs) {
    std::string out = "usage: " + std::string(program) + " [CONFIG_FILE] [OPTIONS]\n";
    for (const auto& s : specs) {
        std::string line = "  ";
        if (s.short_name) line += std::string("-") + s.short_name + ", ";
        line += "--" + std::string(s.name);
        if (s.takes_value) line += "=VALUE";
        if (line.size() < 30) line.resize(30, ' ');
        else line += ' ';
        out += line + std::string(s.help) + "\n";
    }
    return out;
}

}  // namespace wireflow

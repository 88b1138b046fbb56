#pragma once
// Command-line and configuration-file options, the way ntopng users know them:
// `binary [CONFIG_FILE] [--name=value | --name value | -x value ...]`, where the
// file holds one `--name=value` (or `--flag`) per line and `#` starts a comment
// (at the start of a line, or after a blank following a value).
// Command-line options given after the file override single-valued options.
// A flag also takes ntopng's `--flag=1` / `--flag=0` (yes/no, true/false,
// on/off): `=0` turns off a flag the file set. An unknown option is refused
// with the closest known name ("did you mean --listen?").

#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace wireflow {

struct option_spec {
    std::string_view name;        // long name without dashes, e.g. "collector"
    char short_name;              // e.g. 'w', or 0
    bool takes_value;
    bool repeatable;
    std::string_view help;
};

class options {
public:
    [[nodiscard]] bool has(std::string_view name) const;
    // Last value given (command line wins over the file), or nothing.
    [[nodiscard]] std::optional<std::string> get(std::string_view name) const;
    [[nodiscard]] std::string get_or(std::string_view name, std::string_view fallback) const;
    [[nodiscard]] std::vector<std::string> all(std::string_view name) const;
    // Numeric option within [lo, hi]; throws std::invalid_argument naming the option.
    [[nodiscard]] long long get_int(std::string_view name, long long fallback, long long lo, long long hi) const;
    [[nodiscard]] double get_double(std::string_view name, double fallback, double lo, double hi) const;

    void add(std::string name, std::string value);
    // A flag given as --flag=0: forgets its earlier values here, and lets it
    // override the file's --flag when parse_options merges the sources.
    void turn_off(std::string name);
    [[nodiscard]] bool turned_off(std::string_view name) const;

private:
    std::map<std::string, std::vector<std::string>, std::less<>> values_;
    std::set<std::string, std::less<>> off_;
};

// Parses the arguments (argv without the program name). A first argument that
// does not start with '-' is the configuration file. Throws std::invalid_argument
// with a one-line message naming the file and line for bad input.
[[nodiscard]] options parse_options(std::span<const option_spec> specs, std::span<const std::string> args);

// Parses the text of a configuration file; `origin` names it in errors.
void parse_config_text(std::span<const option_spec> specs, std::string_view text, std::string_view origin,
                       options& out);

// The known long option nearest to `name` (edit distance), or "" when none
// is near enough to be a plausible typo.
[[nodiscard]] std::string closest_option(std::span<const option_spec> specs, std::string_view name);

[[nodiscard]] std::string usage(std::string_view program, std::span<const option_spec> specs);

}  // namespace wireflow

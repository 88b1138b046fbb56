#pragma once
// Internal to collector/store: PostgreSQL array literals for bulk statements
// ("INSERT ... SELECT FROM unnest($1::text[], $2::bigint[], ...)"), passed as
// ONE parameter each, so bulk writes stay a single parameterized statement.
// Array input syntax: PostgreSQL manual 8.15.2; elements are double-quoted
// with backslash escapes for '"' and '\', so any text is safe.

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace wireflow::collector::pg {

class array_builder {
public:
    array_builder() { out_ = "{"; }
    void add_text(std::string_view v) {
        sep();
        out_ += '"';
        for (const char c : v) {
            if (c == '"' || c == '\\') out_ += '\\';
            out_ += c;
        }
        out_ += '"';
    }
    void add_null() {
        sep();
        out_ += "NULL";
    }
    void add_int(std::int64_t v) {
        sep();
        out_ += std::to_string(v);
    }
    void add_bool(bool v) {
        sep();
        out_ += v ? 't' : 'f';
    }
    void add_double(double v) {
        sep();
        char buf[40];
        std::snprintf(buf, sizeof buf, "%.17g", v);
        out_ += buf;
    }
    [[nodiscard]] std::string str() const { return out_ + "}"; }

private:
    void sep() {
        if (out_.size() > 1) out_ += ',';
    }
    std::string out_;
};

}  // namespace wireflow::collector::pg

#include <catch2/catch.hpp>

#include <array>
#include <string>
#include <string_view>

#include "net/utf8.hpp"

using namespace wireflow::net;

namespace {

// Sanitizes into a buffer of `cap` bytes and returns the text; checks the
// length result and the terminating NUL on the way.
std::string run(std::string_view in, std::size_t cap = 256) {
    std::string buf(cap + 8, '#');  // guard bytes after the window must stay untouched
    const std::size_t n = sanitize_utf8(std::span<const char>(in.data(), in.size()), std::span<char>(buf.data(), cap));
    REQUIRE(n < cap);
    REQUIRE(buf[n] == '\0');
    REQUIRE(buf.substr(cap) == std::string(8, '#'));
    return buf.substr(0, n);
}

const std::string fffd = "\xEF\xBF\xBD";

// Independent strict validator (Unicode 15 table 3-7) used to check outputs.
bool reference_valid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto b = static_cast<unsigned char>(s[i]);
        std::size_t n;
        std::uint32_t cp;
        if (b < 0x80) { n = 1; cp = b; }
        else if ((b & 0xE0) == 0xC0) { n = 2; cp = b & 0x1F; }
        else if ((b & 0xF0) == 0xE0) { n = 3; cp = b & 0x0F; }
        else if ((b & 0xF8) == 0xF0) { n = 4; cp = b & 0x07; }
        else return false;
        if (i + n > s.size()) return false;
        for (std::size_t k = 1; k < n; ++k) {
            const auto c = static_cast<unsigned char>(s[i + k]);
            if ((c & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (c & 0x3F);
        }
        static constexpr std::uint32_t min_cp[5] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < min_cp[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += n;
    }
    return true;
}

}  // namespace

TEST_CASE("printable ASCII and valid multi-byte text pass unchanged", "[utf8]") {
    CHECK(run("www.example.com") == "www.example.com");
    CHECK(run("m\xC3\xBCnchen.de") == "m\xC3\xBCnchen.de");                  // U+00FC
    CHECK(run("\xE4\xB8\xAD\xE6\x96\x87.cn") == "\xE4\xB8\xAD\xE6\x96\x87.cn");  // CJK
    CHECK(run("\xF0\x9F\x98\x80") == "\xF0\x9F\x98\x80");                    // U+1F600
    CHECK(run("\xF4\x8F\xBF\xBF") == "\xF4\x8F\xBF\xBF");                    // U+10FFFF, the last code point
    CHECK(run("") == "");
}

TEST_CASE("stray continuation and impossible bytes become U+FFFD one for one", "[utf8]") {
    CHECK(run("a\x80z") == "a" + fffd + "z");
    CHECK(run("\xBF\xBF") == fffd + fffd);
    CHECK(run("\xFE\xFF") == fffd + fffd);
    CHECK(run("\xF5\x80\x80\x80") == fffd + fffd + fffd + fffd);  // would exceed U+10FFFF
}

TEST_CASE("overlong encodings are rejected", "[utf8]") {
    CHECK(run("\xC0\xAF") == fffd + fffd);          // '/' in two bytes
    CHECK(run("\xC1\xBF") == fffd + fffd);
    CHECK(run("\xE0\x80\xAF") == fffd + fffd + fffd);
    CHECK(run("\xF0\x80\x80\xAF") == fffd + fffd + fffd + fffd);
    CHECK(run("\xC0\x80") == fffd + fffd);          // "modified UTF-8" NUL
}

TEST_CASE("surrogates and code points above U+10FFFF are rejected", "[utf8]") {
    CHECK(run("\xED\xA0\x80") == fffd + fffd + fffd);  // U+D800
    CHECK(run("\xF4\x90\x80\x80") == fffd + fffd + fffd + fffd);
}

TEST_CASE("a sequence cut short by the end of input is replaced", "[utf8]") {
    CHECK(run("ab\xE4\xB8") == "ab" + fffd + fffd);
    CHECK(run("x\xF0\x9F\x98") == "x" + fffd + fffd + fffd);
}

TEST_CASE("control characters never reach the output", "[utf8]") {
    CHECK(run(std::string_view("a\0b", 3)) == "a" + fffd + "b");
    CHECK(run("line\r\nbreak") == "line" + fffd + fffd + "break");
    CHECK(run("\x1b[31mred") == fffd + "[31mred");
    CHECK(run("del\x7f") == "del" + fffd);
    CHECK(run("c1\xC2\x85") == "c1" + fffd);  // U+0085 NEL, a C1 control
    CHECK(run("nbsp\xC2\xA0") == "nbsp\xC2\xA0");  // U+00A0 is not a control
}

TEST_CASE("truncation stops at a character boundary", "[utf8]") {
    // 4 bytes of room: "ab" fits, the 3-byte character after it does not.
    CHECK(run("ab\xE4\xB8\xAD", 5) == "ab");
    CHECK(run("ab\xE4\xB8\xAD", 6) == "ab\xE4\xB8\xAD");
    CHECK(run("a\x80", 3) == "a");  // the replacement needs 3 bytes
    CHECK(run("abcdef", 4) == "abc");
    CHECK(run("abc", 1).empty());
}

TEST_CASE("exactly 255 bytes fit a 256-byte buffer and the 256th is cut", "[utf8]") {
    const std::string s255(255, 'x');
    CHECK(run(s255, 256) == s255);
    CHECK(run(s255 + "y", 256) == s255);
    // 85 three-byte characters are 255 bytes: all fit; one more does not.
    std::string cjk;
    for (int i = 0; i < 85; ++i) cjk += "\xE4\xB8\xAD";
    CHECK(run(cjk, 256) == cjk);
    CHECK(run(cjk + "\xE4\xB8\xAD", 256) == cjk);
    CHECK(run("z" + cjk, 256) == "z" + cjk.substr(0, 252));
}

TEST_CASE("an empty output buffer is left alone", "[utf8]") {
    char c = '#';
    CHECK(sanitize_utf8(std::span<const char>("abc", 3), std::span<char>(&c, 0)) == 0);
    CHECK(c == '#');
}

TEST_CASE("any byte string comes out as valid UTF-8 without controls", "[utf8]") {
    std::uint64_t x = 88172645463325252ULL;  // xorshift64: deterministic noise
    for (int round = 0; round < 5000; ++round) {
        std::string in(static_cast<std::size_t>(round % 300), '\0');
        for (auto& ch : in) {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            ch = static_cast<char>(x);
        }
        const std::string out = run(in, 1 + static_cast<std::size_t>(round % 260));
        INFO("round " << round);
        REQUIRE(reference_valid_utf8(out));
        REQUIRE(valid_utf8(out));
        for (std::size_t i = 0; i < out.size(); ++i) {
            const auto c = static_cast<unsigned char>(out[i]);
            REQUIRE((c >= 0x20 && c != 0x7F));
            if (c == 0xC2) REQUIRE(static_cast<unsigned char>(out[i + 1]) >= 0xA0);  // no C1 controls
        }
    }
}

TEST_CASE("the validator agrees with the sanitiser on what is well-formed", "[utf8]") {
    CHECK(valid_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 '; DROP TABLE flows; --"));
    CHECK(valid_utf8("\xF4\x8F\xBF\xBF"));
    for (const char* bad : {"\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "ab\xE4\xB8", "\x80", "\xFF"}) {
        INFO(bad);
        CHECK_FALSE(valid_utf8(bad));
    }
    CHECK(valid_utf8(std::string_view("a\0b", 3)));
    CHECK_FALSE(valid_utf8_text(std::string_view("a\0b", 3)));  // wire and stored text never hold NUL
    CHECK(valid_utf8_text("line\nbreak"));
    CHECK(utf8_sequence_length("\xE2\x82\xAC!") == 3);
    CHECK(utf8_sequence_length("") == 0);
}

TEST_CASE("clipping never cuts a character in half", "[utf8]") {
    CHECK(clip_utf8("h\xc3\xa9llo", 2) == "h");
    CHECK(clip_utf8("h\xc3\xa9llo", 3) == "h\xc3\xa9");
    CHECK(clip_utf8("short", 64) == "short");
    CHECK(valid_utf8(clip_utf8("\xe2\x82\xac\xe2\x82\xac", 4)));
}

TEST_CASE("the string form bounds its output and keeps controls only when asked", "[utf8]") {
    CHECK(sanitize_utf8("ab\xE2\x82\xAC", 4) == "ab");
    CHECK(sanitize_utf8("ab\xE2\x82\xAC", 5) == "ab\xE2\x82\xAC");
    CHECK(sanitize_utf8(std::string(5000, 'x'), 1024).size() == 1024);
    CHECK(sanitize_utf8("line\nbreak\x1b[31m") == "line" + fffd + "break" + fffd + "[31m");
    CHECK(sanitize_utf8("tab\there\xFF", std::string::npos, control_chars::keep) == "tab\there" + fffd);
}

#include "blacklist/blacklist_loader.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

using namespace wireflow::collector::blacklist;
namespace net = wireflow::net;
namespace fs = std::filesystem;

namespace {

net::ip_address a(const char* text) { return net::ip_address::parse(text).value(); }

struct temp_dir {
    fs::path path;
    temp_dir() {
        path = fs::temp_directory_path() / ("wireflow-blacklist-" + std::to_string(::getpid()) + "-" +
                                            std::to_string(reinterpret_cast<std::uintptr_t>(this)));
        fs::create_directories(path);
    }
    ~temp_dir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
};

// Replaces the file atomically (rename), as a fetcher or an operator would.
void write_file(const fs::path& path, const std::string& text) {
    const fs::path tmp = path.string() + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << text;
    }
    fs::rename(tmp, path);
}

blacklist_source file_source(std::string name, const fs::path& path, list_format format = list_format::automatic) {
    blacklist_source s;
    s.name = std::move(name);
    s.category = "test";
    s.location = path.string();
    s.format.format = format;
    return s;
}

}  // namespace

TEST_CASE("reload publishes the union of enabled file sources", "[blacklist_loader]") {
    temp_dir dir;
    write_file(dir.path / "drop.txt", "; DROP\n10.0.0.0/8 ; SBL1\n");
    write_file(dir.path / "hosts.txt", "192.0.2.1\nbroken line here\n10.1.1.1/8\n");
    write_file(dir.path / "off.txt", "198.51.100.1\n");
    auto off = file_source("off", dir.path / "off.txt");
    off.enabled = false;
    blacklist_loader loader({file_source("drop", dir.path / "drop.txt", list_format::drop),
                             file_source("hosts", dir.path / "hosts.txt"), off});
    CHECK(loader.reload() == 0);
    published_blacklist::reader reader(loader.published());
    CHECK(reader.lookup(a("10.9.9.9")).sources == 0b011u);
    CHECK(reader.lookup(a("192.0.2.1")).sources == 0b010u);
    CHECK_FALSE(reader.lookup(a("198.51.100.1")));

    const auto st = loader.status();
    REQUIRE(st.size() == 3);
    CHECK(st[0].entries == 1);
    CHECK(st[1].entries == 2);
    CHECK(st[1].broken_lines == 1);
    CHECK(st[1].first_broken_lines.at(0).line == 2);
    CHECK(st[1].non_canonical == 1);
    CHECK(st[1].last_error.empty());
    CHECK(st[1].last_load.has_value());
    CHECK_FALSE(st[2].last_attempt.has_value());
}

TEST_CASE("a failed reload keeps the previous version of that source and reports why", "[blacklist_loader]") {
    temp_dir dir;
    const fs::path list = dir.path / "list.txt";
    const fs::path other = dir.path / "other.txt";
    write_file(list, "192.0.2.0/24\n");
    write_file(other, "203.0.113.0/24\n");
    blacklist_loader loader({file_source("list", list), file_source("other", other)});
    REQUIRE(loader.reload() == 0);
    const auto first_load = loader.status()[0].last_load;
    published_blacklist::reader reader(loader.published());
    REQUIRE(reader.lookup(a("192.0.2.7")));

    // An error page instead of the list, while the other source changes fine.
    write_file(list, "<html><body>503 Service Unavailable</body></html>\n");
    write_file(other, "203.0.113.0/24\n198.51.100.0/24\n");
    CHECK(loader.reload() == 1);
    CHECK(reader.lookup(a("192.0.2.7")).sources == 0b01u);
    CHECK(reader.lookup(a("198.51.100.1")).sources == 0b10u);
    auto st = loader.status();
    CHECK(st[0].last_error == "unrecognised list format");
    CHECK(st[0].entries == 1);
    CHECK(st[0].last_load == first_load);
    CHECK(st[1].last_error.empty());

    // Every line broken in a named format: also a failure, not an empty list.
    blacklist_loader strict({file_source("list", list, list_format::plain)});
    write_file(list, "192.0.2.0/24\n");
    REQUIRE(strict.reload() == 0);
    write_file(list, "garbage\nmore garbage\n");
    CHECK(strict.reload() == 1);
    CHECK(published_blacklist::reader(strict.published()).lookup(a("192.0.2.7")));
    CHECK(strict.status()[0].last_error == "no valid entries (2 broken lines)");

    // The file vanishes.
    fs::remove(list);
    CHECK(strict.reload() == 1);
    CHECK(published_blacklist::reader(strict.published()).lookup(a("192.0.2.7")));
    CHECK(strict.status()[0].last_error.starts_with("cannot open"));

    // And comes back: the error clears.
    write_file(list, "198.51.100.0/24\n");
    CHECK(strict.reload() == 0);
    CHECK(strict.status()[0].last_error.empty());
    CHECK_FALSE(published_blacklist::reader(strict.published()).lookup(a("192.0.2.7")));
}

TEST_CASE("files over the size limit are refused, not truncated", "[blacklist_loader]") {
    temp_dir dir;
    write_file(dir.path / "big.txt", std::string(2000, '#'));
    blacklist_loader loader({file_source("big", dir.path / "big.txt")}, loader_limits{1000});
    CHECK(loader.reload() == 1);
    CHECK(loader.status()[0].last_error.find("larger than 1000 bytes") != std::string::npos);
}

TEST_CASE("URL sources take their text from the fetcher and count hits", "[blacklist_loader]") {
    blacklist_source url;
    url.name = "feodo";
    url.category = "botnet-c2";
    url.location = "https://feodotracker.abuse.ch/downloads/ipblocklist.txt";
    blacklist_loader loader({url});
    CHECK(loader.reload() == 0);   // nothing to read yet
    CHECK_FALSE(loader.load_text(0, "<html>\n"));
    CHECK(loader.load_text(0, "# Feodo\n192.0.2.1\n"));
    CHECK_FALSE(loader.load_text(5, "192.0.2.1\n"));
    published_blacklist::reader reader(loader.published());
    const auto m = reader.lookup(a("192.0.2.1"));
    REQUIRE(m);
    loader.count_hits(m);
    loader.count_hits(m);
    CHECK(loader.status()[0].hits == 2);
    CHECK(loader.status()[0].entries == 1);
}

TEST_CASE("entries broader than the prefix limits are refused and shown on the status", "[blacklist_loader]") {
    blacklist_source src;
    src.name = "hostile";
    src.location = "https://lists.example/hostile.txt";
    loader_limits limits;   // defaults: /8 for IPv4, /32 for IPv6
    blacklist_loader loader({src}, limits);
    // Everything, half of everything, a /7, a range that is the whole IPv4
    // space, every IPv6 address: each would make the drop rules cut the host off.
    REQUIRE(loader.load_text(0, "0.0.0.0/0\n128.0.0.0/1\n10.0.0.0/7\n0.0.0.0-255.255.255.255\n::/0\n2000::/3\n"
                                "10.0.0.0/8\n192.0.2.0/24\n2001:db8::/32\n"));
    const auto st = loader.status()[0];
    CHECK(st.entries == 3);
    CHECK(st.refused_broad == 6);
    CHECK(st.refused_examples ==
          std::vector<std::string>{"0.0.0.0/0", "128.0.0.0/1", "10.0.0.0/7", "0.0.0.0/0", "::/0", "2000::/3"});
    published_blacklist::reader reader(loader.published());
    CHECK_FALSE(reader.lookup(a("8.8.8.8")));
    CHECK_FALSE(reader.lookup(a("2a00::1")));
    CHECK(reader.lookup(a("10.1.2.3")));
    CHECK(reader.lookup(a("2001:db8::1")));

    // Only broad entries: the list fails (the previous version stays).
    CHECK_FALSE(loader.load_text(0, "0.0.0.0/0\n"));
    CHECK(loader.status()[0].last_error.find("broader") != std::string::npos);
    CHECK(loader.status()[0].entries == 3);

    loader_limits strict;
    strict.min_prefix_v4 = 16;
    blacklist_loader narrow({src}, strict);
    REQUIRE(narrow.load_text(0, "10.0.0.0/8\n10.1.0.0/16\n"));
    CHECK(narrow.status()[0].refused_broad == 1);
}

TEST_CASE("duplicate source names are refused", "[blacklist_loader]") {
    CHECK_THROWS_AS(blacklist_loader({file_source("x", "/a"), file_source("x", "/b")}), std::invalid_argument);
}

TEST_CASE("file reloads between two lists never show a reader half a list", "[blacklist_loader]") {
    temp_dir dir;
    const fs::path path = dir.path / "list.txt";
    // Version A lists 10.0.0.0/16 .. 10.199.0.0/16 and the tag 192.0.2.1;
    // version B lists 11.0.0.0/16 .. 11.199.0.0/16 and the tag 198.51.100.1.
    std::string text_a = "192.0.2.1\n";
    std::string text_b = "198.51.100.1\n";
    for (int i = 0; i < 200; ++i) {
        text_a += "10." + std::to_string(i) + ".0.0/16\n";
        text_b += "11." + std::to_string(i) + ".0.0/16\n";
    }
    write_file(path, text_a);
    blacklist_loader loader({file_source("list", path)});
    REQUIRE(loader.reload() == 0);

    std::atomic<bool> stop{false};
    std::atomic<std::uint64_t> reader_saw{0};
    std::atomic<std::size_t> inconsistent{0};
    std::atomic<std::size_t> saw_a{0};
    std::atomic<std::size_t> saw_b{0};
    std::thread reader_thread([&] {
        published_blacklist::reader reader(loader.published());
        while (!stop.load(std::memory_order_acquire)) {
            const blacklist_set& snap = reader.snapshot();
            const bool is_a = static_cast<bool>(snap.lookup(a("192.0.2.1")));
            const bool is_b = static_cast<bool>(snap.lookup(a("198.51.100.1")));
            std::size_t in_a = 0;
            std::size_t in_b = 0;
            for (std::uint32_t i = 0; i < 200; ++i) {
                in_a += static_cast<bool>(snap.lookup_v4((10u << 24) | (i << 16) | 77u));
                in_b += static_cast<bool>(snap.lookup_v4((11u << 24) | (i << 16) | 77u));
            }
            if (!((is_a && !is_b && in_a == 200 && in_b == 0) || (is_b && !is_a && in_b == 200 && in_a == 0))) {
                ++inconsistent;
            }
            ++(is_a ? saw_a : saw_b);
            reader_saw.store(snap.version(), std::memory_order_release);
        }
    });
    for (int i = 0; i < 30; ++i) {
        write_file(path, i % 2 == 0 ? text_b : text_a);
        REQUIRE(loader.reload() == 0);
        const std::uint64_t version = loader.published().current()->version();
        while (reader_saw.load(std::memory_order_acquire) < version) std::this_thread::yield();
    }
    stop.store(true, std::memory_order_release);
    reader_thread.join();
    CHECK(inconsistent.load() == 0);
    CHECK(saw_a.load() > 0);
    CHECK(saw_b.load() > 0);
}

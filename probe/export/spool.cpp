#include "export/spool.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <tuple>
#include <utility>
#include <vector>

namespace wireflow::probe {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view spool_ext = ".wfb";

// RAII for a POSIX file descriptor.
class fd_guard {
public:
    explicit fd_guard(int fd) noexcept : fd_(fd) {}
    ~fd_guard() {
        if (fd_ >= 0) ::close(fd_);
    }
    fd_guard(const fd_guard&) = delete;
    fd_guard& operator=(const fd_guard&) = delete;
    [[nodiscard]] int get() const noexcept { return fd_; }

private:
    int fd_;
};

bool write_all(int fd, std::string_view bytes) noexcept {
    std::size_t off = 0;
    while (off < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + off, bytes.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        off += static_cast<std::size_t>(n);
    }
    return true;
}

}  // namespace

std::string batch_spool::file_name(std::uint64_t boot, std::uint64_t seq) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%016" PRIx64 "-%020" PRIu64 ".wfb", boot, seq);
    return buf;
}

bool batch_spool::parse_file_name(std::string_view name, std::uint64_t& boot, std::uint64_t& seq) noexcept {
    if (name.size() != 16 + 1 + 20 + spool_ext.size() || !name.ends_with(spool_ext) || name[16] != '-') return false;
    const char* p = name.data();
    const auto b = std::from_chars(p, p + 16, boot, 16);
    const auto s = std::from_chars(p + 17, p + 37, seq, 10);
    return b.ec == std::errc{} && b.ptr == p + 16 && s.ec == std::errc{} && s.ptr == p + 37;
}

batch_spool::batch_spool(std::string dir, std::uint64_t max_bytes) : dir_(std::move(dir)), max_bytes_(max_bytes) {
    std::error_code ec;
    fs::create_directories(dir_, ec);
    if (ec) throw std::runtime_error("cannot create spool dir " + dir_ + ": " + ec.message());
    std::vector<spooled_batch> found;
    for (const auto& e : fs::directory_iterator(dir_, ec)) {
        const std::string name = e.path().filename().string();
        if (name.ends_with(".tmp")) {  // torn write from a crash: never renamed, never acked
            fs::remove(e.path(), ec);
            continue;
        }
        spooled_batch s;
        if (!e.is_regular_file() || !parse_file_name(name, s.boot, s.seq)) continue;
        s.size = e.file_size();
        s.path = e.path().string();
        found.push_back(std::move(s));
    }
    if (ec) throw std::runtime_error("cannot list spool dir " + dir_ + ": " + ec.message());
    std::sort(found.begin(), found.end(), [](const spooled_batch& a, const spooled_batch& b) {
        return std::tie(a.boot, a.seq) < std::tie(b.boot, b.seq);
    });
    for (auto& s : found) {
        bytes_ += s.size;
        found_.push_back(std::move(s));
    }
}

std::deque<spooled_batch> batch_spool::take_found() { return std::exchange(found_, {}); }

std::optional<spooled_batch> batch_spool::write(std::uint64_t boot, std::uint64_t seq, std::string_view bytes) {
    if (bytes_ + bytes.size() > max_bytes_) return std::nullopt;
    const fs::path final_path = fs::path(dir_) / file_name(boot, seq);
    const std::string tmp = final_path.string() + ".tmp";
    {
        fd_guard fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
        if (fd.get() < 0) return std::nullopt;
        if (!write_all(fd.get(), bytes) || ::fsync(fd.get()) != 0) {
            ::unlink(tmp.c_str());
            return std::nullopt;
        }
    }
    if (std::rename(tmp.c_str(), final_path.c_str()) != 0) {
        ::unlink(tmp.c_str());
        return std::nullopt;
    }
    fd_guard d(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (d.get() >= 0) ::fsync(d.get());
    bytes_ += bytes.size();
    return spooled_batch{boot, seq, bytes.size(), final_path.string()};
}

std::optional<std::string> batch_spool::read(const spooled_batch& b) const {
    std::ifstream in(b.path, std::ios::binary);
    if (!in) return std::nullopt;
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) return std::nullopt;
    return bytes;
}

void batch_spool::remove(const std::string& path, std::uint64_t size) noexcept {
    ::unlink(path.c_str());
    bytes_ -= std::min(bytes_, size);
}

}  // namespace wireflow::probe

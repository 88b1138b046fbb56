#include "spool.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <system_error>

namespace wireflow::collector::ingest {

namespace {

constexpr std::array<char, 8> magic{'W', 'F', 'S', 'P', 'O', 'O', 'L', '1'};
constexpr std::size_t record_header = 8;

// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as iSCSI (RFC 3720
// appendix B.4) and ext4 use it: better error detection than CRC-32 for short
// bursts, which is what a torn write leaves.
constexpr std::array<std::uint32_t, 256> make_crc_table() {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t c = i;
        for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1;
        t[i] = c;
    }
    return t;
}
constexpr auto crc_table = make_crc_table();

[[noreturn]] void throw_errno(const std::string& what) { throw std::system_error(errno, std::generic_category(), what); }

void put_u32(std::byte* p, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) p[i] = static_cast<std::byte>(v >> (8 * i));
}
std::uint32_t get_u32(const unsigned char* p) {
    return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
           static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}

class fd_guard {
public:
    explicit fd_guard(int fd) : fd_(fd) {}
    ~fd_guard() {
        if (fd_ >= 0) ::close(fd_);
    }
    fd_guard(const fd_guard&) = delete;
    fd_guard& operator=(const fd_guard&) = delete;
    [[nodiscard]] int get() const { return fd_; }

private:
    int fd_;
};

void write_all(int fd, const void* data, std::size_t size, const std::string& what) {
    const auto* p = static_cast<const char*>(data);
    while (size > 0) {
        const ssize_t n = ::write(fd, p, size);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_errno(what);
        }
        p += n;
        size -= static_cast<std::size_t>(n);
    }
}

std::string read_file(const std::filesystem::path& path) {
    fd_guard fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) throw_errno("open " + path.string());
    std::string out;
    std::array<char, 1 << 16> buf;
    for (;;) {
        const ssize_t n = ::read(fd.get(), buf.data(), buf.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_errno("read " + path.string());
        }
        if (n == 0) break;
        out.append(buf.data(), static_cast<std::size_t>(n));
    }
    return out;
}

// Walks a segment's bytes; returns the offset just past the last intact record.
std::size_t scan(const std::string& data, std::vector<std::string>* out, std::uint64_t& records) {
    records = 0;
    if (data.size() < magic.size() || std::memcmp(data.data(), magic.data(), magic.size()) != 0) return 0;
    std::size_t off = magic.size();
    const auto* base = reinterpret_cast<const unsigned char*>(data.data());
    while (data.size() - off >= record_header) {
        const std::uint32_t len = get_u32(base + off);
        const std::uint32_t crc = get_u32(base + off + 4);
        if (data.size() - off - record_header < len) break;
        const auto payload = std::as_bytes(std::span{data.data() + off + record_header, len});
        if (crc32c(payload) != crc) break;
        if (out) out->emplace_back(data.data() + off + record_header, len);
        off += record_header + len;
        ++records;
    }
    return off;
}

}  // namespace

std::uint32_t crc32c(std::span<const std::byte> data) noexcept {
    std::uint32_t c = 0xffffffffu;
    for (const auto b : data) c = crc_table[(c ^ static_cast<std::uint8_t>(b)) & 0xff] ^ (c >> 8);
    return c ^ 0xffffffffu;
}

spool::spool(std::filesystem::path dir, std::uint64_t max_bytes, std::uint64_t segment_bytes)
    : dir_(std::move(dir)), max_bytes_(max_bytes), segment_bytes_(std::max<std::uint64_t>(segment_bytes, 4096)) {
    std::filesystem::create_directories(dir_);
    recover();
}

spool::~spool() {
    if (fd_ >= 0) ::close(fd_);
}

std::filesystem::path spool::path_of(std::uint64_t segment) const {
    char name[40];
    std::snprintf(name, sizeof name, "seg-%020llu.spool", static_cast<unsigned long long>(segment));
    return dir_ / name;
}

void spool::recover() {
    for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
        const auto name = entry.path().filename().string();
        unsigned long long n = 0;
        char tail = 0;
        if (name.size() != 30 || std::sscanf(name.c_str(), "seg-%20llu.spoo%c", &n, &tail) != 2 || tail != 'l')
            continue;
        const auto data = read_file(entry.path());
        std::uint64_t records = 0;
        const std::size_t good = scan(data, nullptr, records);
        if (records == 0) {
            // Nothing intact (a crash right after creating it): not a segment.
            truncated_bytes_ += data.size();
            std::filesystem::remove(entry.path());
            dir_dirty_ = true;
            continue;
        }
        if (good < data.size()) {
            truncated_bytes_ += data.size() - good;
            std::filesystem::resize_file(entry.path(), good);
            fd_guard fd(::open(entry.path().c_str(), O_WRONLY | O_CLOEXEC));
            if (fd.get() < 0 || ::fdatasync(fd.get()) != 0) throw_errno("truncate " + entry.path().string());
        }
        segments_.push_back({n, good, records});
        bytes_ += good;
        records_ += records;
    }
    std::sort(segments_.begin(), segments_.end(), [](auto& a, auto& b) { return a.number < b.number; });
    if (!segments_.empty()) next_number_ = segments_.back().number + 1;
    if (dir_dirty_) sync();
}

void spool::open_new_segment() {
    const std::uint64_t number = next_number_++;
    const auto path = path_of(number);
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0640);
    if (fd_ < 0) throw_errno("create " + path.string());
    write_all(fd_, magic.data(), magic.size(), "write " + path.string());
    segments_.push_back({number, magic.size(), 0});
    bytes_ += magic.size();
    dir_dirty_ = true;
}

bool spool::append(std::span<const std::byte> payload) {
    if (payload.size() > 0xffffffffu) return false;
    const bool need_segment = fd_ < 0 || segments_.back().bytes + record_header + payload.size() > segment_bytes_;
    const std::uint64_t extra = record_header + payload.size() + (need_segment ? magic.size() : 0);
    if (bytes_ + extra > max_bytes_) return false;
    if (need_segment) {
        seal();
        open_new_segment();
    }
    std::array<std::byte, record_header> header;
    put_u32(header.data(), static_cast<std::uint32_t>(payload.size()));
    put_u32(header.data() + 4, crc32c(payload));
    const std::string what = "write " + path_of(segments_.back().number).string();
    write_all(fd_, header.data(), header.size(), what);
    write_all(fd_, payload.data(), payload.size(), what);
    segments_.back().bytes += record_header + payload.size();
    segments_.back().records += 1;
    bytes_ += record_header + payload.size();
    records_ += 1;
    return true;
}

void spool::sync() {
    if (fd_ >= 0 && ::fdatasync(fd_) != 0) throw_errno("fdatasync spool segment");
    if (dir_dirty_) {
        // A new file's directory entry is durable only once the folder is synced.
        fd_guard d(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (d.get() < 0 || ::fsync(d.get()) != 0) throw_errno("fsync " + dir_.string());
        dir_dirty_ = false;
    }
}

void spool::seal() {
    if (fd_ < 0) return;
    sync();
    ::close(fd_);
    fd_ = -1;
}

std::vector<std::uint64_t> spool::segments() const {
    std::vector<std::uint64_t> out;
    for (const auto& s : segments_) out.push_back(s.number);
    return out;
}

std::vector<std::string> spool::read_segment(std::uint64_t segment) const {
    std::vector<std::string> out;
    std::uint64_t records = 0;
    (void)scan(read_file(path_of(segment)), &out, records);
    return out;
}

void spool::remove_segment(std::uint64_t segment) {
    auto it = std::find_if(segments_.begin(), segments_.end(), [&](auto& s) { return s.number == segment; });
    if (it == segments_.end()) return;
    if (fd_ >= 0 && it + 1 == segments_.end()) seal();
    std::filesystem::remove(path_of(segment));
    bytes_ -= it->bytes;
    records_ -= it->records;
    segments_.erase(it);
    dir_dirty_ = true;
    sync();
}

}  // namespace wireflow::collector::ingest

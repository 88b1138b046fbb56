#pragma once
// The collector's spool: where batches become durable while PostgreSQL is
// unreachable, so they can be acknowledged and replayed later.
//
// A folder of append-only segment files `seg-<20 digit number>.spool`, each an
// 8-byte magic followed by records:
//     u32 little-endian payload length | u32 little-endian CRC-32C of payload | payload
// The payload is opaque here (ingest stores an encoded wireflow.v1.Envelope
// holding the FlowBatch). append() + sync() (fdatasync of the file, fsync of
// the folder when a segment is created) is the durability point. A crash can
// leave a torn last record: opening the spool detects it (short header, short
// payload, or CRC mismatch) and truncates the segment to its last good record;
// records after a bad one are never trusted. Segments are read back whole and
// removed only when the caller says their records are committed elsewhere.
// Single-threaded: one owner (the database thread) uses it.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace wireflow::collector::ingest {

[[nodiscard]] std::uint32_t crc32c(std::span<const std::byte> data) noexcept;

class spool {
public:
    // Creates `dir` if needed, recovers existing segments (truncating torn
    // tails). Throws std::system_error when the folder is unusable.
    spool(std::filesystem::path dir, std::uint64_t max_bytes, std::uint64_t segment_bytes = 16ull << 20);
    ~spool();
    spool(const spool&) = delete;
    spool& operator=(const spool&) = delete;

    // Appends one record unless it would take the spool past max_bytes (then
    // false: the caller answers BUSY). Not durable until sync(). Throws
    // std::system_error on an I/O error.
    [[nodiscard]] bool append(std::span<const std::byte> payload);
    void sync();

    // Closes the segment being written so every segment is complete; the next
    // append starts a new one.
    void seal();
    // Segment numbers, oldest first (sealed or not).
    [[nodiscard]] std::vector<std::uint64_t> segments() const;
    // All intact records of a segment, in order.
    [[nodiscard]] std::vector<std::string> read_segment(std::uint64_t segment) const;
    // Deletes a sealed segment (its records are committed elsewhere).
    void remove_segment(std::uint64_t segment);

    [[nodiscard]] bool empty() const { return bytes_ == 0 && records_ == 0; }
    [[nodiscard]] std::uint64_t bytes() const { return bytes_; }       // file bytes on disk, headers included
    [[nodiscard]] std::uint64_t records() const { return records_; }
    [[nodiscard]] std::uint64_t truncated_bytes() const { return truncated_bytes_; }  // torn tails cut at open
    [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }

private:
    struct segment_info {
        std::uint64_t number;
        std::uint64_t bytes;
        std::uint64_t records;
    };
    [[nodiscard]] std::filesystem::path path_of(std::uint64_t segment) const;
    void recover();
    void open_new_segment();

    std::filesystem::path dir_;
    std::uint64_t max_bytes_;
    std::uint64_t segment_bytes_;
    std::vector<segment_info> segments_;
    std::uint64_t next_number_{1};  // only grows: a removed segment's number is never reused
    int fd_{-1};  // segment being written (the last of segments_), or -1
    bool dir_dirty_{false};
    std::uint64_t bytes_{0};
    std::uint64_t records_{0};
    std::uint64_t truncated_bytes_{0};
};

}  // namespace wireflow::collector::ingest

#pragma once
// The probe's export spool: unacknowledged batches kept on disk while the
// collector is away or the memory buffer is full, and after a restart.
//
// One file per batch, "<boot_id hex16>-<sequence dec20>.wfb", holding the
// encoded Envelope exactly as sent, so a re-send after a restart keeps its
// original identity and the collector de-duplicates it. A batch is deleted
// when its ack arrives, which a segment log (the collector's spool,
// collector/ingest/spool.hpp) cannot do per record: hence a format of its own.
// Writes are durable (temp file, fsync, rename, fsync of the folder); a
// ".tmp" left by a crash was never acknowledged nor renamed and is removed at
// open. The payload is opaque here. Single-threaded: the exporter thread owns it.

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

namespace wireflow::probe {

struct spooled_batch {
    std::uint64_t boot{0};
    std::uint64_t seq{0};
    std::uint64_t size{0};
    std::string path;
};

class batch_spool {
public:
    // Creates `dir` if needed and lists the batches already there (see
    // take_found()). Throws std::runtime_error when the folder is unusable.
    batch_spool(std::string dir, std::uint64_t max_bytes);

    // The batches found at open, ordered by (boot, sequence); once.
    [[nodiscard]] std::deque<spooled_batch> take_found();

    // Writes one batch durably; nothing when it would take the spool past
    // max_bytes or on an I/O error (the caller counts the drop).
    [[nodiscard]] std::optional<spooled_batch> write(std::uint64_t boot, std::uint64_t seq, std::string_view bytes);
    // The file's bytes; nothing when it cannot be read.
    [[nodiscard]] std::optional<std::string> read(const spooled_batch& b) const;
    // Deletes the file (acknowledged, or unreadable).
    void remove(const std::string& path, std::uint64_t size) noexcept;

    [[nodiscard]] std::uint64_t bytes() const noexcept { return bytes_; }
    [[nodiscard]] const std::string& dir() const noexcept { return dir_; }

    [[nodiscard]] static std::string file_name(std::uint64_t boot, std::uint64_t seq);
    [[nodiscard]] static bool parse_file_name(std::string_view name, std::uint64_t& boot, std::uint64_t& seq) noexcept;

private:
    std::string dir_;
    std::uint64_t max_bytes_;
    std::uint64_t bytes_{0};
    std::deque<spooled_batch> found_;
};

}  // namespace wireflow::probe

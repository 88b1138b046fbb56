#include "flow/page_array.hpp"

#include <sys/mman.h>

#include <cstdint>
#include <new>

namespace wireflow::probe::page_mapping {

void* map(std::size_t bytes, std::size_t& mapped) {
    if (bytes == 0) bytes = 1;
    if (bytes < huge_page) {
        void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) throw std::bad_alloc();
        mapped = bytes;
        return p;
    }
    // Huge pages back only the 2 MiB-aligned parts of a mapping: map one huge
    // page more than needed and trim both ends to an aligned, whole-page span.
    const std::size_t len = (bytes + huge_page - 1) / huge_page * huge_page;
    void* raw = ::mmap(nullptr, len + huge_page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) throw std::bad_alloc();
    const auto base = reinterpret_cast<std::uintptr_t>(raw);
    const std::uintptr_t aligned = (base + huge_page - 1) / huge_page * huge_page;
    if (aligned > base) ::munmap(raw, aligned - base);
    const std::uintptr_t tail = base + len + huge_page - (aligned + len);
    if (tail > 0) ::munmap(reinterpret_cast<void*>(aligned + len), tail);
    // Advice only: a kernel without transparent huge pages refuses it
    // (EINVAL) and the mapping works on small pages, as before.
    (void)::madvise(reinterpret_cast<void*>(aligned), len, MADV_HUGEPAGE);
    mapped = len;
    return reinterpret_cast<void*>(aligned);
}

void unmap(void* p, std::size_t mapped) noexcept {
    if (p != nullptr) ::munmap(p, mapped);
}

}  // namespace wireflow::probe::page_mapping

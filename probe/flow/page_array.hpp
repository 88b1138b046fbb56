#pragma once

// A fixed-size array in a mapping of its own that asks the kernel for
// transparent huge pages (madvise MADV_HUGEPAGE).
//
// Why: the flow table's entries and its index are read at random, one or two
// cache lines per packet, over 16-160 MiB at a million flows. On 4 KiB pages
// nearly every such read also misses the TLB and walks the page tables
// (the 1M-flow profiles in docs/benchmarks.md); on 2 MiB pages the whole
// table is a few dozen TLB entries. DPDK's hugepages would give the same, but
// the flow table is a plain data structure, tested and benchmarked without an
// EAL, and the kernel's transparent huge pages need no set-up: with
// /sys/kernel/mm/transparent_hugepage/enabled at "madvise" (Debian's default)
// or "always" the advice is taken; at "never" this is an ordinary mapping.
//
// Arrays below one huge page are mapped without the advice: a small table
// would otherwise pin 2 MiB for a few KiB.

#include <cstddef>
#include <memory>
#include <type_traits>

namespace wireflow::probe {

namespace page_mapping {

inline constexpr std::size_t huge_page = std::size_t{2} << 20;

// A zero-filled anonymous mapping of at least `bytes`; 2 MiB-aligned and
// advised for huge pages when `bytes` is at least huge_page. Throws
// std::bad_alloc when the kernel refuses.
void* map(std::size_t bytes, std::size_t& mapped);
void unmap(void* p, std::size_t mapped) noexcept;

}  // namespace page_mapping

template <typename T>
class page_array {
    static_assert(std::is_trivially_destructible_v<T>, "elements are never destroyed one by one");

public:
    // n value-initialised elements (the same as std::vector<T>(n)).
    explicit page_array(std::size_t n) : n_(n) {
        data_ = static_cast<T*>(page_mapping::map(n * sizeof(T), mapped_));
        std::uninitialized_value_construct_n(data_, n);
    }
    // n copies of `value`.
    page_array(std::size_t n, const T& value) : n_(n) {
        data_ = static_cast<T*>(page_mapping::map(n * sizeof(T), mapped_));
        std::uninitialized_fill_n(data_, n, value);
    }
    ~page_array() { page_mapping::unmap(data_, mapped_); }
    page_array(const page_array&) = delete;
    page_array& operator=(const page_array&) = delete;

    T& operator[](std::size_t i) noexcept { return data_[i]; }
    const T& operator[](std::size_t i) const noexcept { return data_[i]; }
    T* data() noexcept { return data_; }
    const T* data() const noexcept { return data_; }
    std::size_t size() const noexcept { return n_; }

private:
    T* data_{nullptr};
    std::size_t n_{0};
    std::size_t mapped_{0};
};

}  // namespace wireflow::probe

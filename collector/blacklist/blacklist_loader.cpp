#include "blacklist/blacklist_loader.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <stdexcept>

namespace wireflow::collector::blacklist {

std::optional<std::string> read_list_file(const std::string& path, std::size_t max_bytes, std::string& error) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error = "cannot open " + path + ": " + std::strerror(errno);
        return std::nullopt;
    }
    std::string text;
    char buf[1 << 16];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        if (text.size() + static_cast<std::size_t>(in.gcount()) > max_bytes) {
            error = path + " is larger than " + std::to_string(max_bytes) + " bytes";
            return std::nullopt;
        }
        text.append(buf, static_cast<std::size_t>(in.gcount()));
    }
    if (in.bad()) {
        error = "cannot read " + path;
        return std::nullopt;
    }
    return text;
}

blacklist_loader::blacklist_loader(std::vector<blacklist_source> sources, loader_limits limits) : limits_(limits) {
    if (sources.size() > max_sources) throw std::invalid_argument("blacklist: at most 64 sources");
    std::set<std::string> names;
    for (auto& s : sources) {
        if (!names.insert(s.name).second) throw std::invalid_argument("blacklist: duplicate source name " + s.name);
        source_state state;
        state.status.source = std::move(s);
        sources_.push_back(std::move(state));
    }
    hits_ = std::make_unique<std::atomic<std::uint64_t>[]>(sources_.size());
}

void blacklist_loader::fail(source_state& state, std::string error) {
    state.status.last_attempt = std::chrono::system_clock::now();
    state.status.last_error = std::move(error);
}

bool blacklist_loader::apply(source_state& state, std::string_view text) {
    if (text.size() > limits_.max_list_bytes) {
        fail(state, "list is larger than " + std::to_string(limits_.max_list_bytes) + " bytes");
        return false;
    }
    parse_result r = parse_list(text, state.status.source.format);
    state.status.broken_lines = r.broken_count;
    state.status.non_canonical = r.non_canonical;
    state.status.first_broken_lines = r.broken;
    if (!r.error.empty()) {
        fail(state, std::move(r.error));
        return false;
    }
    if (r.prefixes.empty() && r.broken_count > 0) {
        // Every line broken: an error page or a format change, not an empty list.
        fail(state, "no valid entries (" + std::to_string(r.broken_count) + " broken lines)");
        return false;
    }
    // Broader than the limits: refused, the rest of the list is used.
    state.status.refused_broad = 0;
    state.status.refused_examples.clear();
    std::erase_if(r.prefixes, [&](const net::ip_prefix& p) {
        const unsigned min = p.address.is_v4() ? limits_.min_prefix_v4 : limits_.min_prefix_v6;
        if (p.length >= min) return false;
        ++state.status.refused_broad;
        if (state.status.refused_examples.size() < max_refused_examples)
            state.status.refused_examples.push_back(p.to_string());
        return true;
    });
    if (r.prefixes.empty() && state.status.refused_broad > 0) {
        fail(state, "every entry is broader than /" + std::to_string(limits_.min_prefix_v4) + " (IPv4) or /" +
                        std::to_string(limits_.min_prefix_v6) + " (IPv6)");
        return false;
    }
    state.prefixes = std::move(r.prefixes);
    state.status.entries = state.prefixes.size();
    state.status.last_attempt = std::chrono::system_clock::now();
    state.status.last_load = state.status.last_attempt;
    state.status.last_error.clear();
    return true;
}

std::size_t blacklist_loader::reload() {
    std::lock_guard lock(mutex_);
    std::size_t failed = 0;
    for (auto& state : sources_) {
        const auto& src = state.status.source;
        if (!src.enabled || src.is_url()) continue;
        std::string error;
        const auto text = read_list_file(src.location, limits_.max_list_bytes, error);
        if (!text) {
            fail(state, std::move(error));
            ++failed;
        } else if (!apply(state, *text)) {
            ++failed;
        }
    }
    publish_locked();
    return failed;
}

bool blacklist_loader::load_text(std::size_t source, std::string_view text) {
    std::lock_guard lock(mutex_);
    if (source >= sources_.size()) return false;
    const bool ok = apply(sources_[source], text);
    if (ok) publish_locked();
    return ok;
}

bool blacklist_loader::set_enabled(std::size_t source, bool enabled) {
    std::lock_guard lock(mutex_);
    if (source >= sources_.size()) return false;
    sources_[source].status.source.enabled = enabled;
    publish_locked();
    return true;
}

void blacklist_loader::publish_locked() {
    std::vector<source_label> labels;
    std::vector<blacklist_set::source_list> lists;
    for (std::size_t i = 0; i < sources_.size(); ++i) {
        const auto& src = sources_[i].status.source;
        labels.push_back({src.name, src.category});
        if (src.enabled) lists.push_back({i, sources_[i].prefixes});
    }
    published_.publish(blacklist_set::build(std::move(labels), lists, ++version_));
}

std::vector<source_status> blacklist_loader::status() const {
    std::lock_guard lock(mutex_);
    std::vector<source_status> out;
    for (std::size_t i = 0; i < sources_.size(); ++i) {
        out.push_back(sources_[i].status);
        out.back().hits = hits_[i].load(std::memory_order_relaxed);
    }
    return out;
}

void blacklist_loader::count_hits(blacklist_match match) noexcept {
    std::uint64_t bits = match.sources;
    while (bits != 0) {
        const auto i = static_cast<std::size_t>(std::countr_zero(bits));
        bits &= bits - 1;
        if (i < sources_.size()) hits_[i].fetch_add(1, std::memory_order_relaxed);
    }
}

}  // namespace wireflow::collector::blacklist

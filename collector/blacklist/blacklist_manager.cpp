#include "blacklist/blacklist_manager.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <set>
#include <stdexcept>

#include "store/blacklist_source_store.hpp"

namespace wireflow::collector::blacklist {
namespace {

using clock = std::chrono::system_clock;

// A failed download is retried sooner than the list's interval, but not so
// often that a broken list hammers its publisher.
constexpr std::chrono::seconds max_retry_after_failure{900};

// Writes the whole file or nothing: a temporary beside it, fsync, rename.
// The temporary is a new file of a name nobody could guess (mkstemp: O_EXCL,
// so never through a symlink planted at a fixed "FILE.tmp" in a shared
// folder such as /run or /tmp; issue 13, finding 12).
std::string write_atomically(const std::string& path, const std::string& text) {
    std::string tmp = path + ".XXXXXX";
    const int fd = ::mkostemp(tmp.data(), O_CLOEXEC);
    if (fd < 0) return "cannot create " + tmp + ": " + std::strerror(errno);
    ::fchmod(fd, 0644);  // nft may run as another user; the set is not secret
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const std::string e = std::strerror(errno);
            ::close(fd);
            ::unlink(tmp.c_str());
            return "cannot write " + tmp + ": " + e;
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        ::unlink(tmp.c_str());
        return "cannot sync " + tmp;
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const std::string e = std::strerror(errno);
        ::unlink(tmp.c_str());
        return "cannot rename " + tmp + ": " + e;
    }
    return {};
}

// Runs argv without a shell and waits; empty string when it exited 0. The
// command gets a fixed environment (PATH and LC_ALL only: nothing of the
// collector's, whose reload an HTTP request may have triggered), stdin from
// /dev/null and no descriptor beyond 0-2 (no HTTP or database socket leaks
// into it; issue 13, finding 12).
std::string run_command(const std::vector<std::string>& argv) {
    if (argv.empty()) return {};
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    static char path_var[] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
    static char locale_var[] = "LC_ALL=C";
    char* env[] = {path_var, locale_var, nullptr};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    // The program is looked up in the fixed PATH above, not the collector's.
    std::string program = argv[0];
    if (program.find('/') == std::string::npos) {
        for (const char* dir : {"/usr/sbin/", "/usr/bin/", "/sbin/", "/bin/"}) {
            if (::access((dir + argv[0]).c_str(), X_OK) == 0) {
                program = dir + argv[0];
                break;
            }
        }
    }
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, program.c_str(), &actions, nullptr, args.data(), env);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) return "cannot run " + argv[0] + ": " + std::strerror(rc);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return "waitpid failed: " + std::string(std::strerror(errno));
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
    if (WIFEXITED(status)) return argv[0] + " exited with status " + std::to_string(WEXITSTATUS(status));
    return argv[0] + " killed by signal " + std::to_string(WTERMSIG(status));
}

}  // namespace

std::vector<std::string> split_command(std::string_view command) {
    std::vector<std::string> out;
    std::string word;
    bool in_word = false, quoted = false;
    for (std::size_t i = 0; i < command.size(); ++i) {
        const char c = command[i];
        if (c == '\\' && i + 1 < command.size()) {
            word += command[++i];
            in_word = true;
        } else if (c == '"') {
            quoted = !quoted;
            in_word = true;
        } else if (!quoted && (c == ' ' || c == '\t')) {
            if (in_word) out.push_back(std::move(word));
            word.clear();
            in_word = false;
        } else {
            word += c;
            in_word = true;
        }
    }
    if (quoted) throw std::invalid_argument("--nft-command: unbalanced double quote");
    if (in_word) out.push_back(std::move(word));
    return out;
}

struct blacklist_manager::impl {
    manager_settings settings;
    blacklist_source_store* store;
    std::vector<std::string> nft_argv;
    std::vector<blacklist_source> sources;   // index = loader index
    std::vector<bool> from_option;
    std::unique_ptr<blacklist_loader> loader;

    std::mutex control;   // one reload/tick/set_enabled at a time
    mutable std::mutex state_mutex;   // the fields below
    std::vector<std::string> fetch_error;    // download/read failure of the last attempt
    std::vector<std::optional<clock::time_point>> fetch_failed_at;
    std::vector<std::optional<clock::time_point>> next_due;
    std::vector<status_listener> listeners;
    std::vector<nft_listener> nft_listeners;
    std::string nft_error;
    std::uint64_t nft_written_generation{~0ull};
    std::vector<net::ip_prefix> nft_written_spared;
    std::vector<std::string> nft_spared_listed;   // spared prefixes a list covers
    clock::time_point spared_checked{};
    bool persist_pending{false};   // the last write to PostgreSQL failed: retried by tick()
    clock::time_point last_persist{};   // hit counts are written at least once a minute

    std::optional<published_blacklist::reader> reader;   // mark()'s thread only

    // Gets the text of source i (file or download); returns an error or nothing.
    std::optional<std::string> fetch(std::size_t i, std::string& error) const {
        const auto& s = sources[i];
        if (s.is_url()) {
            auto fs = settings.fetch;
            fs.max_bytes = std::min(fs.max_bytes, settings.limits.max_list_bytes);
            auto r = http_get(s.location, fs);
            if (!r.ok) {
                error = "download of " + s.location + " failed: " + r.error;
                return std::nullopt;
            }
            return std::move(r.body);
        }
        return read_list_file(s.location, settings.limits.max_list_bytes, error);
    }

    // One attempt at source i; notifies the listeners. True on success.
    bool load(std::size_t i, clock::time_point now) {
        std::string error;
        bool ok = false;
        if (auto text = fetch(i, error)) {
            ok = loader->load_text(i, *text);
            if (!ok) {
                const auto st = loader->status();
                error = st[i].last_error.empty() ? "parse failed" : st[i].last_error;
            }
        }
        const auto interval = sources[i].update_interval.count() > 0 ? sources[i].update_interval
                                                                      : std::chrono::seconds(86400);
        std::vector<status_listener> ls;
        {
            std::lock_guard lock(state_mutex);
            fetch_error[i] = ok ? std::string() : error;
            fetch_failed_at[i] = ok ? std::nullopt : std::optional(now);
            next_due[i] = now + (ok ? interval : std::min(interval, max_retry_after_failure));
            ls = listeners;
        }
        for (const auto& f : ls) f(sources[i].name, ok, error);
        return ok;
    }

    std::vector<net::ip_prefix> spared_now() const {
        std::vector<net::ip_prefix> out;
        if (settings.spared_peers) {
            try {
                out = settings.spared_peers();
            } catch (const std::exception&) {
                // PostgreSQL away (sessions): the peers known otherwise still count.
            }
        }
        std::sort(out.begin(), out.end());
        out.erase(std::unique(out.begin(), out.end()), out.end());
        return out;
    }

    // Writes and applies the nftables file when the set or the spared peers changed.
    void write_nft(const blacklist_set& set, clock::time_point now) {
        if (settings.nft_file.empty()) return;
        auto spared = spared_now();
        {
            std::lock_guard lock(state_mutex);
            spared_checked = now;
            if (nft_written_generation == set.version() && nft_written_spared == spared) return;
        }
        std::vector<net::ip_prefix> cut;
        std::string error = write_atomically(settings.nft_file, to_nft_set(set, settings.nft, spared, &cut));
        std::vector<std::string> listed;
        for (const auto& p : cut) listed.push_back(p.to_string());
        if (error.empty()) error = run_command(nft_argv);
        std::vector<nft_listener> ls;
        {
            std::lock_guard lock(state_mutex);
            nft_error = error;
            nft_spared_listed = std::move(listed);
            if (error.empty()) {
                nft_written_generation = set.version();
                nft_written_spared = std::move(spared);
            }
            ls = nft_listeners;
        }
        // The alert engine's nft_sync_failed: engaged by a failure, released by a success.
        for (const auto& f : ls) f(error.empty(), error);
    }

    // After loads: publish to mark(), write and apply the nftables file, persist.
    void finish(published_blacklist& published) {
        auto set = loader->published().current();
        published.publish(set);
        write_nft(*set, clock::now());
        persist();
    }

    std::vector<source_status> status() const {
        auto st = loader->status();
        std::lock_guard lock(state_mutex);
        for (std::size_t i = 0; i < st.size(); ++i) {
            if (!fetch_error[i].empty()) {
                st[i].last_error = fetch_error[i];
                st[i].last_attempt = fetch_failed_at[i];
            }
        }
        return st;
    }

    void persist() {
        if (!store) return;
        persist_pending = true;
        last_persist = clock::now();
        for (const auto& s : status()) {
            stored_blacklist_source row;
            row.name = s.source.name;
            row.url = s.source.location;
            row.format = to_string(s.source.format);
            row.category = s.source.category;
            row.enabled = s.source.enabled;
            row.refresh_interval_s = s.source.update_interval.count();
            row.last_fetch_at = s.last_attempt;
            row.last_success_at = s.last_load;
            row.last_error = s.last_error;
            row.entries = static_cast<std::int64_t>(s.entries);
            row.hits = static_cast<std::int64_t>(s.hits);
            try {
                store->upsert(row);
            } catch (const std::exception&) {
                return;   // PostgreSQL away (or not migrated yet): tick() writes the state again
            }
        }
        persist_pending = false;
    }
};

blacklist_manager::blacklist_manager(manager_settings settings, blacklist_source_store* store)
    : impl_(std::make_unique<impl>()) {
    auto& I = *impl_;
    I.settings = std::move(settings);
    I.store = store;
    I.nft_argv = split_command(I.settings.nft_command);
    std::set<std::string> names;
    for (const auto& option : I.settings.blacklist_options) {
        auto s = source_from_option(option);
        if (!names.insert(s.name).second)
            throw std::invalid_argument("--blacklist: two lists named '" + s.name + "' (rename a file)");
        I.sources.push_back(std::move(s));
        I.from_option.push_back(true);
    }
    if (I.settings.include_well_known) {
        for (const auto& k : well_known_sources()) {
            if (!names.insert(k.name).second) continue;   // given with --blacklist: already enabled
            I.sources.push_back(k);
            I.from_option.push_back(false);
        }
    }
    I.loader = std::make_unique<blacklist_loader>(I.sources, I.settings.limits);
    I.fetch_error.resize(I.sources.size());
    I.fetch_failed_at.resize(I.sources.size());
    I.next_due.resize(I.sources.size());
}

blacklist_manager::~blacklist_manager() = default;

void blacklist_manager::on_nft_status(nft_listener f) {
    std::lock_guard lock(impl_->state_mutex);
    impl_->nft_listeners.push_back(std::move(f));
}

void blacklist_manager::on_status(status_listener f) {
    std::lock_guard lock(impl_->state_mutex);
    impl_->listeners.push_back(std::move(f));
}

std::string blacklist_manager::restore() {
    auto& I = *impl_;
    if (!I.store) return {};
    std::lock_guard control(I.control);
    try {
        for (const auto& row : I.store->all()) {
            for (std::size_t i = 0; i < I.sources.size(); ++i) {
                if (I.sources[i].name != row.name || I.from_option[i]) continue;
                I.sources[i].enabled = row.enabled;
                I.loader->set_enabled(i, row.enabled);
            }
        }
    } catch (const std::exception& e) {
        return e.what();
    }
    return {};
}

void blacklist_manager::mark(flow_batch& batch) noexcept {
    auto& I = *impl_;
    if (!I.reader) I.reader.emplace(published_);
    const blacklist_set& set = I.reader->snapshot();
    if (set.prefixes().prefix_count() == 0) return;
    // The batch's label for each source set met in it: the names are joined
    // once per distinct set, not once per listed address.
    std::vector<std::pair<std::uint64_t, blacklist_label>> seen;
    const auto label = [&](blacklist_match m) -> blacklist_label {
        I.loader->count_hits(m);
        for (const auto& [sources, l] : seen)
            if (sources == m.sources) return l;
        std::string names;
        for (std::size_t i = 0; i < set.sources().size(); ++i) {
            if (!m.has(i)) continue;
            if (!names.empty()) names += ',';
            names += set.sources()[i].name;
        }
        const blacklist_label l = batch.label_for(names);
        seen.emplace_back(m.sources, l);
        return l;
    };
    try {
        for (auto& r : batch.records) {
            if (const auto m = set.lookup(r.client_ip)) r.client_blacklist = label(m);
            if (const auto m = set.lookup(r.server_ip)) r.server_blacklist = label(m);
        }
    } catch (...) {
        // bad_alloc building a name list: the flow is stored unmarked.
    }
}

std::size_t blacklist_manager::reload() {
    auto& I = *impl_;
    std::lock_guard control(I.control);
    const auto now = clock::now();
    std::size_t failed = 0;
    for (std::size_t i = 0; i < I.sources.size(); ++i) {
        if (!I.loader->status()[i].source.enabled) continue;
        if (!I.load(i, now)) ++failed;
    }
    I.finish(published_);
    return failed;
}

void blacklist_manager::tick(clock::time_point now) {
    auto& I = *impl_;
    std::lock_guard control(I.control);
    bool any = false;
    const auto st = I.loader->status();
    for (std::size_t i = 0; i < I.sources.size(); ++i) {
        if (!st[i].source.enabled) continue;
        bool due = false;
        {
            std::lock_guard lock(I.state_mutex);
            due = !I.next_due[i] || now >= *I.next_due[i];
        }
        if (!due) continue;
        I.load(i, now);
        any = true;
    }
    if (any) I.finish(published_);
    else if (I.persist_pending || now - I.last_persist >= std::chrono::minutes(1)) I.persist();
    // New probes and dashboard sessions: spared within a minute.
    bool recheck = false;
    {
        std::lock_guard lock(I.state_mutex);
        recheck = !any && now - I.spared_checked >= std::chrono::minutes(1);
    }
    if (recheck) I.write_nft(*I.loader->published().current(), now);
}

bool blacklist_manager::set_enabled(std::string_view name, bool enabled) {
    auto& I = *impl_;
    std::lock_guard control(I.control);
    for (std::size_t i = 0; i < I.sources.size(); ++i) {
        if (I.sources[i].name != name) continue;
        I.sources[i].enabled = enabled;
        I.loader->set_enabled(i, enabled);
        if (enabled) {
            std::lock_guard lock(I.state_mutex);
            if (!I.loader->status()[i].last_load) I.next_due[i].reset();   // load at the next tick
        }
        I.finish(published_);
        return true;
    }
    return false;
}

std::vector<source_status> blacklist_manager::status() const { return impl_->status(); }

std::vector<std::string> blacklist_manager::nft_spared() const {
    std::lock_guard lock(impl_->state_mutex);
    return impl_->nft_spared_listed;
}

std::string blacklist_manager::last_nft_error() const {
    std::lock_guard lock(impl_->state_mutex);
    return impl_->nft_error;
}

}  // namespace wireflow::collector::blacklist

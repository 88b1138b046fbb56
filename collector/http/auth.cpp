#include "auth.hpp"

#include "path.hpp"

#include "net/ip_address.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <stdexcept>

namespace wireflow::collector::http {

namespace {

// Domain separation: the same secret gives unrelated values per purpose.
constexpr std::string_view session_key = "wireflow/session-id/v1";
constexpr std::string_view token_key = "wireflow/api-token/v1";
constexpr std::string_view csrf_key = "wireflow/csrf-token/v1";

std::array<unsigned char, 32> keyed_hash(std::string_view key, std::string_view data) {
    std::array<unsigned char, 32> out{};
    crypto_generichash(out.data(), out.size(), reinterpret_cast<const unsigned char*>(data.data()), data.size(),
                       reinterpret_cast<const unsigned char*>(key.data()), key.size());
    return out;
}

std::string hex(const std::array<unsigned char, 32>& b) {
    std::string out(b.size() * 2 + 1, '\0');
    sodium_bin2hex(out.data(), out.size(), b.data(), b.size());
    out.pop_back();
    return out;
}

std::string base64url(const unsigned char* data, std::size_t n) {
    std::string out(sodium_base64_encoded_len(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
    sodium_bin2base64(out.data(), out.size(), data, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    out.resize(std::char_traits<char>::length(out.c_str()));
    return out;
}

role role_of(const std::string& r) { return r == "admin" ? role::admin : role::viewer; }

// A secret we issued is 43 base64url characters; anything else is not
// worth a database round trip.
bool plausible_secret(std::string_view s) noexcept {
    if (s.size() != 43) return false;
    for (const char c : s)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return false;
    return true;
}

// The rate limits' unit: an IPv6 /64 (one subscriber's), an IPv4 address.
// An IPv4-mapped IPv6 peer (a dual-stack listener) is its IPv4 address.
std::string address_key(const std::string& client_ip) {
    auto a = net::ip_address::parse(client_ip);
    if (!a) return client_ip.substr(0, 64);
    if (a->is_v6()) {
        static constexpr std::array<std::uint8_t, 12> mapped{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (std::equal(mapped.begin(), mapped.end(), a->bytes.begin()))
            return net::ip_address::v4(static_cast<std::uint32_t>(a->bytes[12]) << 24 | a->bytes[13] << 16 |
                                       a->bytes[14] << 8 | a->bytes[15])
                .to_string();
        return a->masked(64).to_string() + "/64";
    }
    return a->to_string();
}

constexpr std::size_t max_good_addresses = 10'000;

}  // namespace

bool valid_username(std::string_view name) noexcept {
    if (name.empty() || name.size() > 64) return false;
    const char first = name.front();
    if (!((first >= 'A' && first <= 'Z') || (first >= 'a' && first <= 'z') || (first >= '0' && first <= '9')))
        return false;
    for (const char c : name)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-'))
            return false;
    return true;
}

std::string_view password_problem(std::string_view password) noexcept {
    if (password.size() < 8) return "password must have at least 8 characters";
    if (password.size() > 1024) return "password must have at most 1024 bytes";
    if (!valid_utf8(password) || password.find('\0') != std::string_view::npos) return "password must be valid UTF-8";
    return {};
}

auth_service::auth_service(account_store& users, auth_settings settings)
    : users_(users),
      settings_(settings),
      by_ip_(settings.max_address_failures, settings.failure_window),
      by_user_(settings.max_failures, settings.failure_window),
      global_(settings.max_global_failures, settings.failure_window),
      hashes_(std::clamp<std::ptrdiff_t>(settings.max_concurrent_hashes, 1, 64)) {
    if (sodium_init() < 0) throw std::runtime_error("libsodium initialisation failed");
    dummy_hash_ = hash_password("wireflow-dummy-password");
}

bool auth_service::bootstrap(std::string_view password, bool must_change_password) {
    const bool created = users_.create_default_admin_if_empty(hash_password(password), must_change_password);
    set_ready();
    return created;
}

std::optional<auth_service::hash_slot> auth_service::try_hash_slot() noexcept {
    if (!hashes_.try_acquire()) return std::nullopt;
    return hash_slot(&hashes_);
}

bool auth_service::known_good(const std::string& address) {
    std::lock_guard lock(good_mutex_);
    return good_addresses_.contains(address);
}

void auth_service::remember_good(const std::string& address) {
    std::lock_guard lock(good_mutex_);
    if (good_addresses_.size() >= max_good_addresses) good_addresses_.clear();  // rare; forgetting is safe
    good_addresses_.insert(address);
}

std::chrono::seconds auth_service::retry_after(std::string_view user, const std::string& client_ip) {
    const auto now = rate_limiter::clock::now();
    const std::string address = address_key(client_ip);
    auto wait = std::max(by_ip_.retry_after("ip:" + address, now),
                         by_user_.retry_after(std::string(user.substr(0, 64)) + "@" + address, now));
    if (!known_good(address)) wait = std::max(wait, global_.retry_after("all", now));
    return wait;
}

void auth_service::note_failure(std::string_view user, const std::string& client_ip) {
    const auto now = rate_limiter::clock::now();
    const std::string address = address_key(client_ip);
    by_ip_.failure("ip:" + address, now);
    by_user_.failure(std::string(user.substr(0, 64)) + "@" + address, now);
    global_.failure("all", now);
}

std::string auth_service::hash_password(std::string_view password) {
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        throw std::runtime_error("password hashing ran out of memory");
    return out;
}

bool auth_service::verify_password(const std::string& phc, std::string_view password) noexcept {
    return crypto_pwhash_str_verify(phc.c_str(), password.data(), password.size()) == 0;
}

std::string auth_service::random_secret() {
    std::array<unsigned char, 32> b{};
    randombytes_buf(b.data(), b.size());
    return base64url(b.data(), b.size());
}

std::string auth_service::session_hash(std::string_view id) { return hex(keyed_hash(session_key, id)); }
std::string auth_service::token_hash(std::string_view token) { return hex(keyed_hash(token_key, token)); }
std::string auth_service::csrf_token(std::string_view id) {
    const auto h = keyed_hash(csrf_key, id);
    return base64url(h.data(), h.size());
}

bool auth_service::equal_secrets(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::optional<principal> auth_service::from_session(std::string_view session_id) {
    if (!plausible_secret(session_id)) return std::nullopt;
    const auto row = users_.use_session(session_hash(session_id), settings_.idle);
    if (!row) return std::nullopt;
    return principal{row->user_id, row->name, role_of(row->role), row->must_change_password, principal::source::session,
                     std::string(session_id)};
}

std::optional<principal> auth_service::from_token(std::string_view token) {
    if (!plausible_secret(token)) return std::nullopt;
    const auto row = users_.use_token(token_hash(token));
    if (!row) return std::nullopt;
    return principal{row->user_id, row->name, role_of(row->role), row->must_change_password, principal::source::token, {}};
}

login_result auth_service::login(std::string_view user, std::string_view password, const std::string& client_ip,
                                 std::string_view user_agent) {
    login_result res;
    if (!ready()) {
        res.result = login_result::outcome::not_ready;
        res.retry_after = std::chrono::seconds(1);
        return res;
    }
    if (const auto wait = retry_after(user, client_ip); wait.count() > 0) {
        res.result = login_result::outcome::rate_limited;
        res.retry_after = wait;
        return res;
    }
    std::optional<stored_user> u;
    if (valid_username(user)) u = users_.find_user(std::string(user));
    bool ok = false;
    {
        const auto slot = try_hash_slot();
        if (!slot) {
            res.result = login_result::outcome::busy;
            res.retry_after = std::chrono::seconds(1);
            return res;
        }
        ok = verify_password(u ? u->password_hash : dummy_hash_, password) && u && !u->disabled;
    }
    const std::string address = address_key(client_ip);
    if (!ok) {
        note_failure(user, client_ip);
        return res;
    }
    by_user_.forget(std::string(user.substr(0, 64)) + "@" + address);
    remember_good(address);
    // The User-Agent is client text: stored only when it is bounded, valid UTF-8.
    std::string_view ua = user_agent.substr(0, 256);
    if (!valid_utf8(ua) || ua.find('\0') != std::string_view::npos) ua = {};
    res.session_id = random_secret();
    users_.create_session(session_hash(res.session_id), u->id, std::chrono::system_clock::now() + settings_.lifetime,
                          client_ip, std::string(ua));
    users_.note_login(u->id);
    res.result = login_result::outcome::ok;
    res.who = principal{u->id, u->name, role_of(u->role), u->must_change_password, principal::source::session,
                        res.session_id};
    return res;
}

void auth_service::logout(std::string_view session_id) {
    if (plausible_secret(session_id)) users_.delete_session(session_hash(session_id));
}

}  // namespace wireflow::collector::http

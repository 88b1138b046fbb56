#include "flow/flow_hash.hpp"

#include <wmmintrin.h>

#include <cstring>

namespace wireflow::probe {

namespace {

using schedule = std::array<std::array<std::uint8_t, 16>, 11>;

// The AES functions are compiled for AES-NI whatever the build's -march and
// called only when the CPU has it: nothing else in the binary needs it.
#define WF_AES __attribute__((target("aes,sse2")))

WF_AES __m128i expand_step(__m128i k, __m128i assist) noexcept {
    assist = _mm_shuffle_epi32(assist, 0xff);
    k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
    k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
    k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
    return _mm_xor_si128(k, assist);
}

// FIPS-197 5.2, the AES-128 key expansion with AESKEYGENASSIST (whose round
// constant must be an immediate, hence the unrolled steps).
WF_AES void expand(const std::uint8_t* key, schedule& rk) noexcept {
    __m128i k[11];
    k[0] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(key));
    k[1] = expand_step(k[0], _mm_aeskeygenassist_si128(k[0], 0x01));
    k[2] = expand_step(k[1], _mm_aeskeygenassist_si128(k[1], 0x02));
    k[3] = expand_step(k[2], _mm_aeskeygenassist_si128(k[2], 0x04));
    k[4] = expand_step(k[3], _mm_aeskeygenassist_si128(k[3], 0x08));
    k[5] = expand_step(k[4], _mm_aeskeygenassist_si128(k[4], 0x10));
    k[6] = expand_step(k[5], _mm_aeskeygenassist_si128(k[5], 0x20));
    k[7] = expand_step(k[6], _mm_aeskeygenassist_si128(k[6], 0x40));
    k[8] = expand_step(k[7], _mm_aeskeygenassist_si128(k[7], 0x80));
    k[9] = expand_step(k[8], _mm_aeskeygenassist_si128(k[8], 0x1b));
    k[10] = expand_step(k[9], _mm_aeskeygenassist_si128(k[9], 0x36));
    for (int i = 0; i < 11; ++i) _mm_storeu_si128(reinterpret_cast<__m128i*>(rk[i].data()), k[i]);
}

struct round_keys {
    __m128i k[11];
};

WF_AES inline round_keys load(const schedule& rk) noexcept {
    round_keys r;
    for (int i = 0; i < 11; ++i) r.k[i] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(rk[i].data()));
    return r;
}

WF_AES inline __m128i encrypt(__m128i b, const round_keys& r) noexcept {
    b = _mm_xor_si128(b, r.k[0]);
    for (int i = 1; i < 10; ++i) b = _mm_aesenc_si128(b, r.k[i]);
    return _mm_aesenclast_si128(b, r.k[10]);
}

// The same 16 bytes hash() feeds SipHash for an IPv4 key.
WF_AES inline __m128i v4_block(const flow_key& k) noexcept {
    const v4_words w = ipv4_words(k);
    return _mm_set_epi64x(static_cast<long long>(w.tail), static_cast<long long>(w.addresses));
}

WF_AES std::uint64_t aes_v4(const flow_key& k, const schedule& rk) noexcept {
    return static_cast<std::uint64_t>(_mm_cvtsi128_si64(encrypt(v4_block(k), load(rk))));
}

WF_AES void aes_many(const flow_key* const* keys, std::uint64_t* out, std::size_t n, const schedule& rk,
                     const hash_key& sip) noexcept {
    const round_keys r = load(rk);
    for (std::size_t i = 0; i < n; ++i) {
        const flow_key& k = *keys[i];
        out[i] = k.ip_version == 4 ? static_cast<std::uint64_t>(_mm_cvtsi128_si64(encrypt(v4_block(k), r)))
                                   : hash(k, sip);
    }
}

#undef WF_AES

}  // namespace

bool flow_hash::aes_available() noexcept {
    static const bool has = __builtin_cpu_supports("aes");
    return has;
}

flow_hash::flow_hash(const hash_key& key) noexcept
    : flow_hash(key, aes_available() ? method::aes : method::siphash) {}

flow_hash::flow_hash(const hash_key& key, method m) noexcept
    : key_(key), method_(m == method::aes && aes_available() ? method::aes : method::siphash) {
    if (method_ != method::aes) return;
    // The cipher's key is derived from the hash key rather than equal to it:
    // one secret is not used as the key of two different functions.
    std::uint8_t aes_key[16];
    const std::uint64_t k0 = keyed_hash("wireflow flow index aes-128 k0", 30, key_);
    const std::uint64_t k1 = keyed_hash("wireflow flow index aes-128 k1", 30, key_);
    std::memcpy(aes_key, &k0, 8);
    std::memcpy(aes_key + 8, &k1, 8);
    expand(aes_key, round_keys_);
}

std::uint64_t flow_hash::operator()(const flow_key& k) const noexcept {
    if (method_ == method::aes && k.ip_version == 4) return aes_v4(k, round_keys_);
    return hash(k, key_);
}

void flow_hash::operator()(const flow_key* const* keys, std::uint64_t* out, std::size_t n) const noexcept {
    if (method_ == method::aes) return aes_many(keys, out, n, round_keys_, key_);
    for (std::size_t i = 0; i < n; ++i) out[i] = hash(*keys[i], key_);
}

namespace detail {

__attribute__((target("aes,sse2"))) void aes128_encrypt(const std::uint8_t (&key)[16], const std::uint8_t (&in)[16],
                                                       std::uint8_t (&out)[16]) noexcept {
    schedule rk;
    expand(key, rk);
    const __m128i c = encrypt(_mm_loadu_si128(reinterpret_cast<const __m128i*>(in)), load(rk));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out), c);
}

}  // namespace detail

}  // namespace wireflow::probe

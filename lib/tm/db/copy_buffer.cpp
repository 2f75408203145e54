#include <tm/db/copy_buffer.hpp>

#include <bit>
#include <cstring>
#include <type_traits>

namespace db {
namespace {

constexpr char k_header[] = "PGCOPY\n\377\r\n\0";
// Microseconds between the Unix epoch and PostgreSQL's (2000-01-01).
constexpr int64_t k_pg_epoch_offset_us = 946'684'800'000'000LL;

} // namespace

BinaryCopyBuffer::BinaryCopyBuffer() {
    m_data.append(k_header, sizeof k_header - 1);
    put_be<int32_t>(0); // flags
    put_be<int32_t>(0); // header extension length
}

template <typename T> void BinaryCopyBuffer::put_be(T v) {
    using U = std::make_unsigned_t<T>;
    auto u = static_cast<U>(v);
    if constexpr (std::endian::native == std::endian::little) {
        if constexpr (sizeof(U) == 2) {
            u = __builtin_bswap16(u);
        } else if constexpr (sizeof(U) == 4) {
            u = __builtin_bswap32(u);
        } else {
            u = __builtin_bswap64(u);
        }
    }
    char bytes[sizeof(U)];
    std::memcpy(bytes, &u, sizeof(U));
    m_data.append(bytes, sizeof(U));
}

void BinaryCopyBuffer::start_row(int16_t fields) {
    put_be<int16_t>(fields);
}

void BinaryCopyBuffer::add_int4(int32_t v) {
    put_be<int32_t>(4);
    put_be<int32_t>(v);
}

void BinaryCopyBuffer::add_int8(int64_t v) {
    put_be<int32_t>(8);
    put_be<int64_t>(v);
}

void BinaryCopyBuffer::add_float8(double v) {
    put_be<int32_t>(8);
    put_be<int64_t>(std::bit_cast<int64_t>(v));
}

void BinaryCopyBuffer::add_timestamptz(core::Time t) {
    put_be<int32_t>(8);
    put_be<int64_t>(t.time_since_epoch().count() - k_pg_epoch_offset_us);
}

void BinaryCopyBuffer::add_text(std::string_view s) {
    put_be<int32_t>(static_cast<int32_t>(s.size()));
    m_data.append(s);
}

void BinaryCopyBuffer::add_null() {
    put_be<int32_t>(-1);
}

void BinaryCopyBuffer::finish() {
    put_be<int16_t>(-1);
}

std::string BinaryCopyBuffer::take_chunk() {
    std::string out;
    out.swap(m_data);
    return out;
}

} // namespace db

#pragma once

#include <tm/core/time.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace db {

// Builds PostgreSQL's binary COPY format (COPY … FROM STDIN (FORMAT binary)), which skips the
// server's text parsing of numbers and timestamps: the cheapest way to move points.
class BinaryCopyBuffer {
public:
    BinaryCopyBuffer();
    void start_row(int16_t fields);
    void add_int4(int32_t v);
    void add_int8(int64_t v);
    void add_float8(double v);
    void add_timestamptz(core::Time t);
    void add_text(std::string_view s);
    void add_null();
    // Appends the trailer; the buffer is complete afterwards.
    void finish();

    const std::string& data() const { return m_data; }
    // Hands out everything but the header for streaming, keeping the header for the next chunk.
    std::string take_chunk();
    size_t size() const { return m_data.size(); }

private:
    template <typename T> void put_be(T v);
    std::string m_data;
};

} // namespace db

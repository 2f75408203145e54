#include <tm/core/error.hpp>
#include <tm/core/files.hpp>
#include <tm/core/secrets.hpp>
#include <tm/core/strings.hpp>
#include <tm/http/recorder.hpp>
#include <tm/http/redact.hpp>

#include <fmt/format.h>

#include <filesystem>
#include <sstream>

namespace http {
namespace {

uint64_t fnv1a(std::string_view s) {
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return h;
}

} // namespace

Recorder::Recorder(std::string dir) : m_dir(std::move(dir)) {}

std::string Recorder::key(const Request& request) {
    const std::string canonical = fmt::format(
        "{} {}\n{}", request.method, redact_url(request.url), core::secrets::redact(request.body));
    return fmt::format("{:016x}", fnv1a(canonical));
}

void Recorder::store(const Request& request, const Response& response) const {
    std::error_code ec;
    std::filesystem::create_directories(m_dir, ec);
    const std::string base = fmt::format("{}/{}", m_dir, key(request));
    std::string meta = fmt::format("status: {}\nmethod: {}\nurl: {}\n",
                                   response.status,
                                   request.method,
                                   redact_url(request.url));
    if (!request.body.empty()) {
        meta += fmt::format("request-body: {}\n", core::secrets::redact(request.body));
    }
    if (!response.transport_error.empty()) {
        meta +=
            fmt::format("transport-error: {}\n", core::secrets::redact(response.transport_error));
    }
    for (const auto& [name, value] : response.headers) {
        meta += fmt::format("header: {}\n", redact_header(name, value));
    }
    core::files::write_atomically(base + ".meta", meta);
    core::files::write_atomically(base + ".body", core::secrets::redact(response.body));
}

std::optional<Response> Recorder::load(const Request& request) const {
    const std::string base = fmt::format("{}/{}", m_dir, key(request));
    const auto meta = core::files::read_if_exists(base + ".meta");
    if (!meta) {
        return std::nullopt;
    }
    Response response;
    response.url = redact_url(request.url);
    response.attempts = 1;
    std::istringstream lines(*meta);
    std::string line;
    while (std::getline(lines, line)) {
        const size_t colon = line.find(": ");
        if (colon == std::string::npos) {
            continue;
        }
        const std::string field = line.substr(0, colon);
        const std::string value = line.substr(colon + 2);
        if (field == "status") {
            response.status = core::strings::parse_int(value).value_or(0);
        } else if (field == "transport-error") {
            response.transport_error = value;
        } else if (field == "header") {
            const size_t sep = value.find(": ");
            if (sep != std::string::npos) {
                response.headers.emplace_back(value.substr(0, sep), value.substr(sep + 2));
            }
        }
    }
    response.body = core::files::read_if_exists(base + ".body").value_or("");
    return response;
}

} // namespace http

#include <tm/core/secrets.hpp>
#include <tm/core/strings.hpp>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <mutex>
#include <vector>

namespace core::secrets {
namespace {

struct Registry {
    std::mutex mutex;
    std::vector<std::string> values;
};

Registry& registry() {
    static Registry r;
    return r;
}

// Query parameter and conninfo names whose values are credentials.
constexpr std::array<std::string_view, 12> k_secret_names = {"apikey",
                                                             "api_key",
                                                             "api-key",
                                                             "key",
                                                             "token",
                                                             "access_token",
                                                             "auth",
                                                             "secret",
                                                             "password",
                                                             "passwd",
                                                             "signature",
                                                             "x_cg_pro_api_key"};

bool is_secret_name(std::string_view name) {
    const std::string lower = strings::to_lower(name);
    return std::find(k_secret_names.begin(), k_secret_names.end(), lower) != k_secret_names.end();
}

bool is_name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

// Masks `name=value` pairs whose name is a credential, in query strings ("?a=1&key=v") and in
// libpq conninfo strings ("password=v").
void mask_named_values(std::string& s) {
    size_t pos = 0;
    while ((pos = s.find('=', pos)) != std::string::npos) {
        size_t start = pos;
        while (start > 0 && is_name_char(s[start - 1])) {
            --start;
        }
        const std::string_view name(s.data() + start, pos - start);
        size_t end = pos + 1;
        if (!name.empty() && is_secret_name(name)) {
            const bool quoted = end < s.size() && s[end] == '\'';
            if (quoted) {
                ++end;
                while (end < s.size() && s[end] != '\'') {
                    end += (s[end] == '\\' && end + 1 < s.size()) ? 2 : 1;
                }
                end = std::min(end + 1, s.size());
            } else {
                while (end < s.size() && s[end] != '&' && s[end] != ' ' && s[end] != '"'
                       && s[end] != '\n' && s[end] != ',' && s[end] != '#') {
                    ++end;
                }
            }
            if (end > pos + 1) {
                s.replace(pos + 1, end - pos - 1, mask);
                end = pos + 1 + mask.size();
            }
        }
        pos = end;
    }
}

// Masks the password in "scheme://user:password@host".
void mask_url_passwords(std::string& s) {
    size_t pos = 0;
    while ((pos = s.find("://", pos)) != std::string::npos) {
        const size_t auth_start = pos + 3;
        const size_t end = s.find_first_of("/ ?#\"'\n", auth_start);
        const size_t at = s.rfind('@', end == std::string::npos ? s.size() : end);
        if (at != std::string::npos && at > auth_start) {
            const size_t colon = s.find(':', auth_start);
            if (colon != std::string::npos && colon < at) {
                s.replace(colon + 1, at - colon - 1, mask);
            }
        }
        pos = auth_start;
    }
}

} // namespace

void add(std::string_view value) {
    if (value.size() < 4) {
        return;
    }
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    if (std::find(r.values.begin(), r.values.end(), value) == r.values.end()) {
        r.values.emplace_back(value);
        // Longest first, so a secret containing another is masked whole.
        std::sort(r.values.begin(), r.values.end(), [](const auto& a, const auto& b) {
            return a.size() > b.size();
        });
    }
}

std::string from_env(const char* name) {
    const char* v = std::getenv(name);
    if (v == nullptr) {
        return {};
    }
    add(v);
    return v;
}

std::string redact(std::string_view text) {
    std::string out(text);
    {
        auto& r = registry();
        std::lock_guard lock(r.mutex);
        for (const auto& secret : r.values) {
            size_t pos = 0;
            while ((pos = out.find(secret, pos)) != std::string::npos) {
                out.replace(pos, secret.size(), mask);
                pos += mask.size();
            }
        }
    }
    mask_url_passwords(out);
    mask_named_values(out);
    return out;
}

} // namespace core::secrets

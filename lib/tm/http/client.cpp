#include <tm/core/error.hpp>
#include <tm/core/interrupt.hpp>
#include <tm/core/log.hpp>
#include <tm/http/client.hpp>
#include <tm/http/recorder.hpp>
#include <tm/http/redact.hpp>

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <random>
#include <thread>
#include <vector>

namespace http {
namespace {

using Clock = std::chrono::steady_clock;

struct CurlGlobal {
    CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
    ~CurlGlobal() { curl_global_cleanup(); }
};

bool transport_retryable(CURLcode code) {
    switch (code) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_BAD_CONTENT_ENCODING:
        return true;
    default:
        return false;
    }
}

} // namespace

std::string origin_of(std::string_view url) {
    const size_t scheme = url.find("://");
    if (scheme == std::string_view::npos) {
        return std::string(url);
    }
    const size_t end = url.find_first_of("/?#", scheme + 3);
    return std::string(url.substr(0, end));
}

struct Client::Impl {
    struct Job {
        Request request;
        Callback on_done;
        int attempt = 0; // attempts made so far
        Clock::time_point not_before{};
    };
    struct Transfer {
        Job job;
        CURL* easy = nullptr;
        curl_slist* headers = nullptr;
        std::string body;
        Headers response_headers;
        bool too_big = false;
        size_t max_body = 0;
        char error[CURL_ERROR_SIZE] = {};
    };

    Client& owner;
    CURLM* multi = nullptr;
    std::deque<Job> ready;
    std::vector<Job> waiting; // backoff or rate-limit delays
    std::vector<std::unique_ptr<Transfer>> active;
    std::map<std::string, TokenBucket> buckets;
    std::map<std::string, HostLimit> limits;
    std::optional<Recorder> recorder;
    std::optional<Recorder> replayer;
    std::mt19937_64 rng{std::random_device{}()};
    std::function<void()> tick;

    explicit Impl(Client& c) : owner(c) {
        static CurlGlobal global;
        multi = curl_multi_init();
        curl_multi_setopt(
            multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, long{owner.m_options.max_in_flight});
        if (owner.m_options.record_dir) {
            recorder.emplace(*owner.m_options.record_dir);
        }
        if (owner.m_options.replay_dir) {
            replayer.emplace(*owner.m_options.replay_dir);
        }
    }

    ~Impl() {
        for (auto& t : active) {
            curl_multi_remove_handle(multi, t->easy);
            release(*t);
        }
        curl_multi_cleanup(multi);
    }

    static void release(Transfer& t) {
        curl_easy_cleanup(t.easy);
        curl_slist_free_all(t.headers);
        t.easy = nullptr;
        t.headers = nullptr;
    }

    static size_t on_body(char* data, size_t size, size_t count, void* user) {
        auto* t = static_cast<Transfer*>(user);
        const size_t n = size * count;
        if (t->body.size() + n > t->max_body) {
            t->too_big = true;
            return 0; // makes curl fail the transfer with CURLE_WRITE_ERROR
        }
        // Always Response::k_spare bytes to spare, so that a parser that needs padding
        // (simdjson) never copies the body once more; doubling as std::string would.
        if (const size_t need = t->body.size() + n + Response::k_spare; t->body.capacity() < need) {
            t->body.reserve(std::max(need, 2 * t->body.capacity()));
        }
        t->body.append(data, n);
        return n;
    }

    static size_t on_header(char* data, size_t size, size_t count, void* user) {
        auto* t = static_cast<Transfer*>(user);
        const size_t n = size * count;
        std::string_view line(data, n);
        if (line.starts_with("HTTP/")) {
            t->response_headers.clear(); // a new response (after a redirect or 100-continue)
        }
        const size_t colon = line.find(':');
        if (colon != std::string_view::npos) {
            auto trim = [](std::string_view s) {
                while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
                    s.remove_prefix(1);
                }
                while (!s.empty() && (s.back() == '\r' || s.back() == '\n' || s.back() == ' ')) {
                    s.remove_suffix(1);
                }
                return s;
            };
            std::string name(trim(line.substr(0, colon)));
            std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) {
                return static_cast<char>(std::tolower(c));
            });
            t->response_headers.emplace_back(std::move(name),
                                             std::string(trim(line.substr(colon + 1))));
        }
        return n;
    }

    TokenBucket* bucket_for(const std::string& url) {
        const std::string origin = origin_of(url);
        auto it = buckets.find(origin);
        if (it == buckets.end()) {
            const auto limit = limits.find(origin);
            if (limit == limits.end()) {
                return nullptr;
            }
            it = buckets
                     .emplace(origin,
                              TokenBucket(limit->second.weight_per_minute,
                                          limit->second.burst,
                                          Clock::now()))
                     .first;
        }
        return &it->second;
    }

    void start(Job job) {
        auto t = std::make_unique<Transfer>();
        t->job = std::move(job);
        t->max_body = owner.m_options.max_body_bytes;
        ++t->job.attempt;
        ++owner.m_stats.requests;
        const Request& req = t->job.request;
        core::log::debug("{} {} (attempt {})", req.method, redact_url(req.url), t->job.attempt);

        CURL* e = curl_easy_init();
        t->easy = e;
        const auto& o = owner.m_options;
        curl_easy_setopt(e, CURLOPT_URL, req.url.c_str());
        curl_easy_setopt(e, CURLOPT_PRIVATE, t.get());
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Impl::on_body);
        curl_easy_setopt(e, CURLOPT_WRITEDATA, t.get());
        curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &Impl::on_header);
        curl_easy_setopt(e, CURLOPT_HEADERDATA, t.get());
        curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->error);
        curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, ""); // every encoding curl can decode
        curl_easy_setopt(e, CURLOPT_USERAGENT, o.user_agent.c_str());
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(e, CURLOPT_MAXREDIRS, 5L);
        curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(
            e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(o.connect_timeout.count()));
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(o.total_timeout.count()));
        curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, o.low_speed_bytes);
        curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, static_cast<long>(o.low_speed_time.count()));
        curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(o.max_body_bytes));
        for (const auto& [name, value] : req.headers) {
            t->headers = curl_slist_append(t->headers, fmt::format("{}: {}", name, value).c_str());
        }
        if (req.method == "POST") {
            curl_easy_setopt(e, CURLOPT_POSTFIELDS, req.body.c_str());
            curl_easy_setopt(
                e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
        } else if (req.method != "GET") {
            curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req.method.c_str());
        }
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
        curl_multi_add_handle(multi, e);
        active.push_back(std::move(t));
    }

    Response response_of(Transfer& t, CURLcode code) {
        Response r;
        r.url = redact_url(t.job.request.url);
        r.attempts = t.job.attempt;
        long status = 0;
        curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &status);
        r.status = status;
        r.headers = std::move(t.response_headers);
        r.body = std::move(t.body);
        if (code == CURLE_OK) {
            return r;
        }
        const auto& o = owner.m_options;
        r.transport_retryable = transport_retryable(code);
        if (t.too_big || code == CURLE_FILESIZE_EXCEEDED) {
            r.transport_error = fmt::format(
                "response body larger than the {} MiB limit (--max-body)", o.max_body_bytes >> 20);
            r.transport_retryable = false;
        } else if (code == CURLE_OPERATION_TIMEDOUT) {
            r.transport_error = fmt::format(
                "timed out ({})", t.error[0] != '\0' ? t.error : curl_easy_strerror(code));
        } else {
            r.transport_error = t.error[0] != '\0' ? t.error : curl_easy_strerror(code);
        }
        r.transport_error = redact_url(r.transport_error);
        r.body.clear();
        return r;
    }

    // Reads a 2xx body for an error its API put there (Request::body_error).
    static void classify(const Request& request, Response& response) {
        if (request.body_error && response.transport_error.empty() && response.status >= 200
            && response.status < 300 && !response.body.empty()) {
            if (auto error = request.body_error(response)) {
                response.api_error = redact_url(error->message);
                response.api_error_retryable = error->retry;
            }
        }
    }

    // Decides between retrying `job` and delivering `response`.
    void settle(Job job, Response response) {
        const auto& policy = owner.m_options.retry;
        classify(job.request, response);
        const bool final_answer = job.request.final_answer && job.request.final_answer(response);
        if (!final_answer && policy.should_retry(response) && job.attempt < policy.max_attempts) {
            std::chrono::milliseconds delay = policy.backoff(job.attempt, rng);
            if (auto ra = response.header("retry-after")) {
                if (auto parsed = parse_retry_after(*ra, std::chrono::system_clock::now())) {
                    if (*parsed > policy.max_retry_after) {
                        response.transport_error = fmt::format(
                            "{}; Retry-After asks for {} s, more than the {} s tm waits",
                            response.describe(),
                            parsed->count() / 1000,
                            policy.max_retry_after.count());
                        deliver(std::move(job), std::move(response));
                        return;
                    }
                    delay = *parsed;
                }
            }
            core::log::info("{}: {}; retry {}/{} in {:.1f} s",
                            job.request.label.empty() ? response.url : job.request.label,
                            response.describe(),
                            job.attempt,
                            policy.max_attempts - 1,
                            static_cast<double>(delay.count()) / 1000.0);
            ++owner.m_stats.retries;
            job.not_before = Clock::now() + delay;
            waiting.push_back(std::move(job));
            return;
        }
        deliver(std::move(job), std::move(response));
    }

    void deliver(Job job, Response response) {
        if (recorder) {
            recorder->store(job.request, response);
        }
        if (!response.ok() || response.body.empty()) {
            ++owner.m_stats.failed_requests;
        }
        ++owner.m_stats.answered;
        ++owner.m_stats.by_status[response.transport_error.empty() ? response.status : 0];
        job.on_done(std::move(response));
    }

    void replay(Job job) {
        ++job.attempt;
        ++owner.m_stats.requests;
        auto stored = replayer->load(job.request);
        if (!stored) {
            Response missing;
            missing.url = redact_url(job.request.url);
            missing.attempts = job.attempt;
            missing.transport_error = fmt::format("no recorded response for {} {} in {}",
                                                  job.request.method,
                                                  missing.url,
                                                  *owner.m_options.replay_dir);
            deliver(std::move(job), std::move(missing));
            return;
        }
        classify(job.request, *stored);
        deliver(std::move(job), std::move(*stored));
    }

    // Moves jobs whose delay has passed into the ready queue.
    void wake_waiting() {
        const auto now = Clock::now();
        for (auto it = waiting.begin(); it != waiting.end();) {
            if (it->not_before <= now) {
                ready.push_back(std::move(*it));
                it = waiting.erase(it);
            } else {
                ++it;
            }
        }
    }

    // How long the loop may block: until the next delayed job is due, at most a second.
    int wait_ms() const {
        long long ms = 1000;
        const auto now = Clock::now();
        for (const auto& job : waiting) {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(job.not_before - now).count()
                + 1;
            ms = std::min<long long>(ms, std::max<long long>(1, left));
        }
        return static_cast<int>(ms);
    }

    void launch_ready() {
        while (!ready.empty() && static_cast<int>(active.size()) < owner.m_options.max_in_flight) {
            Job job = std::move(ready.front());
            ready.pop_front();
            if (replayer) {
                replay(std::move(job));
                continue;
            }
            if (TokenBucket* bucket = bucket_for(job.request.url)) {
                const auto wait = bucket->acquire(job.request.weight, Clock::now());
                if (wait.count() > 0) {
                    ++owner.m_stats.rate_limit_waits;
                    owner.m_stats.rate_limit_wait_seconds +=
                        static_cast<double>(wait.count()) / 1e6;
                    job.not_before = Clock::now() + wait;
                    waiting.push_back(std::move(job));
                    continue;
                }
            }
            start(std::move(job));
        }
    }

    void collect_finished() {
        int pending = 0;
        while (CURLMsg* msg = curl_multi_info_read(multi, &pending)) {
            if (msg->msg != CURLMSG_DONE) {
                continue;
            }
            CURL* easy = msg->easy_handle;
            const CURLcode code = msg->data.result;
            auto it = std::find_if(
                active.begin(), active.end(), [&](const auto& t) { return t->easy == easy; });
            if (it == active.end()) {
                continue;
            }
            std::unique_ptr<Transfer> t = std::move(*it);
            active.erase(it);
            curl_multi_remove_handle(multi, easy);
            Response response = response_of(*t, code);
            release(*t);
            settle(std::move(t->job), std::move(response));
        }
    }

    void check_signal() const {
        if (owner.m_options.stop_on_signal) {
            core::interrupt::check();
        }
    }

    void run() {
        while (!ready.empty() || !waiting.empty() || !active.empty()) {
            check_signal();
            wake_waiting();
            launch_ready();
            if (!active.empty()) {
                int running = 0;
                curl_multi_perform(multi, &running);
                collect_finished();
            }
            if (tick) {
                tick();
            }
            if (!ready.empty() && static_cast<int>(active.size()) < owner.m_options.max_in_flight) {
                continue; // callbacks queued follow-ups that can start right away
            }
            // A signal wakes the waits through the self-pipe of core::interrupt (unless this
            // client goes on after signals: the pipe stays readable once written).
            const bool wakeable = owner.m_options.stop_on_signal;
            if (active.empty()) {
                if (!waiting.empty()) {
                    const std::chrono::milliseconds delay(wait_ms());
                    wakeable ? core::interrupt::wait(delay) : std::this_thread::sleep_for(delay);
                }
                continue;
            }
            curl_waitfd wake{wakeable ? core::interrupt::wake_fd() : -1, CURL_WAIT_POLLIN, 0};
            curl_multi_poll(multi, &wake, wake.fd >= 0 ? 1 : 0, wait_ms(), nullptr);
        }
        check_signal();
    }
};

Client::Client(ClientOptions options) : m_options(std::move(options)) {
    m_impl = std::make_unique<Impl>(*this);
}

Client::~Client() = default;

void Client::set_limit(const std::string& origin, HostLimit limit) {
    if (m_options.rate_per_minute) {
        limit = {*m_options.rate_per_minute, std::max(1.0, *m_options.rate_per_minute / 10)};
    }
    m_impl->limits[origin_of(origin)] = limit;
    m_impl->buckets.erase(origin_of(origin));
}

void Client::submit(Request request, Callback on_done) {
    if (request.label.empty()) {
        request.label = fmt::format("{} {}", request.method, path_of(request.url));
    }
    m_impl->ready.push_back(Impl::Job{std::move(request), std::move(on_done)});
}

void Client::run() {
    m_impl->run();
}

long Client::pending() const {
    return static_cast<long>(m_impl->ready.size() + m_impl->waiting.size() + m_impl->active.size());
}

void Client::charge(const std::string& url, double weight) {
    if (TokenBucket* bucket = m_impl->bucket_for(url)) {
        bucket->charge(weight, Clock::now());
    }
}

void Client::on_tick(std::function<void()> tick) {
    m_impl->tick = std::move(tick);
}

} // namespace http

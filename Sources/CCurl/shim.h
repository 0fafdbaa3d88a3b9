// Typed wrappers for libcurl's variadic calls, which Swift cannot call.
// One wrapper per argument kind; each forwards to the variadic function unchanged.
#ifndef QUAKE_CCURL_SHIM_H
#define QUAKE_CCURL_SHIM_H

#include <curl/curl.h>

// MARK: curl_easy_setopt

static inline CURLcode quake_curl_easy_setopt_long(CURL *_Nonnull handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode quake_curl_easy_setopt_string(CURL *_Nonnull handle, CURLoption option, const char *_Nullable value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode quake_curl_easy_setopt_pointer(CURL *_Nonnull handle, CURLoption option, void *_Nullable value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode quake_curl_easy_setopt_off_t(CURL *_Nonnull handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode quake_curl_easy_setopt_write_callback(CURL *_Nonnull handle, CURLoption option, curl_write_callback _Nullable callback) {
    return curl_easy_setopt(handle, option, callback);
}

static inline CURLcode quake_curl_easy_setopt_xferinfo_callback(CURL *_Nonnull handle, CURLoption option, curl_xferinfo_callback _Nullable callback) {
    return curl_easy_setopt(handle, option, callback);
}

static inline CURLcode quake_curl_easy_setopt_slist(CURL *_Nonnull handle, CURLoption option, struct curl_slist *_Nullable list) {
    return curl_easy_setopt(handle, option, list);
}

// MARK: curl_easy_getinfo

static inline CURLcode quake_curl_easy_getinfo_long(CURL *_Nonnull handle, CURLINFO info, long *_Nonnull value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode quake_curl_easy_getinfo_off_t(CURL *_Nonnull handle, CURLINFO info, curl_off_t *_Nonnull value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode quake_curl_easy_getinfo_double(CURL *_Nonnull handle, CURLINFO info, double *_Nonnull value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode quake_curl_easy_getinfo_string(CURL *_Nonnull handle, CURLINFO info, const char *_Nullable *_Nonnull value) {
    return curl_easy_getinfo(handle, info, value);
}

// MARK: multi (engine)
// Used by QuakeHTTP's client engine (HTTPEngine, MultiHandle): multi-handle options and the
// result of a finished transfer, which curl_multi_info_read reports inside a union.

static inline CURLMcode quake_curl_multi_setopt_long(CURLM *_Nonnull multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}

static inline CURLcode quake_curl_msg_result(const CURLMsg *_Nonnull message) {
    return message->data.result;
}

// MARK: load generator
// Used by QuakeHTTP's load generator (Sources/QuakeHTTP/Load), which drives libcurl with
// curl_multi_socket_action over its own epoll set: multi-handle options and callbacks, the
// per-transfer private pointer, and (Linux) epoll with nanosecond timeouts for send instants and
// an event descriptor for waking. epoll_event is a packed struct, so it stays on this side.

static inline CURLMcode quake_load_multi_setopt_long(CURLM *_Nonnull multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}

static inline CURLMcode quake_load_multi_setopt_pointer(CURLM *_Nonnull multi, CURLMoption option, void *_Nullable value) {
    return curl_multi_setopt(multi, option, value);
}

static inline CURLMcode quake_load_multi_setopt_socket_callback(CURLM *_Nonnull multi, curl_socket_callback _Nullable callback) {
    return curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, callback);
}

static inline CURLMcode quake_load_multi_setopt_timer_callback(CURLM *_Nonnull multi, curl_multi_timer_callback _Nullable callback) {
    return curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, callback);
}

static inline CURLcode quake_load_easy_setopt_closesocket_callback(CURL *_Nonnull handle, curl_closesocket_callback _Nullable callback) {
    return curl_easy_setopt(handle, CURLOPT_CLOSESOCKETFUNCTION, callback);
}

static inline CURLcode quake_load_easy_getinfo_pointer(CURL *_Nonnull handle, CURLINFO info, void *_Nullable *_Nonnull value) {
    return curl_easy_getinfo(handle, info, value);
}

#ifdef __linux__
#include <errno.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <time.h>

/// A new epoll set (close-on-exec), or -1 with errno set.
static inline int quake_load_epoll_create(void) {
    return epoll_create1(EPOLL_CLOEXEC);
}

/// epoll_ctl for `fd` with `events`, the event's data being `fd` itself; 0 or -1 with errno set.
static inline int quake_load_epoll_control(int epoll, int operation, int fd, unsigned int events) {
    struct epoll_event event;
    event.events = events;
    event.data.u64 = 0;
    event.data.fd = fd;
    return epoll_ctl(epoll, operation, fd, &event);
}

/// Waits for at most `capacity` (up to 256) ready descriptors until `timeout_ns` nanoseconds
/// have passed (negative: no limit), with epoll_pwait2's nanosecond timeout, or epoll_wait's
/// milliseconds (rounded up) on kernels before 5.11. Writes each ready descriptor's fd and events
/// to `fds` and `events`; returns how many, or -1 with errno set.
static inline int quake_load_epoll_wait(int epoll, int *_Nonnull fds, unsigned int *_Nonnull events, int capacity, long long timeout_ns) {
    static _Thread_local int no_pwait2 = 0;
    struct epoll_event ready[256];
    if (capacity > 256) capacity = 256;
    int count;
    if (!no_pwait2) {
        struct timespec timeout = {(time_t)(timeout_ns / 1000000000LL), (long)(timeout_ns % 1000000000LL)};
        count = epoll_pwait2(epoll, ready, capacity, timeout_ns < 0 ? NULL : &timeout, NULL);
        if (count < 0 && errno == ENOSYS) no_pwait2 = 1;
    }
    if (no_pwait2) {
        long long milliseconds = timeout_ns < 0 ? -1 : (timeout_ns + 999999LL) / 1000000LL;
        count = epoll_wait(epoll, ready, capacity, milliseconds > 2147483647LL ? 2147483647 : (int)milliseconds);
    }
    for (int i = 0; i < count; i++) {
        fds[i] = ready[i].data.fd;
        events[i] = ready[i].events;
    }
    return count;
}

/// Lets the calling thread's timed waits end within `nanoseconds` of their deadline (Linux's
/// default slack is 50 µs); 0 or -1 with errno set.
static inline int quake_load_set_timer_slack(unsigned long nanoseconds) {
    return prctl(PR_SET_TIMERSLACK, nanoseconds, 0, 0, 0);
}

/// A non-blocking event descriptor (close-on-exec) for waking an epoll wait, or -1 with errno set.
static inline int quake_load_eventfd_create(void) {
    return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

#endif

#endif

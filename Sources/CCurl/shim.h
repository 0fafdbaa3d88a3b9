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

#endif

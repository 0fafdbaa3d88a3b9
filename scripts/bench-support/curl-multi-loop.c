/*
 * The floor for any load generator built on libcurl: a bare C loop of the kind libcurl's own
 * examples use (curl_multi_perform + curl_multi_poll), each thread keeping CONNECTIONS easy
 * handles busy on URL for SECONDS, re-adding each handle as it finishes. No timing, no
 * histogram, no status bookkeeping. Prints requests/s and the number of completed requests.
 *
 *   curl-multi-loop URL THREADS CONNECTIONS_PER_THREAD SECONDS
 *
 * scripts/bench-http builds it with the system's libcurl and runs it next to quake load, so the
 * figures show how much of the distance to wrk is libcurl's own.
 */
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static const char *url;
static int connections;
static double seconds;

static size_t discard(char *data, size_t size, size_t count, void *context) {
    (void)data; (void)context;
    return size * count;
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void *drive(void *argument) {
    long *completed = argument;
    CURLM *multi = curl_multi_init();
    for (int i = 0; i < connections; i++) {
        CURL *easy = curl_easy_init();
        curl_easy_setopt(easy, CURLOPT_URL, url);
        curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
        curl_multi_add_handle(multi, easy);
    }
    double end = now() + seconds;
    int running = 0;
    while (now() < end) {
        curl_multi_perform(multi, &running);
        CURLMsg *message;
        int left;
        while ((message = curl_multi_info_read(multi, &left))) {
            if (message->msg != CURLMSG_DONE) continue;
            CURL *easy = message->easy_handle;
            if (message->data.result == CURLE_OK) (*completed)++;
            curl_multi_remove_handle(multi, easy);
            curl_multi_add_handle(multi, easy);
        }
        curl_multi_poll(multi, NULL, 0, 100, NULL);
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s URL THREADS CONNECTIONS_PER_THREAD SECONDS\n", argv[0]);
        return 2;
    }
    url = argv[1];
    int threads = atoi(argv[2]);
    connections = atoi(argv[3]);
    seconds = atof(argv[4]);
    if (threads < 1 || threads > 64 || connections < 1 || seconds <= 0) {
        fprintf(stderr, "%s: THREADS must be 1-64, CONNECTIONS_PER_THREAD and SECONDS above zero\n", argv[0]);
        return 2;
    }
    curl_global_init(CURL_GLOBAL_ALL);
    pthread_t workers[64];
    long completed[64] = {0};
    double start = now();
    for (int i = 0; i < threads; i++) pthread_create(&workers[i], NULL, drive, &completed[i]);
    long total = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(workers[i], NULL);
        total += completed[i];
    }
    printf("%.0f %ld\n", (double)total / (now() - start), total);
    return 0;
}

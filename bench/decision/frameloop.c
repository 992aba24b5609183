/* The workloads of bench/decision/run.ts.
 *
 *   frameloop SECONDS  a 60 Hz frame loop: each frame starts at its deadline (absolute
 *                      clock_nanosleep), does 6 ms of CPU work (measured on the thread's CPU
 *                      clock, so preemption does not shorten it) and records its frame time,
 *                      from the frame's start to the end of its work. A frame whose work ends
 *                      after the next frame's start is a deadline miss (the loop then starts
 *                      its next frame one period later, dropping the backlog). Prints one JSON line:
 *                      {"frames":N,"p50_ms":..,"p99_ms":..,"misses":N,"miss_at_s":[..],
 *                      "late_p99_ms":..}: when each miss happened, seconds after the loop
 *                      started (the first 64), and the p99 of the frames after the first
 *                      LATE_S seconds.
 *   hog SECONDS        spins, counting loop iterations; prints {"iterations":N}.
 *
 * Build: cc -O2 -o frameloop frameloop.c (run.ts does it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(clockid_t c) {
    struct timespec t;
    clock_gettime(c, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static volatile unsigned long sink;

/* Frames after this many seconds are the steady state (bench/decision/run.ts's START_S). */
#define LATE_S 2.0

static void work_cpu(double seconds) {
    double end = now_s(CLOCK_THREAD_CPUTIME_ID) + seconds;
    while (now_s(CLOCK_THREAD_CPUTIME_ID) < end) {
        for (int i = 0; i < 1000; i++) sink += (unsigned long)i * 2654435761u;
    }
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s frameloop|hog SECONDS\n", argv[0]);
        return 2;
    }
    double seconds = atof(argv[2]);
    if (strcmp(argv[1], "hog") == 0) {
        double end = now_s(CLOCK_MONOTONIC) + seconds;
        unsigned long n = 0;
        while (now_s(CLOCK_MONOTONIC) < end) {
            for (int i = 0; i < 10000; i++) sink += (unsigned long)i;
            n++;
        }
        printf("{\"iterations\":%lu}\n", n);
        return 0;
    }
    const double period = 1.0 / 60.0, work = 0.006;
    int frames = (int)(seconds / period);
    double *ft = calloc((size_t)frames, sizeof *ft);
    double *late = calloc((size_t)frames, sizeof *late);
    int nlate = 0;
    int misses = 0;
    double miss_at[64];
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    double began = (double)next.tv_sec + (double)next.tv_nsec / 1e9;
    for (int f = 0; f < frames; f++) {
        next.tv_nsec += (long)(period * 1e9);
        while (next.tv_nsec >= 1000000000L) {
            next.tv_nsec -= 1000000000L;
            next.tv_sec++;
        }
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
        double start = (double)next.tv_sec + (double)next.tv_nsec / 1e9;
        work_cpu(work);
        double end = now_s(CLOCK_MONOTONIC);
        double took = end - start;
        ft[f] = took * 1e3;
        if (start - began >= LATE_S) late[nlate++] = took * 1e3;
        if (took > period) {
            if (misses < 64) miss_at[misses] = start - began;
            misses++;
            /* Behind: the next frame starts one period from now, as a game drops frames
               instead of running a backlog. */
            double n = end;
            next.tv_sec = (time_t)n;
            next.tv_nsec = (long)((n - (double)next.tv_sec) * 1e9);
        }
    }
    qsort(ft, (size_t)frames, sizeof *ft, cmp);
    printf("{\"frames\":%d,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"misses\":%d,\"miss_at_s\":[", frames,
           ft[frames / 2], ft[(int)(frames * 0.99)], misses);
    for (int i = 0; i < misses && i < 64; i++) printf("%s%.3f", i ? "," : "", miss_at[i]);
    qsort(late, (size_t)nlate, sizeof *late, cmp);
    printf("],\"late_p99_ms\":%.3f}\n", nlate > 0 ? late[(int)(nlate * 0.99)] : 0.0);
    free(late);
    free(ft);
    return 0;
}

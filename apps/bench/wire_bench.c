/* wire_bench: point-to-point micro-benchmarks written from the MPI standard alone (no cairn
 * call, no cairn header), so that the same binary runs as plain MPI or with libcairn preloaded
 * (scripts/bench-wire.sh compares the two launches). The application asks for
 * MPI_THREAD_SINGLE through MPI_Init, as most MPI programs do.
 *
 *   latency  blocking ping-pong between ranks 0 and 1: half the round-trip time
 *   bw       ranks 0 -> 1, a window of 64 MPI_Isend (MPI_Irecv on the receiver), MPI_Waitall,
 *            then a 1-byte acknowledgement; bytes per second
 *   bibw     both ranks send a window of 64 to each other at once; bytes per second both ways
 *   mrate    every even rank sends to the next odd one a window of 64 messages (pairs at once);
 *            messages per second summed over the pairs
 *
 * usage: wire_bench [--thread-multiple] --test latency|bw|bibw|mrate [--min BYTES] [--max BYTES]
 *                   [--quick]
 * Sizes run from --min to --max in powers of 4 (mrate: --min only). Output, rank 0, one line per
 * size: "result TEST BYTES VALUE UNIT" (latency in microseconds, bw/bibw in MB/s (1e6 bytes),
 * mrate in messages per second). */
#include <mpi.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { window = 64 };

static int rank_, size_;
static int quick_;

static void fail(const char* what) {
    fprintf(stderr, "wire_bench: %s\n", what);
    MPI_Abort(MPI_COMM_WORLD, 2);
}

/* Repetitions for a message size: about the same number of bytes at every size, within bounds. */
static int reps_for(long bytes, int lo, int hi) {
    long budget = quick_ ? (4L << 20) : (256L << 20);
    long n = budget / (bytes > 0 ? bytes : 1);
    if (quick_) hi /= 20;
    if (n > hi) n = hi;
    if (n < lo) n = lo;
    return (int)n;
}

static double latency(char* buf, long bytes) {
    const int reps = reps_for(bytes, 20, 20000);
    const int warm = reps / 10 + 2;
    double t0 = 0;
    int peer = 1 - rank_;
    for (int i = 0; i < warm + reps; ++i) {
        if (i == warm) {
            MPI_Barrier(MPI_COMM_WORLD);
            t0 = MPI_Wtime();
        }
        if (rank_ == 0) {
            MPI_Send(buf, (int)bytes, MPI_BYTE, peer, 1, MPI_COMM_WORLD);
            MPI_Recv(buf, (int)bytes, MPI_BYTE, peer, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        } else {
            MPI_Recv(buf, (int)bytes, MPI_BYTE, peer, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            MPI_Send(buf, (int)bytes, MPI_BYTE, peer, 1, MPI_COMM_WORLD);
        }
    }
    return (MPI_Wtime() - t0) / reps / 2 * 1e6;
}

/* One window: `sender` posts 64 sends to `receiver` (which posts 64 receives), both wait, and the
 * receiver acknowledges with one byte. With `both`, each side sends and receives 64. */
static void window_round(char* sbuf, char* rbuf, long bytes, int peer, int sending, int both) {
    MPI_Request reqs[2 * window];
    int n = 0;
    if (both || !sending) {
        for (int w = 0; w < window; ++w)
            MPI_Irecv(rbuf, (int)bytes, MPI_BYTE, peer, 2, MPI_COMM_WORLD,
                      &reqs[n++]);
    }
    if (both || sending) {
        for (int w = 0; w < window; ++w)
            MPI_Isend(sbuf, (int)bytes, MPI_BYTE, peer, 2, MPI_COMM_WORLD, &reqs[n++]);
    }
    MPI_Waitall(n, reqs, MPI_STATUSES_IGNORE);
    char ack = 0;
    if (both) return;
    if (sending) MPI_Recv(&ack, 1, MPI_BYTE, peer, 3, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    else MPI_Send(&ack, 1, MPI_BYTE, peer, 3, MPI_COMM_WORLD);
}

static double bandwidth(char* sbuf, char* rbuf, long bytes, int both) {
    const int reps = reps_for(bytes * window, 5, 2000);
    const int warm = reps / 10 + 1;
    double t0 = 0;
    const int peer = 1 - rank_;
    for (int i = 0; i < warm + reps; ++i) {
        if (i == warm) {
            MPI_Barrier(MPI_COMM_WORLD);
            t0 = MPI_Wtime();
        }
        window_round(sbuf, rbuf, bytes, peer, rank_ == 0, both);
    }
    const double t = MPI_Wtime() - t0;
    return (double)bytes * window * reps * (both ? 2 : 1) / t / 1e6;
}

static double message_rate(char* sbuf, char* rbuf, long bytes) {
    const int reps = reps_for(bytes * window, 20, 5000);
    const int warm = reps / 10 + 1;
    const int pairs = size_ / 2;
    if (rank_ >= 2 * pairs) {  // an odd rank out waits at the barriers only
        MPI_Barrier(MPI_COMM_WORLD);
        MPI_Barrier(MPI_COMM_WORLD);
        return 0;
    }
    const int peer = rank_ % 2 == 0 ? rank_ + 1 : rank_ - 1;
    double t0 = 0;
    for (int i = 0; i < warm + reps; ++i) {
        if (i == warm) {
            MPI_Barrier(MPI_COMM_WORLD);
            t0 = MPI_Wtime();
        }
        window_round(sbuf, rbuf, bytes, peer, rank_ % 2 == 0, 0);
    }
    double t = MPI_Wtime() - t0;
    MPI_Barrier(MPI_COMM_WORLD);
    double tmax = 0;
    MPI_Reduce(&t, &tmax, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    return (double)window * reps * pairs / (rank_ == 0 ? tmax : t);
}

int main(int argc, char** argv) {
    const char* test = NULL;
    long lo = 1;
    long hi = 4L << 20;
    /* --thread-multiple (first argument only, read before MPI_Init): ask for
     * MPI_THREAD_MULTIPLE, to measure what the thread level alone costs plain MPI. */
    int multiple = argc > 1 && strcmp(argv[1], "--thread-multiple") == 0;
    if (multiple) {
        int provided = 0;
        MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &provided);
    } else {
        MPI_Init(&argc, &argv);
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    for (int i = 1 + multiple; i < argc; ++i) {
        if (strcmp(argv[i], "--test") == 0 && i + 1 < argc) test = argv[++i];
        else if (strcmp(argv[i], "--min") == 0 && i + 1 < argc) lo = atol(argv[++i]);
        else if (strcmp(argv[i], "--max") == 0 && i + 1 < argc) hi = atol(argv[++i]);
        else if (strcmp(argv[i], "--quick") == 0) quick_ = 1;
        else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            if (rank_ == 0)
                printf("usage: wire_bench [--thread-multiple] --test latency|bw|bibw|mrate"
                       " [--min BYTES] [--max BYTES] [--quick]\n");
            MPI_Finalize();
            return 0;
        } else {
            if (rank_ == 0) fprintf(stderr, "wire_bench: unknown argument %s\n", argv[i]);
            MPI_Finalize();
            return 2;
        }
    }
    if (test == NULL) fail("--test is required (latency, bw, bibw or mrate)");
    if (lo < 1 || hi < lo || hi > (1L << 30)) fail("--min/--max: 1 <= min <= max <= 1 GiB");
    const int is_rate = strcmp(test, "mrate") == 0;
    if (!is_rate && size_ != 2) fail("latency, bw and bibw run on exactly 2 ranks");
    if (is_rate && size_ < 2) fail("mrate needs at least 2 ranks");
    char* sbuf = NULL;
    char* rbuf = NULL;
    if (posix_memalign((void**)&sbuf, 4096, (size_t)hi) != 0 ||
        posix_memalign((void**)&rbuf, 4096, (size_t)hi) != 0)
        fail("out of memory");
    memset(sbuf, 'a' + rank_, (size_t)hi);
    memset(rbuf, 0, (size_t)hi);
    if (is_rate) hi = lo;
    for (long bytes = lo; bytes <= hi; bytes *= 4) {
        double v = 0;
        const char* unit = "";
        if (strcmp(test, "latency") == 0) {
            v = latency(sbuf, bytes);
            unit = "us";
        } else if (strcmp(test, "bw") == 0) {
            v = bandwidth(sbuf, rbuf, bytes, 0);
            unit = "MB/s";
        } else if (strcmp(test, "bibw") == 0) {
            v = bandwidth(sbuf, rbuf, bytes, 1);
            unit = "MB/s";
        } else if (is_rate) {
            v = message_rate(sbuf, rbuf, bytes);
            unit = "msg/s";
        } else {
            fail("--test: latency, bw, bibw or mrate");
        }
        if (rank_ == 0) printf("result %s %ld %.4f %s\n", test, bytes, v, unit);
        fflush(stdout);
    }
    free(sbuf);
    free(rbuf);
    MPI_Finalize();
    return 0;
}

/* Point-to-point conformance: legal MPI programs taken from the MPI-3.1 standard's text, run
 * plain and with libcairn interposed; the per-rank output (digest.<rank>.txt) must be identical.
 *
 * Each case states the rule it exercises. The interesting ones for an interposition layer:
 *   - a derived datatype freed while requests still use it (MPI-3.1 4.1.9: "Any communication
 *     that is currently using this datatype will complete normally", and freeing a type does not
 *     affect persistent requests built on it), with a new type created after the free (MPI may
 *     return the freed handle value for it);
 *   - MPI_Bsend with a buffer attached of exactly the size 3.6.1 says is enough;
 *   - MPI_BOTTOM with absolute addresses (4.1.12), MPI_Sendrecv_replace, zero-size messages,
 *     MPI_PROC_NULL, cancelled receives, a message larger than the interposition's packing limit.
 *
 * Built twice: plain (conform_p2p) and linked to cairn (conform_p2p_cairn, WITH_CAIRN), which
 * calls cairn_safe_point() between and inside the cases, with persistent requests active, so
 * that with interval=steps:1 checkpoints are cut while requests are in use. Needs >= 2 ranks. */
#include <mpi.h>
#ifdef WITH_CAIRN
#include <cairn/cairn.h>
#endif

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static FILE* out;
static int failures;
static int rank, size, right, left;

static void safe_point(void) {
#ifdef WITH_CAIRN
    if (cairn_safe_point() != 0) {
        fprintf(stderr, "rank %d: cairn_safe_point failed: %s\n", rank, cairn_last_error());
        ++failures;
    }
#endif
}

static void check(int ok, const char* what) {
    if (!ok) {
        fprintf(stderr, "rank %d: FAILED: %s\n", rank, what);
        ++failures;
    }
}

static void ints(const char* label, const int* v, int n) {
    fprintf(out, "%s:", label);
    for (int i = 0; i < n; ++i) fprintf(out, " %d", v[i]);
    fprintf(out, "\n");
}

static void status_line(const char* label, const MPI_Status* st, MPI_Datatype dt) {
    int count = -7;
    MPI_Get_count(st, dt, &count);
    fprintf(out, "%s: source=%d tag=%d count=%d\n", label, st->MPI_SOURCE, st->MPI_TAG, count);
}

/* A derived type with the type map of MPI_INT (MPI_Type_dup of a predefined type is derived). */
static MPI_Datatype int_dup(void) {
    MPI_Datatype t;
    MPI_Type_dup(MPI_INT, &t);
    MPI_Type_commit(&t);
    return t;
}

/* Every persistent send mode with a type freed between *_init and MPI_Start; the receiver's
 * persistent receive uses a freed type too; a new, different type is created after the frees.
 * Repeated with checkpoints cut in between (cairn build). */
static void persistent_freed(void) {
    const char* names[4] = {"send_init", "ssend_init", "rsend_init", "bsend_init"};
    int bsize = 0;
    MPI_Pack_size(4, MPI_INT, MPI_COMM_WORLD, &bsize);
    bsize += MPI_BSEND_OVERHEAD;
    char* battach = malloc((size_t)bsize);
    MPI_Buffer_attach(battach, bsize);
    for (int mode = 0; mode < 4; ++mode) {
        int sv[4];
        int rv[4];
        MPI_Datatype st = int_dup();
        MPI_Datatype rt = int_dup();
        MPI_Request sr, rr;
        MPI_Recv_init(rv, 4, rt, left, 10 + mode, MPI_COMM_WORLD, &rr);
        if (mode == 0) MPI_Send_init(sv, 4, st, right, 10 + mode, MPI_COMM_WORLD, &sr);
        if (mode == 1) MPI_Ssend_init(sv, 4, st, right, 10 + mode, MPI_COMM_WORLD, &sr);
        if (mode == 2) MPI_Rsend_init(sv, 4, st, right, 10 + mode, MPI_COMM_WORLD, &sr);
        if (mode == 3) MPI_Bsend_init(sv, 4, st, right, 10 + mode, MPI_COMM_WORLD, &sr);
        MPI_Type_free(&st);
        MPI_Type_free(&rt);
        check(st == MPI_DATATYPE_NULL && rt == MPI_DATATYPE_NULL, "MPI_Type_free sets NULL");
        /* A new type after the free: its handle may be the value just freed. */
        MPI_Datatype other;
        MPI_Type_vector(2, 1, 3, MPI_SHORT, &other);
        MPI_Type_commit(&other);
        for (int it = 0; it < 3; ++it) {
            for (int i = 0; i < 4; ++i) sv[i] = 1000 * rank + 100 * mode + 10 * it + i;
            memset(rv, 0xff, sizeof rv);
            MPI_Start(&rr);
            MPI_Barrier(MPI_COMM_WORLD); /* the receive is posted: Rsend is legal */
            MPI_Start(&sr);
            safe_point(); /* both requests active at a possible cut */
            MPI_Status s;
            MPI_Wait(&rr, &s);
            MPI_Wait(&sr, MPI_STATUS_IGNORE);
            char label[64];
            snprintf(label, sizeof label, "%s freed it=%d", names[mode], it);
            ints(label, rv, 4);
            status_line(label, &s, MPI_INT);
            for (int i = 0; i < 4; ++i)
                check(rv[i] == 1000 * left + 100 * mode + 10 * it + i, "persistent freed data");
        }
        MPI_Type_free(&other);
        MPI_Request_free(&sr);
        MPI_Request_free(&rr);
    }
    void* detached;
    int dsize;
    MPI_Buffer_detach(&detached, &dsize);
    check(detached == battach && dsize == bsize, "MPI_Buffer_detach returns the attached buffer");
    free(battach);
}

/* Several persistent requests on one derived type, started together with MPI_Startall after
 * the type was freed; the type is a strided vector (not dense). */
static void startall_freed(void) {
    enum { nreq = 3 };
    MPI_Datatype vec;
    MPI_Type_vector(3, 2, 4, MPI_INT, &vec); /* 6 ints of 12 */
    MPI_Type_commit(&vec);
    int sv[nreq][12];
    int rv[nreq][12];
    MPI_Request reqs[2 * nreq];
    for (int k = 0; k < nreq; ++k) {
        MPI_Recv_init(rv[k], 1, vec, left, 30 + k, MPI_COMM_WORLD, &reqs[k]);
        MPI_Send_init(sv[k], 1, vec, right, 30 + k, MPI_COMM_WORLD, &reqs[nreq + k]);
    }
    MPI_Type_free(&vec);
    MPI_Datatype other;
    MPI_Type_contiguous(5, MPI_CHAR, &other);
    MPI_Type_commit(&other);
    for (int it = 0; it < 3; ++it) {
        for (int k = 0; k < nreq; ++k) {
            for (int i = 0; i < 12; ++i) {
                sv[k][i] = rank * 10000 + k * 100 + it * 20 + i;
                rv[k][i] = -1;
            }
        }
        MPI_Startall(2 * nreq, reqs);
        safe_point();
        MPI_Status sts[2 * nreq];
        MPI_Waitall(2 * nreq, reqs, sts);
        for (int k = 0; k < nreq; ++k) {
            char label[64];
            snprintf(label, sizeof label, "startall k=%d it=%d", k, it);
            ints(label, rv[k], 12);
            fprintf(out, "%s: source=%d tag=%d\n", label, sts[k].MPI_SOURCE, sts[k].MPI_TAG);
            for (int i = 0; i < 12; ++i) {
                const int want = (i % 4) < 2 ? left * 10000 + k * 100 + it * 20 + i : -1;
                check(rv[k][i] == want, "startall vector data");
            }
        }
    }
    MPI_Type_free(&other);
    for (int k = 0; k < 2 * nreq; ++k) MPI_Request_free(&reqs[k]);
}

/* Nonblocking send and receive whose type is freed before the wait (small and large). */
static void nonblocking_freed(void) {
    const int counts[2] = {4, 6000}; /* 16 bytes and 24 KB (above a 16 KiB packing limit) */
    for (int c = 0; c < 2; ++c) {
        const int n = counts[c];
        int* sv = malloc(sizeof(int) * (size_t)n);
        int* rv = malloc(sizeof(int) * (size_t)n);
        for (int i = 0; i < n; ++i) {
            sv[i] = rank * 7 + i;
            rv[i] = -1;
        }
        MPI_Datatype st = int_dup();
        MPI_Datatype rt = int_dup();
        MPI_Request r[2];
        MPI_Irecv(rv, n, rt, left, 40, MPI_COMM_WORLD, &r[0]);
        MPI_Isend(sv, n, st, right, 40, MPI_COMM_WORLD, &r[1]);
        MPI_Type_free(&st);
        MPI_Type_free(&rt);
        MPI_Datatype other;
        MPI_Type_vector(3, 1, 2, MPI_DOUBLE, &other);
        MPI_Type_commit(&other);
        MPI_Status sts[2];
        MPI_Waitall(2, r, sts);
        int ok = 1;
        for (int i = 0; i < n; ++i) ok = ok && rv[i] == left * 7 + i;
        check(ok, "nonblocking freed-type data");
        fprintf(out, "isend freed n=%d: ok=%d first=%d last=%d\n", n, ok, rv[0], rv[n - 1]);
        status_line("isend freed", &sts[0], MPI_INT);
        MPI_Type_free(&other);
        free(sv);
        free(rv);
    }
}

/* MPI_Bsend with exactly MPI_Pack_size + MPI_BSEND_OVERHEAD attached (3.6.1), twice in a row
 * after the first completed (the space is reused). */
static void bsend_exact(void) {
    const int n = 9;
    int bsize = 0;
    MPI_Pack_size(n, MPI_DOUBLE, MPI_COMM_WORLD, &bsize);
    bsize += MPI_BSEND_OVERHEAD;
    char* b = malloc((size_t)bsize);
    MPI_Buffer_attach(b, bsize);
    for (int it = 0; it < 2; ++it) {
        double sv[9];
        double rv[9];
        for (int i = 0; i < n; ++i) sv[i] = rank + 0.5 * i + it;
        MPI_Request r;
        MPI_Irecv(rv, n, MPI_DOUBLE, left, 50, MPI_COMM_WORLD, &r);
        const int rc = MPI_Bsend(sv, n, MPI_DOUBLE, right, 50, MPI_COMM_WORLD);
        check(rc == MPI_SUCCESS, "MPI_Bsend into an exactly sized buffer");
        MPI_Wait(&r, MPI_STATUS_IGNORE);
        int ok = 1;
        for (int i = 0; i < n; ++i) ok = ok && rv[i] == left + 0.5 * i + it;
        check(ok, "Bsend data");
        fprintf(out, "bsend exact it=%d: rc=%d ok=%d\n", it, rc, ok);
        /* Detach waits until the buffered message has left; attach again for the next one. */
        void* d;
        int ds;
        MPI_Buffer_detach(&d, &ds);
        check(d == b && ds == bsize, "detach returns the application's buffer");
        MPI_Buffer_attach(b, bsize);
    }
    void* d;
    int ds;
    MPI_Buffer_detach(&d, &ds);
    free(b);
}

/* MPI_BOTTOM with absolute addresses: a struct type of two separate variables (4.1.12). */
static void bottom_absolute(void) {
    int a = 100 + rank;
    double x = 0.25 * rank;
    int ra = -1;
    double rx = -1;
    MPI_Aint disp[2];
    int lens[2] = {1, 1};
    MPI_Datatype types[2] = {MPI_INT, MPI_DOUBLE};
    MPI_Datatype st, rt;
    MPI_Get_address(&a, &disp[0]);
    MPI_Get_address(&x, &disp[1]);
    MPI_Type_create_struct(2, lens, disp, types, &st);
    MPI_Type_commit(&st);
    MPI_Get_address(&ra, &disp[0]);
    MPI_Get_address(&rx, &disp[1]);
    MPI_Type_create_struct(2, lens, disp, types, &rt);
    MPI_Type_commit(&rt);
    MPI_Status s;
    MPI_Sendrecv(MPI_BOTTOM, 1, st, right, 60, MPI_BOTTOM, 1, rt, left, 60, MPI_COMM_WORLD, &s);
    check(ra == 100 + left && rx == 0.25 * left, "MPI_BOTTOM data");
    fprintf(out, "bottom: %d %.2f\n", ra, rx);
    status_line("bottom", &s, rt);
    MPI_Type_free(&st);
    MPI_Type_free(&rt);
}

/* MPI_Sendrecv_replace around the ring, with a derived type. */
static void sendrecv_replace(void) {
    int v[8];
    for (int i = 0; i < 8; ++i) v[i] = rank * 100 + i;
    MPI_Datatype pair;
    MPI_Type_contiguous(2, MPI_INT, &pair);
    MPI_Type_commit(&pair);
    MPI_Status s;
    MPI_Sendrecv_replace(v, 4, pair, right, 70, left, 70, MPI_COMM_WORLD, &s);
    MPI_Type_free(&pair);
    ints("sendrecv_replace", v, 8);
    status_line("sendrecv_replace", &s, MPI_INT);
    for (int i = 0; i < 8; ++i) check(v[i] == left * 100 + i, "Sendrecv_replace data");
}

/* Zero-size messages, MPI_PROC_NULL, and a cancelled receive (3.8.4). */
static void edges(void) {
    MPI_Status s;
    MPI_Sendrecv(NULL, 0, MPI_INT, right, 80, NULL, 0, MPI_INT, left, 80, MPI_COMM_WORLD, &s);
    status_line("zero-size", &s, MPI_INT);
    int v = 5;
    MPI_Send(&v, 1, MPI_INT, MPI_PROC_NULL, 81, MPI_COMM_WORLD);
    MPI_Recv(&v, 1, MPI_INT, MPI_PROC_NULL, 81, MPI_COMM_WORLD, &s);
    status_line("proc_null", &s, MPI_INT);
    MPI_Request r;
    MPI_Irecv(&v, 1, MPI_INT, left, 82, MPI_COMM_WORLD, &r); /* never sent */
    MPI_Cancel(&r);
    MPI_Wait(&r, &s);
    int cancelled = 0;
    MPI_Test_cancelled(&s, &cancelled);
    check(cancelled == 1, "receive cancelled");
    fprintf(out, "cancelled recv: %d\n", cancelled);
}

/* A large message: 2^20 doubles with a count well beyond any packing limit. */
static void large(void) {
    const int n = 1 << 20;
    double* sv = malloc(sizeof(double) * (size_t)n);
    double* rv = malloc(sizeof(double) * (size_t)n);
    for (int i = 0; i < n; ++i) sv[i] = rank + i * 1e-3;
    MPI_Status s;
    MPI_Sendrecv(sv, n, MPI_DOUBLE, right, 90, rv, n, MPI_DOUBLE, left, 90, MPI_COMM_WORLD, &s);
    int ok = 1;
    for (int i = 0; i < n; ++i) ok = ok && rv[i] == left + i * 1e-3;
    check(ok, "large data");
    fprintf(out, "large: ok=%d\n", ok);
    status_line("large", &s, MPI_DOUBLE);
    free(sv);
    free(rv);
}

int main(int argc, char** argv) {
#ifdef WITH_CAIRN
    if (cairn_init(&argc, &argv) != 0) {
        fprintf(stderr, "cairn_init failed: %s\n", cairn_last_error());
        return 2;
    }
    int step = 0;
    cairn_register_buffer("step", &step, CAIRN_INT32, 1);
#else
    MPI_Init(&argc, &argv);
#endif
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    right = (rank + 1) % size;
    left = (rank + size - 1) % size;
    char name[64];
    snprintf(name, sizeof name, "digest.%d.txt", rank);
    out = fopen(name, "w");
    if (out == NULL || size < 2) {
        fprintf(stderr, "conform_p2p: cannot write %s or fewer than 2 ranks\n", name);
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    persistent_freed();
    safe_point();
    startall_freed();
    safe_point();
    nonblocking_freed();
    safe_point();
    bsend_exact();
    safe_point();
    bottom_absolute();
    sendrecv_replace();
    safe_point();
    edges();
    large();
    safe_point();
    fclose(out);
    int all = 0;
    MPI_Allreduce(&failures, &all, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    if (rank == 0) printf("conform_p2p: %d failed checks\n", all);
#ifdef WITH_CAIRN
    if (rank == 0) printf("conform_p2p: %llu safe points\n", (unsigned long long)cairn_safe_point_index());
    cairn_finalize();
#else
    MPI_Finalize();
#endif
    return all == 0 ? 0 : 1;
}

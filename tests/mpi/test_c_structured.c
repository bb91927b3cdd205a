/* Resizable buffers and callback objects through the C API. */
#include <cairn/cairn.h>

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;

#define EXPECT(cond)                                                           \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "%s:%d: EXPECT failed: %s (last error: %s)\n",     \
                    __FILE__, __LINE__, #cond, cairn_last_error());            \
            ++failures;                                                        \
        }                                                                      \
    } while (0)

struct dyn {
    int* p;
    size_t n;
};

static void* dyn_data(void* ctx, size_t* count) {
    struct dyn* d = (struct dyn*)ctx;
    *count = d->n;
    return d->p;
}

static void* dyn_resize(void* ctx, size_t count) {
    struct dyn* d = (struct dyn*)ctx;
    free(d->p);
    d->p = count ? (int*)calloc(count, sizeof(int)) : NULL;
    d->n = count;
    return d->p;
}

struct counter {
    long value;
    int fail_save;
    int read_extra; /* load asks for more bytes than were saved */
};

static int counter_save(void* ctx, cairn_writer* w) {
    struct counter* c = (struct counter*)ctx;
    if (c->fail_save) return 5;
    return cairn_write_bytes(w, &c->value, sizeof c->value);
}

static int counter_load(void* ctx, cairn_reader* r) {
    struct counter* c = (struct counter*)ctx;
    if (cairn_read_bytes(r, &c->value, sizeof c->value) != CAIRN_OK) return 1;
    if (c->read_extra) {
        long more = 0;
        if (cairn_read_bytes(r, &more, sizeof more) != CAIRN_OK) return 1;
    }
    return cairn_reader_remaining(r) == 0 ? 0 : 2;
}

static void register_all(struct dyn* d, struct counter* c) {
    EXPECT(cairn_register_resizable("dyn", CAIRN_INT32, dyn_data, dyn_resize, d) == CAIRN_OK);
    EXPECT(cairn_register_object("counter", "long", counter_save, counter_load, c) == CAIRN_OK);
}

int main(int argc, char** argv) {
    int rank = 0;
    int restored = -1;
    struct dyn d = {NULL, 0};
    struct counter c = {0, 0, 0};

    setenv("CAIRN_DIR", "c_structured_ckpt", 1);
    setenv("CAIRN_INTERVAL", "off", 1);
    setenv("CAIRN_KEEP", "3", 1);
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (rank == 0) system("rm -rf c_structured_ckpt");
    MPI_Barrier(MPI_COMM_WORLD);

    EXPECT(cairn_init(&argc, &argv) == CAIRN_OK);
    register_all(&d, &c);
    EXPECT(cairn_register_resizable("nocb", CAIRN_INT32, NULL, dyn_resize, &d) == CAIRN_ERR_ARG);
    EXPECT(cairn_restore(&restored) == CAIRN_OK);
    EXPECT(restored == 0);
    dyn_resize(&d, (size_t)(5 + rank));
    for (size_t i = 0; i < d.n; ++i) d.p[i] = 100 * rank + (int)i;
    c.value = 42 + rank;
    EXPECT(cairn_checkpoint_now() == CAIRN_OK);
    c.fail_save = rank == 0;
    EXPECT(cairn_checkpoint_now() == CAIRN_ERR);
    EXPECT(strstr(cairn_last_error(), "'counter'") != NULL);
    EXPECT(cairn_epoch() == 1);
    EXPECT(cairn_finalize() == CAIRN_OK);

    dyn_resize(&d, 0);
    c.value = 0;
    c.fail_save = 0;
    EXPECT(cairn_init(&argc, &argv) == CAIRN_OK);
    register_all(&d, &c);
    EXPECT(cairn_restore(&restored) == CAIRN_OK);
    EXPECT(restored == 1);
    EXPECT(d.n == (size_t)(5 + rank));
    EXPECT(d.n > 4 && d.p[4] == 100 * rank + 4);
    EXPECT(c.value == 42 + rank);
    EXPECT(cairn_finalize() == CAIRN_OK);

    c.read_extra = 1;
    EXPECT(cairn_init(&argc, &argv) == CAIRN_OK);
    register_all(&d, &c);
    EXPECT(cairn_restore(&restored) == CAIRN_ERR);
    EXPECT(strstr(cairn_last_error(), "ended early") != NULL);
    EXPECT(strstr(cairn_last_error(), "'counter'") != NULL);
    EXPECT(cairn_finalize() == CAIRN_OK);
    dyn_resize(&d, 0);

    {
        int any = 0;
        MPI_Allreduce(&failures, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
        failures = any;
    }
    MPI_Finalize();
    if (rank == 0) printf("c structured test: %s\n", failures ? "FAILED" : "passed");
    return failures ? 1 : 0;
}

/* The C API from a C program: register, checkpoint, restore, error codes and messages. */
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

int main(int argc, char** argv) {
    int rank = 0;
    int size = 0;
    double field[4][6];
    double values[3];
    int step = 0;
    int restored = -1;
    uint64_t global[2];
    uint64_t offset[2] = {0, 0};
    uint64_t extent[2] = {2, 4};
    uint64_t mem_shape[2] = {4, 6};
    uint64_t mem_offset[2] = {1, 1};

    setenv("CAIRN_DIR", "c_api_ckpt", 1);
    setenv("CAIRN_INTERVAL", "off", 1);
    setenv("CAIRN_KEEP", "3", 1);

    MPI_Init(&argc, &argv);
    EXPECT(cairn_initialized() == 0);
    EXPECT(cairn_safe_point() == CAIRN_ERR);
    EXPECT(strstr(cairn_last_error(), "before cairn::init") != NULL);
    EXPECT(cairn_init(&argc, &argv) == CAIRN_OK);
    EXPECT(cairn_initialized() == 1);
    EXPECT(cairn_type_size(CAIRN_FLOAT64) == 8);
    EXPECT(cairn_type_size(CAIRN_INT16) == 2);
    EXPECT(cairn_type_size(77) == 0);
    EXPECT(strcmp(cairn_type_name(CAIRN_FLOAT32), "float32") == 0);
    EXPECT(strcmp(cairn_type_name(-1), "invalid") == 0);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (rank == 0) system("rm -rf c_api_ckpt");
    MPI_Barrier(MPI_COMM_WORLD);

    global[0] = 2 * (uint64_t)size;
    global[1] = 4;
    offset[0] = 2 * (uint64_t)rank;
    for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 6; ++j) field[i][j] = 1000.0 * rank + 10 * i + j;
    for (int i = 0; i < 3; ++i) values[i] = rank + 0.5 * i;

    EXPECT(cairn_register_buffer("step", &step, CAIRN_INT32, 1) == CAIRN_OK);
    EXPECT(cairn_register_buffer("values", values, CAIRN_FLOAT64, 3) == CAIRN_OK);
    EXPECT(cairn_register_distributed("field", field, CAIRN_FLOAT64, 2, global, offset, extent,
                                      mem_shape, mem_offset) == CAIRN_OK);
    /* bad arguments come back as codes with messages, never as crashes */
    EXPECT(cairn_register_buffer(NULL, values, CAIRN_FLOAT64, 3) == CAIRN_ERR_ARG);
    EXPECT(cairn_register_buffer("bad", values, (cairn_type)77, 3) == CAIRN_ERR_ARG);
    EXPECT(cairn_register_buffer("values", values, CAIRN_FLOAT64, 3) == CAIRN_ERR);
    EXPECT(strstr(cairn_last_error(), "already registered") != NULL);
    EXPECT(cairn_register_distributed("d", field, CAIRN_FLOAT64, 4, global, offset, extent, NULL,
                                      NULL) == CAIRN_ERR_ARG);

    EXPECT(cairn_restore(&restored) == CAIRN_OK);
    EXPECT(restored == 0);
    EXPECT(cairn_restarted() == 0);
    step = 7;
    {
        size_t n = 99;
        EXPECT(cairn_committed_epochs(NULL, 0, &n) == CAIRN_OK);
        EXPECT(n == 0);
        EXPECT(cairn_committed_epochs(NULL, 0, NULL) == CAIRN_ERR_ARG);
        EXPECT(cairn_committed_epochs(NULL, 2, &n) == CAIRN_ERR_ARG);
    }
    EXPECT(cairn_checkpoint_now() == CAIRN_OK);
    EXPECT(cairn_epoch() == 1);
    step = 8;
    EXPECT(cairn_checkpoint_now() == CAIRN_OK);
    {
        uint64_t e[4] = {0, 0, 0, 0};
        size_t n = 0;
        EXPECT(cairn_committed_epochs(e, 1, &n) == CAIRN_OK);
        EXPECT(n == 2 && e[0] == 1 && e[1] == 0); /* only the room given is written */
        EXPECT(cairn_committed_epochs(e, 4, &n) == CAIRN_OK);
        EXPECT(n == 2 && e[0] == 1 && e[1] == 2);
    }
    for (int k = 0; k < 5; ++k) EXPECT(cairn_safe_point() == CAIRN_OK);
    EXPECT(cairn_safe_point_index() == 5);
    EXPECT(cairn_exit_requested() == 0);
    EXPECT(cairn_finalize() == CAIRN_OK);
    EXPECT(cairn_initialized() == 0);

    /* second life in the same process (the program initialised MPI, so it stays up) */
    /* The application name given here must be the one the checkpoint was written under (the
     * first init's default, argv[0]'s basename): restore() refuses another run's checkpoint. */
    EXPECT(cairn_init_comm(&argc, &argv, MPI_COMM_WORLD, "test_c_api", NULL) == CAIRN_OK);
    step = 0;
    memset(values, 0, sizeof values);
    for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 6; ++j) field[i][j] = -1;
    EXPECT(cairn_register_buffer("step", &step, CAIRN_INT32, 1) == CAIRN_OK);
    EXPECT(cairn_register_buffer("values", values, CAIRN_FLOAT64, 3) == CAIRN_OK);
    EXPECT(cairn_register_distributed("field", field, CAIRN_FLOAT64, 2, global, offset, extent,
                                      mem_shape, mem_offset) == CAIRN_OK);
    EXPECT(cairn_restore(&restored) == CAIRN_OK);
    EXPECT(restored == 1);
    EXPECT(cairn_restarted() == 1);
    EXPECT(step == 8);
    EXPECT(values[2] == rank + 1.0);
    EXPECT(field[1][1] == 1000.0 * rank + 11);
    EXPECT(field[2][4] == 1000.0 * rank + 24);
    EXPECT(field[0][0] == -1); /* halo untouched */
    EXPECT(cairn_finalize() == CAIRN_OK);

    {
        int any = 0;
        MPI_Allreduce(&failures, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
        failures = any;
    }
    MPI_Finalize();
    /* after MPI_Finalize, init is refused with a message instead of an MPI abort */
    if (cairn_init(&argc, &argv) != CAIRN_ERR || strstr(cairn_last_error(), "finalized") == NULL) {
        fprintf(stderr, "cairn_init after MPI_Finalize: expected an error, got '%s'\n",
                cairn_last_error());
        failures = 1;
    }
    if (rank == 0) printf("c api test: %s\n", failures ? "FAILED" : "passed");
    return failures ? 1 : 0;
}

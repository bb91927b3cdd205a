/* Consumer of the installed package (C): the first run checkpoints, the second restores. */
#include <cairn/cairn.h>

#include <stdio.h>

int main(int argc, char** argv) {
    int rank = 0, restored = 0, ok = 1;
    long long step = 0;
    if (cairn_init(&argc, &argv) != CAIRN_OK) {
        fprintf(stderr, "consumer_c: %s\n", cairn_last_error());
        return 1;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (cairn_register_buffer("step", &step, CAIRN_INT64, 1) != CAIRN_OK ||
        cairn_restore(&restored) != CAIRN_OK) {
        fprintf(stderr, "consumer_c: %s\n", cairn_last_error());
        return 1;
    }
    if (restored) {
        ok = step == 100 + rank;
        printf("consumer_c: rank %d restored: %s\n", rank, ok ? "ok" : "WRONG");
    } else {
        step = 100 + rank;
        if (cairn_checkpoint_now() != CAIRN_OK) {
            fprintf(stderr, "consumer_c: %s\n", cairn_last_error());
            return 1;
        }
        printf("consumer_c: rank %d checkpointed\n", rank);
    }
    cairn_finalize();
    return ok ? 0 : 1;
}

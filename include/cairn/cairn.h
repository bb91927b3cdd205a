/* cairn: application-level checkpoint/restart for MPI jobs (C API).
 *
 * Every function returns CAIRN_OK (0) or a negative error code; cairn_last_error() gives the
 * message (rank, host, what failed) of the last error on the calling thread. No C++ exception
 * ever leaves these functions. */
#ifndef CAIRN_CAIRN_H
#define CAIRN_CAIRN_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Return codes. */
enum cairn_status {
    CAIRN_OK = 0,          /**< success */
    CAIRN_ERR = -1,        /**< error; see cairn_last_error() */
    CAIRN_ERR_ARG = -2,    /**< invalid argument (null pointer, bad type, ...) */
    CAIRN_ERR_STATE = -3,  /**< call not allowed now (before init, after finalize, ...) */
};

/** Element types; values match cairn::type. */
typedef enum cairn_type {
    CAIRN_INT8 = 1,
    CAIRN_UINT8 = 2,
    CAIRN_INT16 = 3,
    CAIRN_UINT16 = 4,
    CAIRN_INT32 = 5,
    CAIRN_UINT32 = 6,
    CAIRN_INT64 = 7,
    CAIRN_UINT64 = 8,
    CAIRN_FLOAT32 = 9,
    CAIRN_FLOAT64 = 10,
    CAIRN_BYTE = 11,
} cairn_type;

/** Initialises cairn over MPI_COMM_WORLD; initialises MPI if it is not initialised, with the
 * thread level MPI_Init gives the application (call MPI_Init_thread yourself first if threads of
 * the application call MPI at the same time). */
int cairn_init(int* argc, char*** argv);

/** Like cairn_init() over `comm`, with an application name and config file (either may be NULL). */
int cairn_init_comm(int* argc, char*** argv, MPI_Comm comm, const char* app_name,
                    const char* config_file);

/** Waits for outstanding work and releases cairn. */
int cairn_finalize(void);

/** Registers a per-rank buffer of `count` elements of `type` (a cairn_type value; passed as int so
 * that an out-of-range value is reported, not undefined). */
int cairn_register_buffer(const char* name, void* data, int type, size_t count);

/** Registers a distributed array block. mem_shape / mem_offset may be NULL (= extent / zeros). */
int cairn_register_distributed(const char* name, void* data, int type, int ndims,
                               const uint64_t* global_shape, const uint64_t* offset,
                               const uint64_t* extent, const uint64_t* mem_shape,
                               const uint64_t* mem_offset);

/** Byte stream given to an object's save callback (opaque). */
typedef struct cairn_writer cairn_writer;
/** Byte stream given to an object's load callback (opaque). */
typedef struct cairn_reader cairn_reader;

/** Registers a resizable per-rank buffer. At each checkpoint `data(ctx, &count)` returns the
 * pointer and sets the element count; on restore `resize(ctx, count)` resizes to the saved count
 * and returns the destination (NULL only when count is 0). */
int cairn_register_resizable(const char* name, int type, void* (*data)(void* ctx, size_t* count),
                             void* (*resize)(void* ctx, size_t count), void* ctx);

/** Registers an object saved through callbacks: `save` at each checkpoint, `load` after restore.
 * A callback returns 0 on success; non-zero is a failure reported with the object's name (a
 * failing save means that checkpoint is not committed). `format_tag` must match on restore. */
int cairn_register_object(const char* name, const char* format_tag,
                          int (*save)(void* ctx, cairn_writer* w),
                          int (*load)(void* ctx, cairn_reader* r), void* ctx);

/** Appends `n` bytes to the stream (inside a save callback). */
int cairn_write_bytes(cairn_writer* w, const void* p, size_t n);

/** Reads `n` bytes from the stream (inside a load callback); CAIRN_ERR if fewer are left (the
 * callback should then return non-zero). */
int cairn_read_bytes(cairn_reader* r, void* p, size_t n);

/** Bytes left to read in the stream. */
size_t cairn_reader_remaining(const cairn_reader* r);

/** Loads the newest valid checkpoint; *restored (may be NULL) is set to 1 if one was loaded. */
int cairn_restore(int* restored);

/** 1 if a checkpoint was restored in this run, else 0. */
int cairn_restarted(void);

/** Safe point; see cairn::safe_point(). */
int cairn_safe_point(void);

/** Takes a checkpoint now (collective). */
int cairn_checkpoint_now(void);

/** Asks for a checkpoint at the next agreed safe point. */
int cairn_request_checkpoint(void);

/** 1 if the application should checkpoint-exit now (after a signal), else 0. */
int cairn_exit_requested(void);

/** Safe-point count (including the restored count after a restart). */
uint64_t cairn_safe_point_index(void);

/** Epoch of the newest committed or restored checkpoint (0 if none). */
uint64_t cairn_epoch(void);

/** 1 between cairn_init() and cairn_finalize(), else 0. */
int cairn_initialized(void);

/** Epochs of the committed checkpoints now in the checkpoint directory (the ones retention
 *  keeps), oldest first: a local listing, not collective. Stores up to `capacity` of them in
 *  `out` (which may be NULL when `capacity` is 0) and the total number in `*count`, so a first
 *  call with capacity 0 tells how much room to give. Fails if the directory cannot be read. */
int cairn_committed_epochs(uint64_t* out, size_t capacity, size_t* count);

/** Size in bytes of one element of a cairn_type (0 for an invalid type). */
size_t cairn_type_size(int type);

/** Name of a cairn_type ("float64", ...; "invalid" for an invalid type). */
const char* cairn_type_name(int type);

/** Message of the last error on this thread ("" if none). */
const char* cairn_last_error(void);

/** Library version string. */
const char* cairn_version(void);

#ifdef __cplusplus
}
#endif

#endif /* CAIRN_CAIRN_H */

/* The XXH3-64 variants of runtime/xxh3 (C linkage, C headers only: see variant.inc). */
#ifndef CAIRN_XXH3_VARIANTS_H
#define CAIRN_XXH3_VARIANTS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CAIRN_XXH3_DECLARE(v)                                                    \
    uint64_t cairn_xxh3_oneshot_##v(const void* data, size_t n);                 \
    void* cairn_xxh3_create_##v(void);                                           \
    void cairn_xxh3_reset_##v(void* state);                                      \
    void cairn_xxh3_destroy_##v(void* state);                                    \
    void cairn_xxh3_update_##v(void* state, const void* data, size_t n);         \
    uint64_t cairn_xxh3_digest_##v(const void* state);

/* portable: the compiler's default instruction set (SSE2 on x86-64). */
CAIRN_XXH3_DECLARE(portable)
#if defined(CAIRN_XXH3_X86)
/* Built with -mavx2 and -mavx512f; called only where the CPU has them. */
CAIRN_XXH3_DECLARE(avx2)
CAIRN_XXH3_DECLARE(avx512)
#endif

#ifdef __cplusplus
}
#endif

#endif

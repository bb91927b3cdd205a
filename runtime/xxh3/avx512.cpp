// XXH3-64 built for avx512 (variant.inc).
#define CAIRN_XXH3_VARIANT avx512
#include "xxh3/variant.inc"

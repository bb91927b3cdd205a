// XXH3-64 built for avx2 (variant.inc).
#define CAIRN_XXH3_VARIANT avx2
#include "xxh3/variant.inc"

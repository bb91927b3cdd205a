// XXH3-64 built for portable (variant.inc).
#define CAIRN_XXH3_VARIANT portable
#include "xxh3/variant.inc"

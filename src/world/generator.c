/* generator.c — temporary flat generator so the rest links; being replaced. */
#include "world/generator.h"

#include <stdlib.h>
#include <string.h>

struct Generator {
    const BlockRegistry *reg;
    uint64_t seed;
    int stone, dirt, grass, bedrock;
};

int generator_new(const BlockRegistry *reg, uint64_t seed, const char *world_type, int version,
                  Generator **out, Err *err)
{
    (void)world_type;
    if (version != GENERATOR_VERSION)
        return err_set(err, MA_ERR_INVALID, "unknown generator version %d", version);
    Generator *g = calloc(1, sizeof *g);
    if (!g)
        return err_set(err, MA_ERR_NOMEM, "out of memory");
    g->reg = reg;
    g->seed = seed;
    g->stone = blocks_find(reg, "stone");
    g->dirt = blocks_find(reg, "dirt");
    g->grass = blocks_find(reg, "grass");
    g->bedrock = blocks_find(reg, "bedrock");
    *out = g;
    return MA_OK;
}

void generator_free(Generator *g) { free(g); }

void generator_fill(Generator *g, Chunk *c)
{
    for (int y = 0; y < CHUNK_SIZE; y++) {
        int wy = c->cy * CHUNK_SIZE + y;
        int id = wy == 0 ? g->bedrock : wy < SEA_LEVEL - 3 ? g->stone : wy < SEA_LEVEL ? g->dirt
               : wy == SEA_LEVEL ? g->grass : 0;
        if (id < 0)
            id = 0;
        for (int z = 0; z < CHUNK_SIZE; z++)
            for (int x = 0; x < CHUNK_SIZE; x++)
                chunk_set(c, x, y, z, (BlockId)id);
    }
    chunk_compact(c);
}

int generator_surface_y(Generator *g, int32_t x, int32_t z) { (void)g; (void)x; (void)z; return SEA_LEVEL; }
Biome generator_biome(Generator *g, int32_t x, int32_t z) { (void)g; (void)x; (void)z; return BIOME_PLAINS; }
const char *biome_name(Biome b)
{
    static const char *names[] = {"ocean", "plains", "forest", "desert", "snowy mountains", "swamp", "lake"};
    return b < BIOME_COUNT ? names[b] : "unknown";
}
void generator_spawn_point(Generator *g, int32_t *x, int32_t *y, int32_t *z)
{
    (void)g;
    *x = 0;
    *y = SEA_LEVEL + 1;
    *z = 0;
}

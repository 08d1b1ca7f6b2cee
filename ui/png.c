/*
 * ui/png.c — PNG output: signature, IHDR (8-bit truecolour), one IDAT holding the zlib
 * stream of the filtered rows (filter type 0 on every row), IEND. Chunk CRCs and the
 * deflate stream come from zlib.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "ui/png.h"

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* length, type, data, CRC over type and data */
static bool put_chunk(FILE *f, const char type[4], const uint8_t *data, uint32_t len)
{
    uint8_t head[8], tail[4];
    put_be32(head, len);
    memcpy(head + 4, type, 4);
    uLong crc = crc32(0, head + 4, 4);
    if (len) crc = crc32(crc, data, len);
    put_be32(tail, (uint32_t)crc);
    return fwrite(head, 1, 8, f) == 8 && (!len || fwrite(data, 1, len, f) == len) && fwrite(tail, 1, 4, f) == 4;
}

bool png_write(const char *path, const uint32_t *pixels, int width, int height)
{
    if (!pixels || width <= 0 || height <= 0) {
        fprintf(stderr, "ferry: screendump: no picture to write\n");
        return false;
    }
    size_t row = 1 + (size_t)width * 3, raw_len = row * (size_t)height;
    uLong packed_cap = compressBound((uLong)raw_len);
    uint8_t *raw = malloc(raw_len), *packed = malloc(packed_cap);
    bool ok = raw && packed;
    if (ok) {
        for (int y = 0; y < height; y++) {
            uint8_t *out = raw + row * (size_t)y;
            *out++ = 0;                         /* filter: none */
            const uint32_t *in = pixels + (size_t)y * (size_t)width;
            for (int x = 0; x < width; x++) {
                *out++ = (uint8_t)(in[x] >> 16);
                *out++ = (uint8_t)(in[x] >> 8);
                *out++ = (uint8_t)in[x];
            }
        }
        ok = compress2(packed, &packed_cap, raw, (uLong)raw_len, Z_DEFAULT_COMPRESSION) == Z_OK;
    }
    FILE *f = ok ? fopen(path, "wb") : NULL;
    if (f) {
        static const uint8_t signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
        uint8_t ihdr[13];
        put_be32(ihdr, (uint32_t)width);
        put_be32(ihdr + 4, (uint32_t)height);
        ihdr[8] = 8;                            /* bit depth */
        ihdr[9] = 2;                            /* colour type: truecolour */
        ihdr[10] = ihdr[11] = ihdr[12] = 0;     /* deflate, adaptive filtering, no interlace */
        ok = fwrite(signature, 1, 8, f) == 8 && put_chunk(f, "IHDR", ihdr, 13) &&
             put_chunk(f, "IDAT", packed, (uint32_t)packed_cap) && put_chunk(f, "IEND", NULL, 0);
        ok &= fclose(f) == 0;
    } else {
        ok = false;
    }
    if (!ok) fprintf(stderr, "ferry: screendump: cannot write '%s'\n", path);
    free(raw);
    free(packed);
    return ok;
}

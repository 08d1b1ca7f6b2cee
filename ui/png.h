/*
 * ui/png.h — a minimal PNG writer (8-bit RGB, one IDAT, zlib deflate) for screendump.
 */
#ifndef FERRY_PNG_H
#define FERRY_PNG_H

#include <stdbool.h>
#include <stdint.h>

/* Write width x height XRGB pixels (0x00RRGGBB words, row by row) to path as a PNG file.
 * false with one line on stderr on failure. */
bool png_write(const char *path, const uint32_t *pixels, int width, int height);

#endif

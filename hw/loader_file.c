/*
 * hw/loader_file.c — reading firmware, kernel and module files for the loaders.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hw/board.h"

uint8_t *load_file(const char *path, const char *what, uint64_t max_size, uint64_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "ferry: cannot open %s '%s': %s\n", what, path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fprintf(stderr, "ferry: %s '%s' is not a regular file\n", what, path);
        fclose(f);
        return NULL;
    }
    if ((uint64_t)st.st_size > max_size) {
        fprintf(stderr, "ferry: %s '%s' is too large (%llu bytes, at most %llu)\n", what, path,
                (unsigned long long)st.st_size, (unsigned long long)max_size);
        fclose(f);
        return NULL;
    }
    uint64_t n = (uint64_t)st.st_size;
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf) {
        fprintf(stderr, "ferry: out of memory reading %s '%s'\n", what, path);
        fclose(f);
        return NULL;
    }
    if (fread(buf, 1, n, f) != n) {
        fprintf(stderr, "ferry: cannot read %s '%s'\n", what, path);
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    *size = n;
    return buf;
}

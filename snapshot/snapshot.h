/*
 * snapshot/snapshot.h — the contract of the snapshot part: save a whole Machine (CPU, every
 * device, the virtual clock and pending timers, guest RAM) to a file, and load such a file
 * into a Machine built with the same configuration.
 *
 * What is saved is exactly what the guest can observe: the CPUState fields above its "not
 * state" line, each device's StateField table (hw/hw.h), the clock, and the RAM. Caches are
 * never saved; a load flushes the translated code and the TLB.
 *
 * The file (all integers little-endian):
 *   header   "FERRYSNP", format version, ferry version, a hash of the machine configuration
 *            (RAM size, CPU model, backend, the device list with each device's name and state
 *            version), CRC32 of the header
 *   sections one after the other: name, version, payload length, CRC32 over the section
 *            header and the payload; "cpu" and one "dev:NAME" per device hold named fields;
 *            "clock" the virtual time; "ram" zlib-compressed chunks with all-zero pages
 *            left out; "end" closes the file
 *
 * Loading parses and checks everything (every CRC, every length, the configuration hash,
 * the versions, every compressed chunk) into a staging copy before it changes anything in
 * the machine, so a bad file leaves the machine as it was. Errors are one line.
 *
 * Call both with the machine stopped (between two cpu_exec calls: the monitor, a timer
 * callback, or before machine_run).
 */
#ifndef FERRY_SNAPSHOT_H
#define FERRY_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw/hw.h"

#define SNAPSHOT_FORMAT_VERSION 1

/* Save to / load from a file. false with one line on stderr ("ferry: savevm FILE: ...").
 * Progress (percent, MiB/s) goes to stderr when it is a terminal. */
bool snapshot_save(Machine *m, const char *path);
bool snapshot_load(Machine *m, const char *path);

/* The same in memory, for tests and the fuzz target. save: *out is malloc'd (free it).
 * load: on failure the reason (one line, no newline) is in err and the machine is
 * untouched. */
bool snapshot_save_buffer(Machine *m, uint8_t **out, size_t *len);
bool snapshot_load_buffer(Machine *m, const uint8_t *data, size_t len, char *err, size_t err_size);

/* -savevm-at: save to path when virtual time reaches at_ns (under -icount: at an exact
 * instruction count), from a timer callback; the machine then runs on. */
bool snapshot_schedule_save(Machine *m, uint64_t at_ns, const char *path);

#endif

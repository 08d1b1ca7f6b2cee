/*
 * hw/acpi_aml.h — a small AML (ACPI Machine Language) encoder for the DSDT ferry writes
 * (ACPI 6.x, chapter 20 "ACPI Machine Language Specification").
 *
 * The encoder appends to one fixed buffer. Objects with a PkgLength (Scope, Device, Method,
 * Package, Buffer, If) are opened with aml_open_* and closed with aml_close(), which then
 * knows the body's size and inserts the PkgLength in front of it. Running out of room or
 * unbalanced open/close sets `failed` (the caller checks it once at the end).
 */
#ifndef FERRY_HW_ACPI_AML_H
#define FERRY_HW_ACPI_AML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AML_MAX_SIZE 16384
#define AML_MAX_DEPTH 16

typedef struct Aml {
    uint8_t code[AML_MAX_SIZE];
    size_t len;
    size_t open_at[AML_MAX_DEPTH];  /* where each open object's PkgLength goes */
    bool open_buffer[AML_MAX_DEPTH];/* a Buffer: its byte count goes after the PkgLength */
    int depth;
    bool failed;
} Aml;

void aml_init(Aml *a);
void aml_bytes(Aml *a, const void *data, size_t len);
/* A NameString: "\\_SB.PCI0", "^FOO", "PICM" (segments shorter than 4 are padded with '_'). */
void aml_name_string(Aml *a, const char *path);
/* The smallest integer encoding (Zero, One, Byte/Word/DWord/QWordConst). */
void aml_integer(Aml *a, uint64_t v);
void aml_string(Aml *a, const char *s);
/* A compressed EISA ID ("PNP0A03") as the DWordConst _HID wants. */
void aml_eisa_id(Aml *a, const char *id);

/* Name(path, ...): the value follows (an integer, string, package or buffer). */
void aml_name(Aml *a, const char *path);
void aml_open_scope(Aml *a, const char *path);
void aml_open_device(Aml *a, const char *path);
void aml_open_method(Aml *a, const char *path, unsigned nargs, bool serialized);
void aml_open_package(Aml *a, unsigned nb_elements);
/* Buffer(){...}: the byte count is patched in by aml_close. */
void aml_open_buffer(Aml *a);
/* If (predicate) {...}: the predicate follows the open. */
void aml_open_if(Aml *a);
void aml_close(Aml *a);

/* Statements used by the DSDT's methods. */
void aml_return(Aml *a);            /* the value follows */
void aml_store(Aml *a);             /* source then destination follow */
void aml_arg(Aml *a, unsigned n);   /* ArgN */

/* Resource descriptors (ACPI 6.x, 6.4), written inside a ResourceTemplate: a Buffer that
 * ends with aml_res_end(). */
void aml_res_io(Aml *a, uint16_t base, uint8_t length);
void aml_res_irq(Aml *a, unsigned irq);    /* IRQNoFlags: edge, active high, exclusive */
void aml_res_mem32_fixed(Aml *a, uint32_t base, uint32_t length, bool writable);
void aml_res_bus_numbers(Aml *a, uint16_t first, uint16_t last);
void aml_res_io_window(Aml *a, uint16_t first, uint16_t last);
void aml_res_mem_window(Aml *a, uint32_t first, uint32_t last);
void aml_res_end(Aml *a);

#endif

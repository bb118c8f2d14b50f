/*
 * A byte search for the host: glibc's memmem, which Swift's Glibc module does not export
 * (it needs _GNU_SOURCE).
 */
#define _GNU_SOURCE
#include <string.h>
#include "check_host_system.h"

const void *check_find_bytes(const void *haystack, size_t haystack_length, const void *needle, size_t needle_length) {
    return memmem(haystack, haystack_length, needle, needle_length);
}

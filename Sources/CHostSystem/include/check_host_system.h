/*
 * The host's use of system facilities Swift's Glibc module does not export (<malloc.h>).
 * Not part of the plugin contract: only CheckHost includes this.
 */
#ifndef CHECK_HOST_SYSTEM_H
#define CHECK_HOST_SYSTEM_H

#if defined(__linux__) && defined(__has_include)
#if __has_include(<malloc.h>)
#include <malloc.h>
#endif
#endif

/**
 * Keeps freed memory in the process: up to 64 MB free at the top of an arena before any goes
 * back to the system, and blocks of up to 32 MB served from the arenas rather than mapped on
 * their own. glibc's defaults hand memory back and take it again, so that a parallel batch
 * run (an arena per thread) faulted its buffers in afresh batch after batch. A no-op where
 * glibc's mallopt is not available.
 */
static inline void check_keep_freed_memory(void) {
#if defined(M_TRIM_THRESHOLD) && defined(M_MMAP_THRESHOLD)
    (void)mallopt(M_TRIM_THRESHOLD, 64 << 20);
    (void)mallopt(M_MMAP_THRESHOLD, 32 << 20);
#endif
}

#endif

/*
 * The host's use of system facilities Swift's Glibc module does not export (<malloc.h>), and
 * what must run in a signal handler (the crash notice), which Swift code cannot be.
 * Not part of the plugin contract: only CheckHost includes this. The crash notice is in
 * crash_notice.c (its storage must exist once, which a header cannot give Swift).
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

#include <stddef.h>
#include <stdint.h>

/** Maps `size` bytes of new shared memory twice: `*writable` for the host to fill and
 *  `*readable`, the same pages read-only, for plugins. Returns 0, or -1 (errno set). */
int check_map_twice(size_t size, void **writable, const void **readable);

/** Marks plugin `plugin` (a C string that outlives the process's plugins) as running on this
 *  thread, on the application whose id is `application` (`length` bytes, need not be
 *  NUL-terminated; control bytes are shown as '?'). */
void check_crash_scene_enter(const char *plugin, const uint8_t *application, size_t length);

/** Marks host code as running on this thread again. */
void check_crash_scene_leave(void);

/** Records the read-only pages this thread hands to plugins: a fault there is a write. */
void check_crash_scene_read_only(const void *start, size_t length);

/** Installs the crash notice for the fatal signals (SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE,
 *  SIGABRT). In plugin code it prints which plugin crashed on which application, that the
 *  report is incomplete, and the --isolate-plugin advice, then exits 2. In host code it says
 *  check itself crashed and exits 2, or, if `chain_host_crash` is non-zero, hands the signal to
 *  the handler installed before (the Swift runtime's backtracer). Returns 0, or -1 if
 *  sigaction failed. */
int check_crash_notice_install(int chain_host_crash);

/** Gives this thread an alternate signal stack (64 KiB, kept for the life of the thread), so
 *  that a stack overflow can still print the notice. */
void check_crash_notice_prepare_thread(void);

/**
 * The first occurrence of the `needle_length` bytes at `needle` in the `haystack_length` bytes
 * at `haystack`, or NULL: glibc's memmem (a linear-time search; checking thousands of quoted
 * catalogue items against their source text at every start needs one).
 */
const void *check_find_bytes(const void *haystack, size_t haystack_length, const void *needle, size_t needle_length);

#endif

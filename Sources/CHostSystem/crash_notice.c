/* The crash notice (see check_host_system.h). Everything check_crash_handler calls is
 * async-signal-safe: write(2), _exit(2), sigaction(2), raise(3); the scene it reads was
 * filled in by ordinary code before the plugin ran. */
#include "check_host_system.h"

#include <signal.h>
#include <sys/mman.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/** What this thread is doing: the plugin whose code runs (NULL: host code), the application
 *  it evaluates, and the read-only pages holding the applications. */
typedef struct check_crash_scene {
    const char *plugin;
    char application[160];
    uintptr_t read_only_start;
    uintptr_t read_only_end;
} check_crash_scene;

static _Thread_local check_crash_scene current_scene;
static struct sigaction previous_actions[NSIG];
static int chain_host_crashes;

/** Marks plugin `plugin` (a permanent C string) as running on this thread, on the
 *  application whose id is `application` (`length` bytes, need not be NUL-terminated). */
void check_crash_scene_enter(const char *plugin, const uint8_t *application, size_t length) {
    size_t n = length < sizeof current_scene.application - 1 ? length : sizeof current_scene.application - 1;
    /* Control bytes become '?': the notice goes to a terminal and must not be able to move
     * its cursor or hide text. */
    for (size_t i = 0; i < n; i++) current_scene.application[i] = application[i] < 0x20 || application[i] == 0x7F ? '?' : (char)application[i];
    current_scene.application[n] = 0;
    current_scene.plugin = plugin;
}

/** Marks host code as running on this thread again. */
void check_crash_scene_leave(void) { current_scene.plugin = NULL; }

/** Records the read-only pages this thread hands to plugins: a fault there is a write. */
void check_crash_scene_read_only(const void *start, size_t length) {
    current_scene.read_only_start = (uintptr_t)start;
    current_scene.read_only_end = (uintptr_t)start + length;
}

static size_t append(char *buffer, size_t used, size_t capacity, const char *text) {
    while (*text && used < capacity) buffer[used++] = *text++;
    return used;
}

static const char *signal_name(int sig) {
    switch (sig) {
    case SIGSEGV: return "SIGSEGV, an invalid memory access";
    case SIGBUS: return "SIGBUS, an invalid memory access";
    case SIGILL: return "SIGILL (a Swift runtime trap or an illegal instruction)";
    case SIGTRAP: return "SIGTRAP (a Swift runtime trap)";
    case SIGFPE: return "SIGFPE (an arithmetic error)";
    case SIGABRT: return "SIGABRT (an abort)";
    default: return "a fatal signal";
    }
}

/* Async-signal-safe: only write(2), _exit(2), sigaction(2) and raise(3); no allocation, no
 * locks, no stdio. The scene was filled in outside the handler. */
static void crash_handler(int sig, siginfo_t *info, void *context) {
    (void)context;
    const check_crash_scene *scene = &current_scene;
    if (!scene->plugin) {
        if (chain_host_crashes) {
            /* Asked for (SWIFT_BACKTRACE set): hand the signal to the handler installed before
             * (the Swift runtime's backtracer) by restoring it and re-raising. */
            if (sig > 0 && sig < NSIG) sigaction(sig, &previous_actions[sig], NULL);
            raise(sig);
            return;
        }
        /* Not by default: the backtracer can wait forever on the crashed process's memory
         * server while holding standard error, so a crash would become a hang. */
        char text[512];
        size_t n = 0;
        n = append(text, n, sizeof text, "\ncheck: internal error: check itself crashed with ");
        n = append(text, n, sizeof text, signal_name(sig));
        n = append(text, n, sizeof text, ", outside any plugin.\n"
                                         "       The run stopped: its report is incomplete and must not be used (exit 2).\n"
                                         "       Please report it with the input; SWIFT_BACKTRACE=enable=yes adds a backtrace.\n");
        ssize_t ignored = write(2, text, n);
        (void)ignored;
        _exit(2);
    }
    char text[1024];
    size_t n = 0;
    const size_t cap = sizeof text;
    uintptr_t address = info ? (uintptr_t)info->si_addr : 0;
    int wrote = (sig == SIGSEGV || sig == SIGBUS) && address >= scene->read_only_start && address < scene->read_only_end;
    n = append(text, n, cap, "\ncheck: plugin ");
    n = append(text, n, cap, scene->plugin);
    if (wrote) {
        n = append(text, n, cap, " wrote to the application it was given, which is read-only to plugins (application ");
    } else {
        n = append(text, n, cap, " crashed with ");
        n = append(text, n, cap, signal_name(sig));
        n = append(text, n, cap, ", while evaluating application ");
    }
    n = append(text, n, cap, scene->application[0] ? scene->application : "(without an id)");
    if (wrote) n = append(text, n, cap, ")");
    n = append(text, n, cap, ".\n       The run stopped: its report is incomplete and must not be used (exit 2).\n"
                                         "       Run with --isolate-plugin ");
    n = append(text, n, cap, scene->plugin);
    n = append(text, n, cap, " (or --isolate) to run it in a worker process: a crash then\n"
                                         "       becomes an `error` finding for that application and the batch goes on.\n");
    ssize_t ignored = write(2, text, n);
    (void)ignored;
    _exit(2);
}

/** Installs the crash notice for the fatal signals, on an alternate stack for this thread
 *  (so that a stack overflow can still print it). Returns 0, or -1 if sigaction failed. */
int check_crash_notice_install(int chain_host_crash) {
    chain_host_crashes = chain_host_crash;
    static const int signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE, SIGABRT };
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = crash_handler;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        if (sigaction(signals[i], &action, &previous_actions[signals[i]]) != 0) return -1;
    }
    return 0;
}

/** Gives this thread an alternate signal stack (64 KiB, kept for the life of the thread). */
void check_crash_notice_prepare_thread(void) {
    /* A thread that has one keeps it (AddressSanitizer gives every thread its own, and unmaps
     * it when the thread ends: it must be a mapping, never malloc'ed memory). */
    stack_t current;
    if (sigaltstack(NULL, &current) == 0 && !(current.ss_flags & SS_DISABLE)) return;
    stack_t stack;
    memset(&stack, 0, sizeof stack);
    stack.ss_size = 64 * 1024;
    stack.ss_sp = mmap(NULL, stack.ss_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (stack.ss_sp != MAP_FAILED) sigaltstack(&stack, NULL);
}

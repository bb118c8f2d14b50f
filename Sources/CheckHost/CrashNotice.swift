import CHostSystem
import Glibc

/// A short, async-signal-safe notice when a plugin crashes in this process: which plugin, which
/// application, that the report is incomplete, and `--isolate-plugin` as the way to keep the
/// batch going; then exit 2. A write to the read-only applications is named as such. A crash in
/// host code says so and exits 2 too; only with `SWIFT_BACKTRACE` set does it go on to the Swift
/// runtime's backtracer (which can hang, waiting on the crashed process, while holding
/// standard error: a crash must not become a hang).
/// (The handler is C, in CHostSystem: what runs in a signal handler must not allocate or lock.)
public enum CrashNotice {
    /// Installs the handler for the fatal signals and an alternate stack for this thread.
    public static func install() {
        check_crash_notice_prepare_thread()
        _ = check_crash_notice_install(getenv("SWIFT_BACKTRACE") != nil ? 1 : 0)
    }

    /// Gives a new evaluating thread its alternate stack, so that a stack overflow in a plugin
    /// still prints the notice.
    static func prepareThread() {
        check_crash_notice_prepare_thread()
    }

    /// In a worker process: a fatal signal kills it at once (the default action), without the
    /// Swift runtime's backtracer, whose helper process could hold the worker's pipes open and
    /// turn a crash into a time-out. The host reports the signal.
    public static func dieBySignalInWorker() {
        for signal in [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE, SIGABRT] { Glibc.signal(signal, SIG_DFL) }
    }
}

package dev.rebound.runtime.internal;

import java.security.AccessController;
import java.security.PrivilegedAction;

/**
 * The threads Rebound starts itself: the timer ({@code rebound-timeout}) and the default branches of
 * {@code Parallel} and {@code Batch} ({@code rebound-branch-N}). Such a thread is started by whichever
 * call first needs it, on a thread Rebound does not own (a servlet container's request thread), and
 * outlives that call: it takes nothing of the thread that started it, so it keeps no application's
 * class loader reachable. Not its context class loader (that of the web application the request was
 * for), not its inheritable thread-locals, and not the protection domains of the classes on its
 * stack, which a thread started on Java 17 keeps (its inherited access control context, each domain
 * holding its class loader) unless it is started in a privileged block. Daemon: it never keeps the
 * JVM from exiting.
 */
public final class OwnThreads {

    private OwnThreads() {
    }

    /** A daemon thread named {@code name} running {@code task}, with no context class loader, not started. */
    @SuppressWarnings("removal") // AccessController: on Java 17, the one way to keep the caller's domains out
    public static Thread daemon(Runnable task, String name) {
        return AccessController.doPrivileged((PrivilegedAction<Thread>) () -> {
            Thread t = new Thread(null, task, name, 0L, false); // false: no inheritable thread-locals copied
            t.setDaemon(true);
            t.setContextClassLoader(null);
            return t;
        });
    }
}

package dev.rebound.runtime.internal;

import java.util.concurrent.locks.ReentrantLock;

/**
 * Who holds the global settings for a test: the one lock that {@code GlobalSettingsScope} takes, so that
 * tests run in parallel set them one at a time, and that {@code ReboundSettings.setGlobal} reads to refuse
 * a replacement from any other thread meanwhile (it would run one test's calls on another's clock and
 * listeners). Not on any call's path.
 */
public final class GlobalSettingsOwner {

    private static final Lock LOCK = new Lock();

    private GlobalSettingsOwner() {
    }

    /** Waits until no other thread holds the global settings, then holds them (again, if this thread does). */
    public static void acquire() throws InterruptedException {
        LOCK.lockInterruptibly();
    }

    /** Lets go of one hold of this thread. */
    public static void release() {
        LOCK.unlock();
    }

    /** Whether this thread holds the global settings. */
    public static boolean heldByThisThread() {
        return LOCK.isHeldByCurrentThread();
    }

    /**
     * The name of the thread that holds the global settings when it is not this one, or null: a
     * {@code setGlobal} from here would swap the settings under that thread's test.
     */
    public static String otherHolder() {
        if (!LOCK.isLocked() || LOCK.isHeldByCurrentThread()) {
            return null;
        }
        Thread owner = LOCK.owner();
        return owner == null ? null : owner.getName();
    }

    /** A reentrant lock that tells its owner (for the message). */
    private static final class Lock extends ReentrantLock {
        private static final long serialVersionUID = 1L;

        Thread owner() {
            return getOwner();
        }
    }
}

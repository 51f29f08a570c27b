package dev.rebound.runtime.testing;

import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.internal.GlobalSettingsOwner;
import java.util.Objects;

/**
 * The global settings of one test: {@link #open} waits until no other test holds them, sets them, and
 * {@link #close} puts back the ones before and lets the next test in. Woven classes, the Guice module's
 * methods and {@code Rebound.wrap} wrappers built without {@code settings(...)} run on the one JVM-wide
 * {@link ReboundSettings#global()}: two tests that set it at once (JUnit's parallel execution) would run
 * each other's calls, one test's retries waiting on the other's clock and telling its listeners. With a
 * scope they take turns, whatever the test engine and its configuration:
 *
 * <pre>{@code
 * try (GlobalSettingsScope global = GlobalSettingsScope.open(ReboundSettings.builder()
 *         .timeSource(clock).listener(events::add).build())) {
 *     new RemoteModel().chat("hi");   // woven: runs on the settings above, and on no other test's
 * }
 * }</pre>
 *
 * <p>While a scope is open, {@link ReboundSettings#setGlobal} from any other thread is refused with an
 * {@link IllegalStateException}: a test that sets the global settings itself, in parallel with one in a
 * scope, fails rather than swaps them under it. One racing a scope's opening is refused too, or, when it got
 * in first, lands before the scope's settings and is what {@link #close} puts back: never after them. The thread that opened the scope may replace them (the
 * scope still puts back the ones from before it). Scopes nest on one thread; close them in reverse order,
 * on the thread that opened them (try-with-resources does both).
 *
 * <p>Code under test that reads the global settings from other threads (a pool the test started) reads the
 * scope's settings while it is open, as it would read any global settings.
 */
public final class GlobalSettingsScope implements AutoCloseable {

    private final ReboundSettings before;
    private final Thread opener;
    private boolean closed;

    private GlobalSettingsScope(ReboundSettings before, Thread opener) {
        this.before = before;
        this.opener = opener;
    }

    /**
     * Waits until no other thread has a scope open, then sets {@code settings} as the global settings
     * until {@link #close()}.
     *
     * @throws NullPointerException if {@code settings} is null
     * @throws IllegalStateException if this thread is interrupted while it waits (the interrupt is kept)
     */
    public static GlobalSettingsScope open(ReboundSettings settings) {
        Objects.requireNonNull(settings, "settings");
        try {
            GlobalSettingsOwner.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("GlobalSettingsScope.open: interrupted while waiting for another"
                    + " test's scope to close", e);
        }
        ReboundSettings before;
        try {
            // after the wait, never during it (a scope closing takes this monitor too): what to put back and
            // the swap in one step, so a setGlobal racing the opening is refused or is what close puts back
            synchronized (ReboundSettings.class) {
                before = ReboundSettings.global();
                ReboundSettings.setGlobal(settings);
            }
        } catch (RuntimeException | Error e) {
            GlobalSettingsOwner.release();
            throw e;
        }
        return new GlobalSettingsScope(before, Thread.currentThread());
    }

    /**
     * Puts back the global settings there were before {@link #open} and lets the next scope open. Once:
     * a second call does nothing.
     *
     * @throws IllegalStateException if called on another thread than the one that opened the scope
     */
    @Override
    public void close() {
        if (Thread.currentThread() != opener) {
            throw new IllegalStateException("GlobalSettingsScope.close: close the scope on the thread that opened it ("
                    + opener.getName() + "), was " + Thread.currentThread().getName());
        }
        if (closed) {
            return;
        }
        closed = true;
        try {
            ReboundSettings.setGlobal(before); // in setGlobal's monitor, with this thread still the holder
        } finally {
            GlobalSettingsOwner.release();
        }
    }
}

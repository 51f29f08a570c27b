package dev.rebound.runtime.internal;

import dev.rebound.runtime.RetryAfter;

/**
 * What a failed response said about trying again, read where the response was still whole (the
 * HTTP client) and carried by the failure itself, so it belongs to the attempt that received it and
 * to nothing else. Immutable.
 *
 * <ul>
 *   <li>{@link #waitNanos()}: the server's suggested wait (Retry-After and the like, or a wait in the
 *       error body), 0 for none;</li>
 *   <li>{@link #quota()}: the provider's code when the account is out of quota or credit (OpenAI's
 *       {@code insufficient_quota}, Anthropic's {@code billing_error}, ...), null otherwise: such a
 *       failure never passes on a retry;</li>
 *   <li>{@link #shouldRetry()}: the server's {@code x-should-retry}, null when it said nothing.</li>
 * </ul>
 */
public final class ServerVerdict {

    /** A failure that carries the verdict of the response it came from. */
    public interface Carrier {
        ServerVerdict serverVerdict();
    }

    /**
     * Whether a verdict was ever made in this JVM, or a class implementing {@link RetryAfter.Carrier} was
     * ever initialized (which it is before its first instance exists). Until then no failure can carry a
     * verdict or a wait, and {@link #find} skips the walk over the causes: {@link Throwable#getCause()} is
     * synchronized, an atomic lock and unlock on every failed attempt. Only ever set, and to what is true
     * of the JVM, never of a call: it changes no outcome.
     */
    private static volatile boolean everMade;

    /**
     * {@link RetryAfter.Carrier#NONE}, run when that interface is initialized, which the JVM does before it
     * initializes any class implementing it (it declares a default method): from then on {@link #find}
     * walks the causes.
     */
    public static java.time.Duration carrierClassesExist() {
        everMade = true;
        return java.time.Duration.ZERO;
    }

    private final long waitNanos;
    private final String quota;
    private final Boolean shouldRetry;

    private ServerVerdict(long waitNanos, String quota, Boolean shouldRetry) {
        this.waitNanos = waitNanos;
        this.quota = quota;
        this.shouldRetry = shouldRetry;
    }

    /** A verdict, or null when the response said nothing about retrying. */
    public static ServerVerdict of(long waitNanos, String quota, Boolean shouldRetry) {
        if (waitNanos <= 0 && quota == null && shouldRetry == null) {
            return null;
        }
        if (!everMade) {
            everMade = true;
        }
        return new ServerVerdict(Math.max(0L, waitNanos), quota, shouldRetry);
    }

    /**
     * A {@link RetryAfter.Carrier} that suggests no wait (or whose method throws): it has spoken, so a hint
     * suggested on the thread does not apply either.
     */
    private static final ServerVerdict NO_WAIT = new ServerVerdict(0L, null, null);

    /**
     * The verdict carried by {@code failure} or one of its causes (the walk of
     * {@link Classifier#matchesAny}: bounded, cycle-safe), or null. The first {@link Carrier} found is the
     * response's verdict; a {@link RetryAfter.Carrier} found before it states the wait (none when it
     * suggests none, or its method throws), and the response's quota and {@code x-should-retry} below it
     * still apply. Allocates nothing but a public carrier's verdict; returns at once while no verdict or
     * carrier class ever existed.
     */
    public static ServerVerdict find(Throwable failure) {
        if (!everMade) {
            return null;
        }
        long carried = -1L; // the first RetryAfter.Carrier's wait, once one is found
        Throwable current = failure;
        for (int depth = 0; current != null && depth <= Classifier.MAX_CAUSE_DEPTH; depth++) {
            if (current instanceof Carrier) {
                ServerVerdict response = ((Carrier) current).serverVerdict();
                return carried < 0L ? response : carriedWait(carried, response);
            }
            if (carried < 0L && current instanceof RetryAfter.Carrier) {
                carried = waitOf((RetryAfter.Carrier) current);
            }
            Throwable cause = Classifier.causeOf(current);
            current = cause == current || cause == failure ? null : cause;
        }
        return carried < 0L ? null : carriedWait(carried, null);
    }

    /** What a public carrier says: its wait in nanoseconds, 0 for none or when its method throws. */
    private static long waitOf(RetryAfter.Carrier carrier) {
        try {
            return Math.max(0L, carrier.retryAfterNanos());
        } catch (VirtualMachineError vm) {
            throw vm;
        } catch (Throwable broken) {
            return 0L; // what the engine reads of a failure never replaces it (Classifier.causeOf)
        }
    }

    /** A public carrier's wait, with the quota and x-should-retry of the {@code response} below it, if any. */
    private static ServerVerdict carriedWait(long waitNanos, ServerVerdict response) {
        if (response == null || response.quota == null && response.shouldRetry == null) {
            return waitNanos == 0L ? NO_WAIT : new ServerVerdict(waitNanos, null, null);
        }
        return new ServerVerdict(waitNanos, response.quota, response.shouldRetry);
    }

    /** The suggested wait in nanoseconds; 0 for none. */
    public long waitNanos() {
        return waitNanos;
    }

    /** The provider's quota or billing code, or null when this is not a quota failure. */
    public String quota() {
        return quota;
    }

    /** {@code x-should-retry}: TRUE, FALSE, or null when absent. */
    public Boolean shouldRetry() {
        return shouldRetry;
    }

    @Override
    public String toString() {
        return "ServerVerdict[waitNanos=" + waitNanos + ", quota=" + quota + ", shouldRetry=" + shouldRetry + "]";
    }
}

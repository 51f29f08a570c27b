package dev.rebound.runtime.spi;

/**
 * What {@link ResilientMethod#retryNow} (and {@link ResilientMethod#failedAt}, which starts with it)
 * returns to a door that retries the primary itself when the primary must run again now: the wait is
 * over, nobody observes the call, and the door is to report the attempt's failure, if any, with this
 * object as {@code call}. Anything else {@code failedAt} returns is the call's result; anything else
 * {@code retryNow} returns is for {@link ResilientMethod#takeOver}.
 *
 * <p>Not for applications. Made by the engine, which keeps in it what the call's later failures need
 * (the settings the call started with); one instance serves every call with the same settings, so a
 * door's retry allocates nothing.
 */
public final class QuietRetry {

    private final Object state;

    /** The engine's; {@code state} is whatever the engine needs back. */
    public QuietRetry(Object state) {
        this.state = state;
    }

    /** What the engine gave this object. */
    public Object state() {
        return state;
    }

    @Override
    public String toString() {
        return "QuietRetry";
    }
}

package dev.rebound.runtime.internal;

import dev.rebound.runtime.TimeSource;

/**
 * A name (a rate-limit key, a retry budget's name) on one clock, the clock compared by identity: state kept
 * per name reads one clock, since readings of two clocks have unrelated origins (a test's own
 * {@code VirtualTimeSource} beside the system clock). A map key.
 */
public record NameOnClock(String name, TimeSource clock) {
    @Override
    public boolean equals(Object o) {
        return o instanceof NameOnClock k && k.name.equals(name) && k.clock == clock;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + System.identityHashCode(clock);
    }
}

package dev.rebound.runtime.rules;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * An amount of time as a user wrote it: {@code delay = 500} with {@code unit = MILLISECONDS} in an
 * annotation, or a {@link Duration} given to a builder. Shown as {@code "500 ms"} in both cases, so a
 * problem reads the same whichever way the value came in.
 *
 * @param amount the number, possibly negative
 * @param unit its unit
 */
public record TimeAmount(long amount, TimeUnit unit) {

    public TimeAmount {
        Objects.requireNonNull(unit, "unit");
    }

    /** The duration in its largest exact unit: {@code Duration.ofMillis(-1)} is {@code -1 ms}. */
    public static TimeAmount of(Duration d) {
        if (d.getNano() == 0) {
            long s = d.getSeconds();
            if (s != 0) {
                for (TimeUnit u : new TimeUnit[] {TimeUnit.DAYS, TimeUnit.HOURS, TimeUnit.MINUTES}) {
                    if (s % u.toSeconds(1) == 0) {
                        return new TimeAmount(s / u.toSeconds(1), u);
                    }
                }
            }
            return new TimeAmount(s, TimeUnit.SECONDS);
        }
        long nanos; // exact when it fits, else saturated: a positive duration never turns negative here
        try {
            nanos = d.toNanos();
        } catch (ArithmeticException tooLong) {
            nanos = d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        for (TimeUnit u : new TimeUnit[] {TimeUnit.MILLISECONDS, TimeUnit.MICROSECONDS}) {
            if (nanos % u.toNanos(1) == 0) {
                return new TimeAmount(nanos / u.toNanos(1), u);
            }
        }
        return new TimeAmount(nanos, TimeUnit.NANOSECONDS);
    }

    /** An amount in nanoseconds, as builders store it. */
    public static TimeAmount ofNanos(long nanos) {
        return of(Duration.ofNanos(nanos));
    }

    /** Whether the amount is below zero. */
    public boolean isNegative() {
        return amount < 0;
    }

    /** In nanoseconds, saturated at {@link Long#MAX_VALUE} (292 years) and {@link Long#MIN_VALUE}. */
    public long toNanos() {
        return unit.toNanos(amount);
    }

    /** {@code "500 ms"}, {@code "2 s"}, {@code "1 d"}. */
    @Override
    public String toString() {
        return amount + " " + symbol(unit);
    }

    private static String symbol(TimeUnit unit) {
        return switch (unit) {
            case NANOSECONDS -> "ns";
            case MICROSECONDS -> "us";
            case MILLISECONDS -> "ms";
            case SECONDS -> "s";
            case MINUTES -> "min";
            case HOURS -> "h";
            case DAYS -> "d";
        };
    }
}

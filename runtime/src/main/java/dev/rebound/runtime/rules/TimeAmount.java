package dev.rebound.runtime.rules;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * An amount of time as a user gave it: {@code delay = 1000} with {@code unit = MILLISECONDS} in an
 * annotation, or a {@link Duration} given to a builder. Shown in its largest exact unit in both cases
 * ({@code delay = 1000} reads {@code "1 s"}, {@code delay = 1500} reads {@code "1500 ms"}, {@code 9000}
 * hours {@code "375 d"}, zero {@code "0 s"}), since a {@code Duration} keeps no unit: so a problem reads
 * the same whichever way the value came in.
 *
 * @param amount the number, possibly negative
 * @param unit its unit
 */
public record TimeAmount(long amount, TimeUnit unit) {

    /** Nanoseconds to days, each unit an exact multiple of the one before. */
    private static final TimeUnit[] UNITS = TimeUnit.values();
    /** The units finer than a second, finest first. */
    private static final TimeUnit[] FRACTIONS = {TimeUnit.NANOSECONDS, TimeUnit.MICROSECONDS, TimeUnit.MILLISECONDS};
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    public TimeAmount {
        Objects.requireNonNull(unit, "unit");
    }

    /** The duration, shown in its largest exact unit: {@code Duration.ofMillis(-1)} is {@code -1 ms}. */
    public static TimeAmount of(Duration d) {
        if (d.getNano() == 0) {
            return new TimeAmount(d.getSeconds(), TimeUnit.SECONDS);
        }
        // the finest unit that holds it exactly: an annotation's 10^18 ms (beyond 292 years of ns) reads
        // in ms from a builder too; saturated in ns when none does (a positive one never turns negative)
        for (TimeUnit u : FRACTIONS) {
            long per = u.toNanos(1);
            if (d.getNano() % per == 0) {
                try {
                    return new TimeAmount(Math.addExact(Math.multiplyExact(d.getSeconds(), NANOS_PER_SECOND / per),
                            d.getNano() / per), u);
                } catch (ArithmeticException tooLong) {
                    // a coarser unit may hold it
                }
            }
        }
        return new TimeAmount(d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE, TimeUnit.NANOSECONDS);
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

    /**
     * In its largest exact unit, whatever unit it was given in: {@code "500 ms"}, {@code "1 s"} for 1000
     * ms, {@code "2 min"}, {@code "1 d"}; zero is {@code "0 s"}.
     */
    @Override
    public String toString() {
        if (amount == 0) {
            return "0 " + symbol(TimeUnit.SECONDS);
        }
        long n = amount;
        TimeUnit u = unit;
        // each step divides exactly, so no amount overflows on the way up
        for (int i = u.ordinal() + 1; i < UNITS.length; i++) {
            long per = UNITS[i - 1].convert(1, UNITS[i]); // 1000 ms in 1 s, 24 h in 1 d
            if (n % per != 0) {
                break;
            }
            n /= per;
            u = UNITS[i];
        }
        return n + " " + symbol(u);
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

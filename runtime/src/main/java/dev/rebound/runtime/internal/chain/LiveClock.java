package dev.rebound.runtime.internal.chain;

import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.TimeSource;
import dev.rebound.runtime.spi.ResilientMethod;

/**
 * The clock of the methods that read the global settings live, as one scale across
 * {@link ReboundSettings#setGlobal}: the global settings' clock plus an offset. A door's start reading
 * of such a method ({@link ResilientMethod#start}) is taken on it and turned into a reading of the clock
 * the rest of the call runs on when the call goes on ({@link #onClock}). When {@code setGlobal} brings
 * another time source, the offset moves so that the scale goes on where it was: a call in flight then
 * counts the time before the switch on the old clock and the time after it on the new one, instead of
 * subtracting readings of two clocks of unrelated origins. Immutable; the current one is swapped by
 * {@code setGlobal}, and until then the offset is 0 (a reading is the clock's own).
 */
public final class LiveClock {

    private static volatile LiveClock current = new LiveClock(ReboundSettings.global(), 0L);

    /** The global settings from {@link #switchTo} on. */
    final ReboundSettings settings;
    private final long offset;

    private LiveClock(ReboundSettings settings, long offset) {
        this.settings = settings;
        this.offset = offset;
    }

    /**
     * The scale as a clock, for what a method on the global settings reads and compares across calls (its
     * breaker's phases: when it opened, when a closed phase began): one scale, whatever {@code setGlobal}
     * did between two readings. Its sleeps are the current global clock's.
     */
    static final TimeSource SCALE = new TimeSource() {
        @Override
        public long nanoTime() {
            return current.read();
        }

        @Override
        public void sleep(long nanos) throws InterruptedException {
            current.settings.timeSource().sleep(nanos);
        }
    };

    /** The scale now, with the global settings it goes with. One volatile read. */
    static LiveClock current() {
        return current;
    }

    /**
     * {@code next} becomes the global settings (called by {@code setGlobal}, which serializes the calls):
     * with another time source, the scale continues on it from where the old one is now.
     */
    public static void switchTo(ReboundSettings next) {
        LiveClock before = current;
        TimeSource was = before.settings.timeSource();
        TimeSource now = next.timeSource();
        long offset = was == now ? before.offset : was.nanoTime() + before.offset - now.nanoTime();
        current = new LiveClock(next, offset);
    }

    /** A reading of the scale, never {@link ResilientMethod#UNTIMED}. */
    long read() {
        return untimedAvoided(settings.timeSource().nanoTime() + offset);
    }

    /** {@code start}, a reading of the scale (or UNTIMED), as a reading of {@link #settings}' clock. */
    long onClock(long start) {
        return start == ResilientMethod.UNTIMED ? start : untimedAvoided(start - offset);
    }

    /**
     * {@code start}, a reading of the scale, as a reading of the clock of {@code s}, settings read from
     * the scale earlier in the same call: UNTIMED (the call is not timed) when the scale has moved on since.
     */
    static long onClockOf(ReboundSettings s, long start) {
        LiveClock l = current;
        return l.settings == s ? l.onClock(start) : ResilientMethod.UNTIMED;
    }

    private static long untimedAvoided(long t) {
        return t == ResilientMethod.UNTIMED ? t + 1 : t;
    }
}

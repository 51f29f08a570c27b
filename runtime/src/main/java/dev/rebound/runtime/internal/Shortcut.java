package dev.rebound.runtime.internal;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many things now keep every door off its shortcut ({@link dev.rebound.runtime.spi.ResilientMethod#quiet}):
 * a mark in place on some thread ({@link dev.rebound.runtime.spi.Passthrough}, {@link NestedCalls}), a hint left on
 * some thread for a later failure, one per thread however often suggested ({@link Leftovers}), a rate-limited
 * attempt running on some thread ({@link SeenHeaders}), global settings that observe successes. Each closes it
 * while it lasts and reopens it when it ends, once; open, the common state, is one static read, so that a door's
 * inlined happy path asks one question where it would ask each of these.
 */
public final class Shortcut {

    private static final AtomicInteger CLOSED = new AtomicInteger();

    private Shortcut() {
    }

    /** Whether nothing keeps the doors off their shortcut now. */
    public static boolean open() {
        return CLOSED.get() == 0;
    }

    /** Something that keeps the doors off it starts: before it can be seen. */
    public static void close() {
        CLOSED.incrementAndGet();
    }

    /** What {@link #close} started ended. */
    public static void reopen() {
        CLOSED.decrementAndGet();
    }
}

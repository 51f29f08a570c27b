package dev.rebound.modelserver;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** The one wait for a condition of the server's state: streams stalled, exchanges ended. */
final class Waits {

    private Waits() {
    }

    /**
     * Checks a public wait's arguments before it waits: {@code count} of {@code what} at least 0, {@code timeout}
     * not null nor negative; the errors name the method and the argument.
     */
    static void check(String method, String what, int count, Duration timeout) {
        if (count < 0) {
            throw new IllegalArgumentException("ModelServer." + method + ": " + what + " must be at least 0, was "
                    + count);
        }
        Objects.requireNonNull(timeout, "ModelServer." + method + ": timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("ModelServer." + method + ": timeout must not be negative, was "
                    + timeout);
        }
    }

    /**
     * Waits on {@code monitor}, which the caller holds and whoever changes the condition notifies, until
     * {@code met}; false if {@code timeout} passes first ({@link Duration#ZERO}: only looks).
     */
    static boolean until(Object monitor, BooleanSupplier met, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + Objects.requireNonNull(timeout, "timeout").toNanos();
        while (!met.getAsBoolean()) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(monitor, left);
        }
        return true;
    }
}

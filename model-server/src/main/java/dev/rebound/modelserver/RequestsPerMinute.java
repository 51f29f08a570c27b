package dev.rebound.modelserver;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * A provider's requests-per-minute limit, as OpenAI enforces it: a token bucket of {@code limit}
 * requests, refilled continuously at {@code limit} per minute, starting full. A request over the limit
 * gets a 429 with {@code Retry-After} (whole seconds, rounded up) and the {@code x-ratelimit-*}
 * headers; every answered request carries {@code x-ratelimit-limit-requests},
 * {@code x-ratelimit-remaining-requests} and {@code x-ratelimit-reset-requests}. Real time: this is
 * the server side. Guarded by the server.
 */
final class RequestsPerMinute {

    private static final long MINUTE = Duration.ofMinutes(1).toNanos();

    private final int limit;
    private final double nanosPerRequest;
    private double available;
    private long refilledAt;
    private int refused;

    RequestsPerMinute(int limit, long now) {
        if (limit < 1) {
            throw new IllegalArgumentException("requestsPerMinute = " + limit + " is below 1");
        }
        this.limit = limit;
        this.nanosPerRequest = MINUTE / (double) limit;
        this.available = limit;
        this.refilledAt = now;
    }

    /** Takes one request at {@code now}: the answer's headers, or a 429 fault when over the limit. */
    Fault take(Fault planned, long now) {
        return take(() -> planned, now);
    }

    /**
     * Takes one request at {@code now}: {@code planned}'s fault with the answer's headers, or a 429
     * fault when over the limit, without asking {@code planned} (a refused request uses no scripted step).
     */
    Fault take(Supplier<Fault> planned, long now) {
        refill(now);
        if (available < 1) {
            refused++;
            long waitNanos = Math.max(1, nanosUntil(1 - available)); // short of a permit: never "now"
            return headers(Fault.rateLimited(Duration.ofNanos(waitNanos)), waitNanos);
        }
        available -= 1;
        Fault fault = planned.get();
        if (fault.kind() == Fault.Kind.DROP_CONNECTION) {
            return fault;
        }
        return headers(fault, nanosUntil(limit - available));
    }

    /** How many requests were refused. */
    int refused() {
        return refused;
    }

    private Fault headers(Fault f, long resetNanos) {
        return f.withHeader("x-ratelimit-limit-requests", Integer.toString(limit))
                .withHeader("x-ratelimit-remaining-requests", Long.toString((long) Math.floor(available)))
                .withHeader("x-ratelimit-reset-requests",
                        Math.max(1, Fault.millisRoundedUp(Duration.ofNanos(resetNanos))) + "ms");
    }

    /**
     * Nanoseconds until {@code requests} more are available, rounded up but for the bucket's rounding error
     * (a thousandth of a nanosecond), which would otherwise make an exact 20 s wait 20.000000001 s and its
     * whole-second header 21.
     */
    private long nanosUntil(double requests) {
        return (long) Math.ceil(requests * nanosPerRequest - 1e-3);
    }

    private void refill(long now) {
        long elapsed = now - refilledAt;
        refilledAt = now;
        available = Math.min(limit, available + elapsed / nanosPerRequest);
    }
}

package dev.rebound.runtime.internal.chain;

/**
 * Why the chain did what it did: why a retry stopped, why a wait was chosen, how a call ended, why a
 * breaker opened. Events and metrics carry {@link #wire()}, the strings they always carried
 * (listed in {@code ReboundEvent#reason()}); add a constant for a new reason, never reuse one.
 */
public enum Reason {
    // RETRY_SCHEDULED: why this wait
    BACKOFF("backoff"),
    RETRY_AFTER("retry-after"),
    // RETRIES_EXHAUSTED: why no further attempt on this target
    NOT_RETRYABLE("not-retryable"),
    ATTEMPTS("attempts"),
    DEADLINE("deadline"),
    INTERRUPTED("interrupted"),
    CIRCUIT_OPEN("circuit-open"),
    BUDGET("budget"),
    RETRY_AFTER_EXCEEDS_MAX_DELAY("retry-after-exceeds-max-delay"),
    // SUCCEEDED: who answered after a failure
    RETRY("retry"),
    FALLBACK("fallback"),
    // CIRCUIT_OPENED: from which phase
    FAILURE_RATIO("failure-ratio"),
    PROBE_FAILED("probe-failed"),
    // FAILED: an asynchronous call whose future the caller cancelled or ended otherwise (orTimeout, complete, ...)
    CANCELLED("cancelled"),
    // RETRIES_EXHAUSTED: the rate limit refused the attempt (never retried)
    RATE_LIMITED("rate-limited"),
    // RATE_LIMIT_REFUSED: the wait the limit asked for was longer than maxDelay (or DEADLINE: past maxDuration)
    RATE_LIMIT_EXCEEDS_MAX_DELAY("rate-limit-exceeds-max-delay"),
    // CIRCUIT_OPENED: the breaker of the same name elsewhere in the fleet is open (a shared store said so)
    FLEET("fleet"),
    // RETRIES_EXHAUSTED: the provider says the account is out of quota or credit: no retry can pass
    QUOTA_EXHAUSTED("quota-exhausted"),
    // RETRIES_EXHAUSTED: the server sent {@code x-should-retry: false}
    SERVER_DECLINED_RETRY("server-declined-retry"),
    // RESULT_REJECTED, RETRIES_EXHAUSTED: a fallback predicate rejected the result: straight to the alternatives
    RESULT_REJECTED("result-rejected"),
    // ATTEMPT_FAILED of an attempt cut by its attemptTimeout
    TIMEOUT("timeout");

    private final String wire;

    Reason(String wire) {
        this.wire = wire;
    }

    /** The string events and metric tags carry. */
    public String wire() {
        return wire;
    }
}

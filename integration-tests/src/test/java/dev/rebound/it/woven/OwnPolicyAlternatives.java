package dev.rebound.it.woven;

import dev.rebound.annotations.CircuitBreaker;
import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.RateLimit;
import dev.rebound.annotations.Retry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Alternatives with policies of their own (woven by ajc): a rate-limited one and one behind a breaker, each
 * reached as the fallback of a primary that always fails. {@code AlternativePoliciesDoorsTest}.
 */
public final class OwnPolicyAlternatives {

    /** Every body reached, in order. */
    public static final List<String> CALLS = new CopyOnWriteArrayList<>();

    private OwnPolicyAlternatives() {
    }

    public interface Quotes {
        String quote(String symbol);
    }

    public static class ToLimited implements Quotes {
        @Override
        @Retry(attempts = 2, delay = 0)
        @Fallback(to = Limited.class)
        public String quote(String symbol) {
            CALLS.add("primary");
            throw new IllegalStateException("primary down");
        }
    }

    /** One request a minute, no waiting. */
    public static class Limited implements Quotes {
        @Override
        @RateLimit(key = "woven-own-alternative", requestsPerMinute = 1, maxDelay = 0)
        public String quote(String symbol) {
            CALLS.add("limited");
            return "limited " + symbol;
        }
    }

    public static class ToBroken implements Quotes {
        @Override
        @Retry(attempts = 1)
        @Fallback(to = Broken.class)
        public String quote(String symbol) {
            CALLS.add("primary");
            throw new IllegalStateException("primary down");
        }
    }

    /** Always fails; its breaker opens after 2 calls, for a minute. */
    public static class Broken implements Quotes {
        @Override
        @Retry(attempts = 2, delay = 0)
        @CircuitBreaker(requestVolumeThreshold = 2, failureRatio = 0.5, delay = 60_000)
        public String quote(String symbol) {
            CALLS.add("broken");
            throw new IllegalStateException("broken down");
        }
    }
}

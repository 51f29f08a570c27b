package dev.rebound.it.woven;

import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.RateLimit;
import dev.rebound.annotations.Retry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.retry.annotation.Backoff;
import org.springframework.retry.annotation.Retryable;

/**
 * Woven classes whose instances a Spring AOP proxy stands in front of, as a Spring application's own
 * aspect proxies its beans: a proxy that calls another instance, its target, whose woven code applies
 * its policies ({@code AlternativePoliciesDoorsTest}, {@code NestedRetriesTest}). Every body always fails
 * but the rate-limited one's.
 */
public final class SpringProxied {

    /** Every body reached (and every proxy's advice: "aspect"), in order. */
    public static final List<String> CALLS = new CopyOnWriteArrayList<>();

    private SpringProxied() {
    }

    private static IllegalStateException down(String who) {
        CALLS.add(who);
        return new IllegalStateException(who + " down");
    }

    // ---- alternatives that a proxy stands in front of ------------------------------------------------

    /** The interface's policy is the primary's: 2 attempts, then the alternative. */
    public interface Quotes {
        @Retry(attempts = 2, delay = 100, jitter = false)
        @Fallback(to = QuotesBackup.class)
        String quote(String symbol);
    }

    /** The alternative: its own 2 attempts; "backup", or the name it is given (another bean of its class). */
    public static class QuotesBackup implements Quotes {
        private final String who;

        public QuotesBackup() {
            this("backup");
        }

        public QuotesBackup(String who) {
            this.who = who;
        }

        @Override
        @Retry(attempts = 2, delay = 100, jitter = false)
        public String quote(String symbol) {
            throw down(who);
        }
    }

    /** A bare interface: the policies are the classes'. */
    public interface Rates {
        String rate(String pair);
    }

    /** A woven primary: 1 attempt, then its alternative. */
    public static class WovenRates implements Rates {
        @Override
        @Retry(attempts = 1)
        @Fallback(to = RatesBackup.class)
        public String rate(String pair) {
            throw down("primary");
        }
    }

    /** The alternative: its own 3 attempts. */
    public static class RatesBackup implements Rates {
        @Override
        @Retry(attempts = 3, delay = 100, jitter = false)
        public String rate(String pair) {
            throw down("backup");
        }
    }

    public interface Prices {
        String price(String sku);
    }

    /** A woven primary: 1 attempt, then its rate-limited alternative. */
    public static class WovenPrices implements Prices {
        @Override
        @Retry(attempts = 1)
        @Fallback(to = LimitedPrices.class)
        public String price(String sku) {
            throw down("primary");
        }
    }

    /** One request a minute, no waiting. */
    public static class LimitedPrices implements Prices {
        @Override
        @RateLimit(key = "spring-proxied-limited", requestsPerMinute = 1, maxDelay = 0)
        public String price(String sku) {
            CALLS.add("limited");
            return "limited " + sku;
        }
    }

    // ---- a woven bean behind a JDK proxy of its interface ---------------------------------------------

    public interface Relay {
        String relay(String m);
    }

    /** Its own 2 attempts, on the class's method. */
    public static class WovenRelay implements Relay {
        @Override
        @Retry(attempts = 2, delay = 100, jitter = false)
        public String relay(String m) {
            throw down("relay");
        }
    }

    /**
     * As {@link WovenRelay}, for a proxy of {@code Relay} alone, without the woven marker (a nested retry is said
     * once per pair of methods and classes: this class keeps its line apart from WovenRelay's).
     */
    public static class InterfaceProxiedRelay implements Relay {
        @Override
        @Retry(attempts = 2, delay = 100, jitter = false)
        public String relay(String m) {
            throw down("relay");
        }
    }

    // ---- Spring Retry's @Retryable beside @Retry ----------------------------------------------------

    public interface Pinger {
        String ping(String host);
    }

    /** Both retry ping: 3 attempts each. */
    public static class DoublyRetried implements Pinger {
        @Override
        @Retry(attempts = 3, delay = 100, jitter = false)
        @Retryable(retryFor = IllegalStateException.class, maxAttempts = 3, backoff = @Backoff(0))
        @SuppressWarnings("rebound") // the nested retry is the point: its run-time WARN is NestedRetriesTest's
        public String ping(String host) {
            throw down("ping");
        }
    }
}

package dev.rebound.runtime;

import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.RateLimit;
import dev.rebound.annotations.Retry;
import dev.rebound.runtime.spi.Policies;
import dev.rebound.runtime.spi.ResilientMethod;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a web application does with Rebound, for {@link ClassLoaderRetentionTest}, which loads this class
 * in a loader of its own (the application's), with Rebound in it (WEB-INF/lib) or in its parent (the
 * server's shared lib). Public API only; every method answers "ok". The methods that take a value are one
 * version of the application each, with that value for its configuration (a redeploy gives another).
 */
public final class WebappCalls {

    /** The application's service interface. */
    public interface Service {
        String call(String question) throws Exception;
    }

    /** A service whose fallback is named by class, as the README shows. */
    public interface Answers {
        @Fallback(to = CannedAnswers.class)
        String answer(String question);
    }

    /** The primary: down. */
    public static final class Down implements Answers {
        @Override
        public String answer(String question) {
            throw new IllegalStateException("down");
        }
    }

    /** The fallback: made by the resolver of the settings, through its public no-arg constructor. */
    public static final class CannedAnswers implements Answers {
        @Override
        public String answer(String question) {
            return "ok";
        }
    }

    /** The policy of {@link Down#answer}, resolved on the global settings as a woven class's are, and kept as they are. */
    private static ResilientMethod downsPolicy;

    private WebappCalls() {
    }

    /**
     * A wrapper built without settings, so on the global ones (the README's main), that falls back: the
     * global settings' resolver makes the fallback.
     */
    public static String globalFallbackCall() {
        return Rebound.wrap(Answers.class, new Down()).build().answer("q");
    }

    /**
     * The same policy resolved through the door protocol as the woven door resolves a woven class's
     * ({@code Policies.resolve}, alternatives from the global resolver), kept in a static field of the
     * application's, and called.
     */
    public static String globalFallbackCallThroughTheDoorProtocol() throws Throwable {
        downsPolicy = Policies.resolve(Down.class, Down.class.getMethod("answer", String.class));
        Down down = new Down();
        return (String) downsPolicy.execute(down, new Object[] {"q"}, (target, args) ->
                ((Down) target).answer((String) args[0]));
    }

    /** A call that fails once and is retried, observed by a listener, on a virtual clock. */
    public static String retriedCall() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Service target = q -> {
            if (calls.incrementAndGet() == 1) {
                throw new java.io.IOException("503");
            }
            return "ok";
        };
        ReboundSettings settings = ReboundSettings.builder().timeSource(new VirtualTimeSource())
                .listener(e -> { }).logging(false).build();
        Service service = Rebound.wrap(Service.class, target)
                .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(10)).build())
                .settings(settings).build();
        return service.call("q");
    }

    /**
     * A call under an attempt timeout on the real clock, made once: the shared timer thread starts, if it
     * was not running.
     */
    public static String timedCall() throws Exception {
        Service target = q -> "ok";
        Service service = Rebound.wrap(Service.class, target)
                .withRetry(RetryPolicy.builder().attempts(1).attemptTimeout(Duration.ofSeconds(30)).build())
                .settings(ReboundSettings.builder().logging(false).build()).build();
        return service.call("q");
    }

    /** Two branches on Rebound's default branch threads. */
    public static String parallelCall() {
        List<String> both = Parallel.invokeAll(() -> "o", () -> "k");
        return both.get(0) + both.get(1);
    }

    /** The primary always fails; its fallback, itself wrapped, answers: the engine marks its own call to it. */
    public static String fallbackCall() throws Exception {
        ReboundSettings settings = ReboundSettings.builder().timeSource(new VirtualTimeSource()).logging(false)
                .build();
        Service primary = q -> {
            throw new java.io.IOException("503");
        };
        Service alternative = Rebound.wrap(Service.class, (Service) q -> "ok")
                .withRetry(RetryPolicy.builder().attempts(2).build()).settings(settings).build();
        Service service = Rebound.wrap(Service.class, primary)
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(10)).build())
                .withFallbacks(alternative).settings(settings).build();
        return service.call("q");
    }

    /**
     * A client that reports what its responses said, as Rebound's integrations do on the calling
     * thread: rate-limit headers (never taken here: the method has no rate limit), a server's wait.
     */
    public static String clientHintsCall() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Service target = q -> {
            dev.rebound.runtime.ratelimit.RateLimitHeaders.record(
                    new dev.rebound.runtime.ratelimit.RateLimitHeaders(9, 900, 1_000_000L, 1_000_000L));
            if (calls.incrementAndGet() == 1) {
                RetryAfter.suggest(Duration.ofMillis(5));
                throw new java.io.IOException("429");
            }
            return "ok";
        };
        Service service = Rebound.wrap(Service.class, target)
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(10)).build())
                .settings(ReboundSettings.builder().timeSource(new VirtualTimeSource()).logging(false).build())
                .build();
        return service.call("q");
    }

    /** The application's quotes service: its retry budget and rate limit are each version's configuration. */
    public interface Quotes {
        String quote(String symbol);
    }

    /**
     * Sets the global settings (in the shared lib, Rebound's) on a virtual clock, as a test would: rate-limit
     * buckets then refill only when the test says so.
     */
    public static String globalSettingsOnAVirtualClock() {
        ReboundSettings.setGlobal(ReboundSettings.global().toBuilder().timeSource(new VirtualTimeSource()).build());
        return "ok";
    }

    /** A wrapper on the global settings whose retry draws on the interface's own budget, of this ratio. */
    public static String budgetedCall(double budgetRatio) {
        return Rebound.wrap(Quotes.class, (Quotes) s -> "ok")
                .withRetry(RetryPolicy.builder().attempts(3).budgetRatio(budgetRatio).build()).build().quote("ACME");
    }

    /**
     * A wrapper on the global settings over an interface and a target both of the shared lib's loader (here the
     * JDK's {@code Callable}, as langchain4j's {@code ChatModel} and {@code OpenAiChatModel} are when langchain4j
     * sits in lib/ beside Rebound), drawing on the budget "provider" at this ratio.
     */
    @SuppressWarnings("unchecked")
    public static String sharedLibBudgetedCall(double budgetRatio) throws Exception {
        java.util.concurrent.Callable<Object> shared = java.util.concurrent.Executors.callable(() -> { }, "ok");
        java.util.concurrent.Callable<Object> wrapped = Rebound.wrap(java.util.concurrent.Callable.class, shared)
                .withRetry(RetryPolicy.builder().attempts(3).budget("provider").budgetRatio(budgetRatio).build())
                .build();
        return (String) wrapped.call();
    }

    /**
     * As {@link #sharedLibBudgetedCall}, the wrapper built elsewhere than on the application's own code's stack:
     * on a pool thread ({@code pool.submit(builder::build)}) and on one of Rebound's own branch threads
     * ({@code Parallel.invokeAll(builder::build)}), where only the method reference's frame is the application's.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static String sharedLibBudgetedCallBuiltOffItsStack(double budgetRatio) throws Exception {
        java.util.function.Supplier<Rebound.Builder<java.util.concurrent.Callable>> builder = () -> Rebound.wrap(
                java.util.concurrent.Callable.class, java.util.concurrent.Executors.callable(() -> { }, "ok"))
                .withRetry(RetryPolicy.builder().attempts(3).budget("provider").budgetRatio(budgetRatio).build());
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            java.util.concurrent.Callable<Object> onAPool = pool.submit(builder.get()::build)
                    .get(30, java.util.concurrent.TimeUnit.SECONDS);
            List<java.util.concurrent.Callable> onABranch = Parallel.invokeAll(builder.get()::build);
            return (String) onAPool.call() + onABranch.get(0).call();
        } finally {
            pool.shutdown();
            pool.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    /**
     * A wrapper on the global settings under the interface's own rate limit, this many requests per minute,
     * refusing rather than waiting (a refusal throws {@link RateLimitRefusedException}).
     */
    public static String limitedCall(int requestsPerMinute) {
        return Rebound.wrap(Quotes.class, (Quotes) s -> "ok").withRateLimit(RateLimitPolicy.builder()
                .requestsPerMinute(requestsPerMinute).maxDelay(Duration.ZERO).build()).build().quote("ACME");
    }

    /** Version 1 of a class woven with a named budget. */
    public static final class BudgetedV1 implements Quotes {
        @Override
        @Retry(attempts = 3, budget = "quotes", budgetRatio = 0.1)
        public String quote(String symbol) {
            return "ok";
        }
    }

    /** Version 2: the same budget, another ratio. */
    public static final class BudgetedV2 implements Quotes {
        @Override
        @Retry(attempts = 3, budget = "quotes", budgetRatio = 0.2)
        public String quote(String symbol) {
            return "ok";
        }
    }

    /** Version 1 of a class woven with a named rate limit key. */
    public static final class LimitedV1 implements Quotes {
        @Override
        @RateLimit(key = "quotes-api", requestsPerMinute = 60)
        public String quote(String symbol) {
            return "ok";
        }
    }

    /** Version 2: the same key, another limit. */
    public static final class LimitedV2 implements Quotes {
        @Override
        @RateLimit(key = "quotes-api", requestsPerMinute = 120)
        public String quote(String symbol) {
            return "ok";
        }
    }

    /**
     * The policy of {@code simpleName}'s (one of the classes above) {@code quote}, resolved on the global
     * settings through the door protocol as the woven door resolves it, and called.
     */
    public static String wovenCall(String simpleName) throws Throwable {
        Class<?> woven = Class.forName(WebappCalls.class.getName() + "$" + simpleName);
        Quotes quotes = (Quotes) woven.getConstructor().newInstance();
        ResilientMethod policy = Policies.resolve(woven, woven.getMethod("quote", String.class));
        return (String) policy.execute(quotes, new Object[] {"ACME"}, (t, a) -> ((Quotes) t).quote((String) a[0]));
    }
}

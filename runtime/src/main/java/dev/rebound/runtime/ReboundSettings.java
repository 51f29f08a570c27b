package dev.rebound.runtime;

import dev.rebound.runtime.internal.DefaultAlternativeResolver;
import dev.rebound.runtime.internal.RetryBudgets;
import dev.rebound.runtime.internal.Slf4jListener;
import dev.rebound.runtime.ratelimit.RateLimitStore;
import dev.rebound.runtime.observation.CallTracer;
import dev.rebound.runtime.spi.AlternativeResolver;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * What the engine runs with: its clock and sleeper, its listeners, its source of jitter and where
 * fallback instances come from. Immutable. {@code Rebound.wrap} takes one per wrapper; woven
 * classes use {@link #global()}, which tests and applications may replace.
 *
 * <p>By default events are logged through SLF4J (logger {@code dev.rebound}): a retry at INFO, a
 * fallback taken and a final failure at WARN; never argument values, results or exception messages.
 *
 * <p>Retry budgets ({@code @Retry(budgetRatio = ...)}) are shared by name among the methods run with
 * these settings and with the settings made from them by {@link #toBuilder()} on the same clock, as the
 * in-process rate limits are: all woven code shares those of the global settings, also across a
 * {@code setGlobal(global().toBuilder()...build())}; settings made with {@link #builder()} (a test's own)
 * get budgets of their own, and so does a {@code toBuilder().timeSource(...)}: its clock's.
 */
public final class ReboundSettings {

    private static volatile ReboundSettings global = builder().build();

    static {
        if (global.observesSuccess) {
            dev.rebound.runtime.internal.Shortcut.close(); // the doors' shortcut skips what observes successes
        }
    }

    private final TimeSource timeSource;
    private final List<ReboundListener> listeners;
    private final RandomGenerator random;
    private final AlternativeResolver alternatives;
    private final boolean timesSuccess;
    /** {@code tracer != null || timesSuccess}, resolved once. */
    private final boolean observesSuccess;
    private final RateLimitStore rateLimitStore;
    private final CallTracer tracer;

    private ReboundSettings(Builder b) {
        this.timeSource = b.timeSource;
        this.tracer = b.tracer;
        List<ReboundListener> all = new ArrayList<>();
        if (b.logging) {
            all.add(Slf4jListener.INSTANCE);
        }
        all.addAll(b.listeners);
        this.listeners = List.copyOf(all);
        this.random = b.random;
        this.alternatives = b.alternatives;
        boolean times = false;
        for (ReboundListener l : all) {
            times |= l.wantsFirstAttemptSuccess();
        }
        this.timesSuccess = times;
        this.observesSuccess = times || tracer != null;
        this.rateLimitStore = b.rateLimitStore != null ? b.rateLimitStore : RateLimitStore.inProcess();
        RetryBudgets.made(this, b.budgets);
    }

    /**
     * A builder with the defaults: the system clock ({@link TimeSource#system()}), the SLF4J logger
     * as the only listener, {@code ThreadLocalRandom} for jitter, each alternative class made once by
     * its public no-arg constructor, rate limits kept in this process, no tracer.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** The settings used by woven classes and by wrappers built without their own. */
    public static ReboundSettings global() {
        return global;
    }

    /**
     * Replaces the global settings, which every method run on them reads live: woven classes, the Guice
     * module's methods, and {@code Rebound.wrap} wrappers built without {@code settings(...)}.
     *
     * <ul>
     *   <li>From the next call on, successes included: a tracer traces every call whole, first attempt
     *       included, and a listener timing first-attempt successes times them; one removed no longer does.</li>
     *   <li>A call in flight: one whose first attempt the door runs itself (not traced) goes on, from that
     *       attempt's failure, on the settings it reads then (their listeners, clock, store), untraced to its
     *       end; one the chain runs whole (traced, or asynchronous) keeps the settings it started with to its
     *       end. Either way its time (deadline, durations) is counted across the change of clock: the old
     *       clock up to the change, the new one from then on.</li>
     *   <li>Alternatives already resolved keep their instances: a new alternatives resolver is asked only by
     *       policies resolved from then on (a WARN names the classes the previous one made, when either
     *       resolver is one you gave).</li>
     *   <li>Retry budgets and in-process rate limits go on where they were when {@code settings} were made from
     *       the previous ones with {@link #toBuilder()} on the same clock: a budget spent stays spent (its
     *       retries are given back 10 s after they were made). Settings made with {@link #builder()}, or with
     *       another clock, start with budgets and limits of their own: full.</li>
     *   <li>A method reading the global settings live keeps how it defines its budgets and rate-limit keys: the
     *       definitions go along to {@code settings} (their budgets, their store), so a build from then on,
     *       live or given {@code settings}, that gives one of those names other values is refused as on one
     *       settings; a method already built on {@code settings} that does is said in one WARN per name,
     *       beginning {@code ReboundSettings.setGlobal:}.</li>
     *   <li>Circuit breakers keep their state whatever the new settings.</li>
     * </ul>
     *
     * <p>In a test, set them with {@link dev.rebound.runtime.testing.GlobalSettingsScope}: they are one value
     * for the whole JVM, so two tests that set them at once run each other's calls; the scope makes them take
     * turns.
     *
     * @throws NullPointerException if {@code settings} is null
     * @throws IllegalStateException if another thread has a {@code GlobalSettingsScope} open (a test in
     *     progress): replacing them would run that test's calls on these settings
     */
    public static void setGlobal(ReboundSettings settings) {
        Objects.requireNonNull(settings, "settings");
        // the check and the swap are one step against a scope's opening, which sets its settings in this
        // monitor too: a setGlobal racing it is refused, or lands before the scope reads what to put back
        synchronized (ReboundSettings.class) {
            String holder = dev.rebound.runtime.internal.GlobalSettingsOwner.otherHolder();
            if (holder != null) {
                throw new IllegalStateException("ReboundSettings.setGlobal: the global settings are held by a"
                        + " GlobalSettingsScope that thread " + holder + " opened (a test in progress), whose"
                        + " calls would run on these settings; set them in a GlobalSettingsScope too, which waits"
                        + " for it");
            }
            dev.rebound.runtime.internal.chain.LiveClock.switchTo(settings);
            dev.rebound.runtime.internal.GlobalAlternatives.replaced(global.alternatives, settings.alternatives);
            RateLimitStore before = global.rateLimitStore;
            // a live method's first attempt is bare only while the global settings observe no success
            if (settings.observesSuccess && !global.observesSuccess) {
                dev.rebound.runtime.internal.Shortcut.close();
            } else if (!settings.observesSuccess && global.observesSuccess) {
                dev.rebound.runtime.internal.Shortcut.reopen();
            }
            global = settings;
            // the methods reading the global settings live take their budgets' and keys' definitions along
            RetryBudgets.globalChanged(settings);
            dev.rebound.runtime.internal.RateLimits.globalChanged(settings.rateLimitStore);
            dev.rebound.runtime.internal.UnnamedFleetBreakers.globalStore(before, settings.rateLimitStore);
        }
    }

    /** The clock and sleeper of every wait and deadline (default {@link TimeSource#system()}). */
    public TimeSource timeSource() {
        return timeSource;
    }

    /**
     * The listeners, in the order they are called: the SLF4J logger first when logging is on (the
     * default), then those added with {@link Builder#listener}. Unmodifiable.
     */
    public List<ReboundListener> listeners() {
        return listeners;
    }

    /**
     * Where {@code @Fallback(to = ...)} instances come from outside an injector (default: each class's
     * public no-arg constructor; one instance per class is kept and reused, with the class, so that it
     * keeps no class loader, though two threads racing on a class's first fallback may each construct one).
     */
    public AlternativeResolver alternatives() {
        return alternatives;
    }

    /** The jitter source for the calling thread. */
    public RandomGenerator random() {
        return random != null ? random : java.util.concurrent.ThreadLocalRandom.current();
    }

    /** Whether any listener wants first-attempt successes (and so the happy path is timed). */
    public boolean timesSuccess() {
        return timesSuccess;
    }

    /**
     * Where rate limits ({@code @RateLimit}, {@code withRateLimit}) are kept: by default in this
     * process, one limit per key for the methods run with these settings (and the settings made from
     * them with {@link #toBuilder()} on the same clock: a {@code toBuilder().timeSource(...)} gets limits
     * of its own, its clock's); {@link dev.rebound.runtime.ratelimit.RedisRateLimitStore} shares them
     * with a fleet.
     */
    public RateLimitStore rateLimitStore() {
        return rateLimitStore;
    }

    /** Whether any listener is registered; when not, no event is built. */
    public boolean hasListeners() {
        return !listeners.isEmpty();
    }

    /** The tracer of calls, or null when calls are not traced (the default). */
    public CallTracer tracer() {
        return tracer;
    }

    /**
     * Whether calls are traced: {@code tracer() != null}, as a plain flag, so that a door's happy path
     * asks it without loading the tracer's type.
     */
    public boolean tracesCalls() {
        return tracer != null;
    }

    /**
     * Whether a first attempt that succeeds is observed: traced ({@link #tracesCalls()}) or timed
     * ({@link #timesSuccess()}). When not, a successful call without a breaker, budget or deadline
     * reports nothing at all. One field read.
     */
    public boolean observesSuccess() {
        return observesSuccess;
    }

    /**
     * A builder pre-filled with these settings; the settings it builds share their retry budgets and (unless
     * given another store) their rate-limit store, per clock.
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.timeSource = timeSource;
        b.random = random;
        b.alternatives = alternatives;
        b.rateLimitStore = rateLimitStore;
        b.budgets = RetryBudgets.lineageOf(this);
        b.tracer = tracer;
        b.logging = listeners.contains(Slf4jListener.INSTANCE);
        for (ReboundListener l : listeners) {
            if (l != Slf4jListener.INSTANCE) {
                b.listeners.add(l);
            }
        }
        return b;
    }

    /** Builds {@link ReboundSettings}. */
    public static final class Builder {
        private TimeSource timeSource = TimeSource.system();
        private final List<ReboundListener> listeners = new ArrayList<>();
        private boolean logging = true;
        private RandomGenerator random;
        private AlternativeResolver alternatives = new DefaultAlternativeResolver();
        private RateLimitStore rateLimitStore;
        /** The retry budgets of the settings {@code toBuilder()} was called on; null: budgets of their own. */
        private RetryBudgets.Lineage budgets;
        private CallTracer tracer;

        private Builder() {
        }

        /**
         * Where rate limits are kept (default: in this process, per settings instance, shared with the settings
         * {@code toBuilder()} makes on the same clock); e.g.
         * {@code RedisRateLimitStore.connect("rediss://...")} for one limit across a fleet.
         *
         * @throws NullPointerException if {@code store} is null
         */
        public Builder rateLimitStore(RateLimitStore store) {
            this.rateLimitStore = Objects.requireNonNull(store, "store");
            return this;
        }

        /**
         * Traces every call: one observation per call, a child per attempt and per fallback switch,
         * as {@code new ObservationTracer(observationRegistry)} does. Default: none, and then nothing
         * is built per call.
         *
         * @throws NullPointerException if {@code tracer} is null
         */
        public Builder tracer(CallTracer tracer) {
            this.tracer = Objects.requireNonNull(tracer, "tracer");
            return this;
        }

        /**
         * The clock and sleeper (default {@link TimeSource#system()}); tests pass a virtual one.
         *
         * @throws NullPointerException if {@code timeSource} is null
         */
        public Builder timeSource(TimeSource timeSource) {
            this.timeSource = Objects.requireNonNull(timeSource, "timeSource");
            return this;
        }

        /**
         * Adds a listener, called after the default logger and the listeners added before it; each call
         * adds one.
         *
         * @throws NullPointerException if {@code listener} is null
         */
        public Builder listener(ReboundListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** Whether events go to SLF4J (default true). */
        public Builder logging(boolean logging) {
            this.logging = logging;
            return this;
        }

        /**
         * The jitter source; default: {@code ThreadLocalRandom}. A seeded one makes waits repeatable.
         *
         * @throws NullPointerException if {@code random} is null
         */
        public Builder random(RandomGenerator random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /**
         * Where {@code @Fallback(to = ...)} instances come from outside an injector (default: each
         * class's public no-arg constructor; one instance per class is kept and reused, though two threads
         * racing on a class's first fallback may each construct one).
         *
         * @throws NullPointerException if {@code alternatives} is null
         */
        public Builder alternatives(AlternativeResolver alternatives) {
            this.alternatives = Objects.requireNonNull(alternatives, "alternatives");
            return this;
        }

        /** Immutable settings with this builder's values; the builder may go on to build others. */
        public ReboundSettings build() {
            return new ReboundSettings(this);
        }
    }
}

package dev.rebound.it;

import static dev.rebound.it.measure.Allocations.bytesPerCall;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.Guice;
import com.google.inject.matcher.Matchers;
import dev.rebound.it.plain.PlainCounter;
import dev.rebound.it.plain.PlainFallback;
import dev.rebound.it.plain.wrap.WrapShapes;
import dev.rebound.it.woven.Counter;
import dev.rebound.it.woven.Relay;
import dev.rebound.runtime.CircuitBreakerPolicy;
import dev.rebound.runtime.RateLimitPolicy;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryAfter;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.spi.ContainerInterception;
import dev.rebound.weaver.guice.ReboundModule;
import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;
import org.aspectj.runtime.internal.AroundClosure;
import org.junit.jupiter.api.Test;

/**
 * A successful call through a woven method allocates nothing, nor a retry, and a fallback only the
 * closure AspectJ builds for it; nor a successful call through {@code Rebound.wrap}'s generated class: measured with the JVM's per-thread allocation counter over
 * many calls (bodies that allocate nothing themselves).
 */
class AllocationTest extends VirtualTime {

    @Test
    void anUnannotatedWovenMethodAllocatesNothing() {
        Counter counter = new Counter();
        assertThat(bytesPerCall(counter::next)).isZero();
    }

    @Test
    void anAnnotatedWovenMethodThatSucceedsAllocatesNothing() {
        Counter counter = new Counter();
        assertThat(bytesPerCall(counter::nextResilient)).isZero();
        assertThat(bytesPerCall(() -> counter.add(3))).isZero();
    }

    /**
     * Run in a JVM of its own, whose JIT has seen no other interceptor (Guice's invocation is one method for all of
     * them, and what it inlines depends on what it has seen): prints the bytes a call allocates, once the JIT has
     * compiled the loop that calls it, of {@code args[1]} ({@code plain}: a class javac alone compiled, a successful
     * call; {@code woven}; {@code failsOnce}: the plain class's method whose first attempt fails, path (b), on
     * settings without a listener) constructed by an injector with ReboundModule ({@code args[0]}: {@code rebound})
     * or with an interceptor that only proceeds ({@code guice}); with {@code args[2]}, after what it names was left
     * ({@link #leave}). For {@code failsOnce}, also prints the bytes of what Guice allocates for itself on a call
     * whose invocation is handed on ({@link #guicesOwn}).
     */
    public static final class GuiceCallBytes {
        public static void main(String[] args) {
            boolean woven = args[1].equals("woven");
            boolean failsOnce = args[1].equals("failsOnce");
            boolean fallback = args[1].equals("fallback");
            Class<?> type = woven ? Counter.class : PlainCounter.class;
            com.google.inject.Module intercepting = args[0].equals("rebound") ? new ReboundModule()
                    : binder -> binder.bindInterceptor(Matchers.only(type),
                            Matchers.annotatedWith(dev.rebound.annotations.Retry.class),
                            org.aopalliance.intercept.MethodInvocation::proceed);
            if (args.length > 2) {
                leave(args[2]);
            }
            if (failsOnce || fallback) { // no listener: what is measured is the door's, the engine's and Guice's
                ReboundSettings.setGlobal(ReboundSettings.builder().logging(false).build());
            }
            // one alternative, as an application binds its clients: unscoped, each fallback would construct one
            com.google.inject.Injector injector = Guice.createInjector(intercepting,
                    binder -> binder.bind(PlainFallback.Backup.class).in(com.google.inject.Singleton.class));
            PlainFallback.Asks down = fallback ? injector.getInstance(PlainFallback.Down.class) : null;
            LongSupplier calls = fallback ? () -> down.ask("q").length()
                    : woven ? injector.getInstance(Counter.class)::nextResilient
                    : failsOnce ? injector.getInstance(PlainCounter.class)::nextAfterOneFailure
                    : injector.getInstance(PlainCounter.class)::nextResilient;
            long bytes = 0;
            for (int round = 0; round < 8; round++) { // the first rounds run partly before the loop is compiled
                bytes = bytesPerCall(calls);
            }
            System.out.println("bytes per call: " + bytes);
            if (failsOnce) {
                System.out.println("Guice's own: " + bytesPerCall(GuiceCallBytes::guicesOwn));
            }
            if (fallback) {
                System.out.println("Guice's own: " + bytesPerCall(() -> guicesOwnOneArgument() + guicesOwnOneArgument()));
            }
        }

        /**
         * What Guice allocates for itself on a call of a method of one argument answering an object, whose
         * invocation the interceptor hands on, allocated alike: the argument array of its generated method, its
         * invocation.
         */
        private static long guicesOwnOneArgument() {
            Object[] arguments = {"q"};
            kept = arguments;
            kept = new InvocationLike(kept, arguments, 1, kept);
            return 1;
        }

        /** Where {@link #guicesOwn} keeps what it allocates, so that it is allocated. */
        private static volatile Object kept;

        /**
         * What Guice allocates for itself on a call whose invocation the interceptor hands on (a retry does),
         * allocated alike: the argument array of its generated method, its invocation (three references and an
         * index), the answer its generated method boxes.
         */
        private static long guicesOwn() {
            Object[] arguments = new Object[0];
            kept = arguments;
            kept = new InvocationLike(kept, arguments, 1, kept);
            kept = Long.valueOf(System.nanoTime());
            return 1;
        }

        /** The shape of Guice's {@code InterceptorStackCallback$InterceptedMethodInvocation}. */
        private record InvocationLike(Object proxy, Object[] arguments, int interceptorIndex, Object callback) {
        }

        /**
         * {@code forgotten}: a Retry-After hint left on this thread, which its first call forgets; {@code
         * rateLimited}: a rate-limited call, ended.
         */
        private static void leave(String what) {
            switch (what) {
                case "forgotten" -> RetryAfter.suggest(Duration.ofSeconds(9));
                case "rateLimited" -> Rebound.wrap(WrapShapes.Plain.class, (WrapShapes.Plain) p -> p)
                        .withRateLimit(RateLimitPolicy.builder().key("allocation").requestsPerMinute(60).build())
                        .settings(ReboundSettings.builder().logging(false).build()).build().chat("limited");
                default -> throw new IllegalArgumentException(what);
            }
        }
    }

    private static long guiceCallBytes(String... args) throws Exception {
        return guiceCallOutput(args)[0];
    }

    /** What {@link GuiceCallBytes} prints for {@code args}: the bytes per call, and Guice's own (-1 if not said). */
    private static long[] guiceCallOutput(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(
                java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), GuiceCallBytes.class.getName()));
        command.addAll(List.of(args));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(child.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(child.waitFor()).as(out).isZero();
        java.util.regex.Matcher bytes = java.util.regex.Pattern.compile("bytes per call: (\\d+)").matcher(out);
        assertThat(bytes.find()).as(out).isTrue();
        java.util.regex.Matcher own = java.util.regex.Pattern.compile("Guice's own: (\\d+)").matcher(out);
        return new long[] {Long.parseLong(bytes.group(1)), own.find() ? Long.parseLong(own.group(1)) : -1};
    }

    /**
     * A successful call through ReboundModule's interceptor allocates no more than Guice's interception allocates
     * under an interceptor that only proceeds: the JIT inlines Guice's invocation with Rebound's interceptor in it
     * into the caller and drops the invocation Guice makes for the interceptor (and, since Rebound's interceptor
     * ends the chain and calls the method itself, what {@code proceed()} keeps for its rewriting of a failure).
     */
    @Test
    void aSuccessfulCallReboundModuleInterceptsAllocatesOnlyWhatGuicesInterceptionDoes() throws Exception {
        assertThat(guiceCallBytes("rebound", "plain")).isLessThanOrEqualTo(guiceCallBytes("guice", "plain"));
    }

    /**
     * Path (b) through ReboundModule's interceptor, the last of its method's chain: the first attempt fails, the
     * interceptor's retry answers. Each attempt calls the method by Guice's own call of the superclass method, so
     * its failure crosses no {@code InterceptorStackCallback.pruneStacktrace} (a copy of the stack trace out, a
     * list, a copy back in, per failed attempt): the call allocates at most what Guice allocates for itself on a
     * call whose invocation is handed on (its argument array, the invocation, the boxed answer: 72 B here, where
     * the call allocated 120 to 152 B while each attempt proceeded through Guice's invocation).
     */
    @Test
    void aCallWhoseFirstAttemptFailsThroughReboundModuleAllocatesOnlyGuicesArgumentsInvocationAndAnswer()
            throws Exception {
        long[] out = guiceCallOutput("rebound", "failsOnce");
        assertThat(out[1]).as("Guice's own").isPositive();
        assertThat(out[0]).as("B/op of path (b) through ReboundModule; Guice's own: " + out[1])
                .isLessThanOrEqualTo(out[1]);
    }

    /**
     * Path (c) through ReboundModule: the primary's three attempts fail, and the alternative, which the injector
     * constructs and intercepts too, answers. The interceptor hands neither call's Guice invocation on: its retries,
     * the engine and the alternative's call let through get the instance, the arguments and Guice's call of the
     * method. So the call allocates at most what Guice allocates for itself on two calls whose invocation is handed
     * on (an argument array and an invocation each: 112 B here; the JIT drops either invocation when it inlines
     * Guice's {@code proceed} with the interceptor in it, 48 B in all), where it allocated all four of Guice's
     * invocations (176 B, or 144) while the primary's was the engine's context.
     */
    @Test
    void aFallbackThroughReboundModuleAllocatesAtMostGuicesArgumentsAndOneInvocationPerCall() throws Exception {
        long[] out = guiceCallOutput("rebound", "fallback");
        assertThat(out[1]).as("Guice's own").isPositive();
        assertThat(out[0]).as("B/op of path (c) through ReboundModule; Guice's own on its two calls: " + out[1])
                .isLessThanOrEqualTo(out[1]);
    }

    /**
     * Something left on a thread keeps ReboundModule's interceptor off its shortcut only while it is there: once the
     * thread's next call has forgotten a Retry-After hint, and once a rate-limited call has ended, a successful call
     * allocates no more than Guice's interception alone again.
     */
    @Test
    void aHintForgottenOrARateLimitedCallEndedLeavesReboundModulesCallAllocatingOnlyWhatGuiceDoes() throws Exception {
        long guiceAlone = guiceCallBytes("guice", "plain");
        assertThat(guiceCallBytes("rebound", "plain", "forgotten"))
                .as("B/op of ReboundModule's successful call after one hint, long forgotten; Guice alone: " + guiceAlone)
                .isLessThanOrEqualTo(guiceAlone);
        assertThat(guiceCallBytes("rebound", "plain", "rateLimited"))
                .as("B/op of ReboundModule's successful call after a rate-limited call; Guice alone: " + guiceAlone)
                .isLessThanOrEqualTo(guiceAlone);
    }

    /**
     * A woven class that ReboundModule intercepts: on a successful call, its interceptor marks the instance's
     * interceptor chain ({@link ContainerInterception.Marker#mark}) and the woven advice asks for it ({@link
     * ContainerInterception.Carriers#carries}), allocating nothing, whether the JIT inlines them or not. Measured on
     * the pieces, in this JVM: a whole call's bytes depend on whether the JIT inlines Guice's invocation with the
     * interceptor's out-of-line questions in it, which varies from JVM to JVM (40 or 72 B for the same class in
     * runs one after the other), so a comparison of two JVMs' calls could not tell Rebound's bytes from the JIT's.
     */
    @Test
    void aWovenClassReboundModuleInterceptsIsMarkedAndAskedWithoutAllocating() {
        Counter woven = Guice.createInjector(new ReboundModule()).getInstance(Counter.class);
        assertThat(woven.getClass()).as("Guice's subclass").isNotEqualTo(Counter.class);
        assertThat(woven.nextResilient()).isPositive(); // its interceptor has marked its chain
        ContainerInterception.Marker marker = ContainerInterception.marker();
        ContainerInterception.Carriers carriers = ContainerInterception.carriersOf(woven.getClass());
        assertThat(carriers.carries(woven)).as("marked by its first call").isTrue();

        assertThat(bytesPerCall(() -> {
            marker.mark(woven);
            return carriers.carries(woven) ? 1 : 0;
        })).isZero();
    }

    @Test
    void aWovenMethodThroughAClosedBreakerAndABudgetAllocatesNothing() {
        Counter counter = new Counter();
        assertThat(bytesPerCall(counter::nextGuarded)).isZero();
    }

    /**
     * Once a breaker has opened and closed again, a door still runs the first attempt itself (its start,
     * read from the clock, tells the closed phase that let it through): a successful call through the
     * woven door and through the generated class still allocates nothing.
     */
    @Test
    void aSuccessfulCallThroughABreakerThatOpenedAndClosedAgainAllocatesNothing() {
        Counter counter = new Counter();
        counter.down = true;
        assertThatThrownBy(counter::nextAfterOutage).isInstanceOf(java.io.UncheckedIOException.class); // opens it
        counter.down = false;
        clock.advance(Duration.ofSeconds(1));
        assertThat(counter.nextAfterOutage()).isPositive(); // the probe closes it
        assertThat(bytesPerCall(counter::nextAfterOutage)).as("woven").isZero();

        RuntimeException outage = new RuntimeException("503", null, false, false) { };
        boolean[] down = {true};
        WrapShapes.Plain generated = Rebound.wrap(WrapShapes.Plain.class, (WrapShapes.Plain) p -> {
            if (down[0]) {
                throw outage;
            }
            return p;
        }).settings(ReboundSettings.builder().logging(false).timeSource(clock).build())
                .withRetry(RetryPolicy.builder().attempts(1).build())
                .withCircuitBreaker(CircuitBreakerPolicy.builder().requestVolumeThreshold(1).failureRatio(1.0)
                        .delay(Duration.ofSeconds(1)).build())
                .build();
        assertThat(Rebound.isGenerated(generated)).isTrue();
        assertThatThrownBy(() -> generated.chat("ping")).isSameAs(outage);
        down[0] = false;
        clock.advance(Duration.ofSeconds(1));
        assertThat(generated.chat("probe")).isEqualTo("probe");
        assertThat(bytesPerCall(() -> generated.chat("ping").length())).as("generated class").isZero();
    }

    @Test
    void aWovenFallbackIsGivenTheCallsOwnArguments() {
        Relay down = new Relay.Primary(true);
        assertThat(down.second("a", "b")).isEqualTo("b");
        assertThat(down.third("a", "b", "c")).isEqualTo("c");
        assertThat(down.fourth("a", "b", "c", "d")).isEqualTo("d");
    }

    /** An {@link AroundClosure} with no fields of its own, as ajc's closures are. */
    private static final class ClosureLike extends AroundClosure {
        ClosureLike(Object[] state) {
            super(state);
        }

        @Override
        public Object run(Object[] state) {
            return null;
        }
    }

    /** Where {@link #aWovenRetryAllocatesNothingAndAFallbackOnlyAspectJsClosure} keeps what it allocates, so that it is allocated. */
    private static volatile Object kept;

    @Test
    void aWovenRetryAllocatesNothingAndAFallbackOnlyAspectJsClosure() {
        // no listener: what is measured is the door's and the engine's own
        ReboundSettings.setGlobal(ReboundSettings.builder().logging(false).timeSource(clock).build());
        Relay once = new Relay.Primary(false);
        Relay down = new Relay.Primary(true);
        // the advice calls the primary again itself: no closure
        assertThat(bytesPerCall(() -> once.third("a", "b", "c").length())).isZero();
        // the alternative needs the arguments, which only AspectJ's closure holds: the closure ajc builds
        // (an AroundClosure with its state [this, a, b, c]), and nothing else: no copy of the arguments
        long closure = bytesPerCall(() -> {
            kept = new ClosureLike(new Object[] {down, "a", "b", "c"});
            return 1;
        });
        assertThat(closure).isPositive();
        assertThat(bytesPerCall(() -> down.third("a", "b", "c").length())).isEqualTo(closure);
    }

    /** {@code target} wrapped with a retry of 3 attempts: [through its generated class, through its JDK proxy]. */
    private static List<WrapShapes.Plain> wrappersOf(WrapShapes.Plain target) {
        ReboundSettings quiet = ReboundSettings.builder().logging(false).build();
        RetryPolicy retry = RetryPolicy.builder().attempts(3).delay(Duration.ZERO).build();
        // docs:wrap-which-class
        WrapShapes.Plain generated = Rebound.wrap(WrapShapes.Plain.class, target).settings(quiet).withRetry(retry)
                .build();
        WrapShapes.Plain proxy = Rebound.wrap(WrapShapes.Plain.class, target).settings(quiet).withRetry(retry)
                .viaJdkProxy().build();
        Rebound.isGenerated(generated);   // true: an instance of WrapShapes$Plain$$Rebound
        Rebound.isGenerated(proxy);       // false: a JDK proxy, the same policy
        // /docs:wrap-which-class
        assertThat(Rebound.isGenerated(generated)).isTrue();
        assertThat(Rebound.isGenerated(proxy)).isFalse();
        return List.of(generated, proxy);
    }

    @Test
    void aSuccessfulCallThroughReboundWrapsGeneratedClassAllocatesNothing() {
        WrapShapes.Plain generated = wrappersOf(p -> p).get(0);
        assertThat(bytesPerCall(() -> generated.chat("ping").length())).isZero();
    }

    @Test
    void aFailedFirstAttemptThroughTheGeneratedClassAllocatesNothingEither() {
        RuntimeException down = new RuntimeException("down", null, false, false) { };
        boolean[] fail = {false};
        List<WrapShapes.Plain> wrappers = wrappersOf(p -> {
            fail[0] = !fail[0];
            if (fail[0]) {
                throw down;
            }
            return p;
        });

        // the proxy's argument array may be allocated or not (escape analysis); the generated class lends one
        assertThat(bytesPerCall(() -> wrappers.get(0).chat("ping").length())).isZero();
    }

    @Test
    void aFallbackAnsweringThroughTheGeneratedClassAllocatesNothing() {
        RuntimeException down = new RuntimeException("down", null, false, false) { };
        WrapShapes.Plain primary = p -> {
            throw down;
        };
        WrapShapes.Plain generated = Rebound.wrap(WrapShapes.Plain.class, primary)
                .settings(ReboundSettings.builder().logging(false).build())
                .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ZERO).jitter(true).build())
                .withFallbacks(p -> p).build();
        assertThat(Rebound.isGenerated(generated)).isTrue();

        // three attempts in the generated class's own loop, then the engine lends the arguments to the fallback
        assertThat(bytesPerCall(() -> generated.chat("ping").length())).isZero();
    }
}

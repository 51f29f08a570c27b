package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.matcher.Matchers;
import dev.rebound.it.llm.FakeLlm;
import dev.rebound.it.plain.Asker;
import dev.rebound.it.plain.AuditedAsker;
import dev.rebound.it.plain.Endpoint;
import dev.rebound.it.plain.PingingAsker;
import dev.rebound.it.plain.PingingPrimary;
import dev.rebound.it.plain.PlainAsker;
import dev.rebound.it.plain.PlainChat;
import dev.rebound.it.plain.PlainGpt35;
import dev.rebound.it.plain.PlainGpt4;
import dev.rebound.it.plain.PlainReplier;
import dev.rebound.it.plain.PlainReplyingPrimary;
import dev.rebound.it.plain.Replier;
import dev.rebound.it.plain.alternatives.PlainOwnPolicyAlternatives;
import dev.rebound.it.woven.OwnPolicyAlternatives;
import dev.rebound.it.woven.SpringProxied;
import dev.rebound.it.woven.WovenReplier;
import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;
import dev.rebound.runtime.RateLimitRefusedException;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.metrics.MicrometerListener;
import dev.rebound.weaver.Woven;
import dev.rebound.weaver.guice.ReboundModule;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.aopalliance.intercept.MethodInterceptor;
import org.junit.jupiter.api.Test;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.aop.support.AopUtils;

/**
 * An alternative reached as a fallback gets its class's own @RateLimit and @CircuitBreaker through
 * every door, around its own @Retry: the same call counts woven, through Guice and through
 * Rebound.wrap. Each door's breaker lives in the policy it resolved for the method and class, and the
 * rate limit in its key: the woven door uses its own classes, Guice and Rebound.wrap the plain ones in
 * turn, one test each.
 */
class AlternativePoliciesDoorsTest extends VirtualTime {

    /** The limited alternative: its one permit a minute serves the first call; then it is refused. */
    private static void limited(Function<String, String> quote, List<String> calls) {
        assertThat(quote.apply("A")).isEqualTo("limited A");
        Throwable refused = catchThrowable(() -> quote.apply("B"));
        assertThat(refused).isInstanceOf(IllegalStateException.class).hasMessage("primary down");
        assertThat(refused.getSuppressed()).hasAtLeastOneElementOfType(RateLimitRefusedException.class);
        assertThat(calls).containsExactly("primary", "primary", "limited", "primary", "primary");
    }

    /** The broken alternative: its retry's 2 failures open its breaker; then it is not called. */
    private void broken(Function<String, String> quote, List<String> calls) {
        for (int i = 0; i < 3; i++) {
            assertThat(catchThrowable(() -> quote.apply("A"))).hasMessage("primary down");
        }
        assertThat(calls).containsExactly("primary", "broken", "broken", "primary", "primary");
        clock.advance(Duration.ofMinutes(1));
        catchThrowable(() -> quote.apply("A"));
        assertThat(calls.subList(5, calls.size())).as("half-open: one probe").containsExactly("primary", "broken");
    }

    @Test
    void theAspectAppliesAnAlternativesOwnRateLimitAndBreaker() {
        OwnPolicyAlternatives.CALLS.clear();
        OwnPolicyAlternatives.ToLimited toLimited = new OwnPolicyAlternatives.ToLimited();
        assertThat(toLimited).isInstanceOf(Woven.class);
        limited(toLimited::quote, OwnPolicyAlternatives.CALLS);

        OwnPolicyAlternatives.CALLS.clear();
        broken(new OwnPolicyAlternatives.ToBroken()::quote, OwnPolicyAlternatives.CALLS);
    }

    @Test
    void guiceAndWrapApplyAnAlternativesOwnRateLimitAndBreaker() {
        PlainOwnPolicyAlternatives.CALLS.clear();
        PlainOwnPolicyAlternatives.Quotes viaGuice = Guice.createInjector(new ReboundModule(), new AbstractModule() {
            @Override
            protected void configure() {
                bind(PlainOwnPolicyAlternatives.Quotes.class).to(PlainOwnPolicyAlternatives.ToLimited.class);
            }
        }).getInstance(PlainOwnPolicyAlternatives.Quotes.class);
        limited(viaGuice::quote, PlainOwnPolicyAlternatives.CALLS);

        PlainOwnPolicyAlternatives.CALLS.clear();
        PlainOwnPolicyAlternatives.Quotes viaWrap = Rebound.wrap(PlainOwnPolicyAlternatives.Quotes.class,
                new PlainOwnPolicyAlternatives.ToBroken()).build();
        broken(viaWrap::quote, PlainOwnPolicyAlternatives.CALLS);
    }

    // ---- an alternative given to Rebound.wrap(...).withFallbacks is called as it is: its own door applies
    // its own policy, once (the engine applies none of its own to it) ----------------------------------

    @Test
    void aWovenAlternativeGivenToWithFallbacksKeepsItsOwnRetryAndBreaker() {
        OwnPolicyAlternatives.CALLS.clear();
        OwnPolicyAlternatives.Quotes primary = symbol -> {
            OwnPolicyAlternatives.CALLS.add("primary");
            throw new IllegalStateException("primary down");
        };
        OwnPolicyAlternatives.Broken broken = new OwnPolicyAlternatives.Broken();
        assertThat(broken).isInstanceOf(Woven.class);
        OwnPolicyAlternatives.Quotes quotes = Rebound.wrap(OwnPolicyAlternatives.Quotes.class, primary)
                .withRetry(RetryPolicy.builder().attempts(1).build()).withFallbacks(broken).build();

        broken(quotes::quote, OwnPolicyAlternatives.CALLS);
    }

    /** gpt-4 always fails (2 attempts, the builder's), gpt-3.5 fails once: its own @Retry(attempts = 3) answers. */
    private static void retriedByItsOwnPolicy(PlainChat gpt35) {
        FakeLlm.failFirst("gpt-4", Integer.MAX_VALUE);
        FakeLlm.failFirst("gpt-3.5", 1);
        PlainChat chat = Rebound.wrap(PlainChat.class, new PlainGpt4(new Endpoint("gpt-4"))).named("gpt-4")
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(300)).jitter(false).build())
                .withFallbacks(gpt35).build();

        String[] answer = {null};
        Throwable thrown = catchThrowable(() -> answer[0] = chat.chat("x"));

        assertThat(FakeLlm.calls()).containsExactly("gpt-4 #1", "gpt-4 #2", "gpt-3.5 #1", "gpt-3.5 #2");
        assertThat(thrown).isNull();
        assertThat(answer[0]).isEqualTo("gpt-3.5: x");
    }

    @Test
    void anAlternativeTheInjectorInterceptsGivenToWithFallbacksKeepsItsOwnRetry() {
        PlainChat gpt35 = Guice.createInjector(new ReboundModule(), new GuiceModuleTest.Endpoints())
                .getInstance(PlainGpt35.class);

        retriedByItsOwnPolicy(gpt35);
        assertThat(clock.sleeps()).containsExactly(Duration.ofMillis(300), Duration.ofMillis(100));
    }

    @Test
    void anAlternativeReboundModuleWrappingWrapsGivenToWithFallbacksKeepsItsOwnRetry() {
        PlainChat gpt35 = Guice.createInjector(ReboundModule.wrapping(new AbstractModule() {
            @Override
            protected void configure() {
                bind(PlainChat.class).toInstance(new PlainGpt35(new Endpoint("gpt-3.5")));
            }
        })).getInstance(PlainChat.class);
        assertThat(Rebound.isResilient(gpt35)).isTrue();

        retriedByItsOwnPolicy(gpt35);
        assertThat(clock.sleeps()).containsExactly(Duration.ofMillis(300), Duration.ofMillis(100));
    }

    // ---- what such an alternative's own policy reports: its call is part of the call that fell back to it, one
    // logical call (one rebound.calls, one final SUCCEEDED or FAILED), and each request it received is counted
    // once, by its own policy (metrics.md, events.md), whichever door applies that policy ---------------------

    public interface Answerer {
        String answer(String prompt) throws java.io.IOException;
    }

    /** Woven by ajc (this class's nested classes are): its own @Retry. Fails its first request, answers the second. */
    public static class WovenBackup implements Answerer {
        int requests;

        @Override
        @Retry(attempts = 2, delay = 0)
        public String answer(String prompt) throws java.io.IOException {
            if (++requests == 1) {
                throw new java.io.IOException("backup hiccup");
            }
            return "backup";
        }
    }

    /** One MicrometerListener on the global settings, which the woven and Guice doors' policies use too. */
    private SimpleMeterRegistry globalRegistry() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ReboundSettings.setGlobal(ReboundSettings.global().toBuilder().listener(new MicrometerListener(registry))
                .build());
        return registry;
    }

    /** Every count of meter {@code name} by the value of its tag {@code tag}, summed; none for a zero. */
    private static Map<String, Double> counts(SimpleMeterRegistry registry, String name, String tag) {
        return countsBy(registry, name, id -> tag == null ? name : id.getTag(tag));
    }

    /** Every count of meter {@code name} by its method tag and its tag {@code tag}, summed; none for a zero. */
    private static Map<String, Double> countsByMethod(SimpleMeterRegistry registry, String name, String tag) {
        return countsBy(registry, name, id -> id.getTag("method") + " " + id.getTag(tag));
    }

    /** Every count of meter {@code name} by {@code key} of its id, summed; none for a zero. */
    private static Map<String, Double> countsBy(SimpleMeterRegistry registry, String name,
            Function<Meter.Id, String> key) {
        Map<String, Double> out = new TreeMap<>();
        for (Meter m : registry.find(name).meters()) {
            double n = m instanceof io.micrometer.core.instrument.Counter
                    ? ((io.micrometer.core.instrument.Counter) m).count()
                    : ((io.micrometer.core.instrument.Timer) m).count();
            if (n != 0) {
                out.merge(key.apply(m.getId()), n, Double::sum);
            }
        }
        return out;
    }

    /** The final events of the calls a caller made: SUCCEEDED or FAILED, not a nested call's. */
    private List<String> topLevelOutcomes() {
        return events.stream().filter(e -> (e.kind() == ReboundEvent.Kind.SUCCEEDED
                || e.kind() == ReboundEvent.Kind.FAILED) && !e.nestedCall())
                .map(e -> e.kind() + " " + e.reason() + " on " + e.target() + " at attempt " + e.attempt()).toList();
    }

    @Test
    void aWovenAlternativeGivenToWithFallbacksIsPartOfOneLogicalCallAndEachOfItsRequestsIsCountedOnce()
            throws java.io.IOException {
        SimpleMeterRegistry registry = globalRegistry();
        WovenBackup backup = new WovenBackup();
        assertThat(backup).isInstanceOf(Woven.class);
        Answerer llm = Rebound.wrap(Answerer.class, (Answerer) prompt -> {
            throw new java.io.IOException("primary down");
        }).named("primary").withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ZERO).build())
                .withFallbacks(backup).build();

        assertThat(llm.answer("q")).isEqualTo("backup");

        assertThat(backup.requests).isEqualTo(2);
        assertThat(counts(registry, MicrometerListener.ATTEMPTS, "target"))
                .as("rebound.attempts{target}: the requests each target received")
                .isEqualTo(Map.of("primary", 2.0, "WovenBackup", 2.0));
        assertThat(counts(registry, MicrometerListener.CALLS, "outcome")).as("rebound.calls: one per logical call")
                .isEqualTo(Map.of("fallback", 1.0));
        assertThat(counts(registry, MicrometerListener.DURATION, null)).isEqualTo(Map.of(MicrometerListener.DURATION, 1.0));
        assertThat(topLevelOutcomes()).containsExactly("SUCCEEDED fallback on WovenBackup at attempt 1");
    }

    @Test
    void anAlternativeTheInjectorInterceptsGivenToWithFallbacksIsPartOfOneLogicalCallAndCountsItsRequestsOnce() {
        SimpleMeterRegistry registry = globalRegistry();
        PlainChat gpt35 = Guice.createInjector(new ReboundModule(), new GuiceModuleTest.Endpoints())
                .getInstance(PlainGpt35.class);

        retriedByItsOwnPolicy(gpt35);

        assertThat(counts(registry, MicrometerListener.ATTEMPTS, "target"))
                .as("rebound.attempts{target}: the requests each target received")
                .isEqualTo(Map.of("gpt-4", 2.0, "PlainGpt35", 2.0));
        assertThat(counts(registry, MicrometerListener.CALLS, "outcome")).isEqualTo(Map.of("fallback", 1.0));
        // named by the user's class, not Guice's generated subclass (PlainGpt35$$EnhancerByGuice$$3d7e15), whose
        // suffix changes from run to run: the same name in every run, in logs and in metric tags
        assertThat(topLevelOutcomes()).containsExactly("SUCCEEDED fallback on PlainGpt35 at attempt 1");
    }

    @Test
    void aWovenAlternativeBehindASpringProxyGivenToWithFallbacksIsPartOfOneLogicalCallAndCountsItsRequestsOnce() {
        SimpleMeterRegistry registry = globalRegistry();
        SpringProxied.CALLS.clear();
        Object backup = springProxy(new SpringProxied.QuotesBackup(), true);
        SpringProxied.Quotes quotes = Rebound.wrap(SpringProxied.Quotes.class, (SpringProxied.Quotes) symbol -> {
            throw primaryDown;
        }).named("primary").withRetry(RetryPolicy.builder().attempts(1).build())
                .withFallbacks((SpringProxied.Quotes) backup).build();

        assertThat(catchThrowable(() -> quotes.quote("X"))).isSameAs(primaryDown);

        assertThat(SpringProxied.CALLS).as("the alternative's own @Retry(attempts = 2), once, inside the proxy")
                .containsExactly("aspect", "backup", "backup");
        assertThat(counts(registry, MicrometerListener.ATTEMPTS, "target")).as("1 + 2 requests, each target by its"
                + " user's class, not the proxy's generated one").isEqualTo(Map.of("primary", 1.0, "QuotesBackup", 2.0));
        assertThat(counts(registry, MicrometerListener.CALLS, "outcome")).isEqualTo(Map.of("failure", 1.0));
        assertThat(topLevelOutcomes()).hasSize(1).allMatch(line -> line.startsWith("FAILED null on primary"));
    }

    // ---- only the engine's call on the alternative is part of the enclosing call: a call the alternative makes
    // itself on another instance of its class, under the same policy, is a call of its own -------------------

    /** Woven by ajc, else as {@link PlainAsker}: asked "via x", it asks {@code next}, another instance of its class. */
    public static class WovenAsker implements Asker {
        private final WovenAsker next;
        int requests;

        WovenAsker(WovenAsker next) {
            this.next = next;
        }

        @Override
        @Retry(attempts = 2, delay = 0)
        public String answer(String prompt) throws java.io.IOException {
            requests++;
            if (prompt.startsWith("via ")) {
                return "relayed " + next.answer(prompt.substring(4));
            }
            if (requests == 1) {
                throw new java.io.IOException("asker hiccup");
            }
            return "answer";
        }
    }

    /**
     * A primary that always fails (2 attempts) falls back to {@code asker}, which asks another instance of its
     * class: that one's call, its retry answering, is a call of its own (its own SUCCEEDED, its own count), and
     * the logical call is one more; each request is counted once.
     */
    private void anInnerCallOnAnotherInstanceIsACallOfItsOwn(Asker asker, String name)
            throws java.io.IOException {
        SimpleMeterRegistry registry = globalRegistry();
        Asker llm = Rebound.wrap(Asker.class, (Asker) prompt -> {
            throw new java.io.IOException("primary down");
        }).named("primary").withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ZERO).build())
                .withFallbacks(asker).build();

        assertThat(llm.answer("via q")).isEqualTo("relayed answer");

        assertThat(counts(registry, MicrometerListener.ATTEMPTS, "target"))
                .as("rebound.attempts{target}: the engine's request on the alternative, the inner call's 2")
                .isEqualTo(Map.of("primary", 2.0, name, 3.0));
        assertThat(counts(registry, MicrometerListener.CALLS, "outcome"))
                .as("rebound.calls: the logical call, and the inner call of its own")
                .isEqualTo(Map.of("fallback", 1.0, "success_after_retry", 1.0));
        assertThat(counts(registry, MicrometerListener.DURATION, null)).isEqualTo(Map.of(MicrometerListener.DURATION, 2.0));
        assertThat(topLevelOutcomes()).containsExactly("SUCCEEDED retry on " + name + " at attempt 2",
                "SUCCEEDED fallback on " + name + " at attempt 1");
    }

    @Test
    void aCallAWovenAlternativeMakesOnAnotherInstanceOfItsClassIsACallOfItsOwn() throws java.io.IOException {
        WovenAsker other = new WovenAsker(null);
        WovenAsker asker = new WovenAsker(other);
        assertThat(asker).isInstanceOf(Woven.class);

        anInnerCallOnAnotherInstanceIsACallOfItsOwn(asker, "WovenAsker");

        assertThat(asker.requests).isEqualTo(1);
        assertThat(other.requests).isEqualTo(2);
    }

    @Test
    void aCallAnInterceptedAlternativeMakesOnAnotherInstanceOfItsClassIsACallOfItsOwn() throws java.io.IOException {
        PlainAsker asker = Guice.createInjector(new ReboundModule()).getInstance(PlainAsker.class);

        anInnerCallOnAnotherInstanceIsACallOfItsOwn(asker, "PlainAsker");

        assertThat(asker.requests).isEqualTo(1);
    }

    // ---- on every enclosing call, not only the first, the call of the alternative's own instance is the nested
    // one: another instance under the same policy that a proxy or an interceptor calls first is a call of its own

    /** Woven by ajc, else as {@link AuditedAsker}: asked "audit", it answers; anything else fails every request. */
    public static class WovenAuditedAsker implements Asker {
        @Override
        @Retry(attempts = 2, delay = 0)
        public String answer(String prompt) throws java.io.IOException {
            AuditedAsker.PROMPTS.add(prompt);
            if (prompt.equals("audit")) {
                return "audited";
            }
            throw new java.io.IOException("asker down");
        }
    }

    /** Every final event (SUCCEEDED, FAILED), in order: its target, and "nested" for a nested call's. */
    private List<String> finalEvents() {
        return events.stream().filter(e -> e.kind() == ReboundEvent.Kind.SUCCEEDED
                || e.kind() == ReboundEvent.Kind.FAILED)
                .map(e -> e.kind() + " on " + e.target() + (e.nestedCall() ? " nested" : "")).toList();
    }

    /** A wrapper named "primary" whose target always throws {@code down}: after its 1 attempt, {@code asker}. */
    private static Asker downFallingBackTo(Asker asker, java.io.IOException down) {
        return Rebound.wrap(Asker.class, (Asker) prompt -> {
            throw down;
        }).named("primary").withRetry(RetryPolicy.builder().attempts(1).build()).withFallbacks(asker).build();
    }

    /**
     * A primary that always fails falls back to {@code asker}, which fails its own 2 attempts; something in
     * front of it (a container's proxy, an interceptor) first asks "audit" of another instance under the same
     * policy, which answers. On each of two enclosing calls alike: the audit's call is a call of its own (a
     * success, counted), the alternative's is the nested one (its FAILED nested, no call of its own), and the
     * logical call fails once.
     */
    private void theAuditsCallIsACallOfItsOwnOnEveryEnclosingCall(Asker asker, String name) {
        SimpleMeterRegistry registry = globalRegistry();
        AuditedAsker.PROMPTS.clear();
        java.io.IOException down = new java.io.IOException("primary down");
        Asker llm = downFallingBackTo(asker, down);

        for (int call = 1; call <= 2; call++) {
            events.clear();
            assertThat(catchThrowable(() -> llm.answer("q"))).isSameAs(down);
            assertThat(finalEvents()).as("enclosing call %d: the alternative's nested FAILED, the logical call's", call)
                    .containsExactly("FAILED on " + name + " nested", "FAILED on primary");
        }

        assertThat(AuditedAsker.PROMPTS).as("the audit's one request, the alternative's own 2, twice")
                .containsExactly("audit", "q", "q", "audit", "q", "q");
        assertThat(counts(registry, MicrometerListener.CALLS, "outcome"))
                .as("rebound.calls: each enclosing call's audit, a call of its own, and each logical call")
                .isEqualTo(Map.of("success", 2.0, "failure", 2.0));
        assertThat(counts(registry, MicrometerListener.DURATION, null)).isEqualTo(Map.of(MicrometerListener.DURATION, 4.0));
        assertThat(counts(registry, MicrometerListener.ATTEMPTS, "target"))
                .isEqualTo(Map.of("primary", 2.0, name, 6.0));
    }

    /** The woven alternative, a singleton bean behind an application's Spring proxy whose advice audits first. */
    @Test
    void behindASpringProxyAnAuditBeanOfTheAlternativesClassIsACallOfItsOwnOnEveryEnclosingCall() {
        WovenAuditedAsker audit = new WovenAuditedAsker();
        assertThat(audit).isInstanceOf(Woven.class);
        ProxyFactory factory = new ProxyFactory(new WovenAuditedAsker());
        factory.setProxyTargetClass(true);
        factory.addAdvice((MethodInterceptor) invocation -> {
            audit.answer("audit");
            return invocation.proceed();
        });

        theAuditsCallIsACallOfItsOwnOnEveryEnclosingCall((Asker) factory.getProxy(), "WovenAuditedAsker");
    }

    /**
     * The intercepted alternative, whose application's interceptor, bound outside ReboundModule's (so it runs
     * first), audits on another instance the injector gives.
     */
    @Test
    void behindAnApplicationsInterceptorAnAuditInstanceOfTheAlternativesClassIsACallOfItsOwnOnEveryEnclosingCall() {
        Asker asker = Guice.createInjector(new AbstractModule() {
            @Override
            protected void configure() {
                com.google.inject.Provider<AuditedAsker> others = getProvider(AuditedAsker.class);
                bindInterceptor(Matchers.subclassesOf(AuditedAsker.class), Matchers.any(), invocation -> {
                    if (invocation.getMethod().getName().equals("answer")
                            && !invocation.getArguments()[0].equals("audit")) {
                        others.get().answer("audit");
                    }
                    return invocation.proceed();
                });
            }
        }, new ReboundModule()).getInstance(AuditedAsker.class);

        theAuditsCallIsACallOfItsOwnOnEveryEnclosingCall(asker, "AuditedAsker");
    }

    /** A Rebound.wrap wrapper behind a Spring proxy whose advice audits first, on another wrapper of its class. */
    @Test
    void behindASpringProxyAnAuditWrapperIsACallOfItsOwnOnEveryEnclosingCall() {
        Asker audit = Rebound.wrap(Asker.class, new AuditedAsker()).named("asker").build();
        ProxyFactory factory = new ProxyFactory(Rebound.wrap(Asker.class, new AuditedAsker()).named("asker").build());
        factory.addInterface(Asker.class);
        factory.addAdvice((MethodInterceptor) invocation -> {
            audit.answer("audit");
            return invocation.proceed();
        });

        theAuditsCallIsACallOfItsOwnOnEveryEnclosingCall((Asker) factory.getProxy(), "asker");
    }

    // ---- only the method the engine calls on the alternative takes its mark: another method of the alternative's
    // own instance, with a policy of its own, that something in front of it calls first (an application's
    // interceptor on getThis(), the advice of a Spring proxy on its target) is a call of its own, under its own
    // policy, on every enclosing call

    /** Woven by ajc, else as {@link PingingAsker}, whose request log it shares. */
    public static class WovenPingingAsker implements Asker {
        @Override
        @Retry(attempts = 2, delay = 0)
        public String answer(String prompt) throws java.io.IOException {
            return PingingAsker.answered(prompt);
        }

        @Retry(attempts = 2, delay = 0)
        public String ping() {
            return PingingAsker.pinged();
        }
    }

    /** Woven by ajc, else as {@link PingingPrimary}: always down, after 1 attempt it falls back to the resolver's. */
    public static class WovenPingingPrimary implements Asker {
        @Override
        @Retry(attempts = 1)
        @Fallback(to = WovenPingingAsker.class)
        public String answer(String prompt) throws java.io.IOException {
            throw new java.io.IOException("primary down");
        }
    }

    /** A singleton bean's Spring proxy over {@code target}, whose advice pings the target before its answer. */
    private static Asker pingingProxy(WovenPingingAsker target) {
        assertThat(target).isInstanceOf(Woven.class);
        ProxyFactory factory = new ProxyFactory(target);
        factory.setProxyTargetClass(true);
        factory.addAdvice((MethodInterceptor) invocation -> {
            if (invocation.getMethod().getName().equals("answer")) {
                ((WovenPingingAsker) invocation.getThis()).ping();
            }
            return invocation.proceed();
        });
        return (Asker) factory.getProxy();
    }

    /** An injector whose application interceptor, bound outside ReboundModule's, pings getThis() before its answer. */
    private static com.google.inject.Injector pingingInjector() {
        return Guice.createInjector(new AbstractModule() {
            @Override
            protected void configure() {
                bindInterceptor(Matchers.subclassesOf(PingingAsker.class), Matchers.any(), invocation -> {
                    if (invocation.getMethod().getName().equals("answer")) {
                        ((PingingAsker) invocation.getThis()).ping();
                    }
                    return invocation.proceed();
                });
            }
        }, new ReboundModule());
    }

    /** Every final event (SUCCEEDED, FAILED), in order: its method, its target, and "nested" for a nested call's. */
    private List<String> finalEventsByMethod() {
        return events.stream().filter(e -> e.kind() == ReboundEvent.Kind.SUCCEEDED
                || e.kind() == ReboundEvent.Kind.FAILED)
                .map(e -> e.kind() + " " + e.method() + " on " + e.target() + (e.nestedCall() ? " nested" : ""))
                .toList();
    }

    /**
     * A primary that always fails (1 attempt) falls back to {@code asker} given to withFallbacks, in front of which
     * something pings that very instance first. On each of two enclosing calls alike: the ping, its own retry
     * answering, is a call of its own (its own SUCCEEDED, counted), the alternative's answer, its own retry
     * answering, is the nested call (its SUCCEEDED nested, no call of its own), and the logical call falls back once.
     */
    private void thePingIsACallOfItsOwnOnEveryEnclosingCall(Asker asker, String name) throws java.io.IOException {
        SimpleMeterRegistry registry = globalRegistry();
        PingingAsker.REQUESTS.clear();
        java.io.IOException down = new java.io.IOException("primary down");
        Asker llm = downFallingBackTo(asker, down);

        for (int call = 1; call <= 2; call++) {
            events.clear();
            assertThat(llm.answer("q")).isEqualTo("answer");
            assertThat(finalEventsByMethod()).as("enclosing call %d: the ping's own SUCCEEDED, the answer's nested one,"
                    + " the logical call's", call).containsExactly(
                            "SUCCEEDED " + name + ".ping() on " + name,
                            "SUCCEEDED Asker.answer(String) on " + name + " nested",
                            "SUCCEEDED Asker.answer(String) on " + name);
        }

        assertThat(PingingAsker.REQUESTS).as("the ping's own 2 requests, then the answer's own 2, twice")
                .containsExactly("ping", "ping", "q", "q", "ping", "ping", "q", "q");
        assertThat(countsByMethod(registry, MicrometerListener.CALLS, "outcome"))
                .as("rebound.calls{method, outcome}: each ping, a call of its own, and each logical call")
                .isEqualTo(Map.of("ping success_after_retry", 2.0, "answer fallback", 2.0));
        assertThat(counts(registry, MicrometerListener.DURATION, null)).isEqualTo(Map.of(MicrometerListener.DURATION, 4.0));
        assertThat(countsByMethod(registry, MicrometerListener.ATTEMPTS, "target"))
                .as("rebound.attempts{method, target}: each request once")
                .isEqualTo(Map.of("answer primary", 2.0, "answer " + name, 4.0, "ping " + name, 4.0));
    }

    /** The woven alternative, a singleton bean behind an application's Spring proxy whose advice pings it first. */
    @Test
    void behindASpringProxyAPingOfTheAlternativesOwnBeanIsACallOfItsOwnOnEveryEnclosingCall()
            throws java.io.IOException {
        thePingIsACallOfItsOwnOnEveryEnclosingCall(pingingProxy(new WovenPingingAsker()), "WovenPingingAsker");
    }

    /** The intercepted alternative, whose application's interceptor, bound outside ReboundModule's, pings getThis(). */
    @Test
    void behindAnApplicationsInterceptorAPingOfTheAlternativesOwnInstanceIsACallOfItsOwnOnEveryEnclosingCall()
            throws java.io.IOException {
        thePingIsACallOfItsOwnOnEveryEnclosingCall(pingingInjector().getInstance(PingingAsker.class), "PingingAsker");
    }

    /**
     * {@code primary}, which always fails (1 attempt), falls back to its {@code @Fallback.to} alternative, whose own
     * retry the engine applies, and in front of which something pings that very instance before each attempt. On
     * each of two enclosing calls alike: each ping, its own retry answering, is a call of its own; the answer's
     * retry applies once (2 requests, not 3 or 4), and the logical call falls back once. Counted by {@code
     * registry}, on the global settings.
     */
    private void aFallbackToAlternativesPingKeepsItsOwnPolicy(SimpleMeterRegistry registry, Asker primary,
            String primaryName, String name) throws java.io.IOException {
        for (int call = 1; call <= 2; call++) {
            events.clear();
            assertThat(primary.answer("q")).isEqualTo("answer");
            assertThat(finalEventsByMethod()).as("enclosing call %d: each ping's own SUCCEEDED, the logical call's",
                    call).containsExactly(
                            "SUCCEEDED " + name + ".ping() on " + name,
                            "SUCCEEDED " + name + ".ping() on " + name,
                            "SUCCEEDED Asker.answer(String) on " + name);
        }

        assertThat(PingingAsker.REQUESTS).as("the ping's own 2 requests before each of the answer's own 2, twice")
                .containsExactly("ping", "ping", "q", "ping", "ping", "q", "ping", "ping", "q", "ping", "ping", "q");
        assertThat(countsByMethod(registry, MicrometerListener.CALLS, "outcome"))
                .as("rebound.calls{method, outcome}: each ping, a call of its own, and each logical call")
                .isEqualTo(Map.of("ping success_after_retry", 4.0, "answer fallback", 2.0));
        assertThat(countsByMethod(registry, MicrometerListener.ATTEMPTS, "target"))
                .as("rebound.attempts{method, target}: each request once")
                .isEqualTo(Map.of("answer " + primaryName, 2.0, "answer " + name, 4.0, "ping " + name, 8.0));
    }

    /** The woven alternative, a Spring proxy of a singleton bean whose advice pings it first, of a woven primary. */
    @Test
    void behindASpringProxyAFallbackToAlternativesPingOfItsOwnBeanKeepsItsOwnPolicy() throws java.io.IOException {
        SimpleMeterRegistry registry = globalRegistry();
        PingingAsker.REQUESTS.clear();
        Asker backup = pingingProxy(new WovenPingingAsker());
        ReboundSettings.setGlobal(ReboundSettings.global().toBuilder().alternatives(type -> backup).build());
        WovenPingingPrimary primary = new WovenPingingPrimary(); // its policy resolved now, on that resolver
        assertThat(primary).isInstanceOf(Woven.class);

        aFallbackToAlternativesPingKeepsItsOwnPolicy(registry, primary, "WovenPingingPrimary", "WovenPingingAsker");
    }

    /** The intercepted alternative of an intercepted primary, whose application's interceptor pings getThis() first. */
    @Test
    void behindAnApplicationsInterceptorAFallbackToAlternativesPingOfItsOwnInstanceKeepsItsOwnPolicy()
            throws java.io.IOException {
        SimpleMeterRegistry registry = globalRegistry();
        PingingAsker.REQUESTS.clear();
        Asker primary = pingingInjector().getInstance(PingingPrimary.class);

        aFallbackToAlternativesPingKeepsItsOwnPolicy(registry, primary, "PingingPrimary", "PingingAsker");
    }

    // ---- the method the engine calls as a generic interface declares it (Replier<T>.reply(T), erased to
    // reply(Object)) is the one the door intercepts: the class's reply(String), which javac's bridge calls

    /**
     * A primary that always fails (1 attempt) falls back to {@code replier}, a {@code Replier<String>} named {@code
     * name} given to withFallbacks, whose own retry answers (2 requests): the call its door of {@code reply(String)}
     * makes, reached through the bridge, is the nested one (no call of its own), and the logical call falls back once.
     * Counted by {@code registry}.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private void anAlternativeOfAGenericInterfaceIsPartOfOneLogicalCallThroughItsBridge(SimpleMeterRegistry registry,
            Replier<String> replier, String name) throws java.io.IOException {
        Replier<String> primary = question -> {
            throw new java.io.IOException("primary down");
        };
        Replier llm = Rebound.wrap(Replier.class, primary).named("primary")
                .withRetry(RetryPolicy.builder().attempts(1).build()).withFallbacks(replier).build();

        assertThat(llm.reply("q")).isEqualTo("answer");

        assertThat(finalEventsByMethod()).as("named as Replier declares it, whichever door resolved which method")
                .containsExactly("SUCCEEDED Replier.reply(Object) on " + name + " nested",
                        "SUCCEEDED Replier.reply(Object) on " + name);
        assertThat(PingingAsker.REQUESTS).containsExactly("q", "q");
        assertThat(countsByMethod(registry, MicrometerListener.CALLS, "outcome"))
                .as("rebound.calls{method, outcome}: the logical call alone").isEqualTo(Map.of("reply fallback", 1.0));
        assertThat(countsByMethod(registry, MicrometerListener.ATTEMPTS, "target"))
                .isEqualTo(Map.of("reply primary", 1.0, "reply " + name, 2.0));
    }

    /** The alternative intercepted by Guice, compiled by javac, whose bridge carries reply(String)'s annotations. */
    @Test
    void anInterceptedAlternativeOfAGenericInterfaceIsPartOfOneLogicalCallThroughItsBridge()
            throws java.io.IOException {
        SimpleMeterRegistry registry = globalRegistry();
        PingingAsker.REQUESTS.clear();
        PlainReplier replier = Guice.createInjector(new ReboundModule()).getInstance(PlainReplier.class);

        anAlternativeOfAGenericInterfaceIsPartOfOneLogicalCallThroughItsBridge(registry, replier, "PlainReplier");
    }

    // ---- the same through a woven alternative: ajc copies none of reply(String)'s annotations onto its bridge
    // reply(Object) (javac copies them all), so the engine reads them on the method the bridge calls

    /** The alternative woven by ajc, whose bridge carries no annotation. */
    @Test
    void aWovenAlternativeOfAGenericInterfaceGivenToWithFallbacksIsPartOfOneLogicalCallThroughItsBridge()
            throws java.io.IOException {
        SimpleMeterRegistry registry = globalRegistry();
        PingingAsker.REQUESTS.clear();
        WovenReplier replier = new WovenReplier();
        assertThat(replier).isInstanceOf(Woven.class);

        anAlternativeOfAGenericInterfaceIsPartOfOneLogicalCallThroughItsBridge(registry, replier, "WovenReplier");
    }

    /**
     * {@code primary}, which always fails (1 attempt), falls back to its {@code @Fallback.to} alternative, the woven
     * {@link WovenReplier}: the engine applies the alternative's own retry (2 requests) and its woven door steps
     * aside, so the logical call is the only call, and falls back once, named {@code Replier.reply(Object)} as
     * {@code Replier} declares it whichever door resolved the primary. Counted by {@code registry}.
     */
    private void aFallbackToAWovenAlternativeOfAGenericInterfaceAppliesItsRetryOnce(SimpleMeterRegistry registry,
            Replier<String> primary, String primaryName) throws java.io.IOException {
        assertThat(primary.reply("q")).isEqualTo("answer");

        assertThat(finalEventsByMethod()).as("the logical call's SUCCEEDED alone")
                .containsExactly("SUCCEEDED Replier.reply(Object) on WovenReplier");
        assertThat(kinds()).as("the alternative's failed request is an attempt of the logical call")
                .containsSubsequence(ReboundEvent.Kind.FALLBACK, ReboundEvent.Kind.ATTEMPT_FAILED,
                        ReboundEvent.Kind.SUCCEEDED);
        assertThat(PingingAsker.REQUESTS).as("the alternative's own 2 requests").containsExactly("q", "q");
        assertThat(countsByMethod(registry, MicrometerListener.CALLS, "outcome"))
                .as("rebound.calls{method, outcome}: the logical call alone").isEqualTo(Map.of("reply fallback", 1.0));
        assertThat(countsByMethod(registry, MicrometerListener.ATTEMPTS, "target"))
                .as("rebound.attempts{method, target}: each request once")
                .isEqualTo(Map.of("reply " + primaryName, 1.0, "reply WovenReplier", 2.0));
    }

    /** A woven primary's door resolves {@code reply(String)}; the engine calls the alternative's {@code reply(Object)}. */
    @Test
    void aWovenPrimarysFallbackToAWovenAlternativeOfAGenericInterfaceAppliesItsRetryOnce() throws java.io.IOException {
        SimpleMeterRegistry registry = globalRegistry();
        PingingAsker.REQUESTS.clear();
        WovenReplier.Primary primary = new WovenReplier.Primary();
        assertThat(primary).isInstanceOf(Woven.class);

        aFallbackToAWovenAlternativeOfAGenericInterfaceAppliesItsRetryOnce(registry, primary, "Primary");
    }

    /** Rebound.wrap resolves {@code Replier.reply(Object)}, through which it reads the alternative's own retry too. */
    @Test
    @SuppressWarnings("unchecked")
    void aWrappedPrimarysFallbackToAWovenAlternativeOfAGenericInterfaceAppliesItsRetryOnce()
            throws java.io.IOException {
        SimpleMeterRegistry registry = globalRegistry();
        PingingAsker.REQUESTS.clear();
        Replier<String> primary = Rebound.wrap(Replier.class, new PlainReplyingPrimary()).build();

        aFallbackToAWovenAlternativeOfAGenericInterfaceAppliesItsRetryOnce(registry, primary, "PlainReplyingPrimary");
    }

    // ---- an alternative that a container's proxy stands in front of (a Spring bean the application's own
    // aspect proxies): the proxy calls its target, another instance, whose door lets the engine's call
    // through, so the alternative's own policies still apply once --------------------------------------

    /** A Spring AOP proxy of {@code target}, as an application's aspect makes it: CGLIB or JDK. */
    private static Object springProxy(Object target, boolean subclass) {
        ProxyFactory factory = new ProxyFactory(target);
        factory.setProxyTargetClass(subclass);
        factory.addAdvice((MethodInterceptor) invocation -> {
            SpringProxied.CALLS.add("aspect");
            return invocation.proceed();
        });
        Object proxy = factory.getProxy();
        assertThat(subclass ? AopUtils.isCglibProxy(proxy) : AopUtils.isJdkDynamicProxy(proxy)).isTrue();
        return proxy;
    }

    /** What the primary of {@link #fallingBackTo} always throws. */
    private final IllegalStateException primaryDown = new IllegalStateException("primary down");

    /** A {@code Rebound.wrap} primary that always fails, whose alternative the settings' resolver gives as {@code backup}. */
    private SpringProxied.Quotes fallingBackTo(Object backup) {
        SpringProxied.Quotes primary = symbol -> {
            SpringProxied.CALLS.add("primary");
            throw primaryDown;
        };
        return Rebound.wrap(SpringProxied.Quotes.class, primary)
                .settings(ReboundSettings.builder().alternatives(type -> backup).timeSource(clock).logging(false)
                        .build())
                .build();
    }

    /** The CGLIB proxy {@code factory} makes, with the application's "aspect" advice. */
    private static Object aspectProxy(ProxyFactory factory) {
        factory.setProxyTargetClass(true);
        factory.addAdvice((MethodInterceptor) invocation -> {
            SpringProxied.CALLS.add("aspect");
            return invocation.proceed();
        });
        return factory.getProxy();
    }

    /**
     * The proxy of a singleton bean (one fixed target) whose advice first calls another bean of the same
     * class: that bean keeps its own retry, and the proxy's target gets its own once. The engine's mark is
     * the target itself, not its class.
     */
    @Test
    void anAlternativeBehindASpringProxyWhoseAdviceCallsAnotherBeanOfItsClassLeavesThatBeanItsOwnRetry() {
        SpringProxied.CALLS.clear();
        SpringProxied.QuotesBackup audit = new SpringProxied.QuotesBackup("audit");
        ProxyFactory factory = new ProxyFactory(new SpringProxied.QuotesBackup());
        factory.setProxyTargetClass(true);
        factory.addAdvice((MethodInterceptor) invocation -> {
            SpringProxied.CALLS.add("aspect");
            catchThrowable(() -> audit.quote("audit"));
            return invocation.proceed();
        });
        Object backup = factory.getProxy();
        SpringProxied.Quotes quotes = fallingBackTo(backup);

        Throwable thrown = catchThrowable(() -> quotes.quote("X"));

        assertThat(thrown).isSameAs(primaryDown);
        assertThat(SpringProxied.CALLS).as("audit's own 2 attempts each time; the target's @Retry(attempts = 2) once")
                .containsExactly("primary", "primary", "aspect", "audit", "audit", "backup",
                        "aspect", "audit", "audit", "backup");
    }

    /**
     * A proxy over a fixed target whose target source is not a public class (an anonymous one) and whose
     * target is a subclass of the class behind it: the source is read through Spring's public interface,
     * so the mark is the target itself, and its own @Retry applies once.
     */
    @Test
    void anAlternativeBehindASpringProxyWhoseFixedTargetSourceIsNotPublicGetsItsOwnRetryOnce() {
        SpringProxied.CALLS.clear();
        SpringProxied.QuotesBackup sub = new SpringProxied.QuotesBackup("sub") { };
        org.springframework.aop.TargetSource source = new org.springframework.aop.TargetSource() {
            @Override
            public Class<?> getTargetClass() {
                return SpringProxied.QuotesBackup.class;
            }

            @Override
            public boolean isStatic() {
                return true;
            }

            @Override
            public Object getTarget() {
                return sub;
            }

            @Override
            public void releaseTarget(Object target) {
            }
        };
        ProxyFactory factory = new ProxyFactory();
        factory.setTargetSource(source);
        Object backup = aspectProxy(factory);
        SpringProxied.Quotes quotes = fallingBackTo(backup);

        assertThat(catchThrowable(() -> quotes.quote("X"))).isSameAs(primaryDown);
        assertThat(SpringProxied.CALLS).containsExactly("primary", "primary", "aspect", "sub", "aspect", "sub");
    }

    /** The same singleton proxy, its target swapped between two calls: the mark follows the target. */
    @Test
    void anAlternativeBehindASpringProxyWhoseTargetWasSwappedStillGetsItsOwnRetryOnce() {
        SpringProxied.CALLS.clear();
        ProxyFactory factory = new ProxyFactory(new SpringProxied.QuotesBackup("first"));
        Object backup = aspectProxy(factory);
        SpringProxied.Quotes quotes = fallingBackTo(backup);

        assertThat(catchThrowable(() -> quotes.quote("X"))).isSameAs(primaryDown);
        ((org.springframework.aop.framework.Advised) backup).setTargetSource(
                new org.springframework.aop.target.SingletonTargetSource(new SpringProxied.QuotesBackup("second")));
        assertThat(catchThrowable(() -> quotes.quote("X"))).isSameAs(primaryDown);

        assertThat(SpringProxied.CALLS).as("the alternative's own @Retry(attempts = 2), once, before and after")
                .containsExactly("primary", "primary", "aspect", "first", "aspect", "first",
                        "primary", "primary", "aspect", "second", "aspect", "second");
    }

    @Test
    void anAlternativeBehindASpringProxyGetsItsOwnRetryOnceThroughWrap() {
        SpringProxied.CALLS.clear();
        SpringProxied.Quotes quotes = fallingBackTo(springProxy(new SpringProxied.QuotesBackup(), true));

        Throwable thrown = catchThrowable(() -> quotes.quote("X"));

        assertThat(thrown).isSameAs(primaryDown);
        assertThat(SpringProxied.CALLS).as("the alternative's own @Retry(attempts = 2), once")
                .containsExactly("primary", "primary", "aspect", "backup", "aspect", "backup");
        assertThat(thrown.getSuppressed()).extracting(Throwable::getMessage).containsExactly("backup down", "backup down");
    }

    @Test
    void aWovenPrimarysAlternativeBehindASpringProxyGetsItsOwnRetryOnce() {
        SpringProxied.CALLS.clear();
        Object backup = springProxy(new SpringProxied.RatesBackup(), true);
        ReboundSettings.setGlobal(ReboundSettings.global().toBuilder().alternatives(type -> backup).build());
        SpringProxied.WovenRates rates = new SpringProxied.WovenRates(); // its policy resolved now, on that resolver
        assertThat(rates).isInstanceOf(Woven.class);

        Throwable thrown = catchThrowable(() -> rates.rate("EURUSD"));

        assertThat(thrown).hasMessage("primary down");
        assertThat(SpringProxied.CALLS).as("the alternative's own @Retry(attempts = 3), once").containsExactly(
                "primary", "aspect", "backup", "aspect", "backup", "aspect", "backup");
        assertThat(thrown.getSuppressed()).extracting(Throwable::getMessage)
                .containsExactly("backup down", "backup down", "backup down");
    }

    @Test
    void aRateLimitedAlternativeBehindASpringJdkProxyServesItsOnePermit() {
        SpringProxied.CALLS.clear();
        Object limited = springProxy(new SpringProxied.LimitedPrices(), false); // of Prices, which carries no policy
        ReboundSettings.setGlobal(ReboundSettings.global().toBuilder().alternatives(type -> limited).build());
        SpringProxied.WovenPrices prices = new SpringProxied.WovenPrices();

        assertThat(prices.price("A")).isEqualTo("limited A");
        Throwable refused = catchThrowable(() -> prices.price("B"));

        assertThat(refused).hasMessage("primary down");
        assertThat(refused.getSuppressed()).hasExactlyElementsOfTypes(RateLimitRefusedException.class);
        assertThat(SpringProxied.CALLS).containsExactly("primary", "aspect", "limited", "primary");
    }
}

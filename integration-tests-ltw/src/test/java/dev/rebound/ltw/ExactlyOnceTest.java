package dev.rebound.ltw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.matcher.Matchers;
import dev.rebound.it.llm.FakeLlm;
import dev.rebound.it.seed.OneModel;
import dev.rebound.it.seed.RetryAndFallback;
import dev.rebound.ltw.app.Chat;
import dev.rebound.ltw.app.CopyableRelay;
import dev.rebound.ltw.app.Relay$$Named;
import dev.rebound.weaver.guice.ReboundModule;
import org.aopalliance.intercept.MethodInterceptor;
import org.junit.jupiter.api.Test;

/** Under the agent: classes ajc wove, and Guice with ReboundModule, still apply a policy once. */
class ExactlyOnceTest extends VirtualClock {

    @Test
    void aClassWovenByAjcAndLoadedUnderTheAgentRetriesThreeTimesNotNine() {
        FakeLlm.failFirst("gpt-4", Integer.MAX_VALUE);
        OneModel.Gpt4 llm = new OneModel.Gpt4();

        catchThrowable(() -> llm.invoke("x"));

        assertThat(FakeLlm.calls()).containsExactly("gpt-4 #1", "gpt-4 #2", "gpt-4 #3");
    }

    @Test
    void aClassWovenByTheAgentAndProvidedByGuiceAppliesItsPolicyOnceThroughTheInjector() {
        FakeLlm.failFirst("primary", Integer.MAX_VALUE);
        FakeLlm.failFirst("backup", 1);
        Chat chat = chatFromInjector();

        String answer = chat.chat("hi");

        // the injector's subclass applies the policy (alternatives from the injector); the woven advice steps aside
        assertThat(chat.getClass().getSuperclass()).isSameAs(Chat.Primary.class);
        assertThat(answer).isEqualTo("backup: hi");
        assertThat(FakeLlm.calls()).containsExactly("primary #1", "primary #2", "primary #3", "backup #1",
                "backup #2");
    }

    @Test
    void aClassWovenByAjcProvidedByGuiceWithReboundModuleAppliesItsPolicyOnce() {
        FakeLlm.failFirst("gpt-4", Integer.MAX_VALUE);
        FakeLlm.failFirst("gpt-3.5", 1);
        RetryAndFallback.Llm llm = Guice.createInjector(new ReboundModule(), new AbstractModule() {
            @Override
            protected void configure() {
                bind(RetryAndFallback.Llm.class).to(RetryAndFallback.Gpt4.class);
            }
        }).getInstance(RetryAndFallback.Llm.class);

        String answer = llm.invoke("x");

        assertThat(llm.getClass().getSuperclass()).isSameAs(RetryAndFallback.Gpt4.class); // once, by the injector
        assertThat(answer).isEqualTo("gpt-3.5: x");
        assertThat(FakeLlm.calls()).containsExactly("gpt-4 #1", "gpt-4 #2", "gpt-3.5 #1", "gpt-3.5 #2");
    }

    /**
     * Guice shares one generated subclass between injectors that intercept the same methods: the injector without
     * ReboundModule runs the first call (the aspect's policy), the one with it marks the same subclass later and
     * applies the policy there, once (3 attempts, not 3 x 3), for a class the agent wove whose name holds $$.
     */
    @Test
    void aClassTheAgentWoveWhoseSubclassAnotherInjectorRanFirstAppliesItsPolicyOnceUnderReboundModule() {
        FakeLlm.failFirst("relay", Integer.MAX_VALUE);
        AbstractModule everyMethod = new AbstractModule() {
            @Override
            protected void configure() {
                MethodInterceptor pass = invocation -> invocation.proceed();
                bindInterceptor(Matchers.any(), Matchers.any(), pass);
            }
        };
        Relay$$Named elsewhere = Guice.createInjector(everyMethod).getInstance(Relay$$Named.class);
        assertThat(woven(Relay$$Named.class)).isTrue();
        catchThrowable(() -> elsewhere.relay("x"));
        assertThat(FakeLlm.calls()).as("the aspect's policy").containsExactly("relay #1", "relay #2", "relay #3");

        FakeLlm.reset();
        FakeLlm.failFirst("relay", Integer.MAX_VALUE);
        Relay$$Named intercepted = Guice.createInjector(new ReboundModule(), everyMethod).getInstance(Relay$$Named.class);
        assertThat(intercepted.getClass()).as("Guice's one subclass for both").isSameAs(elsewhere.getClass());
        catchThrowable(() -> intercepted.relay("x"));
        assertThat(FakeLlm.calls()).as("the interceptor's policy alone").containsExactly("relay #1", "relay #2",
                "relay #3");
    }

    /**
     * The same shared subclass, the injector with ReboundModule first: the instances of the injector without it,
     * made before or after, keep the policy the agent wove (3 attempts, not 1), and those of the injector with it
     * apply it in its interceptor alone (3, not 9).
     */
    @Test
    void aClassTheAgentWoveKeepsItsPolicyOnTheInstancesOfAnInjectorWithoutReboundModuleThatSharesItsSubclass() {
        AbstractModule everyMethod = new AbstractModule() {
            @Override
            protected void configure() {
                MethodInterceptor pass = invocation -> invocation.proceed();
                bindInterceptor(Matchers.any(), Matchers.any(), pass);
            }
        };
        com.google.inject.Injector without = Guice.createInjector(everyMethod);
        Relay$$Named madeBefore = without.getInstance(Relay$$Named.class);
        Relay$$Named intercepted = Guice.createInjector(new ReboundModule(), everyMethod).getInstance(Relay$$Named.class);
        Relay$$Named madeAfter = without.getInstance(Relay$$Named.class);
        assertThat(java.util.List.of(madeBefore, madeAfter)).extracting(r -> (Object) r.getClass())
                .as("Guice's one subclass for both").containsOnly(intercepted.getClass());

        for (Relay$$Named relay : java.util.List.of(intercepted, madeBefore, intercepted, madeAfter)) {
            FakeLlm.reset();
            FakeLlm.failFirst("relay", Integer.MAX_VALUE);
            catchThrowable(() -> relay.relay("x"));
            assertThat(FakeLlm.calls()).as(relay == intercepted ? "the interceptor's policy alone" : "the agent's")
                    .containsExactly("relay #1", "relay #2", "relay #3");
        }
    }

    /**
     * A copy ({@code clone()}) of an instance the injector with ReboundModule made, of a class the agent wove, runs
     * the interceptor chain of the instance it copies: the policy applies in that interceptor alone (3, not 9).
     */
    @Test
    void aCopyOfAnInstanceOfAClassTheAgentWoveThatAnInjectorWithReboundModuleMadeAppliesItsPolicyOnce() {
        CopyableRelay made = Guice.createInjector(new ReboundModule()).getInstance(CopyableRelay.class);
        CopyableRelay copy = made.copy();
        assertThat(woven(CopyableRelay.class)).isTrue();
        assertThat(copy.getClass()).as("Guice's subclass").isSameAs(made.getClass()).isNotEqualTo(CopyableRelay.class);

        FakeLlm.failFirst("relay", Integer.MAX_VALUE);
        catchThrowable(() -> copy.relay("x"));

        assertThat(FakeLlm.calls()).as("the interceptor's policy alone").containsExactly("relay #1", "relay #2",
                "relay #3");
    }
}

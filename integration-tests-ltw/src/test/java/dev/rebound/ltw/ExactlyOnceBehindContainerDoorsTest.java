package dev.rebound.ltw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.inject.Guice;
import dev.rebound.ltw.generated.FinalRelay;
import dev.rebound.ltw.generated.GreetingChat;
import dev.rebound.ltw.generated.GreetingChatBean;
import dev.rebound.ltw.generated.RelayBase;
import dev.rebound.ltw.generated.RelaySub;
import dev.rebound.ltw.generated.SuperCallingGreeter;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.weaver.guice.ReboundModule;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Under the agent: the woven door finds a join point's policy in a slot of the first class that runs it, or in its
 * shared table for any other (a default method of an interface, a join point a second class runs). Either way, behind
 * or in front of a container's own door (Quarkus ArC's client proxy, Guice's ReboundModule), the policy applies
 * exactly once: 3 attempts for {@code @Retry(attempts = 3)}, never 1 nor 9.
 */
class ExactlyOnceBehindContainerDoorsTest extends VirtualClock {

    private final List<ReboundEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void listen() {
        ReboundSettings.setGlobal(ReboundSettings.global().toBuilder().listener(events::add).build());
    }

    /** The targets of the failed attempts the events report, one per attempt. */
    private List<String> failedAttempts() {
        return events.stream().filter(e -> e.kind() == ReboundEvent.Kind.ATTEMPT_FAILED).map(ReboundEvent::target)
                .toList();
    }

    /**
     * ArC's client proxy hands {@code greet} to a woven bean that keeps the interface's woven default: the bean's
     * default applies the policy (found in the shared table), the proxy's door steps aside.
     */
    @Test
    void arcsClientProxyOfAWovenBeanThatRunsAWovenDefaultAppliesItsPolicyOnce() throws ReflectiveOperationException {
        GreetingChatBean bean = new GreetingChatBean();
        GreetingChat client = OverObject.instance(OverObject.arcClientProxy("GreetingChatBean_ClientProxy",
                GreetingChat.class, bean, "ask", "greet"), GreetingChat.class);
        events.clear();

        assertThat(catchThrowable(() -> client.greet("q"))).hasMessage("bean down");

        assertThat(woven(GreetingChatBean.class)).isTrue();
        assertThat(bean.calls).as("calls the bean got for @Retry(attempts = 3)").isEqualTo(3);
        assertThat(failedAttempts()).containsExactly("GreetingChatBean", "GreetingChatBean", "GreetingChatBean");
    }

    /**
     * ArC's client proxy hands {@code greet} to a producer's lambda, which no door reaches, but whose {@code greet} is
     * the interface's woven default: that default applies the policy there, on the lambda; the proxy's door steps
     * aside for that method, and applies the interface's policy to no other (ask carries none).
     */
    @Test
    void arcsClientProxyOfALambdaThatRunsAWovenDefaultAppliesItsPolicyOnce() throws ReflectiveOperationException {
        AtomicInteger calls = new AtomicInteger();
        IllegalStateException down = new IllegalStateException("produced down");
        GreetingChat produced = q -> {
            calls.incrementAndGet();
            throw down;
        };
        GreetingChat client = OverObject.instance(OverObject.arcClientProxy("GreetingChat_Produced_ClientProxy",
                GreetingChat.class, produced, "ask", "greet"), GreetingChat.class);
        events.clear();

        assertThat(catchThrowable(() -> client.greet("q"))).isSameAs(down);

        assertThat(calls).as("calls the lambda got for @Retry(attempts = 3)").hasValue(3);
        assertThat(failedAttempts()).hasSize(3);
    }

    /**
     * ArC's client proxy hands {@code greet} to a bean no weaver reached whose class overrides the woven default and
     * calls it with {@code GreetingChat.super}: no door of the bean applies the policy, so the proxy's door applies
     * it, and the default's advice, on an instance whose class overrides it, applies none (a super call runs under
     * the override's policy).
     */
    @Test
    void arcsClientProxyOfAnUnwovenBeanWhoseOverrideCallsTheWovenDefaultThroughIfaceSuperAppliesItsPolicyOnce()
            throws ReflectiveOperationException {
        Class<?> unwoven = OverObject.hidden(SuperCallingGreeter.class);
        assertThat(woven(unwoven)).as("a hidden class, never woven").isFalse();
        GreetingChat bean = OverObject.instance(unwoven, GreetingChat.class);
        GreetingChat client = OverObject.instance(OverObject.arcClientProxy("SuperCallingGreeter_ClientProxy",
                GreetingChat.class, bean, "ask", "greet"), GreetingChat.class);
        events.clear();

        assertThat(catchThrowable(() -> client.greet("q"))).hasMessage("greeter down");

        assertThat(((IntSupplier) bean).getAsInt()).as("calls the bean got for @Retry(attempts = 3)").isEqualTo(3);
        assertThat(failedAttempts()).hasSize(3);
    }

    /**
     * A client proxy that leaves the default {@code greet} alone runs its body itself, on the proxy, where nothing
     * else applies its policy: the proxy's woven default applies it, once, whatever the bean behind it; only the
     * proxy's own methods hand a call on.
     */
    @Test
    void aDefaultMethodAClientProxyLeavesAloneAppliesItsPolicyOnceOnTheProxy() throws ReflectiveOperationException {
        GreetingChatBean bean = new GreetingChatBean();
        AtomicInteger lambdaCalls = new AtomicInteger();
        GreetingChat produced = q -> {
            lambdaCalls.incrementAndGet();
            throw new IllegalStateException("produced down");
        };
        GreetingChat overBean = OverObject.instance(OverObject.arcClientProxy("GreetingChatBean_Ask_ClientProxy",
                GreetingChat.class, bean, "ask"), GreetingChat.class);
        GreetingChat overLambda = OverObject.instance(OverObject.arcClientProxy("GreetingChat_Ask_ClientProxy",
                GreetingChat.class, produced, "ask"), GreetingChat.class);
        events.clear();

        assertThat(catchThrowable(() -> overBean.greet("q"))).hasMessage("bean down");
        assertThat(catchThrowable(() -> overLambda.greet("q"))).hasMessage("produced down");

        assertThat(bean.calls).as("asks the bean got from 3 attempts of greet on the proxy").isEqualTo(3);
        assertThat(lambdaCalls).as("asks the lambda got from 3 attempts of greet on the proxy").hasValue(3);
        assertThat(failedAttempts()).containsExactly("GreetingChat", "GreetingChat", "GreetingChat", "GreetingChat",
                "GreetingChat", "GreetingChat");
    }

    /**
     * ArC's client proxy of a bean class whose {@code relay} is inherited: the bean runs {@link RelayBase}'s join
     * point as a second class (a RelayBase ran it first), through the shared table; the proxy's own {@code relay}
     * steps aside.
     */
    @Test
    void arcsClientProxyOfABeanThatRunsAnInheritedJoinPointAppliesItsPolicyOnce() throws ReflectiveOperationException {
        RelayBase first = new RelayBase();
        assertThat(catchThrowable(() -> first.relay("q"))).hasMessage("relay down");
        assertThat(first.calls).isEqualTo(3);
        RelaySub bean = new RelaySub();
        RelaySub client = OverObject.instance(OverObject.arcClientProxyOfClass("RelaySub_ClientProxy",
                RelaySub.class, bean, "relay"), RelaySub.class);
        events.clear();

        assertThat(catchThrowable(() -> client.relay("q"))).hasMessage("relay down");

        assertThat(bean.calls).as("calls the bean got for @Retry(attempts = 3)").isEqualTo(3);
        assertThat(client.calls).as("the proxy hands the call on").isZero();
        assertThat(failedAttempts()).containsExactly("RelaySub", "RelaySub", "RelaySub");
    }

    /**
     * A final method, which a client proxy cannot override (ArC leaves it alone), runs the bean class's body on the
     * proxy itself: the policy applies there, once, whether the proxy's class is the first to run that join point
     * (its slot) or a second one (the shared table); the bean, called directly, applies its own once.
     */
    @Test
    void aFinalMethodAClientProxyCannotOverrideAppliesItsPolicyOnceOnTheProxy() throws ReflectiveOperationException {
        FinalRelay bean = new FinalRelay();
        FinalRelay firstProxy = OverObject.instance(OverObject.arcClientProxyOfClass("FinalRelay_ClientProxy",
                FinalRelay.class, bean), FinalRelay.class);
        FinalRelay secondProxy = OverObject.instance(OverObject.arcClientProxyOfClass("FinalRelay_Second_ClientProxy",
                FinalRelay.class, bean), FinalRelay.class);
        events.clear();

        assertThat(catchThrowable(() -> firstProxy.relay("q"))).hasMessage("final relay down");
        assertThat(catchThrowable(() -> bean.relay("q"))).hasMessage("final relay down");
        assertThat(catchThrowable(() -> secondProxy.relay("q"))).hasMessage("final relay down");

        assertThat(firstProxy.calls).as("the body ran on the first proxy, its slot's class").isEqualTo(3);
        assertThat(bean.calls).isEqualTo(3);
        assertThat(secondProxy.calls).as("the body ran on the second proxy, through the shared table").isEqualTo(3);
        assertThat(failedAttempts()).hasSize(9).containsOnly("FinalRelay");
    }

    /**
     * Guice's ReboundModule intercepts a woven class that keeps a woven default: its interceptor applies the
     * policy, and the default, found in the shared table for Guice's subclass, steps aside.
     */
    @Test
    void reboundModuleOverAWovenClassThatRunsAWovenDefaultAppliesItsPolicyOnce() {
        GreetingChatBean bean = Guice.createInjector(new ReboundModule()).getInstance(GreetingChatBean.class);
        assertThat(bean.getClass()).as("Guice's subclass").isNotEqualTo(GreetingChatBean.class);
        events.clear();

        assertThat(catchThrowable(() -> bean.greet("q"))).hasMessage("bean down");

        assertThat(bean.calls).as("calls for @Retry(attempts = 3)").isEqualTo(3);
        assertThat(failedAttempts()).containsExactly("GreetingChatBean", "GreetingChatBean", "GreetingChatBean");
    }

    /**
     * Guice's ReboundModule intercepts a class that runs an inherited join point whose slot another class holds (a
     * RelayBase ran it first): its interceptor applies the policy, the woven advice (the shared table) steps aside.
     */
    @Test
    void reboundModuleOverAClassThatRunsAnInheritedJoinPointAppliesItsPolicyOnce() {
        RelayBase first = new RelayBase();
        assertThat(catchThrowable(() -> first.relay("q"))).hasMessage("relay down");
        RelaySub bean = Guice.createInjector(new ReboundModule()).getInstance(RelaySub.class);
        assertThat(bean.getClass()).as("Guice's subclass").isNotEqualTo(RelaySub.class);
        events.clear();

        assertThat(catchThrowable(() -> bean.relay("q"))).hasMessage("relay down");

        assertThat(bean.calls).as("calls for @Retry(attempts = 3)").isEqualTo(3);
        assertThat(failedAttempts()).containsExactly("RelaySub", "RelaySub", "RelaySub");
    }
}

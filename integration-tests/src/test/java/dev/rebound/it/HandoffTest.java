package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.runtime.spi.Invoker;
import dev.rebound.runtime.spi.MethodDiagnostics;
import dev.rebound.runtime.spi.ResilientMethod;
import dev.rebound.weaver.internal.Handoff;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The woven door's hand-off from the advice to the recovery advice, when the recovery never comes (a class
 * not woven as rebound-weaver weaves it, the recovery right inside the advice): what the engine held for the
 * call is given back, and the policy that did not apply is named once, never silently lost.
 */
class HandoffTest {

    /** A policy of which only its name and what it is given back matter here. */
    static final class GivenBack implements ResilientMethod {
        final List<Object> abandoned = new ArrayList<>();

        @Override
        public String name() {
            return "Chat.chat(String)";
        }

        @Override
        public void abandon(Object next) {
            abandoned.add(next);
        }

        @Override
        public Object executeAll(Object context, Object[] args, Invoker primary) {
            throw new AssertionError("not called");
        }

        @Override
        public boolean admitFirstAttempt() {
            throw new AssertionError("not called");
        }

        @Override
        public long start() {
            throw new AssertionError("not called");
        }

        @Override
        public void succeeded(long start) {
            throw new AssertionError("not called");
        }

        @Override
        public Object failed(Throwable failure, long start, Object context, Object[] args, Invoker primary) {
            throw new AssertionError("not called");
        }

        @Override
        public MethodDiagnostics diagnostics() {
            throw new AssertionError("not called");
        }
    }

    private final Object self = new Object();
    private final RuntimeException failure = new IllegalStateException("down");

    @Test
    void aHandoffTheRecoveryNeverTookIsGivenBackAndTheLostPolicyNamedOnce() {
        GivenBack policy = new GivenBack();
        Object first = new Object();
        Object second = new Object();

        String err = StdErr.during(() -> {
            Handoff.give(self, null, policy, first, failure, failure, 2, ResilientMethod.UNTIMED);
            Handoff.drop(); // the body ran again, and no recovery took the hand-off
            Handoff.give(self, null, policy, second, failure, failure, 2, ResilientMethod.UNTIMED);
            Handoff.drop();
        });

        assertThat(policy.abandoned).containsExactly(first, second);
        assertThat(StdErr.count(err, "the recovery of Chat.chat(String) did not run, so a call of it ran on without"
                + " its retries and fallbacks: its class was not woven as rebound-weaver weaves it")).as(err)
                .isEqualTo(1);
        assertThat(Handoff.waitingFor(self, null)).as("nothing left waiting on the thread").isFalse();
    }

    @Test
    void aHandoffOverwrittenBeforeItsRecoveryIsGivenBackToo() {
        GivenBack policy = new GivenBack();
        Object overwritten = new Object();
        Object last = new Object();

        StdErr.during(() -> {
            Handoff.give(self, null, policy, overwritten, failure, failure, 1, ResilientMethod.UNTIMED);
            Handoff.give(self, null, policy, last, failure, failure, 1, ResilientMethod.UNTIMED);
            Handoff.drop();
        });

        assertThat(policy.abandoned).containsExactly(overwritten, last);
        assertThat(Handoff.waitingFor(self, null)).isFalse();
    }
}

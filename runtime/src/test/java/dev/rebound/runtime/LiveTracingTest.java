package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.runtime.internal.chain.Chains;
import dev.rebound.runtime.internal.chain.MethodSpec;
import dev.rebound.runtime.observation.CallTrace;
import dev.rebound.runtime.spi.Invoker;
import dev.rebound.runtime.spi.ResilientMethod;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A method on the global settings has a traced chain and a plain one; each call takes the one the
 * settings it reads live need, so a tracer set (or removed) between calls applies from the next call.
 */
class LiveTracingTest {

    private final ReboundSettings global = ReboundSettings.global();

    @AfterEach
    void restoreGlobal() {
        ReboundSettings.setGlobal(global);
    }

    /** Writes down every call of the traces it starts, in order. */
    private static final class Recording implements CallTrace {
        final List<String> seen;

        Recording(List<String> seen) {
            this.seen = seen;
        }

        @Override
        public void attemptStarted(String target, int attempt) {
            seen.add("attempt " + attempt + " on " + target);
        }

        @Override
        public void attemptFailed(Throwable failure) {
            seen.add("failed " + failure.getClass().getSimpleName());
        }

        @Override
        public void attemptSucceeded() {
            seen.add("succeeded");
        }

        @Override
        public void retryScheduled(long waitNanos, String reason) {
            seen.add("retry (" + reason + ")");
        }

        @Override
        public void ended(String outcome, Throwable failure) {
            seen.add("ended " + outcome);
        }
    }

    /** Fails its first attempt of each call (odd invocations), answers the retry. */
    private static Invoker failingOnce() {
        int[] invocations = {0};
        return (context, args) -> {
            if (invocations[0]++ % 2 == 0) {
                throw new IOException("down");
            }
            return "ok";
        };
    }

    @Test
    void aTracerSetOrRemovedBetweenCallsAppliesFromTheNextCall() throws Throwable {
        ReboundSettings quiet = ReboundSettings.builder().logging(false).build();
        ReboundSettings.setGlobal(quiet);
        ResilientMethod method = Chains.executorOf(MethodSpec.builder("Model.chat(String)", "Fake")
                .retry(RetryPolicy.builder().attempts(3).delay(Duration.ZERO).build()).build());
        Invoker target = failingOnce();
        List<String> seen = new ArrayList<>();
        List<String> started = new ArrayList<>();

        assertThat(method.execute(null, null, target)).isEqualTo("ok");
        ReboundSettings.setGlobal(quiet.toBuilder().tracer(m -> {
            started.add(m);
            return new Recording(seen);
        }).build());
        assertThat(method.execute(null, null, target)).isEqualTo("ok");
        ReboundSettings.setGlobal(quiet);
        assertThat(method.execute(null, null, target)).isEqualTo("ok");

        assertThat(started).containsExactly("Model.chat(String)");
        assertThat(seen).containsExactly("attempt 1 on Fake", "failed IOException", "retry (backoff)",
                "attempt 2 on Fake", "succeeded", "ended success_after_retry");
    }
}

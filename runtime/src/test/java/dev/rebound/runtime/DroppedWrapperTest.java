package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.runtime.testing.VirtualTimeSource;
import java.lang.ref.WeakReference;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A service that builds wrappers as it goes (one per tenant, per model name) and drops them keeps
 * nothing of them: no registry Rebound keeps for all wrappers (the nested-retry check's) holds a
 * wrapper's policy, its alternatives or its target once the wrapper is unreachable.
 */
class DroppedWrapperTest {

    interface Tenant {
        String ask(String prompt);
    }

    /** An alternative that holds something big, as a real model client (HTTP client, buffers) does. */
    static final class BigFallback implements Tenant {
        final byte[] payload = new byte[256 * 1024];

        @Override
        public String ask(String prompt) {
            return "fallback";
        }
    }

    static final class Primary implements Tenant {
        @Override
        public String ask(String prompt) {
            return "ok";
        }
    }

    static final class Down implements Tenant {
        @Override
        public String ask(String prompt) {
            throw new IllegalStateException("down");
        }
    }

    /** Calls {@code inner} from its own retried method: a nested retry, found on the stack and warned about. */
    static final class Outer implements Tenant {
        final Tenant inner;

        Outer(Tenant inner) {
            this.inner = inner;
        }

        @Override
        public String ask(String prompt) {
            return inner.ask(prompt);
        }
    }

    private static boolean collected(WeakReference<?> ref) {
        for (int i = 0; i < 50 && ref.get() != null; i++) {
            System.gc();
        }
        return ref.get() == null;
    }

    final ReboundSettings settings = ReboundSettings.builder().timeSource(new VirtualTimeSource()).logging(false)
            .build();
    final RetryPolicy retry = RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(10)).build();

    @Test
    void aDroppedRetryingWrappersAlternativeIsCollected() {
        WeakReference<Object> lastFallback = null;
        for (int i = 0; i < 50; i++) {
            BigFallback fallback = new BigFallback();
            Tenant t = Rebound.wrap(Tenant.class, (Tenant) new Primary()).withRetry(retry).withFallbacks(fallback)
                    .named("tenant-" + i).settings(settings).build();
            assertThat(t.ask("hi")).isEqualTo("ok");
            lastFallback = new WeakReference<>(fallback);
        }

        assertThat(collected(lastFallback)).as("a dropped wrapper's alternative is collected").isTrue();
    }

    @Test
    void droppedNestedRetriesAreCollectedOnceTheirWarningIsGiven() {
        WeakReference<Object> lastFallback = null;
        for (int i = 0; i < 20; i++) {
            BigFallback fallback = new BigFallback();
            // the inner retry runs inside the outer one's: each pair is found on the stack and warned about
            Tenant inner = Rebound.wrap(Tenant.class, (Tenant) new Down()).withRetry(retry)
                    .withFallbacks(fallback).named("inner-" + i).settings(settings).build();
            Tenant outer = Rebound.wrap(Tenant.class, (Tenant) new Outer(inner)).withRetry(retry)
                    .named("outer-" + i).settings(settings).build();
            assertThat(outer.ask("q")).isEqualTo("fallback");
            lastFallback = new WeakReference<>(fallback);
        }

        assertThat(collected(lastFallback)).as("a dropped inner wrapper's alternative").isTrue();
    }
}

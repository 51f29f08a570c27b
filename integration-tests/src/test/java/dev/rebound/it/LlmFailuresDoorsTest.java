package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.inject.Guice;
import dev.rebound.it.plain.PlainJudged;
import dev.rebound.it.woven.Judged;
import dev.rebound.it.woven.Mirrored;
import dev.rebound.weaver.guice.ReboundModule;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.weaver.Woven;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Issue 13 through the AspectJ and Guice doors: result predicates, attempt timeouts, fallback handlers. */
class LlmFailuresDoorsTest extends VirtualTime {

    @Test
    void aWovenMethodRetriesARejectedResult() {
        Judged judged = new Judged();
        assertThat(judged).isInstanceOf(Woven.class);

        assertThat(judged.blankTwice("q")).isEqualTo("answer: q");
        assertThat(judged.blankCalls).isEqualTo(3);
        assertThat(events.stream().filter(e -> e.kind() == ReboundEvent.Kind.RESULT_REJECTED).count()).isEqualTo(2);
    }

    @Test
    void aWovenMethodsHungAttemptsAreCutAndTheHandlerKnowsWhy() throws InterruptedException {
        Judged judged = new Judged();
        long start = clock.nanoTime();

        assertThat(judged.hangs(clock)).isEqualTo("handled AttemptTimeoutException after 2");
        assertThat(judged.hangingCalls).isEqualTo(2);
        assertThat(clock.nanoTime() - start).isEqualTo(Duration.ofSeconds(2).toNanos());
        assertThat(events.stream().filter(e -> e.kind() == ReboundEvent.Kind.ATTEMPT_FAILED)
                .map(ReboundEvent::reason).toList()).containsExactly("timeout", "timeout");
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    /**
     * A woven method's handler names an alternative by its class, the one of that class even behind a
     * subclass of it listed first, or by its position; a supertype of both is refused, never the first.
     */
    @Test
    void aWovenMethodsHandlerCallsTheAlternativeItsClassOrPositionNames() {
        Mirrored.Primary primary = new Mirrored.Primary();
        assertThat(primary).isInstanceOf(Woven.class);

        assertThat(primary.fetch("origin")).isEqualTo("origin: origin");
        assertThat(primary.fetch("0")).isEqualTo("mirror: 0");
        assertThat(primary.fetch("1")).isEqualTo("origin: 1");
        Throwable any = catchThrowable(() -> primary.fetch("any"));
        Throwable beyond = catchThrowable(() -> primary.fetch("2"));

        assertThat(primary.calls).isEqualTo(10); // two attempts per call
        assertThat(any).isInstanceOf(IllegalArgumentException.class).hasMessage("Mirrored.fetch(String): "
                + "FallbackContext.call(Mirrored.class, ...) cannot tell which alternative is meant: "
                + Mirrored.class.getName() + " is the class of none, and a supertype of those at positions 0 (Mirror)"
                + " and 1 (Origin) of alternatives(), counted from 0; call the one meant by its position with"
                + " FallbackContext.call(int, ...)");
        assertThat(beyond).isInstanceOf(IndexOutOfBoundsException.class).hasMessage("Mirrored.fetch(String): "
                + "FallbackContext.call(int, ...) has no alternative at position 2: alternatives() has positions"
                + " 0 to 1, counted from 0");
        assertThat(events.stream().filter(e -> e.kind() == ReboundEvent.Kind.FALLBACK && !e.target().equals("Primary"))
                .map(e -> e.target() + " -> " + e.alternative()))
                .containsExactly("ByKey -> Origin", "ByKey -> Mirror", "ByKey -> Origin");
    }

    @Test
    void aGuiceInterceptedMethodHandsItsRejectedResultsToTheHandler() {
        PlainJudged judged = Guice.createInjector(new ReboundModule()).getInstance(PlainJudged.class);

        assertThat(judged.alwaysBlank("q")).isEqualTo("handled RejectedResultException after 2");
        assertThat(judged.blankCalls).isEqualTo(2);
    }
}

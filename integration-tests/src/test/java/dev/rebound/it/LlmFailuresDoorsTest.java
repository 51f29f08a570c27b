package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Guice;
import dev.rebound.it.plain.PlainJudged;
import dev.rebound.it.woven.Judged;
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

    @Test
    void aGuiceInterceptedMethodHandsItsRejectedResultsToTheHandler() {
        PlainJudged judged = Guice.createInjector(new ReboundModule()).getInstance(PlainJudged.class);

        assertThat(judged.alwaysBlank("q")).isEqualTo("handled RejectedResultException after 2");
        assertThat(judged.blankCalls).isEqualTo(2);
    }
}

package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rebound.it.llm.FakeLlm;
import dev.rebound.it.llm.LlmUnavailableException;
import dev.rebound.it.seed.Fallbacks;
import dev.rebound.it.seed.OneModel;
import dev.rebound.it.seed.RetryAndFallback;
import dev.rebound.it.seed.Sequence;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.RetryPolicy;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The seed tutorial's examples, one by one, over classes woven at build time. */
class SeedExamplesTest extends VirtualTime {

    @Test
    void oneModelFailsTwiceAndAnswersOnTheThirdAttempt() {
        FakeLlm.failFirst("gpt-4", 2);

        String answer = new OneModel.Gpt4().invoke("Explain retry in LLMs");

        assertThat(answer).isEqualTo("gpt-4: Explain retry in LLMs");
        assertThat(FakeLlm.calls()).containsExactly("gpt-4 #1", "gpt-4 #2", "gpt-4 #3");
        // default backoff 500 ms then 1000 ms, each with equal jitter in [wait/2, wait]
        List<Duration> waits = clock.sleeps();
        assertThat(waits).hasSize(2);
        assertThat(waits.get(0)).isBetween(Duration.ofMillis(250), Duration.ofMillis(500));
        assertThat(waits.get(1)).isBetween(Duration.ofMillis(500), Duration.ofMillis(1000));
    }

    @Test
    void oneModelGivesUpAfterThreeAttemptsWithTheLastFailureAndTheOthersSuppressed() {
        FakeLlm.failFirst("gpt-4", Integer.MAX_VALUE);

        Throwable thrown = catchThrowable(() -> new OneModel.Gpt4().invoke("hi"));

        List<LlmUnavailableException> failures = FakeLlm.thrown();
        assertThat(failures).hasSize(3);
        assertThat(thrown).isSameAs(failures.get(2));
        assertThat(thrown.getSuppressed()).containsExactly(failures.get(0), failures.get(1));
    }

    @Test
    void retryInASequenceRerunsOnlyTheLlmStep() {
        FakeLlm.failFirst("gpt-4", 1);
        Sequence.Prompt prompt = new Sequence.Prompt();
        Sequence.Chain chain = new Sequence.Chain(prompt, new Sequence.Gpt4());

        String answer = chain.invoke("What is retry logic?");

        assertThat(answer).isEqualTo("gpt-4: Answer briefly: What is retry logic?");
        assertThat(prompt.formatted()).hasSize(1);
        assertThat(FakeLlm.calls()).containsExactly("gpt-4 #1", "gpt-4 #2");
        assertThat(clock.sleeps()).containsExactly(Duration.ofMillis(100));
    }

    @Test
    void twoModelFallbackSwitchesToGpt35WhenGpt4Fails() {
        FakeLlm.failFirst("gpt-4", Integer.MAX_VALUE);

        String answer = new Fallbacks.Gpt4().invoke("Explain fallback strategy");

        assertThat(answer).isEqualTo("gpt-3.5-turbo: Explain fallback strategy");
        assertThat(FakeLlm.calls()).containsExactly("gpt-4 #1", "gpt-3.5-turbo #1");
        assertThat(clock.sleeps()).isEmpty();
    }

    @Test
    void severalFallbacksAreTriedInPriorityOrder() {
        FakeLlm.failFirst("gpt-4", Integer.MAX_VALUE);
        FakeLlm.failFirst("gpt-3.5-turbo", Integer.MAX_VALUE);

        String answer = new Fallbacks.Priority.Gpt4().invoke("hello");

        assertThat(answer).isEqualTo("gpt-3.5-turbo-16k: hello");
        assertThat(FakeLlm.calls()).containsExactly("gpt-4 #1", "gpt-3.5-turbo #1", "gpt-3.5-turbo-16k #1");
    }

    @Test
    void whenEveryModelFailsThePrimarysFailureIsThrownWithTheOthersSuppressed() {
        FakeLlm.failFirst("gpt-4", Integer.MAX_VALUE);
        FakeLlm.failFirst("gpt-3.5-turbo", Integer.MAX_VALUE);
        FakeLlm.failFirst("gpt-3.5-turbo-16k", Integer.MAX_VALUE);

        Throwable thrown = catchThrowable(() -> new Fallbacks.Priority.Gpt4().invoke("hello"));

        List<LlmUnavailableException> failures = FakeLlm.thrown();
        assertThat(failures).hasSize(3);
        assertThat(thrown).isSameAs(failures.get(0));
        assertThat(thrown.getSuppressed()).containsExactly(failures.get(1), failures.get(2));
    }

    @Test
    void retryPlusFallbackRunsInTheSeedsExactOrder() {
        FakeLlm.failFirst("gpt-4", Integer.MAX_VALUE);
        FakeLlm.failFirst("gpt-3.5", 1);

        String answer = new RetryAndFallback.Gpt4().invoke("Explain retry and fallback");

        assertThat(answer).isEqualTo("gpt-3.5: Explain retry and fallback");
        assertThat(FakeLlm.calls()).containsExactly("gpt-4 #1", "gpt-4 #2", "gpt-3.5 #1", "gpt-3.5 #2");
        assertThat(clock.sleeps()).containsExactly(Duration.ofMillis(200), Duration.ofMillis(200));
    }

    @Test
    void theFallbackChainIsFlatTheAlternativeRunsItsOwnRetryOnce() {
        FakeLlm.failFirst("gpt-4", Integer.MAX_VALUE);
        FakeLlm.failFirst("gpt-3.5", Integer.MAX_VALUE);

        Throwable thrown = catchThrowable(() -> new RetryAndFallback.Gpt4().invoke("x"));

        // the woven Gpt35 applies no chain of its own when called as the alternative: 2 calls, not 4
        assertThat(FakeLlm.calls()).containsExactly("gpt-4 #1", "gpt-4 #2", "gpt-3.5 #1", "gpt-3.5 #2");
        assertThat(thrown).isSameAs(FakeLlm.thrown().get(1));
    }

    @Test
    void aClassMethodAnnotationWinsOverTheInterfaces() {
        FakeLlm.failFirst("gpt-4", 4);

        String answer = new OneModel.PatientGpt4().invoke("q");

        assertThat(answer).isEqualTo("gpt-4: q");
        assertThat(FakeLlm.calls()).hasSize(5);
        assertThat(clock.sleeps()).containsExactly(Duration.ofMillis(10), Duration.ofMillis(20),
                Duration.ofMillis(40), Duration.ofMillis(80));
    }

    @Test
    void aWovenAlternativeCalledDirectlyStillAppliesItsOwnPolicy() {
        FakeLlm.failFirst("gpt-3.5", 1);

        String answer = new RetryAndFallback.Gpt35().invoke("x");

        assertThat(answer).isEqualTo("gpt-3.5: x");
        assertThat(FakeLlm.calls()).containsExactly("gpt-3.5 #1", "gpt-3.5 #2");
    }

    @Test
    void aWovenAlternativeGivenToWithFallbacksStillAppliesItsOwnPolicy() {
        FakeLlm.failFirst("gpt-4", Integer.MAX_VALUE);
        FakeLlm.failFirst("gpt-3.5", 1);
        RetryAndFallback.Llm primary = prompt -> FakeLlm.complete("gpt-4", prompt);
        RetryAndFallback.Llm llm = Rebound.wrap(RetryAndFallback.Llm.class, primary).named("gpt-4")
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(300)).jitter(false).build())
                .withFallbacks(new RetryAndFallback.Gpt35())
                .build();

        String[] answer = {null};
        Throwable thrown = catchThrowable(() -> answer[0] = llm.invoke("x"));

        // called as it is: the woven Gpt35's own @Retry(attempts = 2, delay = 200), once
        assertThat(FakeLlm.calls()).containsExactly("gpt-4 #1", "gpt-4 #2", "gpt-3.5 #1", "gpt-3.5 #2");
        assertThat(clock.sleeps()).containsExactly(Duration.ofMillis(300), Duration.ofMillis(200));
        assertThat(thrown).isNull();
        assertThat(answer[0]).isEqualTo("gpt-3.5: x");
    }
}

package dev.rebound.ltw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rebound.it.llm.FakeLlm;
import dev.rebound.it.llm.LlmUnavailableException;
import dev.rebound.it.seed.Fallbacks;
import dev.rebound.it.seed.OneModel;
import dev.rebound.it.seed.RetryAndFallback;
import dev.rebound.it.seed.Sequence;
import dev.rebound.ltw.app.Models;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The seed examples of integration-tests' SeedExamplesTest, with the same expected values, over the
 * classes ajc wove (seen again by the agent) and over their javac-only twins woven by the agent.
 */
class SameAsCompileTimeTest extends VirtualClock {

    /** Where the primary model's class was woven. */
    enum Weaving {
        BY_AJC {
            @Override
            OneModel.Llm gpt4() {
                return new OneModel.Gpt4();
            }

            @Override
            OneModel.Llm patientGpt4() {
                return new OneModel.PatientGpt4();
            }

            @Override
            Sequence.Llm sequenceGpt4() {
                return new Sequence.Gpt4();
            }

            @Override
            Fallbacks.ThreeModels priorityGpt4() {
                return new Fallbacks.Priority.Gpt4();
            }

            @Override
            RetryAndFallback.Llm retryingGpt4() {
                return new RetryAndFallback.Gpt4();
            }
        },
        BY_AGENT {
            @Override
            OneModel.Llm gpt4() {
                return new Models.Gpt4();
            }

            @Override
            OneModel.Llm patientGpt4() {
                return new Models.PatientGpt4();
            }

            @Override
            Sequence.Llm sequenceGpt4() {
                return new Models.SequenceGpt4();
            }

            @Override
            Fallbacks.ThreeModels priorityGpt4() {
                return new Models.PriorityGpt4();
            }

            @Override
            RetryAndFallback.Llm retryingGpt4() {
                return new Models.RetryingGpt4();
            }
        };

        abstract OneModel.Llm gpt4();

        abstract OneModel.Llm patientGpt4();

        abstract Sequence.Llm sequenceGpt4();

        abstract Fallbacks.ThreeModels priorityGpt4();

        abstract RetryAndFallback.Llm retryingGpt4();
    }

    @ParameterizedTest
    @EnumSource(Weaving.class)
    void oneModelFailsTwiceAndAnswersOnTheThirdAttempt(Weaving weaving) {
        FakeLlm.failFirst("gpt-4", 2);
        OneModel.Llm llm = weaving.gpt4();

        String answer = llm.invoke("Explain retry in LLMs");

        assertThat(woven(llm.getClass())).isTrue();
        assertThat(answer).isEqualTo("gpt-4: Explain retry in LLMs");
        assertThat(FakeLlm.calls()).containsExactly("gpt-4 #1", "gpt-4 #2", "gpt-4 #3");
        List<Duration> waits = clock.sleeps();
        assertThat(waits).hasSize(2);
        assertThat(waits.get(0)).isBetween(Duration.ofMillis(250), Duration.ofMillis(500));
        assertThat(waits.get(1)).isBetween(Duration.ofMillis(500), Duration.ofMillis(1000));
    }

    @ParameterizedTest
    @EnumSource(Weaving.class)
    void oneModelGivesUpAfterThreeAttemptsWithTheLastFailureAndTheOthersSuppressed(Weaving weaving) {
        FakeLlm.failFirst("gpt-4", Integer.MAX_VALUE);
        OneModel.Llm llm = weaving.gpt4();

        Throwable thrown = catchThrowable(() -> llm.invoke("hi"));

        List<LlmUnavailableException> failures = FakeLlm.thrown();
        assertThat(failures).hasSize(3);
        assertThat(thrown).isSameAs(failures.get(2));
        assertThat(thrown.getSuppressed()).containsExactly(failures.get(0), failures.get(1));
    }

    @ParameterizedTest
    @EnumSource(Weaving.class)
    void retryInASequenceRerunsOnlyTheLlmStep(Weaving weaving) {
        FakeLlm.failFirst("gpt-4", 1);
        Sequence.Prompt prompt = new Sequence.Prompt();
        Sequence.Chain chain = new Sequence.Chain(prompt, weaving.sequenceGpt4());

        String answer = chain.invoke("What is retry logic?");

        assertThat(answer).isEqualTo("gpt-4: Answer briefly: What is retry logic?");
        assertThat(prompt.formatted()).hasSize(1);
        assertThat(FakeLlm.calls()).containsExactly("gpt-4 #1", "gpt-4 #2");
        assertThat(clock.sleeps()).containsExactly(Duration.ofMillis(100));
    }

    @ParameterizedTest
    @EnumSource(Weaving.class)
    void severalFallbacksAreTriedInPriorityOrder(Weaving weaving) {
        FakeLlm.failFirst("gpt-4", Integer.MAX_VALUE);
        FakeLlm.failFirst("gpt-3.5-turbo", Integer.MAX_VALUE);

        String answer = weaving.priorityGpt4().invoke("hello");

        assertThat(answer).isEqualTo("gpt-3.5-turbo-16k: hello");
        assertThat(FakeLlm.calls()).containsExactly("gpt-4 #1", "gpt-3.5-turbo #1", "gpt-3.5-turbo-16k #1");
    }

    @ParameterizedTest
    @EnumSource(Weaving.class)
    void whenEveryModelFailsThePrimarysFailureIsThrownWithTheOthersSuppressed(Weaving weaving) {
        FakeLlm.failFirst("gpt-4", Integer.MAX_VALUE);
        FakeLlm.failFirst("gpt-3.5-turbo", Integer.MAX_VALUE);
        FakeLlm.failFirst("gpt-3.5-turbo-16k", Integer.MAX_VALUE);
        Fallbacks.ThreeModels llm = weaving.priorityGpt4();

        Throwable thrown = catchThrowable(() -> llm.invoke("hello"));

        List<LlmUnavailableException> failures = FakeLlm.thrown();
        assertThat(failures).hasSize(3);
        assertThat(thrown).isSameAs(failures.get(0));
        assertThat(thrown.getSuppressed()).containsExactly(failures.get(1), failures.get(2));
    }

    @ParameterizedTest
    @EnumSource(Weaving.class)
    void retryPlusFallbackRunsInTheSeedsExactOrder(Weaving weaving) {
        FakeLlm.failFirst("gpt-4", Integer.MAX_VALUE);
        FakeLlm.failFirst("gpt-3.5", 1);

        String answer = weaving.retryingGpt4().invoke("Explain retry and fallback");

        assertThat(answer).isEqualTo("gpt-3.5: Explain retry and fallback");
        assertThat(FakeLlm.calls()).containsExactly("gpt-4 #1", "gpt-4 #2", "gpt-3.5 #1", "gpt-3.5 #2");
        assertThat(clock.sleeps()).containsExactly(Duration.ofMillis(200), Duration.ofMillis(200));
    }

    @ParameterizedTest
    @EnumSource(Weaving.class)
    void theFallbackChainIsFlatTheAlternativeRunsItsOwnRetryOnce(Weaving weaving) {
        FakeLlm.failFirst("gpt-4", Integer.MAX_VALUE);
        FakeLlm.failFirst("gpt-3.5", Integer.MAX_VALUE);
        RetryAndFallback.Llm llm = weaving.retryingGpt4();

        Throwable thrown = catchThrowable(() -> llm.invoke("x"));

        assertThat(FakeLlm.calls()).containsExactly("gpt-4 #1", "gpt-4 #2", "gpt-3.5 #1", "gpt-3.5 #2");
        assertThat(thrown).isSameAs(FakeLlm.thrown().get(1));
    }

    @ParameterizedTest
    @EnumSource(Weaving.class)
    void aClassMethodAnnotationWinsOverTheInterfaces(Weaving weaving) {
        FakeLlm.failFirst("gpt-4", 4);

        String answer = weaving.patientGpt4().invoke("q");

        assertThat(answer).isEqualTo("gpt-4: q");
        assertThat(FakeLlm.calls()).hasSize(5);
        assertThat(clock.sleeps()).containsExactly(Duration.ofMillis(10), Duration.ofMillis(20),
                Duration.ofMillis(40), Duration.ofMillis(80));
    }
}

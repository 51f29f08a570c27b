package dev.rebound.it.guides;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rebound.runtime.Batch;
import dev.rebound.runtime.CircuitBreakerPolicy;
import dev.rebound.runtime.Parallel;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The examples of docs/guides/wrap.md, run. */
class WrapGuideTest {

    private final VirtualTimeSource clock = new VirtualTimeSource();
    private final List<ReboundEvent> events = new CopyOnWriteArrayList<>();
    private final ReboundSettings settings = ReboundSettings.builder().timeSource(clock).listener(events::add).build();

    @Test
    void theBuildersPoliciesRetryThePrimaryThenCallTheFallbacksInOrder() {
        Scripted gpt4 = Scripted.down("gpt-4");
        Scripted gpt35 = Scripted.down("gpt-3.5-turbo");
        Scripted gpt35With16k = Scripted.failingThenAnswering("gpt-3.5-turbo-16k");
        // docs:wrap-builder
        GuideChat llm = Rebound.wrap(GuideChat.class, gpt4)
                .named("gpt-4")                                   // its name in events and logs
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(100)).build())
                .withFallbacks(gpt35, gpt35With16k)               // called as they are, in order
                // docs-omit
                .settings(settings)
                // /docs-omit
                .build();
        // /docs:wrap-builder

        assertThat(llm.chat("hi")).isEqualTo("gpt-3.5-turbo-16k: hi");
        assertThat(List.of(gpt4.calls(), gpt35.calls(), gpt35With16k.calls())).containsExactly(2, 1, 1);
        assertThat(clock.sleeps()).hasSize(1);
        assertThat(clock.sleeps().get(0)).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
        assertThat(events).filteredOn(e -> e.kind() == ReboundEvent.Kind.FALLBACK)
                .extracting(ReboundEvent::target, ReboundEvent::alternative)
                // alternatives passed as they are go by their simple class name, two of one class by their
                // position too; wrap one to name it
                .containsExactly(org.assertj.core.groups.Tuple.tuple("gpt-4", "Scripted#1"),
                        org.assertj.core.groups.Tuple.tuple("Scripted#1", "Scripted#2"));
    }

    @Test
    void aWrappedFallbackGetsItsOwnRetry() {
        Scripted gpt4 = Scripted.down("gpt-4");
        Scripted backup = Scripted.failingThenAnswering("gpt-3.5-turbo", new IllegalStateException("503"));
        // docs:wrap-fallback-with-retry
        GuideChat gpt35 = Rebound.wrap(GuideChat.class, backup)
                .withRetry(RetryPolicy.builder().attempts(2).build())
                // docs-omit
                .settings(settings)
                // /docs-omit
                .build();
        GuideChat llm = Rebound.wrap(GuideChat.class, gpt4)
                .withRetry(RetryPolicy.builder().attempts(3).build())
                .withFallbacks(gpt35)
                // docs-omit
                .settings(settings)
                // /docs-omit
                .build();
        // /docs:wrap-fallback-with-retry

        assertThat(llm.chat("hi")).isEqualTo("gpt-3.5-turbo: hi");
        assertThat(List.of(gpt4.calls(), backup.calls())).containsExactly(3, 2);
    }

    /**
     * A wrapped fallback is one call of the outer one: when it fails too, the caller's exception (the
     * primary's last) carries the primary's earlier failures and the fallback's last, which carries the
     * fallback's own earlier failure: each instance once, one level down.
     */
    @Test
    void whenAWrappedFallbackFailsTooItsEarlierFailuresAreSuppressedOnItsLast() {
        RuntimeException[] gpt4Failures = {new IllegalStateException("gpt-4 #1"),
                new IllegalStateException("gpt-4 #2"), new IllegalStateException("gpt-4 #3")};
        RuntimeException[] backupFailures = {new IllegalStateException("gpt-3.5 #1"),
                new IllegalStateException("gpt-3.5 #2")};
        GuideChat gpt35 = Rebound.wrap(GuideChat.class, Scripted.failingThenAnswering("gpt-3.5", backupFailures))
                .withRetry(RetryPolicy.builder().attempts(2).build()).settings(settings).build();
        GuideChat llm = Rebound.wrap(GuideChat.class, Scripted.failingThenAnswering("gpt-4", gpt4Failures))
                .withRetry(RetryPolicy.builder().attempts(3).build()).withFallbacks(gpt35).settings(settings)
                .build();

        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> llm.chat("hi"));

        assertThat(thrown).isSameAs(gpt4Failures[2]);
        assertThat(thrown.getSuppressed()).containsExactly(gpt4Failures[0], gpt4Failures[1], backupFailures[1]);
        assertThat(backupFailures[1].getSuppressed()).containsExactly(backupFailures[0]);
    }

    @Test
    void aBreakerAndABudgetStopCallingADeadPrimary() {
        Scripted gpt4 = Scripted.down("gpt-4");
        Scripted local = Scripted.failingThenAnswering("local");
        // docs:wrap-breaker
        GuideChat llm = Rebound.wrap(GuideChat.class, gpt4)
                .withRetry(RetryPolicy.builder().attempts(3).budgetRatio(0.2).build())
                .withCircuitBreaker(CircuitBreakerPolicy.builder().delay(Duration.ofSeconds(30)).build())
                .withFallbacks(local)
                // docs-omit
                .settings(settings)
                // /docs-omit
                .build();
        // /docs:wrap-breaker

        for (int i = 0; i < 100; i++) {
            assertThat(llm.chat("q" + i)).isEqualTo("local: q" + i);
        }
        // the window of 20 fills, the breaker opens, and the next calls never reach gpt-4
        assertThat(gpt4.calls()).isBetween(20, 30);
        assertThat(events).filteredOn(e -> e.kind() == ReboundEvent.Kind.CIRCUIT_OPENED).hasSize(1);
    }

    @Test
    void parallelAndBatch() {
        GuideChat llm = Rebound.wrap(GuideChat.class, Scripted.failingThenAnswering("gpt-4"))
                .settings(settings).build();
        GuideChat docs = Scripted.failingThenAnswering("docs");
        GuideChat faq = Scripted.failingThenAnswering("faq");
        String query = "retry";
        List<String> questions = List.of("a", "b", "c");
        // docs:parallel-and-batch
        // branches at once; the first to fail for good fails the whole and cancels (interrupts) the rest
        List<String> contexts = Parallel.invokeAll(
                () -> docs.chat(query),
                () -> faq.chat(query));

        // each input its own call: own attempts, own failure; at most 4 at a time; results in input order
        List<Batch.Result<String>> answers = Batch.map(questions, 4, llm::chat);
        answers.get(2).isSuccess();   // then value() or failure()
        // /docs:parallel-and-batch

        assertThat(contexts).containsExactly("docs: retry", "faq: retry");
        assertThat(answers).extracting(Batch.Result::value).containsExactly("gpt-4: a", "gpt-4: b", "gpt-4: c");
    }

    /** The asynchronous chat interface of the guide's example. */
    public interface AsyncGuideChat {
        CompletableFuture<String> chat(String prompt);
    }

    /**
     * The faq branch fails for good while the docs branch waits on an asynchronous call whose retry
     * waits between attempts: the branch, cancelled, cancels the call's future, and the call tries
     * nothing more, though its clock goes on.
     */
    @Test
    void aBranchWaitingOnAnAsyncCallCancelsItWhenInterrupted() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        CountDownLatch firstFailed = new CountDownLatch(1);
        AsyncGuideChat asyncDocs = Rebound.wrap(AsyncGuideChat.class, (AsyncGuideChat) p -> {
            attempts.incrementAndGet();
            firstFailed.countDown();
            return CompletableFuture.failedFuture(new IllegalStateException("docs busy"));
        }).withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(100)).build())
                .settings(settings).build();
        IllegalStateException faqDown = new IllegalStateException("faq down");
        GuideChat faq = p -> {
            try {
                firstFailed.await();
                clock.awaitPendingTasks(1, Duration.ofSeconds(5)); // the docs call's retry waits
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw faqDown;
        };
        String query = "retry";

        Throwable thrown = catchThrowable(() -> {
            // docs:parallel-async-branch
            List<String> contexts = Parallel.invokeAll(
                    () -> {
                        CompletableFuture<String> answer = asyncDocs.chat(query);
                        try {
                            return answer.get();
                        } catch (InterruptedException e) {
                            answer.cancel(true);   // stops its retries: the branch was cancelled
                            throw e;
                        }
                    },
                    () -> faq.chat(query));
            // /docs:parallel-async-branch
        });
        clock.advance(Duration.ofSeconds(10)); // when a retry left running would try again

        assertThat(thrown).isSameAs(faqDown);
        assertThat(attempts).as("attempts of the cancelled branch's call").hasValue(1);
    }
}

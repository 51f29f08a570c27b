package dev.rebound.runtime;

import static dev.rebound.runtime.langchain4j.LoopbackModels.openAi;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.model.chat.ChatModel;
import dev.rebound.modelserver.Fault;
import dev.rebound.modelserver.ModelServer;
import dev.rebound.modelserver.ModelServerExtension;
import dev.rebound.modelserver.ServedRequest;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class BatchTest {

    @RegisterExtension
    static final ModelServerExtension models = new ModelServerExtension();
    private static final ModelServer server = models.server();

    @Test
    void eachInputIsItsOwnCallWithItsOwnAttemptsAndResultsComeInInputOrder() {
        List<String> questions = List.of("question A", "question B", "question C", "question D", "question E");
        server.scriptForPrompt("gpt-4", "question B", Fault.unavailable(), Fault.unavailable());
        server.scriptForPrompt("gpt-4", "question D", Fault.serverError(), Fault.serverError(), Fault.serverError());
        VirtualTimeSource clock = new VirtualTimeSource();
        ChatModel gpt4 = Rebound.wrap(ChatModel.class, openAi(server, "gpt-4"))
                .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(100)).jitter(false).build())
                .settings(ReboundSettings.builder().timeSource(clock).logging(false).build()).build();

        List<Batch.Result<String>> results = Batch.map(questions, 2, gpt4::chat);

        assertThat(results).extracting(Batch.Result::index).containsExactly(0, 1, 2, 3, 4);
        assertThat(results).extracting(Batch.Result::isSuccess).containsExactly(true, true, true, false, true);
        for (int i : new int[] {0, 1, 2, 4}) {
            assertThat(results.get(i).value()).isEqualTo(ModelServer.answerFor("gpt-4", questions.get(i)));
        }
        assertThat(results.get(3).failure()).isInstanceOf(InternalServerException.class);
        Map<String, Long> requestsPerInput = server.log().stream()
                .collect(Collectors.groupingBy(ServedRequest::promptDigest, Collectors.counting()));
        assertThat(questions.stream().map(q -> requestsPerInput.get(ModelServer.digest(q))))
                .containsExactly(1L, 3L, 1L, 3L, 1L);
        assertThat(clock.sleeps()).containsExactlyInAnyOrder(Duration.ofMillis(100), Duration.ofMillis(200),
                Duration.ofMillis(100), Duration.ofMillis(200));
    }

    @Test
    void concurrencyIsBoundedAndReached() {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        CyclicBarrier pair = new CyclicBarrier(2);

        List<Batch.Result<Integer>> results = Batch.map(List.of(1, 2, 3, 4, 5, 6), 2, i -> {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                pair.await(5, TimeUnit.SECONDS); // two at a time, or this times out
                return i * 10;
            } finally {
                running.decrementAndGet();
            }
        });

        assertThat(results).extracting(Batch.Result::value).containsExactly(10, 20, 30, 40, 50, 60);
        assertThat(most).hasValue(2);
    }

    @Test
    void aSlowOrFailingInputNeverHoldsUpTheOthers() {
        CountDownLatch othersDone = new CountDownLatch(3);
        IllegalStateException own = new IllegalStateException("input 0");

        List<Batch.Result<String>> results = Batch.map(List.of("slow", "b", "c", "d"), 2, s -> {
            if (s.equals("slow")) {
                if (!othersDone.await(5, TimeUnit.SECONDS)) {
                    return "others waited for me";
                }
                throw own;
            }
            othersDone.countDown();
            return s.toUpperCase();
        });

        assertThat(results.get(0).failure()).isSameAs(own);
        assertThat(results.subList(1, 4)).extracting(Batch.Result::value).containsExactly("B", "C", "D");
        assertThatThrownBy(() -> results.get(0).value()).isInstanceOf(NoSuchElementException.class).hasCause(own);
        assertThat(results.get(0).toString()).isEqualTo("Result[0 failed: java.lang.IllegalStateException]");
    }

    @Test
    void anInputLeftUnrunByAnInterruptedWorkerIsReportedNotLost() {
        // one worker; the first call leaves its thread interrupted, so the worker takes no more input
        List<Batch.Result<String>> results = Batch.map(List.of("a", "b"), 1, s -> {
            Thread.currentThread().interrupt();
            return s;
        });

        assertThat(results.get(0).value()).isEqualTo("a");
        assertThat(results.get(1).failure()).isInstanceOf(java.util.concurrent.CancellationException.class);
    }

    @Test
    void badArgumentsAreRefusedAndEmptyIsEmpty() {
        assertThat(Batch.map(List.<String>of(), 3, s -> s)).isEmpty();
        assertThatThrownBy(() -> Batch.map(List.of("a"), 0, s -> s))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxConcurrency = 0 is below 1");
    }

    /**
     * A retrying method that runs its inputs through a retrying model: 3 x 3 requests per input, and the
     * nesting is warned about once, though each model call runs on a branch thread.
     */
    @Test
    void aRetryingModelInABatchOfARetryingMethodIsWarnedAboutAsNestedRetries() {
        server.always("gpt-4o", Fault.unavailable());
        ReboundSettings settings = ReboundSettings.builder().timeSource(new VirtualTimeSource()).build();
        RetryPolicy threeAttempts = RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(100)).build();
        ChatModel model = Rebound.wrap(ChatModel.class, openAi(server, "gpt-4o")).named("gpt-4o")
                .withRetry(threeAttempts).settings(settings).build();
        Summarizer summarizer = Rebound.wrap(Summarizer.class, (Summarizer) questions -> {
            for (Batch.Result<String> r : Batch.map(questions, 2, model::chat)) {
                r.value(); // the first failed input fails the summary
            }
            return "summary";
        }).named("summarizer").withRetry(threeAttempts).settings(settings).build();

        String log = StdErr.during(() -> assertThatThrownBy(() -> summarizer.summarize(List.of("a", "b")))
                .isInstanceOf(NoSuchElementException.class));

        assertThat(server.requests("gpt-4o")).as("3 x 2 inputs x 3 requests").isEqualTo(18);
        assertThat(log.lines().filter(l -> l.contains("Nested retries: Summarizer.summarize(List) (3 attempts) calls "
                + "ChatModel.chat(String) (3 attempts), so one call of Summarizer.summarize(List) can make up to 9 "
                + "attempts of ChatModel.chat(String)")).count()).isEqualTo(1);
    }

    /** A method that answers several questions at once. */
    public interface Summarizer {
        String summarize(List<String> questions);
    }
}

package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The nested-retry warning on asynchronous calls, as on synchronous ones: a retrying method that calls
 * another retrying method whose result is a future (or a stream) multiplies the attempts, and is warned
 * about once. When the inner call's first attempt fails on the caller's stack (a future that has failed
 * already, a target that throws), the stack is walked then; when it fails later on another thread,
 * where no enclosing method shows, the inner method's next call walks its own caller's stack instead.
 */
class AsyncNestedRetriesTest {

    private static final RetryPolicy THREE = RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(10))
            .jitter(false).build();

    private final VirtualTimeSource clock = new VirtualTimeSource();
    private final ReboundSettings settings = ReboundSettings.builder().timeSource(clock).build();

    interface Search {
        CompletableFuture<String> find(String query);
    }

    interface Answers {
        CompletableFuture<String> answer(String question);
    }

    /** Answers by searching: the inner call's future is the outer call's. */
    static final class Assistant implements Answers {
        private final Search search;

        Assistant(Search search) {
            this.search = search;
        }

        @Override
        public CompletableFuture<String> answer(String question) {
            return search.find(question);
        }
    }

    /** A search whose futures the test completes, from its own stack, after the calls returned. */
    static final class LateIndex implements Search {
        final List<CompletableFuture<String>> returned = new CopyOnWriteArrayList<>();

        @Override
        public CompletableFuture<String> find(String query) {
            CompletableFuture<String> f = new CompletableFuture<>();
            returned.add(f);
            return f;
        }
    }

    private static final String WARNING = "Nested retries: Answers.answer(String) (3 attempts) calls "
            + "Search.find(String) (3 attempts), so one call of Answers.answer(String) can make up to 9 "
            + "attempts of Search.find(String)";

    @Test
    void anInnerFutureThatHasFailedAlreadyIsCheckedOnTheCallersStack() {
        Search search = Rebound.wrap(Search.class, (Search) q -> CompletableFuture.failedFuture(new IOException("503")))
                .withRetry(THREE).settings(settings).build();
        Answers answers = Rebound.wrap(Answers.class, (Answers) new Assistant(search)).withRetry(THREE)
                .settings(settings).build();

        String log = StdErr.during(() -> {
            CompletableFuture<String> first = answers.answer("q");
            clock.runScheduled();
            assertThat(first).isCompletedExceptionally();
        });

        assertThat(count(log, WARNING)).isEqualTo(1);
    }

    @Test
    void anInnerFutureThatFailsLaterIsCheckedFromTheNextCallersStackOnce() {
        LateIndex index = new LateIndex();
        Search search = Rebound.wrap(Search.class, (Search) index).withRetry(THREE).settings(settings).build();
        Answers answers = Rebound.wrap(Answers.class, (Answers) new Assistant(search)).withRetry(THREE)
                .settings(settings).build();

        String log = StdErr.during(() -> {
            answers.answer("q");
            index.returned.get(0).completeExceptionally(new IOException("503")); // no Answers frame here
            answers.answer("q"); // the check runs here, from inside Answers.answer
            index.returned.get(1).completeExceptionally(new IOException("503"));
            answers.answer("q");
        });

        assertThat(count(log, WARNING)).isEqualTo(1);
        assertThat(index.returned).as("the inner retries wait on the virtual clock").hasSize(3);
    }

    /** An outer target written as a lambda (a hidden class) is found on the next caller's stack too. */
    @Test
    void anInnerFutureThatFailsLaterInsideALambdaTargetIsWarnedAboutOnce() {
        LateIndex index = new LateIndex();
        // the inner a lambda too: its own method, whose failures no other test has counted (sampling)
        Search search = Rebound.wrap(Search.class, (Search) q -> index.find(q)).withRetry(THREE).settings(settings)
                .build();
        Answers answers = Rebound.wrap(Answers.class, (Answers) q -> search.find(q)).withRetry(THREE)
                .settings(settings).build();

        String log = StdErr.during(() -> {
            answers.answer("q");
            index.returned.get(0).completeExceptionally(new IOException("503")); // no Answers frame here
            answers.answer("q"); // the check runs here, from inside the lambda's Answers.answer
        });

        assertThat(count(log, WARNING)).isEqualTo(1);
        assertThat(index.returned).hasSize(2);
    }

    @Test
    void anInnerFutureAloneIsNeverWarnedAbout() {
        LateIndex index = new LateIndex();
        Search search = Rebound.wrap(Search.class, (Search) index).withRetry(THREE).settings(settings).build();

        String log = StdErr.during(() -> {
            search.find("q");
            index.returned.get(0).completeExceptionally(new IOException("503"));
            search.find("q");
            clock.runScheduled();
        });

        assertThat(log).doesNotContain("Nested retries");
    }

    /** A streaming client (langchain4j's handler), and an outer method that retries around it. */
    interface Streamer {
        void stream(String prompt, StreamingChatResponseHandler handler);
    }

    interface Summaries {
        String summarise(String text) throws IOException;
    }

    /** Starts a stream and gives up at once. */
    static final class Summariser implements Summaries {
        private final Streamer streamer;

        Summariser(Streamer streamer) {
            this.streamer = streamer;
        }

        @Override
        public String summarise(String text) throws IOException {
            streamer.stream(text, new StreamingChatResponseHandler() {
                @Override
                public void onCompleteResponse(ChatResponse response) {
                }

                @Override
                public void onError(Throwable error) {
                }
            });
            throw new IOException("no answer yet");
        }
    }

    @Test
    void aRetryAroundARetryingStreamIsWarnedAboutFromTheNextStreamedCall() {
        List<StreamingChatResponseHandler> handlers = new CopyOnWriteArrayList<>();
        Streamer streamer = Rebound.wrap(Streamer.class, (Streamer) (p, h) -> handlers.add(h)).withRetry(THREE)
                .settings(settings).build();
        Summaries summaries = Rebound.wrap(Summaries.class, (Summaries) new Summariser(streamer)).withRetry(THREE)
                .settings(settings).build();

        String log = StdErr.during(() -> {
            try {
                summaries.summarise("t");
            } catch (IOException expected) {
                // the outer retries ran: three streams started, none failed yet
            }
            handlers.get(0).onError(new IOException("503 before the first token")); // on no Summaries frame
            try {
                summaries.summarise("t");
            } catch (IOException expected) {
                // the streams started here check the nesting from inside Summaries.summarise
            }
        });

        assertThat(count(log, "Nested retries: Summaries.summarise(String) (3 attempts) calls "
                + "Streamer.stream(String, StreamingChatResponseHandler) (3 attempts)")).isEqualTo(1);
    }

    private static long count(String log, String line) {
        return log.lines().filter(l -> l.contains(line)).count();
    }
}

package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.rebound.it.plain.PlainAsyncChat;
import dev.rebound.it.woven.AsyncChat;
import dev.rebound.runtime.langchain4j.PartialStreamException;
import dev.rebound.weaver.Woven;
import dev.rebound.weaver.guice.ReboundModule;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * CompletionStage and streaming methods through the AspectJ and Guice doors, on the virtual clock:
 * the same chain as through Rebound.wrap (AsyncCallsTest, ResilientStreamingTest), so the same script.
 */
class AsyncDoorsTest extends VirtualTime {

    @BeforeEach
    void resetScript() {
        AsyncScript.reset();
    }

    private void futures(Function<String, CompletableFuture<String>> chat) {
        // two failed futures, then an answer: waits of 100 and 200 ms scheduled, never slept
        AsyncScript.failFirst("primary", 2);
        CompletableFuture<String> answer = chat.apply("q");
        assertThat(answer).isNotDone();
        assertThat(clock.runScheduled()).isEqualTo(2);
        assertThat(answer.join()).isEqualTo("primary: q");
        assertThat(clock.scheduled()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
        assertThat(clock.sleeps()).isEmpty();

        // three failures: the fallback answers
        AsyncScript.reset();
        AsyncScript.failFirst("primary", 3);
        CompletableFuture<String> fallback = chat.apply("r");
        clock.runScheduled();
        assertThat(fallback.join()).isEqualTo("local: r");
        assertThat(AsyncScript.calls()).containsExactly("primary #1", "primary #2", "primary #3", "local #1");

        // cancelled during its backoff: no further attempt
        AsyncScript.reset();
        AsyncScript.failFirst("primary", 1);
        CompletableFuture<String> cancelled = chat.apply("s");
        cancelled.cancel(true);
        assertThat(clock.runScheduled()).isZero();
        assertThat(AsyncScript.calls()).containsExactly("primary #1");
    }

    private void streams(BiConsumer<String, StreamingChatResponseHandler> stream) {
        // a failure before the first token is retried unseen: one attempt's tokens, one completion
        AsyncScript.failFirst("primary", 1);
        SeenStream seen = new SeenStream();
        stream.accept("hello there", seen);
        clock.runScheduled();
        assertThat(seen.events).containsExactly("primary:", " hello", " there", "complete");
        assertThat(AsyncScript.calls()).containsExactly("primary #1", "primary #2");

        // everything fails before its first token: the primary's last failure, the others suppressed
        AsyncScript.reset();
        AsyncScript.failFirst("primary", 2);
        AsyncScript.failFirst("local", 2); // the fallback has its own @Retry(attempts = 2)
        SeenStream failed = new SeenStream();
        stream.accept("x", failed);
        clock.runScheduled();
        List<Throwable> f = AsyncScript.FAILURES;
        assertThat(failed.events).containsExactly("error");
        assertThat(failed.errors.get(0)).isSameAs(f.get(1));
        assertThat(failed.errors.get(0).getSuppressed()).containsExactly(f.get(0), f.get(2), f.get(3));

        // the target throws on its own stack after its first token: the stream was the caller's, never restarted
        AsyncScript.reset();
        AsyncScript.throwAfterFirstToken("primary");
        SeenStream cut = new SeenStream();
        stream.accept("y", cut);
        clock.runScheduled();
        assertThat(cut.events).containsExactly("primary:", "error");
        assertThat(cut.errors.get(0)).isInstanceOfSatisfying(PartialStreamException.class, e -> {
            assertThat(e.partialText()).isEqualTo("primary:");
            assertThat(e.getCause()).isSameAs(AsyncScript.FAILURES.get(0));
        });
        assertThat(AsyncScript.calls()).containsExactly("primary #1");
    }

    @Test
    void theAspectRetriesAndFallsBackOnFuturesAndStreams() {
        AsyncChat chat = new AsyncChat.Primary();
        assertThat(chat).isInstanceOf(Woven.class);

        futures(chat::chat);
        AsyncScript.reset();
        streams(chat::stream);
    }

    @Test
    void guiceRetriesAndFallsBackOnFuturesAndStreams() {
        PlainAsyncChat chat = Guice.createInjector(new ReboundModule(), new AbstractModule() {
            @Override
            protected void configure() {
                bind(PlainAsyncChat.class).to(PlainAsyncChat.Primary.class);
            }
        }).getInstance(PlainAsyncChat.class);
        assertThat(chat).isNotInstanceOf(Woven.class);

        futures(chat::chat);
        AsyncScript.reset();
        streams(chat::stream);
    }
}

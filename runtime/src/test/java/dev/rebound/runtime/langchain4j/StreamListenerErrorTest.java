package dev.rebound.runtime.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundEvent.Kind;
import dev.rebound.runtime.ReboundListener;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.StdErr;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A listener that throws an Error ends a streamed call as it ends any asynchronous one
 * ({@code AsyncListenerErrorTest}): the caller's handler gets it as its one ending, {@code onError},
 * and nothing more of the stream; with in-memory models on the virtual clock.
 */
class StreamListenerErrorTest {

    private final VirtualTimeSource clock = new VirtualTimeSource();
    private final AssertionError bug = new AssertionError("listener bug");

    /** A listener that throws {@link #bug} on every event of {@code kind}. */
    private ReboundListener throwingOn(Kind kind) {
        return e -> {
            if (e.kind() == kind) {
                throw bug;
            }
        };
    }

    private StreamingChatModel resilient(ScriptedStream model, ReboundListener listener) {
        return Rebound.wrap(StreamingChatModel.class, model).named("primary")
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(100)).jitter(false).build())
                .settings(ReboundSettings.builder().timeSource(clock).logging(false).listener(listener).build())
                .build();
    }

    private static ChatResponse answer(String text) {
        return ChatResponse.builder().aiMessage(AiMessage.from(text)).build();
    }

    /**
     * The retried stream's first token is what the call's SUCCEEDED waits for; a listener throws on it.
     * The handler gets the Error as its one ending: neither that token nor the rest of the stream.
     */
    @Test
    void aStreamedCallsHandlerGetsAnErrorOnSucceededAsItsOneEnding() {
        ScriptedStream model = new ScriptedStream().then(h -> h.onError(new IOException("503")))
                .then(h -> { /* answers when the test says */ });
        RecordingStreamHandler seen = new RecordingStreamHandler();

        resilient(model, throwingOn(Kind.SUCCEEDED)).chat("q", seen);
        clock.runScheduled();
        StreamingChatResponseHandler second = model.handlers.get(1);
        second.onPartialResponse("a");
        second.onPartialResponse("b");
        second.onCompleteResponse(answer("ab"));

        assertThat(seen.errors).containsExactly(bug);
        assertThat(seen.endings).hasValue(1);
        assertThat(seen.tokens).isEmpty();
        assertThat(model.handlers).as("not run again").hasSize(2);
    }

    /**
     * A stream that answered before the chain heard of its first token (a model that streams on the
     * caller's thread) has had its ending: the Error has nobody to go to and is logged, never a second
     * ending.
     */
    @Test
    void anErrorOnSucceededAfterTheStreamEndedIsLoggedNeverASecondEnding() {
        ScriptedStream model = new ScriptedStream().then(h -> h.onError(new IOException("503"))).then(h -> {
            h.onPartialResponse("a");
            h.onCompleteResponse(answer("a"));
        });
        RecordingStreamHandler seen = new RecordingStreamHandler();
        StreamingChatModel resilient = resilient(model, throwingOn(Kind.SUCCEEDED));

        String log = StdErr.during(() -> {
            resilient.chat("q", seen);
            clock.runScheduled();
        });

        assertThat(seen.tokens).containsExactly("a");
        assertThat(seen.endingKinds).containsExactly("complete");
        assertThat(log).contains("a Rebound listener threw java.lang.AssertionError after the caller had the"
                + " call's outcome; not delivered");
    }

    /** A listener throws on STREAM_BROKEN: the handler's one ending is the Error, the break suppressed on it. */
    @Test
    void anErrorOnStreamBrokenIsTheHandlersOneEnding() {
        IOException cut = new IOException("connection reset");
        ScriptedStream model = new ScriptedStream().then(h -> {
            h.onPartialResponse("a");
            h.onError(cut);
            h.onCompleteResponse(answer("a")); // langchain4j's second ending of a cut stream
        });
        RecordingStreamHandler seen = new RecordingStreamHandler();

        resilient(model, throwingOn(Kind.STREAM_BROKEN)).chat("q", seen);

        assertThat(seen.tokens).containsExactly("a");
        assertThat(seen.errors).containsExactly(bug);
        assertThat(seen.endings).hasValue(1);
        assertThat(bug.getSuppressed()).singleElement().isInstanceOfSatisfying(PartialStreamException.class,
                p -> assertThat(p).hasCause(cut));
    }

    /** The attempt failed before its first token and a listener throws on RETRY_SCHEDULED: one onError, the Error. */
    @Test
    void anErrorBeforeAnyTokenIsTheHandlersOneEnding() {
        IOException failure = new IOException("503");
        ScriptedStream model = new ScriptedStream().then(h -> h.onError(failure));
        RecordingStreamHandler seen = new RecordingStreamHandler();

        resilient(model, throwingOn(Kind.RETRY_SCHEDULED)).chat("q", seen);
        clock.runScheduled();

        assertThat(seen.errors).containsExactly(bug);
        assertThat(seen.endings).hasValue(1);
        assertThat(bug.getSuppressed()).containsExactly(failure);
        assertThat(model.handlers).as("not run again").hasSize(1);
    }
}

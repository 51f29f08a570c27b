package dev.rebound.runtime.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.model.output.FinishReason;
import dev.rebound.modelserver.Fault;
import dev.rebound.modelserver.ModelServer;
import dev.rebound.modelserver.ModelServerExtension;
import dev.rebound.modelserver.ServedRequest;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The model server's streaming faults as langchain4j's own OpenAI streaming client sees them over
 * loopback HTTP, without Rebound: what each fault does to a caller's handler.
 */
class StreamingFaultsOverHttpTest {

    private static final String PROMPT = "Stream me an answer";
    private static final String ANSWER = ModelServer.answerFor("gpt-4", PROMPT);

    @RegisterExtension
    static final ModelServerExtension models = new ModelServerExtension();
    private static final ModelServer server = models.server();

    private static RecordingStreamHandler stream(String model) throws Exception {
        RecordingStreamHandler handler = new RecordingStreamHandler();
        LoopbackModels.openAiStreaming(server, model).chat(PROMPT, handler);
        return handler.awaitEnd();
    }

    @Test
    void answerStreamsOneChunkPerTokenThenCompletes() throws Exception {
        RecordingStreamHandler h = stream("gpt-4");
        assertThat(h.tokens).containsExactlyElementsOf(ModelServer.tokensOf(ANSWER)).hasSize(4);
        assertThat(h.text()).isEqualTo(ANSWER);
        assertThat(h.errors).isEmpty();
        assertThat(h.completions).singleElement()
                .satisfies(r -> assertThat(r.aiMessage().text()).isEqualTo(ANSWER));
        assertThat(h.endings).hasValue(1);
        assertThat(server.log()).singleElement().satisfies(r -> {
            assertThat(r.streamed()).isTrue();
            assertThat(r.fault().toString()).isEqualTo("200");
        });
    }

    @Test
    void errorStatusAtOpenReachesTheHandlerBeforeAnyToken() throws Exception {
        server.script("gpt-4", Fault.unavailable(), Fault.rateLimited(Duration.ofMillis(1500)));
        RecordingStreamHandler unavailable = stream("gpt-4");
        RecordingStreamHandler limited = stream("gpt-4");
        assertThat(unavailable.tokens).isEmpty();
        assertThat(unavailable.errors).singleElement().isInstanceOf(InternalServerException.class);
        assertThat(limited.errors).singleElement().isInstanceOf(RateLimitException.class);
        assertThat(server.log()).extracting(r -> r.fault().toString())
                .containsExactly("503", "429 Retry-After=2");
    }

    @Test
    void stallBeforeTheFirstTokenDelaysTheWholeStream() throws Exception {
        server.script("gpt-4", Fault.stallBeforeFirstToken(Duration.ofMillis(200)));
        RecordingStreamHandler h = stream("gpt-4");
        assertThat(h.text()).isEqualTo(ANSWER);
        assertThat(h.completions).hasSize(1);
        assertThat(server.log()).extracting(r -> r.fault().toString()).containsExactly("stall 200ms");
    }

    /**
     * langchain4j 1.19 ends a cut stream twice: onError ("closed"), then onCompleteResponse with the
     * text so far and no finish reason. A handler that counts on one ending sees an answer cut short
     * as complete, which is why Rebound's streaming keeps the first ending only and takes a
     * completion without a finish reason for a broken stream.
     */
    @Test
    void cutMidStreamEndsTwiceErrorThenCompletionWithoutFinishReason() throws Exception {
        server.script("gpt-4", Fault.cutMidStream(2));
        RecordingStreamHandler h = new RecordingStreamHandler();
        LoopbackModels.openAiStreaming(server, "gpt-4").chat(PROMPT, h);
        h.awaitCompletion();
        assertThat(h.tokens).containsExactlyElementsOf(ModelServer.tokensOf(ANSWER).subList(0, 2));
        assertThat(h.endingKinds).containsExactly("error", "complete");
        assertThat(h.completions).singleElement().satisfies(r -> {
            assertThat(r.aiMessage().text()).isEqualTo("gpt-4 answers");
            assertThat(r.finishReason()).isNull();
        });
        assertThat(server.log()).extracting(r -> r.fault().toString()).containsExactly("cut after 2 tokens");
    }

    /**
     * A cut before the first token ends the stream with an error, on one of two courses that the JDK client's
     * timing decides (the server's bytes are the same): the response is handed over, its body read fails,
     * langchain4j's parser calls onError, then onCompleteResponse with nothing in it (ended twice, as a cut
     * after tokens); or the JDK client fails the exchange before handing the response over, and onError is
     * the one ending (seen under load). Rebound takes the first ending either way.
     */
    @Test
    void cutBeforeTheFirstTokenEndsWithAnErrorFirstAndAnyCompletionAfterItIsEmpty() throws Exception {
        server.script("gpt-4", Fault.cutMidStream(0));
        RecordingStreamHandler h = stream("gpt-4");
        assertThat(h.tokens).isEmpty();
        assertThat(h.endingKinds).first().isEqualTo("error");
        assertThat(h.completions).allSatisfy(r -> {
            assertThat(r.aiMessage().text()).isNull();
            assertThat(r.finishReason()).isNull();
        });
    }

    @Test
    void aCompleteStreamHasAFinishReason() throws Exception {
        assertThat(stream("gpt-4").completions).singleElement()
                .satisfies(r -> assertThat(r.finishReason()).isEqualTo(FinishReason.STOP));
    }

    @Test
    void malformedChunkEndsTwiceToo() throws Exception {
        server.script("gpt-4", Fault.malformedChunk(1));
        RecordingStreamHandler h = new RecordingStreamHandler();
        LoopbackModels.openAiStreaming(server, "gpt-4").chat(PROMPT, h);
        h.awaitCompletion();
        assertThat(h.tokens).containsExactly(ModelServer.tokensOf(ANSWER).get(0));
        assertThat(h.endingKinds).containsExactly("error", "complete");
        assertThat(h.completions.get(0).finishReason()).isNull();
    }

    @Test
    void droppedConnectionIsAnErrorWithoutTokens() throws Exception {
        server.script("gpt-4", Fault.dropConnection());
        RecordingStreamHandler h = stream("gpt-4");
        assertThat(h.tokens).isEmpty();
        assertThat(h.errors).hasSize(1);
        assertThat(server.log()).extracting(ServedRequest::streamed).containsExactly(true);
        assertThat(server.requests("gpt-4")).isEqualTo(1);
    }
}

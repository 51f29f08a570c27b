package dev.rebound.runtime.langchain4j;

import static dev.rebound.runtime.langchain4j.LoopbackModels.openAi;
import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.rebound.modelserver.Fault;
import dev.rebound.modelserver.ModelServer;
import dev.rebound.modelserver.ModelServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Issue 13, item 4: the ready-made predicates judge real answers of langchain4j's OpenAI client. */
class ChatResultsOverHttpTest {

    @RegisterExtension
    static final ModelServerExtension models = new ModelServerExtension();
    private static final ModelServer server = models.server();

    private static ChatResponse answer(Fault fault) {
        server.reset();
        server.script("gpt-4", fault);
        return openAi(server, "gpt-4").chat(ChatRequest.builder().messages(UserMessage.from("Explain retries")).build());
    }

    @Test
    void aTruncatedAnswerIsRejectedByTruncatedOnly() {
        ChatResponse r = answer(Fault.truncatedAnswer());

        assertThat(r.aiMessage().text()).isNotBlank();
        assertThat(ChatResults.truncated().test(r)).isTrue();
        assertThat(ChatResults.blank().test(r)).isFalse();
        assertThat(ChatResults.contentFiltered().test(r)).isFalse();
    }

    @Test
    void aContentFilterStopIsRejectedByContentFiltered() {
        ChatResponse r = answer(Fault.contentFiltered());

        assertThat(ChatResults.contentFiltered().test(r)).isTrue();
        assertThat(ChatResults.truncated().test(r)).isFalse();
    }

    @Test
    void aBlankAnswerIsRejectedByBlankWhateverItsShape() {
        ChatResponse r = answer(Fault.blankAnswer());

        assertThat(ChatResults.blank().test(r)).isTrue();
        assertThat(ChatResults.blank().test(r.aiMessage())).isTrue();
        assertThat(ChatResults.blank().test("  ")).isTrue();
        assertThat(ChatResults.blank().test(null)).isTrue();
        assertThat(ChatResults.truncated().test(r)).isFalse();
    }

    @Test
    void aGoodAnswerIsRejectedByNone() {
        ChatResponse r = answer(Fault.answer());

        assertThat(r.aiMessage().text()).isEqualTo(ModelServer.answerFor("gpt-4", "Explain retries"));
        assertThat(ChatResults.blank().test(r)).isFalse();
        assertThat(ChatResults.blank().test(AiMessage.from("hi"))).isFalse();
        assertThat(ChatResults.truncated().test(r)).isFalse();
        assertThat(ChatResults.contentFiltered().test(r)).isFalse();
        assertThat(ChatResults.truncated().test("a string has no finish reason")).isFalse();
    }
}

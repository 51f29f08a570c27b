package dev.rebound.demo;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.input.PromptTemplate;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.retriever.ContentRetriever;
import dev.langchain4j.rag.query.Query;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The seed's RAG chain in Java: {@code {question, context: retriever} | prompt | llm}. Retrieval runs
 * once per question; only generation, the resilient model, retries and falls back.
 *
 * <pre>{@code
 * RagPipeline rag = new RagPipeline(Knowledge.retriever(store, 2), ModelChain.resilient(...));
 * RagPipeline.Answer a = rag.ask("How does LangChain ensure reliability?");
 * }</pre>
 */
public final class RagPipeline {

    /** The seed's prompt. */
    public static final PromptTemplate PROMPT = PromptTemplate.from(
            "Answer the question based on context:\nContext: {{context}}\nQuestion: {{question}}");

    private final ContentRetriever retriever;
    private final ModelChain.Generator model;

    public RagPipeline(ContentRetriever retriever, ModelChain.Generator model) {
        this.retriever = Objects.requireNonNull(retriever, "retriever");
        this.model = Objects.requireNonNull(model, "model");
    }

    /** A question, the context retrieved for it, and the model's answer. */
    public record Answer(String question, List<String> context, String text) {
    }

    /** Retrieves once, then asks the (resilient) model. Its failure for good is the caller's. */
    public Answer ask(String question) {
        List<String> context = retrieve(question);
        return new Answer(question, context, generate(model, prompt(question, context)));
    }

    /**
     * The model's answer to {@code prompt}, asked through {@code chat(ChatRequest)} rather than
     * {@code chat(String)}: the response keeps its finish reason, which the chain judges (a cut-off
     * answer goes to the next model).
     */
    public static String generate(ModelChain.Generator model, String prompt) {
        return model.chat(ChatRequest.builder().messages(UserMessage.from(prompt)).build()).aiMessage().text();
    }

    /** The retrieval step alone. */
    public List<String> retrieve(String question) {
        return retrieve(retriever, question);
    }

    /** The texts {@code retriever} finds for {@code question}. */
    public static List<String> retrieve(ContentRetriever retriever, String question) {
        List<Content> contents = retriever.retrieve(Query.from(question));
        return contents.stream().map(c -> c.textSegment().text()).toList();
    }

    /** The prompt the model receives. */
    public static String prompt(String question, List<String> context) {
        return PROMPT.apply(Map.of("context", context.stream().collect(Collectors.joining("\n")),
                "question", question)).text();
    }
}

package dev.rebound.demo;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.rag.content.retriever.ContentRetriever;
import dev.langchain4j.rag.content.retriever.EmbeddingStoreContentRetriever;
import dev.langchain4j.store.embedding.EmbeddingStore;
import dev.langchain4j.store.embedding.inmemory.InMemoryEmbeddingStore;
import java.util.List;

/**
 * The documents the demo answers from, embedded locally by all-MiniLM-L6-v2 (the model ships inside
 * its jar: no download, no key) into an in-memory store.
 */
public final class Knowledge {

    /** A handful of documents, the seed's among them. */
    public static final List<String> DOCUMENTS = List.of(
            "LangChain supports retry and fallback mechanisms for resilience.",
            "Retry re-runs the same call after a transient failure such as a rate limit or a timeout, with exponential backoff.",
            "Fallback switches to an alternative model when the primary keeps failing, for example from gpt-4 to gpt-3.5-turbo.",
            "A 429 response means the client is rate limited; the Retry-After header says how long to wait.",
            "Embeddings map text to vectors so that similar sentences end up close to each other.",
            "The Eiffel Tower is 330 metres tall and stands in Paris.");

    private static EmbeddingModel embeddingModel;

    private Knowledge() {
    }

    /** The local embedding model, loaded once (about a second). */
    public static synchronized EmbeddingModel embeddingModel() {
        if (embeddingModel == null) {
            embeddingModel = new AllMiniLmL6V2EmbeddingModel();
        }
        return embeddingModel;
    }

    /** An in-memory store holding {@code documents}, one segment each. */
    public static EmbeddingStore<TextSegment> store(List<String> documents) {
        EmbeddingModel model = embeddingModel();
        InMemoryEmbeddingStore<TextSegment> store = new InMemoryEmbeddingStore<>();
        List<TextSegment> segments = documents.stream().map(TextSegment::from).toList();
        store.addAll(model.embedAll(segments).content(), segments);
        return store;
    }

    /** The best {@code maxResults} documents of {@code store} for a query. */
    public static ContentRetriever retriever(EmbeddingStore<TextSegment> store, int maxResults) {
        return EmbeddingStoreContentRetriever.builder()
                .embeddingStore(store)
                .embeddingModel(embeddingModel())
                .maxResults(maxResults)
                .build();
    }
}

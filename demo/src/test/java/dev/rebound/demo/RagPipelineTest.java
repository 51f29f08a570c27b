package dev.rebound.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.retriever.ContentRetriever;
import dev.langchain4j.rag.query.Query;
import dev.rebound.modelserver.Fault;
import dev.rebound.modelserver.ModelServer;
import dev.rebound.modelserver.ModelServerExtension;
import dev.rebound.runtime.Batch;
import dev.rebound.runtime.Parallel;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The seed's RAG pipeline for real: all-MiniLM-L6-v2 embeddings, an in-memory store, langchain4j's
 * EmbeddingStoreContentRetriever, the prompt template, and the resilient model chain over loopback
 * HTTP. Also the seed's failure-scoping table (Runnable, Sequence, Parallel, Batch) on it.
 */
class RagPipelineTest {

    private static final String QUESTION = "How does LangChain ensure reliability?";
    private static final String SEED_DOCUMENT = "LangChain supports retry and fallback mechanisms for resilience.";

    @RegisterExtension
    static final ModelServerExtension models = new ModelServerExtension();
    private static final ModelServer server = models.server();
    private static ContentRetriever docs;

    private VirtualTimeSource clock;
    private List<ReboundEvent> events;
    private CountingRetriever retriever;

    @BeforeAll
    static void start() {
        docs = Knowledge.retriever(Knowledge.store(Knowledge.DOCUMENTS), 2);
    }

    @BeforeEach
    void reset() {
        clock = new VirtualTimeSource();
        events = new CopyOnWriteArrayList<>();
        retriever = new CountingRetriever(docs);
    }

    /** A real retriever that counts how often each question reaches it. */
    static final class CountingRetriever implements ContentRetriever {
        final ContentRetriever delegate;
        final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

        CountingRetriever(ContentRetriever delegate) {
            this.delegate = delegate;
        }

        @Override
        public List<Content> retrieve(Query query) {
            calls.computeIfAbsent(query.text(), q -> new AtomicInteger()).incrementAndGet();
            return delegate.retrieve(query);
        }

        int total() {
            return calls.values().stream().mapToInt(AtomicInteger::get).sum();
        }
    }

    private ModelChain.Generator chain() {
        ReboundSettings settings = ReboundSettings.builder().timeSource(clock).logging(false)
                .listener(events::add).build();
        Function<String, ChatModel> models = name -> ModelChain.openAi(server.baseUrl(), "test-key", name,
                Duration.ofSeconds(5));
        return ModelChain.resilient(models, settings, settings);
    }

    private RagPipeline rag() {
        return new RagPipeline(retriever, chain());
    }

    private static String expected(String model, String question) {
        return ModelServer.answerFor(model, RagPipeline.prompt(question, RagPipeline.retrieve(docs, question)));
    }

    @Test
    void localEmbeddingsRetrieveTheSeedsDocumentForTheSeedsQuestion() {
        List<String> context = rag().retrieve(QUESTION);

        assertThat(context).hasSize(2);
        assertThat(context.get(0)).isEqualTo(SEED_DOCUMENT);
        assertThat(rag().retrieve("How tall is the Eiffel Tower?").get(0)).contains("330 metres");
    }

    @Test
    void theModelGetsTheSeedsPromptWithTheRetrievedContext() {
        RagPipeline.Answer a = rag().ask(QUESTION);

        assertThat(RagPipeline.prompt(QUESTION, a.context())).startsWith(
                "Answer the question based on context:\nContext: " + SEED_DOCUMENT + "\n")
                .endsWith("\nQuestion: " + QUESTION);
        assertThat(a.text()).isEqualTo(expected("gpt-4", QUESTION));
        assertThat(server.log()).singleElement().satisfies(r -> assertThat(r.promptDigest())
                .isEqualTo(ModelServer.digest(RagPipeline.prompt(QUESTION, a.context()))));
    }

    @Test
    void runnableScopeRetrievalRunsOnceWhileGenerationIsRetried() {
        server.script("gpt-4", Fault.unavailable(), Fault.rateLimited(Duration.ofMillis(300)));

        RagPipeline.Answer a = rag().ask(QUESTION);

        assertThat(a.text()).isEqualTo(expected("gpt-4", QUESTION));
        assertThat(retriever.total()).isEqualTo(1);
        assertThat(server.requests("gpt-4")).isEqualTo(3);
        assertThat(clock.sleeps()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(300));
    }

    @Test
    void generationFallsBackThroughTheChainInOrderEachWithItsOwnRetry() {
        server.always("gpt-4", Fault.unavailable());
        server.always("gpt-3.5-turbo", Fault.serverError());

        RagPipeline.Answer a = rag().ask(QUESTION);

        assertThat(a.text()).isEqualTo(expected("gpt-3.5-turbo-16k", QUESTION));
        assertThat(retriever.total()).isEqualTo(1);
        assertThat(server.log()).extracting(r -> r.model()).containsExactly("gpt-4", "gpt-4", "gpt-4",
                "gpt-3.5-turbo", "gpt-3.5-turbo", "gpt-3.5-turbo-16k");
        assertThat(clock.sleeps()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(100));
        assertThat(events).filteredOn(e -> e.kind() == ReboundEvent.Kind.FALLBACK)
                .extracting(e -> e.target() + " -> " + e.alternative())
                .containsExactly("gpt-4 -> gpt-3.5-turbo", "gpt-3.5-turbo -> gpt-3.5-turbo-16k");
    }

    @Test
    void sequenceScopeAGenerationFailingForGoodStopsTheStepsAfterIt() {
        server.always("gpt-4", Fault.unavailable());
        server.always("gpt-3.5-turbo", Fault.serverError());
        server.always("gpt-3.5-turbo-16k", Fault.unavailable());
        AtomicInteger downstream = new AtomicInteger();
        RagPipeline rag = rag();

        Throwable thrown = catchThrowable(() -> {
            RagPipeline.Answer answer = rag.ask(QUESTION);
            downstream.incrementAndGet(); // the next step, e.g. formatting the answer with its sources
            assertThat(answer).isNull();
        });

        assertThat(downstream).hasValue(0);
        assertThat(thrown).isInstanceOf(InternalServerException.class);
        ReboundEvent failed = events.stream().filter(e -> e.kind() == ReboundEvent.Kind.FAILED)
                .reduce((first, second) -> second).orElseThrow();
        assertThat(thrown).as("the generation step's own exception").isSameAs(failed.failure());
        // gpt-4's first two failures, then each fallback's last failure carrying its own earlier one
        assertThat(thrown.getSuppressed()).hasSize(4);
        assertThat(thrown.getSuppressed()[2].getSuppressed()).hasSize(1);
        assertThat(thrown.getSuppressed()[3].getSuppressed()).hasSize(1);
        assertThat(retriever.total()).isEqualTo(1);
    }

    /** The printed policy says what a Retry-After beyond gpt-4's maxDelay (2 s) does: the next model at once. */
    @Test
    void aRetryAfterBeyondMaxDelayGoesToTheNextModelAtOnceAsThePrintedPolicySays() {
        assertThat(ModelChain.describe().get(0)).isEqualTo("gpt-4                  3 attempts, waits 100 ms then"
                + " 200 ms, 20 s deadline; a server's Retry-After wait wins if longer, up to 2 s; beyond that, the next"
                + " model at once");
        server.script("gpt-4", Fault.rateLimited(Duration.ofSeconds(3)));

        String answer = RagPipeline.generate(chain(), "Question: q");

        assertThat(answer).isEqualTo(ModelServer.answerFor("gpt-3.5-turbo", "Question: q"));
        assertThat(clock.sleeps()).isEmpty();
        assertThat(events).filteredOn(e -> e.kind() == ReboundEvent.Kind.RETRIES_EXHAUSTED)
                .extracting(ReboundEvent::target, ReboundEvent::reason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("gpt-4", "retry-after-exceeds-max-delay"));
    }

    @Test
    void sequenceScopeAFailingRetrievalMeansNoModelIsCalled() {
        IllegalStateException indexDown = new IllegalStateException("index offline");
        RagPipeline rag = new RagPipeline(query -> {
            throw indexDown;
        }, chain());

        assertThat(catchThrowable(() -> rag.ask(QUESTION))).isSameAs(indexDown);
        assertThat(server.log()).isEmpty();
    }

    @Test
    void parallelScopeTwoRetrieversAtOnceThenOneGeneration() {
        ContentRetriever faq = Knowledge.retriever(Knowledge.store(List.of(
                "FAQ: a 503 from the model provider is retried, then the next model is used.",
                "FAQ: the Eiffel Tower is in Paris.")), 1);

        List<List<String>> contexts = Parallel.invokeAll(
                () -> RagPipeline.retrieve(retriever, QUESTION),
                () -> RagPipeline.retrieve(faq, QUESTION));
        List<String> context = new ArrayList<>(contexts.get(0));
        context.addAll(contexts.get(1));
        String answer = RagPipeline.generate(chain(), RagPipeline.prompt(QUESTION, context));

        assertThat(contexts.get(0).get(0)).isEqualTo(SEED_DOCUMENT);
        assertThat(contexts.get(1)).containsExactly("FAQ: a 503 from the model provider is retried, then the next model is used.");
        assertThat(answer).isEqualTo(ModelServer.answerFor("gpt-4", RagPipeline.prompt(QUESTION, context)));
        assertThat(server.requests("gpt-4")).isEqualTo(1);
    }

    @Test
    void parallelScopeABranchFailingForGoodFailsTheWholeBeforeGeneration() {
        IllegalStateException down = new IllegalStateException("faq index offline");
        AtomicInteger faqCalls = new AtomicInteger();
        ContentRetriever faq = Rebound.wrap(ContentRetriever.class, (ContentRetriever) query -> {
            faqCalls.incrementAndGet();
            throw down;
        }).named("faq").withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(50)).build())
                .settings(ReboundSettings.builder().timeSource(clock).logging(false).build()).build();

        Throwable thrown = catchThrowable(() -> Parallel.invokeAll(
                () -> retriever.retrieve(Query.from(QUESTION)),
                () -> faq.retrieve(Query.from(QUESTION))));

        assertThat(thrown).isInstanceOf(IllegalStateException.class).isSameAs(down);
        assertThat(faqCalls).as("the failing branch's own policy: 2 attempts").hasValue(2);
        assertThat(server.log()).isEmpty();
    }

    @Test
    void batchScopeEachQuestionIsItsOwnCallAndOneFailureStaysItsOwn() {
        List<String> questions = List.of(QUESTION, "What does a 429 mean?", "How tall is the Eiffel Tower?",
                "What are embeddings?");
        for (String model : List.of("gpt-4", "gpt-3.5-turbo", "gpt-3.5-turbo-16k")) {
            server.scriptForPrompt(model, "Question: " + questions.get(2),
                    Fault.unavailable(), Fault.unavailable(), Fault.unavailable());
        }
        server.scriptForPrompt("gpt-4", "Question: " + questions.get(1), Fault.rateLimited(Duration.ofMillis(700)));
        RagPipeline rag = rag();

        List<Batch.Result<RagPipeline.Answer>> results = Batch.map(questions, 2, rag::ask);

        assertThat(results).extracting(Batch.Result::isSuccess).containsExactly(true, true, false, true);
        assertThat(results.get(0).value().text()).isEqualTo(expected("gpt-4", questions.get(0)));
        assertThat(results.get(1).value().text()).isEqualTo(expected("gpt-4", questions.get(1)));
        assertThat(results.get(3).value().text()).isEqualTo(expected("gpt-4", questions.get(3)));
        assertThat(results.get(2).failure()).isInstanceOf(InternalServerException.class);
        assertThat(retriever.calls).hasSize(4).allSatisfy((q, n) -> assertThat(n).hasValue(1));
        assertThat(server.requests("gpt-4")).as("1 + 2 + 3 + 1").isEqualTo(7);
        assertThat(server.requests("gpt-3.5-turbo")).as("the failing question's own retry").isEqualTo(2);
        assertThat(server.requests("gpt-3.5-turbo-16k")).isEqualTo(2);
        assertThat(clock.sleeps()).containsExactlyInAnyOrder(Duration.ofMillis(700),
                Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(100), Duration.ofMillis(100));
    }
}

package dev.rebound.modelserver;

import static dev.rebound.modelserver.UserSuites.failures;
import static dev.rebound.modelserver.UserSuites.listening;
import static dev.rebound.modelserver.UserSuites.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.openai.OpenAiChatModel;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestClassOrder;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/** The server at the HTTP level, with the JDK's client: what each fault puts on the wire. */
class ModelServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    static final ModelServerExtension models = new ModelServerExtension();
    private static final ModelServer server = models.server();
    /** The threads of the langchain4j client that hands what it read on late, once the server is done. */
    private static final java.util.concurrent.ExecutorService LAG =
            java.util.concurrent.Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "lagging-client");
                t.setDaemon(true);
                return t;
            });
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static HttpResponse<String> chat(String model, String prompt, Duration timeout)
            throws IOException, InterruptedException {
        String body = "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}";
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/chat/completions"))
                .timeout(timeout).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> chat(String model, String prompt) throws IOException, InterruptedException {
        return chat(model, prompt, Duration.ofSeconds(5));
    }

    private static HttpResponse<String> post(String body) throws IOException, InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/chat/completions"))
                .timeout(Duration.ofSeconds(5)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A request that a test sends from another thread, to go on while the server holds it. */
    private interface Request {
        HttpResponse<String> send() throws IOException, InterruptedException;
    }

    private static CompletableFuture<HttpResponse<String>> sentAside(Request request) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return request.send();
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void listensOnLoopbackOnly() {
        assertThat(server.baseUrl()).startsWith("http://127.0.0.1:").endsWith("/v1");
        assertThat(server.port()).isPositive();
    }

    /** Run in a JVM of its own: the base URL, and the status of a request sent to it (or its failure). */
    public static final class PrintBaseUrlAndStatus {
        public static void main(String[] args) {
            try (ModelServer server = ModelServer.start()) {
                System.out.println("baseUrl " + server.baseUrl().replace(":" + server.port() + "/", ":PORT/"));
                HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/chat/completions"))
                        .timeout(Duration.ofSeconds(5))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4\",\"messages\":[]}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                System.out.println("status " + r.statusCode());
            } catch (Exception e) {
                System.out.println("failed " + e);
            }
            System.exit(0);
        }
    }

    @Test
    void listensOn127001EvenWhenTheJvmPrefersIpv6Addresses() throws Exception {
        Process jvm = java("-Djava.net.preferIPv6Addresses=true", PrintBaseUrlAndStatus.class);
        try {
            assertThat(jvm.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(new String(jvm.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines())
                    .containsExactly("baseUrl http://127.0.0.1:PORT/v1", "status 200");
        } finally {
            jvm.destroyForcibly();
        }
    }

    /** Run in a JVM of its own: starts a server and returns from main without stopping it. */
    public static final class LeaveAServerRunning {
        public static void main(String[] args) {
            System.out.println("port " + ModelServer.start().port());
        }
    }

    @Test
    void aServerNobodyStopsDoesNotKeepTheJvmRunning() throws Exception {
        Process jvm = java("-Dunused=0", LeaveAServerRunning.class);
        try {
            assertThat(jvm.waitFor(20, TimeUnit.SECONDS)).as("the JVM ended when main returned").isTrue();
            assertThat(new String(jvm.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).startsWith("port ");
        } finally {
            jvm.destroyForcibly();
        }
    }

    private static Process java(String property, Class<?> main) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, property, "-cp", System.getProperty("java.class.path"), main.getName())
                .redirectErrorStream(true).start();
    }

    /** The prompt is every message of the request, the system message and earlier turns included. */
    @Test
    void thePromptIsEveryMessageJoinedByNewlinesSystemMessageIncluded() throws Exception {
        server.scriptForPrompt("gpt-4", "Be brief.\nHello", Fault.serverError());
        String body = "{\"model\":\"gpt-4\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                + "{\"role\":\"user\",\"content\":\"Hello\"}]}";
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        assertThat(CLIENT.send(request, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(500);
        HttpResponse<String> answer = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(JSON.readTree(answer.body()).path("choices").path(0).path("message").path("content").asText())
                .isEqualTo(ModelServer.answerFor("gpt-4", "Be brief.\nHello"))
                .isNotEqualTo(ModelServer.answerFor("gpt-4", "Hello"));
        assertThat(server.log()).extracting(ServedRequest::promptDigest)
                .containsOnly(ModelServer.digest("Be brief.\nHello"));
    }

    /**
     * The text parts only of a multi-part message: an image part, as langchain4j's own client sends it,
     * and a message without content add nothing to the prompt (no empty line).
     */
    @Test
    void anImagePartAddsNothingToThePrompt() throws Exception {
        dev.langchain4j.model.chat.ChatModel gpt4 = OpenAiChatModel.builder().baseUrl(server.baseUrl()).apiKey("any")
                .modelName("gpt-4").maxRetries(0).build();

        String answer = gpt4.chat(ChatRequest.builder().messages(UserMessage.from(
                TextContent.from("Describe the picture"), ImageContent.from("https://example.com/cat.png")))
                .build()).aiMessage().text();
        HttpResponse<String> raw = post("{\"model\":\"gpt-4\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://example.com/a.png\"}},"
                + "{\"type\":\"text\",\"text\":\"Hello\"}]},{\"role\":\"assistant\",\"content\":null}]}");

        assertThat(answer).isEqualTo(ModelServer.answerFor("gpt-4", "Describe the picture"));
        assertThat(JSON.readTree(raw.body()).path("choices").path(0).path("message").path("content").asText())
                .isEqualTo(ModelServer.answerFor("gpt-4", "Be brief.\nHello"));
        assertThat(server.log()).extracting(ServedRequest::promptDigest)
                .containsExactly(ModelServer.digest("Describe the picture"), ModelServer.digest("Be brief.\nHello"));
    }

    @Test
    void answersDeterministicallyNamingModelAndPromptDigest() throws Exception {
        HttpResponse<String> r = chat("gpt-4", "hello");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.path("model").asText()).isEqualTo("gpt-4");
        assertThat(body.path("choices").path(0).path("message").path("content").asText())
                .isEqualTo(ModelServer.answerFor("gpt-4", "hello"))
                .isEqualTo("gpt-4 answers prompt " + ModelServer.digest("hello") + ".");
        assertThat(ModelServer.digest("hello")).isEqualTo("2cf24dba");
    }

    @Test
    void scriptedStepsComeInOrderThenAnswers() throws Exception {
        server.script("gpt-4", Fault.unavailable(), Fault.serverError(), Fault.rateLimited(Duration.ofMillis(1500)));
        assertThat(chat("gpt-4", "q").statusCode()).isEqualTo(503);
        assertThat(chat("gpt-4", "q").statusCode()).isEqualTo(500);
        HttpResponse<String> limited = chat("gpt-4", "q");
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).hasValue("2");
        assertThat(limited.headers().firstValue("retry-after-ms")).hasValue("1500");
        assertThat(JSON.readTree(limited.body()).path("error").path("code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(chat("gpt-4", "q").statusCode()).isEqualTo(200);
        assertThat(chat("gpt-3.5-turbo", "q").statusCode()).isEqualTo(200);
        assertThat(server.requests("gpt-4")).isEqualTo(4);
        assertThat(server.requestCounts()).containsExactly(
                org.assertj.core.api.Assertions.entry("gpt-4", 4),
                org.assertj.core.api.Assertions.entry("gpt-3.5-turbo", 1));
        List<ServedRequest> log = server.log();
        assertThat(log).extracting(ServedRequest::sequence).containsExactly(1, 2, 3, 4, 5);
        assertThat(log).extracting(ServedRequest::fault).containsExactly(Fault.unavailable(), Fault.serverError(),
                Fault.rateLimited(Duration.ofMillis(1500)), Fault.answer(), Fault.answer());
        assertThat(log).extracting(r -> r.fault().toString())
                .containsExactly("503", "500", "429 Retry-After=2", "200", "200");
        assertThat(log.get(0).promptDigest()).isEqualTo(ModelServer.digest("q"));
    }

    @Test
    void retryAfterAsHttpDate() throws Exception {
        server.script("gpt-4", Fault.rateLimitedUntil(Instant.parse("2030-01-02T03:04:05Z")));
        assertThat(chat("gpt-4", "q").headers().firstValue("Retry-After"))
                .hasValue("Wed, 02 Jan 2030 03:04:05 GMT"); // the IMF-fixdate: a two-digit day
    }

    @Test
    void alwaysRepeatsAndPromptScriptsComeFirst() throws Exception {
        server.always("gpt-4", Fault.status(404));
        server.scriptForPrompt("gpt-4", "poison", Fault.status(400));
        assertThat(chat("gpt-4", "a poison pill").statusCode()).isEqualTo(400);
        assertThat(chat("gpt-4", "a poison pill").statusCode()).isEqualTo(404);
        assertThat(chat("gpt-4", "fine").statusCode()).isEqualTo(404);
    }

    @Test
    void slowAnswerOutlivesAShortClientTimeout() throws Exception {
        server.script("gpt-4", Fault.slowAnswer(Duration.ofMillis(400)));
        assertThatThrownBy(() -> chat("gpt-4", "q", Duration.ofMillis(150))).isInstanceOf(HttpTimeoutException.class);
        assertThat(chat("gpt-4", "q").statusCode()).isEqualTo(200);
    }

    @Test
    void droppedConnectionGivesNoResponse() throws Exception {
        server.script("gpt-4", Fault.dropConnection());
        assertThatThrownBy(() -> chat("gpt-4", "q")).isInstanceOf(IOException.class);
        assertThat(chat("gpt-4", "q").statusCode()).isEqualTo(200);
        assertThat(server.requests("gpt-4")).isEqualTo(2);
    }

    /** A stream fault served to a request that does not stream is logged as what that request got. */
    @Test
    void aStreamFaultServedToARequestThatDoesNotStreamIsLoggedAsWhatItGot() throws Exception {
        server.script("gpt-4", Fault.cutMidStream(2).withHeader("x-request-id", "r1"), Fault.malformedChunk(1),
                Fault.stallBeforeFirstToken(Duration.ofMillis(10)));
        assertThatThrownBy(() -> chat("gpt-4", "q")).isInstanceOf(IOException.class);
        assertThat(chat("gpt-4", "q").statusCode()).isEqualTo(200);
        assertThat(chat("gpt-4", "q").statusCode()).isEqualTo(200);

        List<ServedRequest> log = server.log();
        assertThat(log).extracting(r -> r.fault().toString()).containsExactly("dropped", "malformed", "slow 10ms");
        assertThat(log).extracting(ServedRequest::fault).containsExactly(Fault.dropConnection(), Fault.malformedBody(),
                Fault.slowAnswer(Duration.ofMillis(10)));
        assertThat(log.get(0).fault().status()).isZero();
        assertThat(log.get(0).fault().headers()).isEmpty();
    }

    /** Gemini's retryDelay: whole or fractional seconds, a plain decimal however long. */
    @Test
    void geminiRetryDelayIsAPlainDecimalOfSeconds() {
        assertThat(Fault.geminiRateLimited(Duration.ofSeconds(10_000_000)).detail())
                .contains("\"retryDelay\": \"10000000s\"");
        assertThat(Fault.geminiRateLimited(Duration.ofMillis(1500)).detail()).contains("\"retryDelay\": \"1.5s\"");
        assertThat(Fault.geminiRateLimited(Duration.ofNanos(1)).detail())
                .contains("\"retryDelay\": \"0.000000001s\"");
        assertThat(Fault.geminiRateLimited(Duration.ZERO).detail()).contains("\"retryDelay\": \"0s\"");
    }

    @Test
    void malformedBodyIsNotJson() throws Exception {
        server.script("gpt-4", Fault.malformedBody());
        HttpResponse<String> r = chat("gpt-4", "q");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThatThrownBy(() -> JSON.readTree(r.body())).isInstanceOf(IOException.class);
    }

    @Test
    void answersCanBeAnotherDeterministicFunction() throws Exception {
        try (ModelServer echo = ModelServer.start((model, prompt) -> model + " echoes " + prompt)) {
            String body = "{\"model\":\"m\",\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},"
                    + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hi\"}]}]}";
            HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(echo.baseUrl() + "/chat/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(JSON.readTree(r.body()).path("choices").path(0).path("message").path("content").asText())
                    .isEqualTo("m echoes be brief\nhi");
        }
    }

    @Test
    void otherPathsAndBadBodiesAreClientErrors() throws Exception {
        HttpResponse<String> get = CLIENT.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/models")).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> notJson = CLIENT.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString("{nope")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(404);
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(get.body()).path("error").path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(JSON.readTree(notJson.body()).path("error").path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(server.log()).isEmpty();
    }

    /**
     * A body that is JSON but no chat request (none, an array, no model, a model that is not a string, no
     * messages) is answered as OpenAI does, 400 {@code invalid_request_error}, and neither counted nor
     * logged, as a body that is not JSON.
     */
    @Test
    void aBodyThatIsNoChatRequestIsA400AndNotLogged() throws Exception {
        List<HttpResponse<String>> refused = List.of(post(""), post("[]"), post("{}"),
                post("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
                post("{\"model\":42,\"messages\":[]}"), post("{\"model\":\"gpt-4\"}"),
                post("{\"model\":\"gpt-4\",\"messages\":\"hi\"}"));

        assertThat(refused).extracting(HttpResponse::statusCode).containsOnly(400).hasSize(7);
        List<JsonNode> errors = new java.util.ArrayList<>();
        for (HttpResponse<String> r : refused) {
            errors.add(JSON.readTree(r.body()).path("error"));
        }
        assertThat(errors).extracting(e -> e.path("type").asText()).containsOnly("invalid_request_error");
        assertThat(errors).extracting(e -> e.path("message").asText()).containsExactly("request body is not JSON",
                "request body is not a JSON object", "you must provide a model parameter",
                "you must provide a model parameter", "you must provide a model parameter",
                "Missing required parameter: 'messages'.", "Invalid type for 'messages': expected an array.");
        assertThat(errors.get(5).path("code").asText()).isEqualTo("missing_required_parameter");
        assertThat(errors.get(5).path("param").asText()).isEqualTo("messages");
        assertThat(server.log()).isEmpty();
        assertThat(server.requestCounts()).isEmpty();
    }

    /**
     * Every error body has OpenAI's shape: {@code code} is OpenAI's identifier of the error (what a client
     * tells a rate limit from a quota by) or null, never the HTTP status; {@code type} is OpenAI's.
     */
    @Test
    void aRateLimitErrorBodyCarriesOpenAisCode() throws Exception {
        server.script("gpt-4", Fault.rateLimited(Duration.ofSeconds(1)), Fault.serverError(), Fault.unavailable(),
                Fault.status(401), Fault.status(404), Fault.status(400));
        List<JsonNode> errors = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            errors.add(JSON.readTree(chat("gpt-4", "q").body()).path("error"));
        }

        assertThat(errors).extracting(e -> e.path("type").asText()).containsExactly("requests", "server_error",
                "server_error", "invalid_request_error", "invalid_request_error", "invalid_request_error");
        assertThat(errors).extracting(e -> e.path("code").isNull() ? null : e.path("code").asText())
                .containsExactly("rate_limit_exceeded", null, null, "invalid_api_key", "model_not_found", null);
        assertThat(errors).allSatisfy(e -> {
            assertThat(e.path("param").isNull()).isTrue();
            assertThat(e.path("message").asText()).isNotBlank();
        });
    }

    private static HttpResponse<String> stream(String model, String prompt, boolean usage)
            throws IOException, InterruptedException {
        String body = "{\"model\":\"" + model + "\",\"stream\":true,"
                + (usage ? "\"stream_options\":{\"include_usage\":true}," : "")
                + "\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}";
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/chat/completions"))
                .timeout(Duration.ofSeconds(5)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** The data lines of a server-sent events body, in order. */
    private static List<String> data(String body) {
        return body.lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
    }

    @Test
    void streamsOpenAiChunksOnePerTokenThenUsageThenDone() throws Exception {
        HttpResponse<String> r = stream("gpt-4", "hello", true);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/event-stream");
        List<String> data = data(r.body());
        String answer = ModelServer.answerFor("gpt-4", "hello");
        List<String> tokens = ModelServer.tokensOf(answer);
        assertThat(String.join("", tokens)).isEqualTo(answer);
        assertThat(tokens).containsExactly("gpt-4", " answers", " prompt", " 2cf24dba.");
        assertThat(data).hasSize(tokens.size() + 3).last().isEqualTo("[DONE]");
        for (int i = 0; i < tokens.size(); i++) {
            JsonNode chunk = JSON.readTree(data.get(i));
            assertThat(chunk.path("object").asText()).isEqualTo("chat.completion.chunk");
            assertThat(chunk.path("choices").path(0).path("delta").path("content").asText()).isEqualTo(tokens.get(i));
            assertThat(chunk.path("choices").path(0).path("finish_reason").isNull()).isTrue();
        }
        assertThat(JSON.readTree(data.get(0)).path("choices").path(0).path("delta").path("role").asText())
                .isEqualTo("assistant");
        assertThat(JSON.readTree(data.get(tokens.size())).path("choices").path(0).path("finish_reason").asText())
                .isEqualTo("stop");
        assertThat(JSON.readTree(data.get(tokens.size() + 1)).path("usage").path("completion_tokens").asInt())
                .isEqualTo(8);
        assertThat(data(stream("gpt-4", "hello", false).body())).hasSize(tokens.size() + 2);
        assertThat(server.log()).extracting(ServedRequest::streamed).containsExactly(true, true);
    }

    @Test
    void streamFaultsOnTheWire() throws Exception {
        server.script("gpt-4", Fault.unavailable(), Fault.malformedChunk(2), Fault.stallBeforeFirstToken(Duration.ofMillis(50)));
        assertThat(stream("gpt-4", "q", false).statusCode()).isEqualTo(503);
        List<String> malformed = data(stream("gpt-4", "q", false).body());
        assertThat(malformed).hasSize(3);
        assertThatThrownBy(() -> JSON.readTree(malformed.get(2))).isInstanceOf(IOException.class);
        assertThat(data(stream("gpt-4", "q", false).body())).last().isEqualTo("[DONE]");
        assertThat(server.log()).extracting(r -> r.fault().toString())
                .containsExactly("503", "malformed chunk after 2 tokens", "stall 50ms");
    }

    @Test
    void aWaitGivenANegativeCountOrTimeoutOrNoTimeoutFailsAtOnceNamingTheMethodAndTheArgument() {
        assertThatThrownBy(() -> server.awaitExchangesEnded(-1, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ModelServer.awaitExchangesEnded: exchanges must be at least 0, was -1");
        assertThatThrownBy(() -> server.awaitStalled(-2, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ModelServer.awaitStalled: streams must be at least 0, was -2");
        assertThatThrownBy(() -> server.awaitExchangesEnded(1, Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ModelServer.awaitExchangesEnded: timeout must not be negative, was PT-1S");
        assertThatThrownBy(() -> server.awaitStalled(1, null))
                .isInstanceOf(NullPointerException.class).hasMessage("ModelServer.awaitStalled: timeout");
    }

    @Test
    void aStallUntilReleasedHoldsTheOpenStreamSilentUntilTheTestReleasesIt() throws Exception {
        server.script("gpt-4", Fault.stallUntilReleased());
        CompletableFuture<HttpResponse<String>> stalled = sentAside(() -> stream("gpt-4", "q", false));
        assertThat(server.awaitStalled(1, Duration.ofSeconds(10))).isTrue();
        assertThat(stalled).isNotDone();
        assertThat(data(stream("gpt-4", "q", false).body())).as("the next stream is not held").last()
                .isEqualTo("[DONE]");
        assertThat(stalled).isNotDone();

        server.releaseStalls();
        assertThat(data(stalled.get(10, java.util.concurrent.TimeUnit.SECONDS).body())).last().isEqualTo("[DONE]");
        assertThat(server.awaitStalled(1, Duration.ZERO)).isFalse();
        assertThat(server.log()).extracting(r -> r.fault().toString()).containsExactly("stall until released", "200");
    }

    @Test
    void aStallUntilReleasedHoldsAWholeAnswerTooAndResetReleasesIt() throws Exception {
        server.script("gpt-4", Fault.stallUntilReleased());
        CompletableFuture<HttpResponse<String>> held = sentAside(() -> chat("gpt-4", "q"));
        assertThat(server.awaitStalled(1, Duration.ofSeconds(10))).isTrue();
        assertThat(held).isNotDone();

        server.reset(); // a test's leftover stall never holds the next test
        HttpResponse<String> answer = held.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(answer.body()).path("choices").path(0).path("message").path("content").asText())
                .isEqualTo(ModelServer.answerFor("gpt-4", "q"));
    }

    /**
     * A stall released by the reset between two tests is no longer counted, even before its handler wakes:
     * the next test's {@code awaitStalled} waits for its own stall. The same after {@code releaseStalls()}.
     */
    @Test
    void aStallReleasedByResetIsNotCountedForTheNextTest() throws Exception {
        for (int i = 0; i < 5; i++) {
            boolean byReset = i % 2 == 0;
            server.script("gpt-4", Fault.stallUntilReleased());
            CompletableFuture<HttpResponse<String>> previousTest = sentAside(() -> chat("gpt-4", "q"));
            assertThat(server.awaitStalled(1, Duration.ofSeconds(10))).isTrue();

            if (byReset) {
                server.reset(); // the next test begins
            } else {
                server.releaseStalls();
            }

            assertThat(server.awaitStalled(1, Duration.ZERO)).as("a stall open after the %s, run %d",
                    byReset ? "reset" : "release", i).isFalse();
            assertThat(previousTest.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aMalformedBodyServedToAStreamIsAStreamWhoseFirstEventIsNotJson() throws Exception {
        server.script("gpt-4", Fault.malformedBody());
        HttpResponse<String> r = stream("gpt-4", "q", false);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/event-stream");
        List<String> data = data(r.body());
        assertThat(data).hasSize(1);
        assertThatThrownBy(() -> JSON.readTree(data.get(0))).isInstanceOf(IOException.class);
        assertThat(server.log()).extracting(e -> e.fault().toString()).containsExactly("malformed");
    }

    @Test
    void cutMidStreamBreaksTheConnection() throws Exception {
        server.script("gpt-4", Fault.cutMidStream(2));
        assertThatThrownBy(() -> stream("gpt-4", "q", false)).isInstanceOf(IOException.class);
        assertThat(server.requests("gpt-4")).isEqualTo(1);
        assertThat(stream("gpt-4", "q", false).statusCode()).isEqualTo(200);
    }

    /**
     * {@code awaitExchangesEnded} waits for a condition, not a time: the exchange of a stalled stream has not
     * ended while it is held; once released, it ends when the server has written its whole response. Only
     * logged requests count, each once.
     */
    @Test
    void anExchangeEndsOnceTheServerHasWrittenItsWholeResponse() throws Exception {
        assertThat(post("not json").statusCode()).isEqualTo(400); // no chat request: neither logged nor counted
        server.script("gpt-4", Fault.stallUntilReleased());
        CompletableFuture<HttpResponse<String>> held = sentAside(() -> stream("gpt-4", "q", false));
        assertThat(server.awaitStalled(1, Duration.ofSeconds(10))).isTrue();
        assertThat(server.awaitExchangesEnded(1, Duration.ZERO)).as("a stream held by its stall").isFalse();

        server.releaseStalls();
        assertThat(server.awaitExchangesEnded(1, Duration.ofSeconds(10))).isTrue();
        assertThat(data(held.get(10, TimeUnit.SECONDS).body())).last().isEqualTo("[DONE]");
        assertThat(server.awaitExchangesEnded(2, Duration.ZERO)).as("one logged request, one exchange").isFalse();
    }

    /**
     * The exchange of a request the reset forgot (a stall the reset released) ends after the reset, in the
     * next test, which does not count it.
     */
    @Test
    void anExchangeTheResetForgotIsNotCountedForTheNextTest() throws Exception {
        server.script("gpt-4", Fault.stallUntilReleased());
        CompletableFuture<HttpResponse<String>> previousTest = sentAside(() -> chat("gpt-4", "q"));
        assertThat(server.awaitStalled(1, Duration.ofSeconds(10))).isTrue();

        server.reset(); // the next test begins; the stall is released and its exchange ends now
        assertThat(previousTest.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(chat("gpt-4", "q").statusCode()).isEqualTo(200);
        assertThat(server.awaitExchangesEnded(1, Duration.ofSeconds(10))).isTrue();
        assertThat(server.awaitExchangesEnded(2, Duration.ZERO)).as("the previous test's exchange").isFalse();
    }

    /**
     * The cut as the wire shows it to a client that reads late (as a cold JVM does), only once the server
     * has written the cut and closed the connection: the tokens sent before the cut are one chunk, every
     * byte of it arrives, then the end of the stream (an orderly close, never a reset) without the body's
     * terminating chunk or {@code [DONE]}.
     */
    @Test
    void cutMidStreamSendsItsTokensAsOneChunkThenClosesWithoutEndingTheBody() throws Exception {
        server.script("gpt-4", Fault.cutMidStream(2));
        String body = "{\"model\":\"gpt-4\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}";
        String received;
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.UTF_8));
            // the slowest reader there is: it reads nothing until the server has written the cut and closed the
            // connection, which must not lose a byte
            assertThat(server.awaitExchangesEnded(1, Duration.ofSeconds(10))).isTrue();
            received = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }

        assertThat(received).startsWith("HTTP/1.1 200").containsIgnoringCase("Transfer-encoding: chunked");
        List<String> chunks = new java.util.ArrayList<>();
        String rest = received.substring(received.indexOf("\r\n\r\n") + 4);
        while (!rest.isEmpty()) {
            int size = Integer.parseInt(rest.substring(0, rest.indexOf("\r\n")), 16);
            String chunk = rest.substring(rest.indexOf("\r\n") + 2, rest.indexOf("\r\n") + 2 + size);
            chunks.add(chunk);
            rest = rest.substring(rest.indexOf("\r\n") + 2 + size + 2);
        }
        assertThat(chunks).as("the chunks before the close: one, never the terminating empty one").hasSize(1);
        assertThat(data(chunks.get(0))).hasSize(2).doesNotContain("[DONE]")
                .extracting(d -> JSON.readTree(d).path("choices").path(0).path("delta").path("content").asText())
                .containsExactly("gpt-4", " answers");
    }

    /**
     * What users' tests rely on: langchain4j's own streaming client (its default JDK HTTP client), on
     * a fresh connection each time, gets exactly the tokens sent before the cut, then one error, even
     * when it is as late as a client can be (a cold JVM's): its handler busy with its first token until
     * the server has written the cut and closed the connection; and, besides, every hand-off between the
     * client's threads held until then.
     */
    @Test
    void langchain4jsStreamingClientGetsEveryTokenBeforeTheCutThenAnError() throws Exception {
        List<String> stories = new java.util.ArrayList<>();
        List<Boolean> lateHandlers = new CopyOnWriteArrayList<>();
        List<Boolean> lateHandOffs = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 24; i++) {
            server.reset();
            server.script("gpt-4", Fault.cutMidStream(3));
            boolean lateHandler = i % 3 != 2;
            boolean lateHandOff = i % 3 == 0;
            // a client slow to hand what it read from one thread to the next, as a cold JVM is: once the server
            // has the request, every hand-off waits until the server is done with the connection (a wait on a
            // LAG thread; the server's end needs nothing more of the client)
            java.util.concurrent.Executor lagging = task -> LAG.execute(() -> {
                if (lateHandOff && server.requests("gpt-4") > 0) {
                    lateHandOffs.add(awaitTheCut());
                }
                task.run();
            });
            dev.langchain4j.model.chat.StreamingChatModel model = dev.langchain4j.model.openai.OpenAiStreamingChatModel
                    .builder().baseUrl(server.baseUrl()).apiKey("test-key").modelName("gpt-4")
                    .httpClientBuilder(dev.langchain4j.http.client.jdk.JdkHttpClient.builder()
                            .httpClientBuilder(HttpClient.newBuilder().executor(lagging)))
                    .timeout(Duration.ofSeconds(5)).build();
            List<String> tokens = new CopyOnWriteArrayList<>();
            java.util.concurrent.CompletableFuture<String> end = new java.util.concurrent.CompletableFuture<>();
            model.chat("q", new dev.langchain4j.model.chat.response.StreamingChatResponseHandler() {
                @Override
                public void onPartialResponse(String token) {
                    if (tokens.isEmpty() && lateHandler) {
                        // busy with the first token until the cut is written and the connection closed
                        lateHandlers.add(awaitTheCut());
                    }
                    tokens.add(token);
                }

                @Override
                public void onCompleteResponse(dev.langchain4j.model.chat.response.ChatResponse response) {
                    end.complete("complete");
                }

                @Override
                public void onError(Throwable error) {
                    end.complete("error");
                }
            });
            stories.add(end.get(10, TimeUnit.SECONDS) + " after " + String.join("", tokens));
        }

        assertThat(stories).hasSize(24).containsOnly("error after gpt-4 answers prompt");
        assertThat(lateHandlers).as("each late handler went on after the cut").hasSize(16).containsOnly(true);
        assertThat(lateHandOffs).as("each late hand-off went on after the cut").isNotEmpty().containsOnly(true);
    }

    /** Waits until the server has ended the one exchange of the test: written the cut, closed the connection. */
    private static boolean awaitTheCut() {
        try {
            return server.awaitExchangesEnded(1, Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Test
    void streamingFaultsDegradeToTheirWholeAnswerKinds() throws Exception {
        server.script("gpt-4", Fault.cutMidStream(1), Fault.malformedChunk(1), Fault.stallBeforeFirstToken(Duration.ofMillis(10)));
        assertThatThrownBy(() -> chat("gpt-4", "q")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> JSON.readTree(chat("gpt-4", "q").body())).isInstanceOf(IOException.class);
        assertThat(chat("gpt-4", "q").statusCode()).isEqualTo(200);
        assertThat(server.log()).extracting(ServedRequest::streamed).containsExactly(false, false, false);
    }

    @Test
    void badFaultsAreRefusedEarly() {
        assertThatThrownBy(() -> Fault.cutMidStream(-1)).hasMessageContaining("tokens");
        assertThatThrownBy(() -> Fault.malformedChunk(-1)).hasMessageContaining("tokens");
        assertThatThrownBy(() -> Fault.stallBeforeFirstToken(Duration.ofMillis(-1))).hasMessageContaining("delay");
        assertThatThrownBy(() -> Fault.status(200)).hasMessageContaining("status");
        assertThatThrownBy(() -> Fault.slowAnswer(Duration.ofMillis(-1))).hasMessageContaining("delay");
        assertThatThrownBy(() -> Fault.rateLimited(Duration.ofMillis(-1))).hasMessageContaining("retryAfter");
        assertThatThrownBy(() -> Fault.dropConnection().withHeader("a", "b")).isInstanceOf(IllegalStateException.class);
    }

    /**
     * docs/testing.md: {@code withHeader} is taken by every fault but {@code dropConnection()}, which sends no
     * response and so no header, and refuses it with an IllegalStateException; a value above U+00FF is refused
     * (HTTP sends header values as ISO-8859-1), one up to U+00FF taken.
     */
    @Test
    void withHeaderIsTakenByEveryFaultButADroppedConnectionWhichSendsNoHeader() {
        Instant reset = Instant.parse("2030-01-01T00:00:00Z");
        List<Fault> faults = List.of(Fault.answer(), Fault.rateLimited(Duration.ofSeconds(1)),
                Fault.rateLimitedUntil(reset), Fault.serverError(), Fault.unavailable(), Fault.status(404),
                Fault.slowAnswer(Duration.ofSeconds(1)), Fault.malformedBody(),
                Fault.stallBeforeFirstToken(Duration.ofSeconds(1)), Fault.stallUntilReleased(), Fault.cutMidStream(2),
                Fault.malformedChunk(1), Fault.providerError(500, "{}"), Fault.quotaExhausted(),
                Fault.azureQuotaExhausted(), Fault.anthropicBillingError(), Fault.anthropicRateLimited(reset),
                Fault.geminiRateLimited(Duration.ofSeconds(1)), Fault.geminiDailyQuotaExhausted(),
                Fault.ietfRateLimited(Duration.ofSeconds(1)), Fault.truncatedAnswer(), Fault.contentFiltered(),
                Fault.blankAnswer());
        for (Fault fault : faults) {
            assertThat(fault.withHeader("x-request-id", "req-1").headers()).as(fault.toString())
                    .containsEntry("x-request-id", "req-1");
        }

        assertThatThrownBy(() -> Fault.dropConnection().withHeader("x-request-id", "req-1"))
                .isInstanceOf(IllegalStateException.class).hasMessage("a dropped connection sends no headers");
        assertThatThrownBy(() -> Fault.serverError().withHeader("x-price", "5 \u20ac"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("value of header x-price must hold no CR, LF or other control character and nothing"
                        + " above U+00FF, had U+20AC at index 2");
        assertThat(Fault.serverError().withHeader("x-price", "5 \u00a3").headers()).containsEntry("x-price", "5 \u00a3");
    }

    /** Every factory that takes a wait refuses a negative one, in the same words, naming its argument. */
    @Test
    void aNegativeWaitIsRefusedByEveryRateLimitFactory() {
        Duration negative = Duration.ofSeconds(-5);
        assertThatThrownBy(() -> Fault.rateLimited(negative)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("retryAfter must not be negative, was PT-5S");
        assertThatThrownBy(() -> Fault.geminiRateLimited(negative)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("retryDelay must not be negative, was PT-5S");
        assertThatThrownBy(() -> Fault.ietfRateLimited(negative)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("reset must not be negative, was PT-5S");
    }

    /**
     * A wait longer than {@link Fault#MAX_WAIT} (Long.MAX_VALUE nanoseconds) is refused by every factory,
     * naming the argument and the bound, not an {@code ArithmeticException}; the bound itself is served.
     */
    @Test
    void aWaitTooLongForTheHeadersIsRefusedNamingTheArgument() {
        Duration tooLong = Duration.ofSeconds(Long.MAX_VALUE);
        Duration longest = Duration.ofNanos(Long.MAX_VALUE); // Fault.MAX_WAIT
        String bound = " must be at most PT2562047H47M16.854775807S (Long.MAX_VALUE nanoseconds, about 292 years), was "
                + tooLong;
        assertThatThrownBy(() -> Fault.rateLimited(tooLong)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("retryAfter" + bound);
        assertThatThrownBy(() -> Fault.geminiRateLimited(tooLong)).hasMessage("retryDelay" + bound);
        assertThatThrownBy(() -> Fault.ietfRateLimited(tooLong)).hasMessage("reset" + bound);
        assertThatThrownBy(() -> Fault.slowAnswer(tooLong)).hasMessage("delay" + bound);
        assertThatThrownBy(() -> Fault.stallBeforeFirstToken(longest.plusNanos(1)))
                .hasMessageStartingWith("delay must be at most");

        assertThat(Fault.rateLimited(longest).headers()).containsEntry("Retry-After", "9223372037")
                .containsEntry("retry-after-ms", "9223372036855");
        assertThat(Fault.ietfRateLimited(longest).headers()).containsEntry("RateLimit",
                "\"default\";r=0;t=9223372037");
        assertThat(Fault.slowAnswer(longest)).hasToString("slow 9223372036854ms");
    }

    /**
     * A header that cannot be put on the wire (a name that is not an HTTP token, a value with a line
     * break or another control character) is refused when the fault is made, naming the argument, as
     * {@code status(200)} is; a header of the same name in another case replaces the first.
     */
    @Test
    void aHeaderThatCannotBeSentIsRefusedWhenTheFaultIsMade() throws Exception {
        assertThatThrownBy(() -> Fault.serverError().withHeader("Retry-After", "1\r\nX-Injected: yes"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("value of header Retry-After must hold no CR, LF or other control character and nothing"
                        + " above U+00FF, had U+000D at index 1");
        assertThatThrownBy(() -> Fault.serverError().withHeader("Retry After", "1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("name must be an HTTP token (RFC 9110 tchar: letters, digits and !#$%&'*+-.^_`|~), was"
                        + " \"Retry After\" (U+0020 at index 5)");
        assertThatThrownBy(() -> Fault.serverError().withHeader("", "1")).hasMessageStartingWith("name must be");
        assertThatThrownBy(() -> Fault.serverError().withHeader("X-A:", "1")).hasMessageStartingWith("name must be");
        assertThatThrownBy(() -> Fault.serverError().withHeader("X-A", "a\nb")).hasMessageStartingWith("value of");
        assertThatThrownBy(() -> Fault.serverError().withHeader("X-A", "a\u007fb")).hasMessageStartingWith("value of");
        assertThatThrownBy(() -> Fault.serverError().withHeader("X-A", "\u20ac")).hasMessageStartingWith("value of");
        assertThatThrownBy(() -> Fault.serverError().withHeader(null, "1")).isInstanceOf(NullPointerException.class);

        server.script("gpt-4", Fault.rateLimited(Duration.ofSeconds(1)).withHeader("retry-after", "5")
                .withHeader("x-a!#$%&'*+-.^_`|~", "a b"));
        HttpResponse<String> r = chat("gpt-4", "q");
        assertThat(r.headers().allValues("Retry-After")).containsExactly("5");
        assertThat(r.headers().firstValue("x-a!#$%&'*+-.^_`|~")).hasValue("a b");
        assertThat(Fault.serverError().withHeader("X-A", "a\tb").headers()).containsEntry("X-A", "a\tb");
        assertThat(server.log()).extracting(e -> e.fault().toString()).containsExactly("429 Retry-After=5");
    }

    /**
     * A response that cannot begin (here the answers function fails) drops the connection, and the log
     * says so: never a response the client did not get.
     */
    @Test
    void theLogRecordsWhatTheClientGotWhenAResponseCannotBeSent() throws Exception {
        try (ModelServer failing = ModelServer.start((model, prompt) -> {
            throw new IllegalStateException("no answer");
        })) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(failing.baseUrl() + "/chat/completions"))
                    .timeout(Duration.ofSeconds(5)).POST(HttpRequest.BodyPublishers.ofString(
                            "{\"model\":\"gpt-4\",\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}")).build();
            assertThatThrownBy(() -> CLIENT.send(request, HttpResponse.BodyHandlers.ofString()))
                    .isInstanceOf(IOException.class);
            failing.script("gpt-4", Fault.serverError());
            assertThat(CLIENT.send(request, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(500);

            assertThat(failing.log()).extracting(ServedRequest::fault)
                    .containsExactly(Fault.dropConnection(), Fault.serverError());
        }
    }

    /** Fault is a value: equal when every part of what it serves is, so a logged request equals its expectation. */
    @Test
    void aLoggedRequestEqualsTheSameValues() throws Exception {
        server.script("gpt-4", Fault.serverError());
        chat("gpt-4", "q");

        assertThat(server.log()).containsExactly(
                new ServedRequest(1, "gpt-4", ModelServer.digest("q"), Fault.serverError(), false));
        assertThat(Fault.rateLimited(Duration.ofMillis(1500))).isEqualTo(Fault.rateLimited(Duration.ofMillis(1500)))
                .hasSameHashCodeAs(Fault.rateLimited(Duration.ofMillis(1500)))
                .isNotEqualTo(Fault.rateLimited(Duration.ofMillis(1400))); // retry-after-ms differs
        assertThat(Fault.serverError().withHeader("X-A", "1")).isEqualTo(Fault.serverError().withHeader("x-a", "1"))
                .hasSameHashCodeAs(Fault.serverError().withHeader("x-a", "1"))
                .isNotEqualTo(Fault.serverError().withHeader("X-A", "2")).isNotEqualTo(Fault.serverError());
        assertThat(Fault.slowAnswer(Duration.ofMillis(1))).isNotEqualTo(Fault.slowAnswer(Duration.ofMillis(2)))
                .isNotEqualTo(Fault.stallBeforeFirstToken(Duration.ofMillis(1)));
        assertThat(Fault.cutMidStream(1)).isNotEqualTo(Fault.cutMidStream(2));
        assertThat(Fault.truncatedAnswer()).isNotEqualTo(Fault.contentFiltered());
        assertThat(Fault.status(400)).isNotEqualTo(Fault.status(401));
    }

    // ---- the extension in user-shaped test classes, run through the JUnit launcher

    /** Two tests run concurrently on one server: b starts while a is in progress. */
    @Execution(ExecutionMode.CONCURRENT)
    static class ConcurrentTests {
        static final CountDownLatch aCalledOnce = new CountDownLatch(1);
        static final CountDownLatch bEnded = new CountDownLatch(1);
        static final List<Integer> aSaw = new CopyOnWriteArrayList<>();

        @RegisterExtension
        @Order(1)
        static final BeforeEachCallback bStartsWhileAIsInProgress = context -> {
            if (context.getRequiredTestMethod().getName().equals("b")) {
                aCalledOnce.await(10, TimeUnit.SECONDS);
            }
        };

        @RegisterExtension
        @Order(2)
        static final ModelServerExtension models = new ModelServerExtension();

        @RegisterExtension
        @Order(3)
        static final AfterEachCallback bEnds = context -> {
            if (context.getRequiredTestMethod().getName().equals("b")) {
                bEnded.countDown();
            }
        };

        @Test
        void a() throws Exception {
            ModelServer server = models.server();
            server.script("gpt-4", Fault.unavailable(), Fault.unavailable());
            aSaw.add(chatOn(server));
            aCalledOnce.countDown();
            bEnded.await(10, TimeUnit.SECONDS);
            aSaw.add(chatOn(server));
            aSaw.add(server.requests("gpt-4"));
        }

        @Test
        void b() {
        }

        private static int chatOn(ModelServer server) throws IOException, InterruptedException {
            return CLIENT.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/chat/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4\",\"messages\":[]}")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode();
        }
    }

    @Test
    void aTestStartedWhileAnotherIsInProgressFailsInsteadOfWipingItsScriptAndCounts() {
        TestExecutionSummary summary = run(ConcurrentTests.class, Map.of(
                "junit.jupiter.execution.parallel.enabled", "true",
                "junit.jupiter.execution.parallel.config.strategy", "fixed",
                "junit.jupiter.execution.parallel.config.fixed.parallelism", "2"));
        assertThat(ConcurrentTests.aSaw).as("a's two scripted 503s and its count").containsExactly(503, 503, 2);
        assertThat(summary.getTestsSucceededCount()).isEqualTo(1);
        assertThat(summary.getFailures()).singleElement().satisfies(f -> {
            assertThat(f.getTestIdentifier().getDisplayName()).isEqualTo("b()");
            assertThat(f.getException()).isInstanceOf(IllegalStateException.class).hasMessage(
                    "ModelServerExtension: test b() started while test a() is in progress on the same model server,"
                    + " whose reset before each test would wipe the other test's scripts and counts; run the class"
                    + " with @Execution(ExecutionMode.SAME_THREAD), or start a server per test (ModelServer.start())");
        });
    }

    /** The extension on an instance field: one per test instance, so a server per test. */
    static class ExtensionOnAnInstanceField {
        static final List<ModelServer> servers = new CopyOnWriteArrayList<>();

        @RegisterExtension
        final ModelServerExtension models = new ModelServerExtension();

        @Test
        void one() {
            servers.add(models.server());
        }

        @Test
        void two() {
            servers.add(models.server());
        }
    }

    @Test
    void anExtensionOnAnInstanceFieldStopsItsServerWithItsTestInstance() {
        TestExecutionSummary summary = run(ExtensionOnAnInstanceField.class, Map.of());
        assertThat(summary.getTestsSucceededCount()).isEqualTo(2);
        assertThat(ExtensionOnAnInstanceField.servers).hasSize(2).doesNotHaveDuplicates()
                .as("servers still listening after their tests").noneMatch(s -> listening(s.port()));
    }

    /** The extension on a static field: one server for the class, reset before each test, stopped after. */
    @org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.MethodName.class)
    static class ExtensionOnAStaticField {
        static final List<Object> seen = new CopyOnWriteArrayList<>();

        @RegisterExtension
        static final ModelServerExtension models = new ModelServerExtension();

        @Test
        void a() throws Exception {
            models.server().always("gpt-4", Fault.serverError());
            seen.add(ConcurrentTests.chatOn(models.server()));
            seen.add(listening(models.server().port()));
        }

        @Test
        void b() throws Exception {
            seen.add(ConcurrentTests.chatOn(models.server()));
            seen.add(models.server().requests("gpt-4"));
        }
    }

    @Test
    void anExtensionOnAStaticFieldKeepsOneServerForTheClassAndStopsItAfter() {
        TestExecutionSummary summary = run(ExtensionOnAStaticField.class, Map.of());
        assertThat(summary.getTestsSucceededCount()).isEqualTo(2);
        assertThat(ExtensionOnAStaticField.seen).containsExactly(500, true, 200, 1);
        assertThat(listening(ExtensionOnAStaticField.models.server().port())).isFalse();
    }

    /** The extension on the outer class's static field, used by two @Nested classes one after the other. */
    @TestClassOrder(ClassOrderer.ClassName.class)
    static class ExtensionOnAnOuterClassStaticField {
        static final List<Object> seen = new CopyOnWriteArrayList<>();

        @RegisterExtension
        static final ModelServerExtension models = new ModelServerExtension();

        @Nested
        class First {
            @Test
            void a() throws Exception {
                seen.add(ConcurrentTests.chatOn(models.server()));
            }
        }

        @Nested
        class Second {
            @Test
            void b() throws Exception {
                seen.add(ConcurrentTests.chatOn(models.server()));
                seen.add(models.server().requests("gpt-4"));
            }
        }
    }

    @Test
    void anExtensionOnAnOuterClassStaticFieldServesEveryNestedClassAndStopsAfterTheOuterClass() {
        TestExecutionSummary summary = run(ExtensionOnAnOuterClassStaticField.class, Map.of());
        assertThat(failures(summary)).isEmpty();
        assertThat(summary.getTestsSucceededCount()).isEqualTo(2);
        assertThat(ExtensionOnAnOuterClassStaticField.seen).as("Second's answer and count, reset after First")
                .containsExactly(200, 200, 1);
        assertThat(listening(ExtensionOnAnOuterClassStaticField.models.server().port())).isFalse();
    }

    /** The extension on a static field of an abstract base class that two test classes extend. */
    abstract static class ExtensionOnABaseClassStaticField {
        static final List<Object> seen = new CopyOnWriteArrayList<>();

        @RegisterExtension
        static final ModelServerExtension models = new ModelServerExtension();
        static final ModelServer server = models.server();
    }

    static class ExtensionOnABaseClassStaticFieldFirstSubclass extends ExtensionOnABaseClassStaticField {
        @Test
        void a() throws Exception {
            seen.add(ConcurrentTests.chatOn(server));
        }
    }

    static class ExtensionOnABaseClassStaticFieldSecondSubclass extends ExtensionOnABaseClassStaticField {
        @Test
        void b() throws Exception {
            seen.add(ConcurrentTests.chatOn(server));
            seen.add(server.requests("gpt-4"));
        }
    }

    @Test
    void anExtensionOnABaseClassStaticFieldServesEverySubclassAndStopsWhenTheRunEnds() {
        TestExecutionSummary summary = run(List.of(ExtensionOnABaseClassStaticFieldFirstSubclass.class,
                ExtensionOnABaseClassStaticFieldSecondSubclass.class), Map.of());
        assertThat(failures(summary)).isEmpty();
        assertThat(summary.getTestsSucceededCount()).isEqualTo(2);
        assertThat(ExtensionOnABaseClassStaticField.seen).containsExactly(200, 200, 1);
        assertThat(listening(ExtensionOnABaseClassStaticField.server.port())).as("listening after the run").isFalse();
    }

    /** A concrete base class with the extension's static field and tests of its own, and a subclass. */
    static class ExtensionOnAConcreteBaseClassStaticField {
        @RegisterExtension
        static final ModelServerExtension models = new ModelServerExtension();

        @Test
        void a() throws Exception {
            assertThat(ConcurrentTests.chatOn(models.server())).isEqualTo(200);
        }
    }

    static class ExtensionOnAConcreteBaseClassStaticFieldSubclass extends ExtensionOnAConcreteBaseClassStaticField {
    }

    @Test
    void aSubclassRunAfterTheConcreteBaseClassThatStoppedItsServerFailsNamingBoth() {
        TestExecutionSummary summary = run(List.of(ExtensionOnAConcreteBaseClassStaticField.class,
                ExtensionOnAConcreteBaseClassStaticFieldSubclass.class), Map.of());
        assertThat(summary.getTestsSucceededCount()).isEqualTo(1);
        String base = ExtensionOnAConcreteBaseClassStaticField.class.getName();
        assertThat(summary.getFailures()).singleElement().satisfies(f -> {
            assertThat(f.getTestIdentifier().getDisplayName()).isEqualTo("ModelServerTest$ExtensionOnAConcreteBaseClassStaticFieldSubclass");
            assertThat(f.getException()).isInstanceOf(IllegalStateException.class).hasMessage(
                    "ModelServerExtension: class " + ExtensionOnAConcreteBaseClassStaticFieldSubclass.class.getName()
                    + " uses the model server of a static field of " + base + ", which was stopped when the tests of "
                    + base + " ended; make " + base + " abstract, or give this class its own extension");
        });
    }

    /**
     * The extension on an instance field under the per-class lifecycle: one test instance, so one server
     * for the class and its @Nested classes, stopped after the class.
     */
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    @TestClassOrder(ClassOrderer.ClassName.class)
    static class PerClassInstanceField {
        static final List<Object> seen = new CopyOnWriteArrayList<>();
        static volatile ModelServer server;

        @RegisterExtension
        final ModelServerExtension models = new ModelServerExtension();

        @Test
        void a() throws Exception {
            server = models.server();
            seen.add(ConcurrentTests.chatOn(models.server()));
        }

        @Nested
        class First {
            @Test
            void b() throws Exception {
                seen.add(ConcurrentTests.chatOn(models.server()));
            }
        }

        @Nested
        class Second {
            @Test
            void c() throws Exception {
                seen.add(ConcurrentTests.chatOn(models.server()));
            }
        }
    }

    /** Runs after PerClassInstanceField (class-name order), once that class has ended. */
    static class PerClassInstanceFieldThen {
        @Test
        void d() {
            PerClassInstanceField.seen.add(listening(PerClassInstanceField.server.port()));
        }
    }

    @Test
    void anExtensionOnAnInstanceFieldUnderThePerClassLifecycleServesItsNestedClassesAndStopsAfterItsClass() {
        TestExecutionSummary summary = run(List.of(PerClassInstanceField.class, PerClassInstanceFieldThen.class),
                Map.of());
        assertThat(failures(summary)).isEmpty();
        assertThat(PerClassInstanceField.seen).as("three answers, then whether it listens after its class")
                .containsExactly(200, 200, 200, false);
    }

    /** One extension, made by a holder class, that two unrelated test classes register. */
    static final class SharedModelServer {
        static final ModelServerExtension MODELS = new ModelServerExtension();
    }

    static class SharedExtensionFirstClass {
        static final List<Object> seen = new CopyOnWriteArrayList<>();

        @RegisterExtension
        static final ModelServerExtension models = SharedModelServer.MODELS;

        @Test
        void a() throws Exception {
            seen.add(ConcurrentTests.chatOn(models.server()));
        }
    }

    static class SharedExtensionSecondClass {
        @RegisterExtension
        static final ModelServerExtension models = SharedModelServer.MODELS;

        @Test
        void b() throws Exception {
            SharedExtensionFirstClass.seen.add(ConcurrentTests.chatOn(models.server()));
            SharedExtensionFirstClass.seen.add(models.server().requests("gpt-4"));
        }
    }

    @Test
    void oneExtensionThatTwoUnrelatedClassesRegisterServesBothAndStopsWhenTheRunEnds() {
        TestExecutionSummary summary = run(List.of(SharedExtensionFirstClass.class, SharedExtensionSecondClass.class),
                Map.of());
        assertThat(failures(summary)).isEmpty();
        assertThat(summary.getTestsSucceededCount()).isEqualTo(2);
        assertThat(SharedExtensionFirstClass.seen).containsExactly(200, 200, 1);
        assertThat(listening(SharedModelServer.MODELS.server().port())).as("listening after the run").isFalse();
    }

    /** A test class that makes its extension, and an unrelated one that registers it too, run after it. */
    static class MakesItsExtension {
        @RegisterExtension
        static final ModelServerExtension models = new ModelServerExtension();

        @Test
        void a() {
        }
    }

    static class MakesItsExtensionThenAnotherClassRegistersIt {
        @RegisterExtension
        static final ModelServerExtension models = MakesItsExtension.models;

        @Test
        void b() {
        }
    }

    @Test
    void aClassThatRegistersTheExtensionOfAnotherTestClassRunAfterItFailsNamingBothWithoutTheSubclassAdvice() {
        TestExecutionSummary summary = run(List.of(MakesItsExtension.class,
                MakesItsExtensionThenAnotherClassRegistersIt.class), Map.of());
        assertThat(summary.getTestsSucceededCount()).isEqualTo(1);
        String maker = MakesItsExtension.class.getName();
        assertThat(summary.getFailures()).singleElement().satisfies(f -> assertThat(f.getException())
                .isInstanceOf(IllegalStateException.class).hasMessage(
                        "ModelServerExtension: class " + MakesItsExtensionThenAnotherClassRegistersIt.class.getName()
                        + " uses the model server of a static field of " + maker + ", which was stopped when the tests"
                        + " of " + maker + " ended; give this class its own extension, or share one that a class"
                        + " with no tests makes (a holder's static final field)"));
    }

    static class RunTwice {
        @RegisterExtension
        static final ModelServerExtension models = new ModelServerExtension();

        @Test
        void a() throws Exception {
            assertThat(ConcurrentTests.chatOn(models.server())).isEqualTo(200);
        }
    }

    abstract static class RunTwiceBase {
        @RegisterExtension
        static final ModelServerExtension models = new ModelServerExtension();
    }

    static class RunTwiceSubclass extends RunTwiceBase {
        @Test
        void a() throws Exception {
            assertThat(ConcurrentTests.chatOn(models.server())).isEqualTo(200);
        }
    }

    private static String stoppedByAnEarlierRun(Class<?> testClass) {
        return "ModelServerExtension: class " + testClass.getName() + " uses the model server of a static field,"
                + " stopped by an earlier test run in this JVM; a static field's server serves one test run of its"
                + " classes: run them again in a new JVM, or give each run its own extension (an instance field)";
    }

    @Test
    void aClassRunAgainInTheSameJvmFailsSayingTheEarlierRunStoppedItsStaticFieldsServer() {
        for (Class<?> testClass : List.of(RunTwice.class, RunTwiceSubclass.class)) {
            assertThat(failures(run(testClass, Map.of()))).as("the first run of " + testClass).isEmpty();
            TestExecutionSummary second = run(testClass, Map.of());
            assertThat(second.getTestsStartedCount()).isZero();
            assertThat(second.getFailures()).singleElement().satisfies(f -> assertThat(f.getException())
                    .isInstanceOf(IllegalStateException.class).hasMessage(stoppedByAnEarlierRun(testClass)));
        }
    }
}

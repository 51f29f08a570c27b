package dev.rebound.modelserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The server at the HTTP level, with the JDK's client: what each fault puts on the wire. */
class ModelServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    static final ModelServerExtension models = new ModelServerExtension();
    private static final ModelServer server = models.server();
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

    @Test
    void listensOnLoopbackOnly() {
        assertThat(server.baseUrl()).startsWith("http://127.0.0.1:").endsWith("/v1");
        assertThat(server.port()).isPositive();
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
        assertThat(JSON.readTree(limited.body()).path("error").path("type").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(chat("gpt-4", "q").statusCode()).isEqualTo(200);
        assertThat(chat("gpt-3.5-turbo", "q").statusCode()).isEqualTo(200);
        assertThat(server.requests("gpt-4")).isEqualTo(4);
        assertThat(server.requestCounts()).containsExactly(
                org.assertj.core.api.Assertions.entry("gpt-4", 4),
                org.assertj.core.api.Assertions.entry("gpt-3.5-turbo", 1));
        List<ServedRequest> log = server.log();
        assertThat(log).extracting(ServedRequest::sequence).containsExactly(1, 2, 3, 4, 5);
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
        assertThat(log.get(0).fault().status()).isZero();
        assertThat(log.get(0).fault().headers()).isEmpty();
        assertThat(log).extracting(r -> r.fault().kind()).containsExactly(Fault.Kind.DROP_CONNECTION,
                Fault.Kind.MALFORMED_BODY, Fault.Kind.SLOW_ANSWER);
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
        assertThat(server.log()).isEmpty();
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
    void aStallUntilReleasedHoldsTheOpenStreamSilentUntilTheTestReleasesIt() throws Exception {
        server.script("gpt-4", Fault.stallUntilReleased());
        java.util.concurrent.CompletableFuture<HttpResponse<String>> stalled =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return stream("gpt-4", "q", false);
                    } catch (IOException | InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
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
        java.util.concurrent.CompletableFuture<HttpResponse<String>> held =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return chat("gpt-4", "q");
                    } catch (IOException | InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
        assertThat(server.awaitStalled(1, Duration.ofSeconds(10))).isTrue();
        assertThat(held).isNotDone();

        server.reset(); // a test's leftover stall never holds the next test
        HttpResponse<String> answer = held.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(answer.body()).path("choices").path(0).path("message").path("content").asText())
                .isEqualTo(ModelServer.answerFor("gpt-4", "q"));
    }

    @Test
    void cutMidStreamBreaksTheConnection() throws Exception {
        server.script("gpt-4", Fault.cutMidStream(2));
        assertThatThrownBy(() -> stream("gpt-4", "q", false)).isInstanceOf(IOException.class);
        assertThat(server.requests("gpt-4")).isEqualTo(1);
        assertThat(stream("gpt-4", "q", false).statusCode()).isEqualTo(200);
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
}

package dev.rebound.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebound.modelserver.Fault;
import dev.rebound.modelserver.ModelServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The main command as a person sees it (real waits, kept to a few hundred milliseconds). */
class RagDemoTest {

    private static String run(Map<String, String> env, String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        RagDemo.run(args, env, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theDefaultScriptShows503ThenRetryAfterThenTheFallback() {
        String out = run(Map.of());

        assertThat(out).contains("faults: outage")
                .contains("  - LangChain supports retry and fallback mechanisms for resilience.")
                .containsPattern("(?m)^  1 +gpt-4 +1 +503 InternalServerException +retry in 100 ms \\(backoff\\)$")
                .containsPattern("(?m)^  2 +gpt-4 +2 +429 RateLimitException +retry in 300 ms \\(server's Retry-After\\)$")
                .containsPattern("(?m)^  3 +gpt-4 +3 +503 InternalServerException +give up gpt-4 \\(no attempts left\\)$")
                .containsPattern("(?m)^ +gpt-4 +fall back to gpt-3.5-turbo$")
                .containsPattern("(?m)^  4 +gpt-3.5-turbo +1 +200 answer +done$")
                .containsPattern("(?m)^Trace \\(the spans a tracing back end gets: the call, each attempt, each fallback "
                        + "switch\\):\n"
                        + "  Generator.chat outcome=fallback \\(\\d+ ms\\)\n"
                        + "    attempt gpt-4 attempt=1 failure=InternalServerException outcome=failure wait.ms=100 "
                        + "wait.reason=backoff \\[error\\] \\(\\d+ ms\\)\n"
                        + "    attempt gpt-4 attempt=2 failure=RateLimitException outcome=failure wait.ms=300 "
                        + "wait.reason=retry-after \\[error\\] \\(\\d+ ms\\)\n"
                        + "    attempt gpt-4 attempt=3 failure=InternalServerException outcome=failure "
                        + "retry.stopped=attempts \\[error\\] \\(\\d+ ms\\)\n"
                        + "    fallback gpt-3.5-turbo from=gpt-4 to=gpt-3.5-turbo \\(\\d+ ms\\)\n"
                        + "      attempt gpt-3.5-turbo attempt=1 outcome=success \\(\\d+ ms\\)\n"
                        + "        Generator.chat outcome=success \\(\\d+ ms\\)\n"
                        + "          attempt gpt-3.5-turbo attempt=1 outcome=success \\(\\d+ ms\\)\n\n"
                        + "Answer: ")
                .containsPattern("(?m)^Answer: \\[gpt-3.5-turbo, prompt [0-9a-f]{8}\\] LangChain supports retry and fallback")
                .containsPattern("(?m)^Summary: attempts 4, fallbacks 1, requests per model gpt-4=3 gpt-3.5-turbo=1 "
                        + "gpt-3.5-turbo-16k=0, total [0-9.]+ s \\(generation [0-9.]+ s\\)$")
                .containsPattern("(?m)^Metrics: calls fallback=1, attempts 4 \\(gpt-4 3, fallback models 1\\), "
                        + "fallbacks gpt-4->gpt-3.5-turbo=1, call duration [0-9.]+ s$");
    }

    @Test
    void itPrintsThePolicyItRunsAndWithLogReboundsOwnLogLinesAsAServiceWould() throws Exception {
        PrintStream err = System.err;
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        String out;
        try {
            System.setErr(new PrintStream(logged, true, StandardCharsets.UTF_8));
            out = run(Map.of(), "--log");
        } finally {
            System.setErr(err);
        }

        assertThat(out).contains("Policy (declared in demo/src/main/java/dev/rebound/demo/ModelChain.java):\n"
                + "  gpt-4                  3 attempts, waits 100 ms then 200 ms, 20 s deadline; a server's Retry-After"
                + " wait wins if longer, up to 2 s; beyond that, the next model at once\n"
                + "  then gpt-3.5-turbo     2 attempts, waits 100 ms; a server's Retry-After wait wins if longer, up to"
                + " 2 s; beyond that, the next model at once\n"
                + "  then gpt-3.5-turbo-16k 2 attempts, waits 100 ms; a server's Retry-After wait wins if longer, up to"
                + " 2 s; beyond that, the call fails at once\n"
                + "  any answer             a cut-off answer (finish_reason length) goes to the next model without"
                + " retry\n");
        assertThat(java.nio.file.Files.readString(Path.of("..").resolve(ModelChain.SOURCE)))
                .contains("PRIMARY_RETRY = RetryPolicy.builder()");
        assertThat(logged.toString(StandardCharsets.UTF_8))
                .contains("INFO dev.rebound - Generator.chat(ChatRequest) on gpt-4: retrying after "
                        + "dev.langchain4j.exception.InternalServerException: attempt 2 in 100 ms (backoff)")
                .contains("INFO dev.rebound - Generator.chat(ChatRequest) on gpt-4: retrying after "
                        + "dev.langchain4j.exception.RateLimitException: attempt 3 in 300 ms (retry-after)")
                .contains("WARN dev.rebound - Generator.chat(ChatRequest): falling back from gpt-4 to gpt-3.5-turbo after "
                        + "dev.langchain4j.exception.InternalServerException");
    }

    @Test
    void theEnvironmentChoosesAScriptAndAFlagWinsOverIt() {
        assertThat(run(Map.of("REBOUND_FAULTS", "cascade"))).contains(
                "Summary: attempts 6, fallbacks 2, requests per model gpt-4=3 gpt-3.5-turbo=2 gpt-3.5-turbo-16k=1")
                .contains("Metrics: calls fallback=1, attempts 6 (gpt-4 3, fallback models 3), fallbacks "
                        + "gpt-4->gpt-3.5-turbo=1 gpt-3.5-turbo->gpt-3.5-turbo-16k=1");
        assertThat(run(Map.of("REBOUND_FAULTS", "cascade"), "--faults=healthy")).contains(
                "Summary: attempts 1, fallbacks 0, requests per model gpt-4=1 gpt-3.5-turbo=0 gpt-3.5-turbo-16k=0");
    }

    @Test
    void aQuota429IsNotRetriedAndGoesStraightToTheFallback() {
        String out = run(Map.of(), "--faults=quota");

        assertThat(out).containsPattern("(?m)^  1 +gpt-4 +1 +429 RateLimitException +give up gpt-4 "
                        + "\\(out of quota: no retry\\)$")
                .contains("Summary: attempts 2, fallbacks 1, requests per model gpt-4=1 gpt-3.5-turbo=1 "
                        + "gpt-3.5-turbo-16k=0");
    }

    @Test
    void aTruncatedAnswerGoesToTheNextModelWithoutRetries() {
        String out = run(Map.of(), "--faults=truncated");

        assertThat(out).containsPattern("(?m)^  1 +gpt-4 +1 +200 rejected answer +give up gpt-4 "
                        + "\\(answer rejected: no retry\\)$")
                .containsPattern("(?m)^Answer: \\[gpt-3.5-turbo-16k, prompt [0-9a-f]{8}\\]")
                .contains("requests per model gpt-4=1 gpt-3.5-turbo=1 gpt-3.5-turbo-16k=1");
    }

    /** One line per attempt, whichever wrapper reports it: the fallback's rejected answer is gpt-4's wrapper's verdict. */
    @Test
    void everyRejectedAnswerHasItsAttemptLineAndTheSummaryCountsWhatTheMetersCount() {
        String out = run(Map.of(), "--faults=truncated");

        assertThat(out).containsPattern("(?m)^  2 +gpt-3.5-turbo +1 +200 rejected answer +give up gpt-3.5-turbo "
                        + "\\(answer rejected: no retry\\)$")
                .containsPattern("(?m)^ +gpt-3.5-turbo +fall back to gpt-3.5-turbo-16k$")
                .containsPattern("(?m)^  3 +gpt-3.5-turbo-16k +1 +200 answer +done$")
                .contains("Summary: attempts 3, fallbacks 2, requests per model gpt-4=1 gpt-3.5-turbo=1 "
                        + "gpt-3.5-turbo-16k=1")
                .contains("Metrics: calls fallback=1, attempts 3 (gpt-4 1, fallback models 2)");
    }

    /** The streaming chain has no check of the answer: --stream refuses the script whose point is one, before anything starts. */
    @Test
    void streamRefusesAScriptWhosePointIsACheckOfTheAnswer() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        assertThatThrownBy(() -> RagDemo.run(new String[] {"--stream", "--faults=truncated"}, Map.of(),
                new PrintStream(bytes, true, StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--stream does not go with the fault script 'truncated': its point is a check of the answer"
                        + " (a cut-off answer goes to the next model), which Rebound does not make on a stream; run it"
                        + " without --stream");
        assertThatThrownBy(() -> run(Map.of("REBOUND_FAULTS", "truncated"), "--stream"))
                .hasMessageStartingWith("--stream does not go with the fault script 'truncated'");
        assertThat(bytes.size()).isZero();
    }

    /** A stream that ends with finish_reason length (a real API's, where no script applies) is said to be cut off, never complete. */
    @Test
    void aStreamCutOffByTheTokenLimitIsNeverCalledComplete() {
        try (ModelServer api = ModelServer.start()) {
            api.always("gpt-4", Fault.truncatedAnswer());

            String out = run(Map.of("OPENAI_API_KEY", "sk-test", "OPENAI_BASE_URL", api.baseUrl()), "--stream");

            assertThat(out).contains("  any answer             a stream is not judged: a cut-off stream is the caller's")
                    .containsPattern("(?m)^Answer \\(streamed\\): .* \\[cut off\\]$")
                    .containsPattern("(?m)^Streamed answer cut off \\(finish_reason length\\) after \\d+ characters: "
                            + "Rebound does not judge a stream's answer, so no other model was asked$")
                    .doesNotContain("Streamed answer complete");
            assertThat(api.requests("gpt-4")).isEqualTo(1);
            assertThat(api.requests("gpt-3.5-turbo")).isZero();
        }
    }

    @Test
    void rateLimitTakesBothWaitsFromTheServer() {
        assertThat(run(Map.of(), "--faults=rate-limit"))
                .containsPattern("(?m)^  1 +gpt-4 +1 +429 RateLimitException +retry in 200 ms \\(server's Retry-After\\)$")
                .containsPattern("(?m)^  2 +gpt-4 +2 +429 RateLimitException +retry in 400 ms \\(server's Retry-After\\)$")
                .containsPattern("(?m)^  3 +gpt-4 +3 +200 answer +done$")
                .contains("Summary: attempts 3, fallbacks 0, requests per model gpt-4=3 gpt-3.5-turbo=0 "
                        + "gpt-3.5-turbo-16k=0");
    }

    @Test
    void timeoutsAreRetriedAndTheThirdAttemptAnswers() {
        assertThat(run(Map.of(), "--faults=timeout"))
                .containsPattern("(?m)^  1 +gpt-4 +1 +timeout TimeoutException +retry in 100 ms \\(backoff\\)$")
                .containsPattern("(?m)^  2 +gpt-4 +2 +timeout TimeoutException +retry in 200 ms \\(backoff\\)$")
                .containsPattern("(?m)^  3 +gpt-4 +3 +200 answer +done$")
                .contains("Summary: attempts 3, fallbacks 0, requests per model gpt-4=3 gpt-3.5-turbo=0");
    }

    @Test
    void aDroppedConnectionAndAMalformedBodyAreRetried() {
        assertThat(run(Map.of(), "--faults=flaky"))
                .containsPattern("(?m)^  1 +gpt-4 +1 +no response RuntimeException +retry in 100 ms \\(backoff\\)$")
                .containsPattern("(?m)^  2 +gpt-4 +2 +malformed body RuntimeException +retry in 200 ms \\(backoff\\)$")
                .containsPattern("(?m)^  3 +gpt-4 +3 +200 answer +done$")
                .contains("Summary: attempts 3, fallbacks 0, requests per model gpt-4=3 gpt-3.5-turbo=0");
    }

    @Test
    void a401IsNotRetriedAndGoesStraightToTheFallback() {
        assertThat(run(Map.of(), "--faults=auth"))
                .containsPattern("(?m)^  1 +gpt-4 +1 +401 AuthenticationException +give up gpt-4 \\(not retryable\\)$")
                .containsPattern("(?m)^ +gpt-4 +fall back to gpt-3.5-turbo$")
                .containsPattern("(?m)^  2 +gpt-3.5-turbo +1 +200 answer +done$")
                .contains("Summary: attempts 2, fallbacks 1, requests per model gpt-4=1 gpt-3.5-turbo=1 "
                        + "gpt-3.5-turbo-16k=0");
    }

    /** RagDemo.settings: Rebound's own log lines only with --log; the chain earns no build-time warning either. */
    @Test
    void withoutLogReboundPrintsNoLogLine() {
        PrintStream err = System.err;
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(logged, true, StandardCharsets.UTF_8));
            run(Map.of(), "--faults=truncated");
        } finally {
            System.setErr(err);
        }
        assertThat(logged.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("dev.rebound -")))
                .as("Rebound's log lines without --log").isEmpty();
    }

    @Test
    void aBlankQuestionIsRefusedBeforeAnythingStartsNamingTheFlagOrTheVariable() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        assertThatThrownBy(() -> RagDemo.run(new String[] {"--faults=healthy", "--question= "}, Map.of(),
                new PrintStream(bytes, true, StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--question is blank; ask a question, e.g. --question='What does a 429 mean?'");
        assertThatThrownBy(() -> run(Map.of("REBOUND_QUESTION", ""), "--faults=healthy"))
                .hasMessage("REBOUND_QUESTION is blank; ask a question, e.g. REBOUND_QUESTION='What does a 429 mean?'");
        assertThat(bytes.size()).isZero();
    }

    @Test
    void whenEveryModelIsDownTheCallerGetsGpt4sLastFailure() {
        String out = run(Map.of(), "--faults=all-down");

        assertThat(out).contains("every model failed: the caller gets InternalServerException")
                .contains("No answer: the caller gets 503 InternalServerException (gpt-4's last failure), "
                        + "with 4 other failures suppressed on it")
                .contains("Summary: attempts 7, fallbacks 2")
                .contains("Metrics: calls failure=1, attempts 7 (gpt-4 3, fallback models 4)");
    }

    @Test
    void aQuestionCanBeAsked() {
        assertThat(run(Map.of("REBOUND_QUESTION", "How tall is the Eiffel Tower?"), "--faults=healthy"))
                .contains("  - The Eiffel Tower is 330 metres tall and stands in Paris.")
                .containsPattern("Answer: \\[gpt-4, prompt [0-9a-f]{8}\\] The Eiffel Tower is 330 metres tall");
    }

    @Test
    void withAnApiKeyItTalksToTheConfiguredApiInsteadOfTheEmbeddedServer() {
        try (ModelServer api = ModelServer.start()) {
            api.script("gpt-4", Fault.unavailable());

            String out = run(Map.of("OPENAI_API_KEY", "sk-test", "OPENAI_BASE_URL", api.baseUrl()));

            assertThat(out).contains("models: the OpenAI API").doesNotContain("sk-test")
                    .contains("Summary: attempts 2, fallbacks 0, requests per model gpt-4=2 gpt-3.5-turbo=0");
            assertThat(api.requests("gpt-4")).isEqualTo(2);
        }
    }

    @Test
    void streamEarlyRetriesFailuresBeforeTheFirstTokenUnseenThenTheFallbackStreams() {
        String out = run(Map.of(), "--faults=stream-early");

        assertThat(out).contains("faults: stream-early")
                .containsPattern("(?m)^  1 +gpt-4 +1 +503 InternalServerException +retry in 100 ms \\(backoff\\)$")
                // the cut before the first token: LangChain4jException from langchain4j's parser, or the JDK
                // client's own IOException when it fails the exchange first (its timing; the bytes are the same)
                .containsPattern("(?m)^  2 +gpt-4 +2 +no response (LangChain4jException|IOException) +retry in 200 ms "
                        + "\\(backoff\\)$")
                .containsPattern("(?m)^  3 +gpt-4 +3 +503 InternalServerException +give up gpt-4 \\(no attempts left\\)$")
                .containsPattern("(?m)^ +gpt-4 +fall back to gpt-3.5-turbo$")
                .containsPattern("(?m)^  4 +gpt-3.5-turbo +1 +200 answer +done$")
                .containsPattern("(?m)^Answer \\(streamed\\): \\[gpt-3.5-turbo, prompt [0-9a-f]{8}\\] LangChain supports retry")
                .doesNotContain("[gpt-4, prompt")
                .contains("Streamed answer complete")
                .contains("requests per model gpt-4=3 gpt-3.5-turbo=1 gpt-3.5-turbo-16k=0");
    }

    @Test
    void streamMidwayKeepsThePartialTextAndNeverRestartsTheStream() {
        String out = run(Map.of(), "--faults=stream-midway");

        assertThat(out).contains("faults: stream-midway")
                .containsPattern("(?m)^  1 +gpt-4 +1 +200 answer +done$")
                .containsPattern("(?m)^Answer \\(streamed\\): \\[gpt-4, prompt [0-9a-f]{8}\\] \\[cut\\]$")
                .containsPattern("Stream broken after 3 tokens: the caller keeps the 24 characters received and gets "
                        + "PartialStreamException \\(cause no response LangChain4jException\\); nothing was restarted")
                .contains("requests per model gpt-4=1 gpt-3.5-turbo=0 gpt-3.5-turbo-16k=0")
                .containsPattern("(?m)^Metrics: calls success=1, streams.broken=1, attempts 1 \\(gpt-4 1, "
                        + "fallback models 0\\)");
    }

    @Test
    void aHealthyStreamPrintsEveryToken() {
        assertThat(run(Map.of(), "--stream", "--faults=healthy"))
                .containsPattern("(?m)^Answer \\(streamed\\): \\[gpt-4, prompt [0-9a-f]{8}\\] LangChain supports retry")
                .contains("Summary: attempts 1, fallbacks 0, requests per model gpt-4=1");
    }

    @Test
    void badFlagsNameWhatIsKnown() {
        assertThatThrownBy(() -> run(Map.of(), "--faults=meteor"))
                .hasMessageContaining("unknown fault script 'meteor'").hasMessageContaining("outage, healthy");
        assertThatThrownBy(() -> run(Map.of(), "--fast")).hasMessageContaining("unknown argument '--fast'");
        assertThat(run(Map.of(), "--help")).contains("rate-limit").contains("OPENAI_API_KEY");
    }
}

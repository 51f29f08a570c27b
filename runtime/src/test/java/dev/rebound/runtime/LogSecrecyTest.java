package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;
import dev.rebound.runtime.Fakes.BlockingTime;
import dev.rebound.runtime.metrics.MicrometerListener;
import dev.rebound.runtime.observation.ObservationTracer;
import dev.rebound.runtime.observation.OtelTracing;
import dev.rebound.runtime.testing.VirtualTimeSource;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Security: no log line, event string, metric tag or span (name, attribute, event, status) carries an argument value, a prompt, an
 * answer, an exception message or an API key. A scripted scenario passes a recognisable fake key
 * and prompt in arguments, results, exception messages and the targets' own toString; every byte
 * written to stdout and stderr (where slf4j-simple logs, at TRACE in this test's own JVM: see the
 * "log-secrecy" execution in the pom) is captured and searched.
 */
class LogSecrecyTest {

    static final String KEY = "sk-FAKE-rebound-4f7a9c2e1b";
    static final String PROMPT = "PROMPT-tell-me-the-vault-code";
    static final String ANSWER = "ANSWER-vault-code-is-8472q";
    static final String MESSAGE = "upstream-said-quota-exceeded-for-account-991q";
    static final List<String> SECRETS = List.of(KEY, "4f7a9c2e1b", PROMPT, "vault", ANSWER, "8472q", MESSAGE, "991q");
    // the short secrets end in a letter no hexadecimal address has: a lambda class's name in a log line
    // (LogSecrecyTest$$Lambda$850/0x00007f991c3e30a8) must not match them by chance

    public interface Llm {
        @Retry(attempts = 3, delay = 100)
        @Fallback(to = BackupLlm.class)
        String chat(String apiKey, String prompt) throws IOException;
    }

    /** A client that knows its key, prints it in its toString, and puts everything in its failures. */
    static final class KeyedLlm implements Llm {
        final String key;
        int calls;

        KeyedLlm(String key) {
            this.key = key;
        }

        @Override
        public String chat(String apiKey, String prompt) throws IOException {
            calls++;
            if (calls % 4 == 1) {
                RetryAfter.suggest(Duration.ofMillis(250));
                throw new IOException("429 for key " + apiKey + " on prompt " + prompt + " " + MESSAGE);
            }
            if (calls % 4 == 2) {
                throw new IllegalStateException(MESSAGE + " " + apiKey, new IOException(prompt));
            }
            if (calls % 4 == 3) {
                throw new IOException(MESSAGE);
            }
            return ANSWER + " for " + prompt;
        }

        @Override
        public String toString() {
            return "KeyedLlm[apiKey=" + key + "]";
        }
    }

    /** The annotated fallback: fails with secrets for one prompt, answers otherwise. */
    public static final class BackupLlm implements Llm {
        @Override
        public String chat(String apiKey, String prompt) throws IOException {
            if (prompt.endsWith("!")) {
                throw new IOException("backup refused " + prompt + " with " + apiKey);
            }
            return ANSWER;
        }

        @Override
        public String toString() {
            return "BackupLlm[" + KEY + "]";
        }
    }

    @Test
    void noLogLineEventMetricTagOrSpanCarriesKeysPromptsAnswersOrMessages() throws Exception {
        assumeTrue("trace".equals(System.getProperty("org.slf4j.simpleLogger.defaultLogLevel")),
                "runs in the log-secrecy surefire execution, where everything is logged");
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8);
        PrintStream err = System.err;
        PrintStream out = System.out;
        System.setErr(capture);
        System.setOut(capture);
        OtelTracing tracing = new OtelTracing();
        try {
            ReboundSettings settings = ReboundSettings.builder().timeSource(new VirtualTimeSource())
                    .tracer(new ObservationTracer(tracing.registry()))
                    .listener(new MicrometerListener(registry)).listener(e -> events.add(e.toString()))
                    .listener(e -> {
                        throw new IllegalStateException("listener saw " + KEY); // logged as a class name only
                    }).build();
            Llm annotated = Rebound.wrap(Llm.class, (Llm) new KeyedLlm(KEY)).settings(settings).build();
            for (int i = 0; i < 6; i++) {
                try {
                    annotated.chat(KEY, PROMPT + (i == 4 ? "!" : ""));
                } catch (IOException | IllegalStateException expected) {
                    // the caller's own exception may carry the secret: only Rebound's output is checked
                }
            }

            Llm failing = (k, p) -> {
                throw new IOException(MESSAGE + k + p);
            };
            Llm programmatic = Rebound.wrap(Llm.class, failing)
                    .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(10)).build())
                    .withFallbacks(new KeyedLlm(KEY)).settings(settings).build();
            assertThatThrownBy(() -> programmatic.chat(KEY, PROMPT)).hasMessageContaining(MESSAGE);

            BlockingTime blocking = new BlockingTime();
            Llm waiting = Rebound.wrap(Llm.class, failing)
                    .withRetry(RetryPolicy.builder().attempts(2).build())
                    .settings(settings.toBuilder().timeSource(blocking).build()).build();
            Thread caller = new Thread(() -> {
                try {
                    waiting.chat(KEY, PROMPT);
                } catch (IOException expected) {
                    // interrupted: the last failure
                }
            });
            caller.start();
            assertThat(blocking.sleeping.await(10, TimeUnit.SECONDS)).isTrue();
            caller.interrupt();
            caller.join(10_000);
        } finally {
            System.setErr(err);
            System.setOut(out);
        }
        List<io.opentelemetry.sdk.trace.data.SpanData> spans = tracing.spans();
        tracing.close();
        List<String> spanStrings = new ArrayList<>();
        spans.forEach(span -> spanStrings.addAll(OtelTracing.everyString(span)));
        String logged = captured.toString(StandardCharsets.UTF_8);
        List<String> tags = new ArrayList<>();
        for (Meter m : registry.getMeters()) {
            tags.add(m.getId().toString());
        }

        // the scenario really logged every kind of line, at every level
        assertThat(logged).contains("DEBUG dev.rebound - Llm.chat(String, String) on KeyedLlm: attempt 1 failed with"
                + " java.io.IOException")
                .contains("INFO dev.rebound - Llm.chat(String, String) on KeyedLlm: retrying after java.io.IOException: attempt 2 in 250 ms "
                        + "(retry-after)")
                .contains("WARN dev.rebound - Llm.chat(String, String): falling back from KeyedLlm to BackupLlm")
                .contains("WARN dev.rebound - Llm.chat(String, String): failed for good")
                .contains("interrupted while waiting")
                .contains("Rebound listener " + getClass().getName());
        assertThat(events).hasSizeGreaterThan(30);
        assertThat(tags).hasSizeGreaterThan(5);
        assertThat(spans).hasSizeGreaterThan(30);
        assertThat(spanStrings).contains("rebound.retry.stopped", "retry-after", "java.io.IOException",
                "java.lang.IllegalStateException");
        for (String secret : SECRETS) {
            assertThat(logged).as("captured output").doesNotContain(secret);
            assertThat(events).as("event strings").noneMatch(e -> e.contains(secret));
            assertThat(tags).as("metric ids").noneMatch(t -> t.contains(secret));
            assertThat(spanStrings).as("span strings").noneMatch(t -> t != null && t.contains(secret));
        }
    }

    /**
     * A stream that breaks after its first tokens is logged at WARN by the default listener, with counts
     * and class names: never the partial text the handler got, the prompt, the key or the failure's message.
     */
    @Test
    void aStreamBrokenAfterItsFirstTokenIsLoggedAtWarnWithoutItsTextPromptOrKey() throws Exception {
        assumeTrue("trace".equals(System.getProperty("org.slf4j.simpleLogger.defaultLogLevel")),
                "runs in the log-secrecy surefire execution, where everything is logged");
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8);
        PrintStream err = System.err;
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.CompletableFuture<Throwable> ended = new java.util.concurrent.CompletableFuture<>();
        try (dev.rebound.modelserver.ModelServer server = dev.rebound.modelserver.ModelServer.start(
                (model, prompt) -> ANSWER + " " + KEY + " " + MESSAGE + " " + prompt)) {
            // a malformed chunk after 3 tokens: a break whose place does not depend on timing (a cut does)
            server.script("gpt-4", dev.rebound.modelserver.Fault.malformedChunk(3));
            System.setErr(capture);
            dev.langchain4j.model.chat.StreamingChatModel model = Rebound.wrap(
                    dev.langchain4j.model.chat.StreamingChatModel.class,
                    dev.langchain4j.model.openai.OpenAiStreamingChatModel.builder().baseUrl(server.baseUrl())
                            .apiKey(KEY).modelName("gpt-4").timeout(Duration.ofSeconds(5))
                            .httpClientBuilder(dev.rebound.runtime.langchain4j.RetryAfterHttpClientBuilder.create())
                            .build())
                    .named("gpt-4").withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ZERO).build())
                    .settings(ReboundSettings.builder().timeSource(new VirtualTimeSource())
                            .listener(e -> events.add(e.toString())).build())
                    .build();
            model.chat(PROMPT, new dev.langchain4j.model.chat.response.StreamingChatResponseHandler() {
                @Override
                public void onPartialResponse(String token) {
                }

                @Override
                public void onCompleteResponse(dev.langchain4j.model.chat.response.ChatResponse response) {
                    ended.complete(null);
                }

                @Override
                public void onError(Throwable error) {
                    ended.complete(error);
                }
            });
            assertThat(ended.get(10, TimeUnit.SECONDS)).isInstanceOf(
                    dev.rebound.runtime.langchain4j.PartialStreamException.class)
                    .satisfies(e -> assertThat(((dev.rebound.runtime.langchain4j.PartialStreamException) e)
                            .partialText()).contains(ANSWER));
        } finally {
            System.setErr(err);
        }
        // Rebound's own lines (langchain4j's and the JDK's loggers are not Rebound's to police)
        List<String> rebound = captured.toString(StandardCharsets.UTF_8).lines()
                .filter(l -> l.contains(" dev.rebound")).toList();
        assertThat(rebound).anyMatch(l -> l.contains("WARN dev.rebound - StreamingChatModel.chat(String, "
                + "StreamingChatResponseHandler) on gpt-4: the stream of attempt 1 broke after 3 partial responses (")
                && l.endsWith("); not restarted, the handler gets a PartialStreamException"));
        assertThat(events).anyMatch(e -> e.startsWith("STREAM_BROKEN"));
        for (String secret : SECRETS) {
            assertThat(rebound).as("Rebound's lines").noneMatch(l -> l.contains(secret));
            assertThat(events).as("event strings").noneMatch(e -> e.contains(secret));
        }
    }
}

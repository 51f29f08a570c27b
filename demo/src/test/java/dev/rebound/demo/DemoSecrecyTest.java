package dev.rebound.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.modelserver.Fault;
import dev.rebound.modelserver.ModelServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Security: the demo run with a recognisable fake API key and prompt, against an API (the embedded
 * server) that fails in every way on the way to the answer. Everything printed, by the demo and by
 * any logger on stdout or stderr, the call's trace included, is captured and searched: the key appears
 * nowhere, and the prompt
 * only where the demo echoes the question it was asked.
 */
class DemoSecrecyTest {

    static final String KEY = "sk-FAKE-demo-7c1e93b4aa0d";
    static final String PROMPT = "secret-launch-code-question-5521";

    @Test
    void aFakeKeyAndPromptNeverReachTheLogsTheEventLinesOrTheSummary() {
        ByteArrayOutputStream demo = new ByteArrayOutputStream();
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream err = System.err;
        PrintStream out = System.out;
        boolean answered;
        try (ModelServer api = ModelServer.start()) {
            api.script("gpt-4", Fault.unavailable(), Fault.rateLimited(Duration.ofMillis(100)), Fault.serverError());
            api.script("gpt-3.5-turbo", Fault.dropConnection(), Fault.malformedBody());
            PrintStream capture = new PrintStream(console, true, StandardCharsets.UTF_8);
            System.setErr(capture);
            System.setOut(capture);
            try {
                answered = RagDemo.run(new String[] {"--question=" + PROMPT},
                        Map.of("OPENAI_API_KEY", KEY, "OPENAI_BASE_URL", api.baseUrl()),
                        new PrintStream(demo, true, StandardCharsets.UTF_8));
            } finally {
                System.setErr(err);
                System.setOut(out);
            }
            assertThat(api.requestCounts()).containsExactly(Map.entry("gpt-4", 3), Map.entry("gpt-3.5-turbo", 2),
                    Map.entry("gpt-3.5-turbo-16k", 1));
        }
        String printed = demo.toString(StandardCharsets.UTF_8);
        String logged = console.toString(StandardCharsets.UTF_8);

        assertThat(answered).isTrue();
        assertThat(printed).contains("fall back to gpt-3.5-turbo").contains("fall back to gpt-3.5-turbo-16k")
                .contains("    fallback gpt-3.5-turbo-16k from=gpt-3.5-turbo to=gpt-3.5-turbo-16k (") // the trace
                .contains("Answer: gpt-3.5-turbo-16k answers");
        assertThat(printed + logged).doesNotContain(KEY).doesNotContain("7c1e93b4aa0d");
        assertThat(logged).doesNotContain(PROMPT);
        List<String> echoing = printed.lines().filter(l -> l.contains(PROMPT)).toList();
        assertThat(echoing).containsExactly("Question: " + PROMPT);
    }
}

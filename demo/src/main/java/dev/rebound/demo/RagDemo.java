package dev.rebound.demo;

import dev.langchain4j.model.chat.StreamingChatModel;
import dev.rebound.modelserver.ModelServer;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.langchain4j.PartialStreamException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The main command: the seed's RAG chain with retry and fallbacks, against the embedded model server
 * under a fault script (or OpenAI itself when OPENAI_API_KEY is set), printing what happened.
 *
 * <pre>
 * mvn -B -q -pl demo -am package exec:java -DskipTests                      # the outage script
 * REBOUND_FAULTS=rate-limit mvn -B -q -pl demo -am package exec:java -DskipTests
 * mvn ... exec:java -Dexec.args="--faults=cascade --question='What is a 429?'"
 * mvn ... exec:java -Dexec.args="--stream --faults=stream-midway"            # tokens as they arrive
 * mvn ... exec:java -Dexec.args=--log                                     # with Rebound's own log lines
 * </pre>
 */
public final class RagDemo {

    static final String DEFAULT_QUESTION = "How does LangChain ensure reliability?";

    private RagDemo() {
    }

    public static void main(String[] args) {
        run(args, System.getenv(), System.out);
    }

    /** Runs the demo; returns whether the question was answered. */
    static boolean run(String[] args, Map<String, String> env, PrintStream out) {
        Options o = Options.parse(args, env);
        if (o.help) {
            out.println("usage: [--stream] [--faults=NAME] [--question=TEXT] [--log]   (or REBOUND_FAULTS,"
                    + " REBOUND_QUESTION)");
            out.println("  --stream    stream the answer, printing tokens as they arrive (stream-* scripts imply it;"
                    + " a stream's answer is not judged, so not with truncated)");
            out.println("  --log       also print Rebound's own log lines (logger dev.rebound, on stderr),"
                    + " as your service would");
            for (FaultScript s : FaultScript.values()) {
                out.printf("  %-11s %s%n", s.cliName(), s.description());
            }
            out.println("With OPENAI_API_KEY set (and OPENAI_BASE_URL, optionally) the real API answers.");
            return true;
        }
        if (o.log) {
            // Rebound logs retries at INFO and fallbacks at WARN, as in a service whose "dev.rebound" logger is at
            // INFO; `mvn -q` sets slf4j-simple's default level to error, which would hide them
            System.setProperty("org.slf4j.simpleLogger.log.dev.rebound", "info");
        }
        long start = System.nanoTime();
        String apiKey = env.get("OPENAI_API_KEY");
        boolean real = apiKey != null && !apiKey.isBlank();
        ModelServer server = real ? null : ModelServer.start(RagDemo::groundedAnswer);
        TracePrinter trace = new TracePrinter();
        try {
            if (real) {
                out.println("Rebound RAG demo | models: the OpenAI API (OPENAI_API_KEY is set; no fault script)");
            } else {
                o.faults.apply(server);
                out.println("Rebound RAG demo | faults: " + o.faults.cliName() + ": " + o.faults.description());
                out.println("                 | models: embedded OpenAI-compatible server at " + server.baseUrl());
            }
            out.println("Policy (declared in " + ModelChain.SOURCE + "):");
            ModelChain.describe(o.stream).forEach(line -> out.println("  " + line));
            if (o.log) {
                out.println("Rebound's log lines (stderr) are on: --log");
            }
            List<String> models = new ArrayList<>();
            models.add(ModelChain.PRIMARY);
            models.addAll(ModelChain.FALLBACKS);
            EventPrinter printer = new EventPrinter(out, ModelChain.PRIMARY, models);
            String baseUrl = real ? env.get("OPENAI_BASE_URL") : server.baseUrl();
            Duration timeout = real ? Duration.ofSeconds(60) : o.faults.clientTimeout();
            MetricsLine metrics = new MetricsLine();
            String key = real ? apiKey : "demo-key";
            ReboundSettings primarySettings = settings(o.log, printer.primary(), metrics.listener(), trace);
            ReboundSettings fallbackSettings = settings(o.log, printer.fallback(), metrics.listener(), trace);
            ModelChain.Generator llm = o.stream ? null : ModelChain.resilient(
                    name -> ModelChain.openAi(baseUrl, key, name, timeout), primarySettings, fallbackSettings);

            out.println();
            out.println("Question: " + o.question);
            List<String> context = RagPipeline.retrieve(Knowledge.retriever(Knowledge.store(Knowledge.DOCUMENTS), 2),
                    o.question);
            out.println("Retrieved context (retrieved once; only generation retries):");
            context.forEach(c -> out.println("  - " + c));
            out.println();
            printer.header();
            long generationStart = System.nanoTime();
            String answer = null;
            Throwable failure = null;
            boolean cutOff = false;
            if (o.stream) {
                StreamingChatModel streaming = ModelChain.resilientStreaming(
                        name -> ModelChain.openAiStreaming(baseUrl, key, name, timeout), primarySettings,
                        fallbackSettings);
                StreamPrinter tokens = new StreamPrinter(out, printer);
                streaming.chat(RagPipeline.prompt(o.question, context), tokens);
                failure = tokens.awaitEnd();
                answer = tokens.text();
                cutOff = tokens.cutOff();
            } else {
                try {
                    answer = RagPipeline.generate(llm, RagPipeline.prompt(o.question, context));
                    printer.firstAttemptSucceeded();
                } catch (RuntimeException e) {
                    failure = e;
                }
            }
            out.println();
            out.println("Trace (the spans a tracing back end gets: the call, each attempt, each fallback switch):");
            trace.print(out);
            out.println();
            if (failure instanceof PartialStreamException broken) {
                out.println("Stream broken after " + broken.partialResponses() + " tokens: the caller keeps the "
                        + broken.partialText().length() + " characters received and gets PartialStreamException"
                        + " (cause " + EventPrinter.outcome(broken.getCause()) + "); nothing was restarted");
            } else if (cutOff) {
                out.println("Streamed answer cut off (finish_reason length) after " + answer.length() + " characters:"
                        + " Rebound does not judge a stream's answer, so no other model was asked");
            } else if (o.stream && failure == null) {
                out.println("Streamed answer complete: " + answer.length() + " characters");
            } else if (failure == null) {
                out.println("Answer: " + answer);
            } else {
                out.println("No answer: the caller gets " + EventPrinter.outcome(failure) + " (gpt-4's last failure), with "
                        + failure.getSuppressed().length + " other failures suppressed on it");
            }
            Map<String, Integer> requests = real ? printer.attemptsPerModel() : countsOf(server, models);
            long end = System.nanoTime();
            out.printf(Locale.ROOT, "Summary: attempts %d, fallbacks %d, requests per model %s, total %.1f s"
                    + " (generation %.1f s)%n", printer.attemptCount(), printer.fallbackCount(),
                    requests.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                            .collect(Collectors.joining(" ")),
                    (end - start) / 1e9, (end - generationStart) / 1e9);
            out.println(metrics.render());
            return failure == null;
        } finally {
            trace.close();
            if (server != null) {
                server.close();
            }
        }
    }

    /** The demo's settings: its table printer, metrics and trace, and Rebound's own log lines only with --log. */
    private static ReboundSettings settings(boolean log, dev.rebound.runtime.ReboundListener printer,
            dev.rebound.runtime.ReboundListener metrics, TracePrinter trace) {
        return ReboundSettings.builder().logging(log).listener(printer).listener(metrics).tracer(trace.tracer())
                .build();
    }

    private static Map<String, Integer> countsOf(ModelServer server, List<String> models) {
        Map<String, Integer> counts = new java.util.LinkedHashMap<>();
        for (String m : models) {
            counts.put(m, server.requests(m));
        }
        return counts;
    }

    /**
     * The embedded server's answer for the demo: still deterministic and naming the model and the
     * prompt's digest, but quoting the first line of context, as a grounded answer would.
     */
    static String groundedAnswer(String model, String prompt) {
        String marker = "Context: ";
        int at = prompt.indexOf(marker);
        String first = at < 0 ? "" : prompt.substring(at + marker.length()).lines().findFirst().orElse("");
        return "[" + model + ", prompt " + ModelServer.digest(prompt) + "] " + first;
    }

    /** Flags win over environment variables. */
    private static final class Options {
        FaultScript faults = FaultScript.OUTAGE;
        String question = DEFAULT_QUESTION;
        boolean help;
        boolean stream;
        boolean log;

        static Options parse(String[] args, Map<String, String> env) {
            Options o = new Options();
            if (env.get("REBOUND_FAULTS") != null) {
                o.faults = FaultScript.named(env.get("REBOUND_FAULTS"));
            }
            String questionFrom = "REBOUND_QUESTION";
            if (env.get("REBOUND_QUESTION") != null) {
                o.question = env.get("REBOUND_QUESTION");
            }
            for (String a : args) {
                if (a.startsWith("--faults=")) {
                    o.faults = FaultScript.named(a.substring("--faults=".length()));
                } else if (a.startsWith("--question=")) {
                    o.question = a.substring("--question=".length());
                    questionFrom = "--question";
                } else if (a.equals("--stream")) {
                    o.stream = true;
                } else if (a.equals("--log")) {
                    o.log = true;
                } else if (a.equals("--help") || a.equals("-h") || a.equals("--list")) {
                    o.help = true;
                } else {
                    throw new IllegalArgumentException("unknown argument '" + a + "'; try --help");
                }
            }
            o.stream |= o.faults.streams();
            if (o.help) {
                return o;
            }
            if (o.question.isBlank()) {
                throw new IllegalArgumentException(questionFrom + " is blank; ask a question, e.g. "
                        + questionFrom + "='What does a 429 mean?'");
            }
            if (o.stream && o.faults.judgesAnswers()) {
                throw new IllegalArgumentException("--stream does not go with the fault script '" + o.faults.cliName()
                        + "': its point is a check of the answer (a cut-off answer goes to the next model), which"
                        + " Rebound does not make on a stream; run it without --stream");
            }
            return o;
        }
    }
}

package dev.rebound.modelserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/**
 * An OpenAI-compatible chat-completions server on a free loopback port, with a fault script per
 * model, for tests and demos. Point langchain4j's {@code OpenAiChatModel} at it with
 * {@code baseUrl(server.baseUrl())}; any API key is accepted.
 *
 * <pre>{@code
 * try (ModelServer server = ModelServer.start()) {
 *     server.script("gpt-4", Fault.unavailable(), Fault.rateLimited(Duration.ofSeconds(1)));
 *     ... // gpt-4 answers 503, then 429, then answers
 *     assertThat(server.requests("gpt-4")).isEqualTo(3);
 * }
 * }</pre>
 *
 * <p>Answers are deterministic: by default {@link #answerFor(String, String)}, naming the model and
 * a digest of the prompt. {@code POST .../chat/completions} is served whole, or as OpenAI's
 * server-sent events when the request has {@code "stream": true}: one {@code chat.completion.chunk}
 * per token of the answer ({@link #tokensOf}), a last chunk with {@code finish_reason}, a usage chunk
 * when {@code stream_options.include_usage} is set, then {@code data: [DONE]}. The streaming faults
 * ({@link Fault#stallBeforeFirstToken}, {@link Fault#stallUntilReleased}, {@link Fault#cutMidStream}, {@link Fault#malformedChunk})
 * and every other fault apply to streamed requests too; each is counted and logged like any request.
 * Thread-safe.
 */
public final class ModelServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long a stream stays open, silent, after the tokens sent before a cut. */
    private static final Duration CUT_LINGER = Duration.ofMillis(100);

    static {
        // The JDK server writes headers and body separately; with Nagle on, the body waits for the
        // client's delayed ACK: 40 ms a response on Linux loopback. Read once, at first server start.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final HttpServer http;
    private final ExecutorService handlers;
    private final BiFunction<String, String, String> answers;
    private final AtomicInteger sequence = new AtomicInteger();
    private final Map<String, Script> scripts = new LinkedHashMap<>();
    private final Map<String, List<Script>> promptScripts = new LinkedHashMap<>();
    private final Map<String, Integer> counts = new LinkedHashMap<>();
    private final List<ServedRequest> log = new ArrayList<>();
    private final Map<String, RequestsPerMinute> limits = new LinkedHashMap<>();
    /** Opened by {@link #releaseStalls()}: what the stalls of {@link Fault#stallUntilReleased()} wait for. */
    private CountDownLatch release = new CountDownLatch(1);
    /** Streams now open and silent under {@link Fault#stallUntilReleased()}. */
    private int stalled;

    private ModelServer(HttpServer http, ExecutorService handlers, BiFunction<String, String, String> answers) {
        this.http = http;
        this.handlers = handlers;
        this.answers = answers;
    }

    /**
     * Starts a server on 127.0.0.1 and a free port.
     *
     * @throws UncheckedIOException if no port can be bound
     */
    public static ModelServer start() {
        return start(ModelServer::answerFor);
    }

    /**
     * Starts a server whose answers are {@code answers.apply(model, prompt)}: keep it deterministic.
     *
     * @throws UncheckedIOException if no port can be bound
     */
    public static ModelServer start(BiFunction<String, String, String> answers) {
        Objects.requireNonNull(answers, "answers");
        ExecutorService handlers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "model-server");
            t.setDaemon(true);
            return t;
        });
        try {
            HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            ModelServer server = new ModelServer(http, handlers, answers);
            http.createContext("/", server::handle);
            http.setExecutor(handlers);
            http.start();
            return server;
        } catch (IOException e) {
            handlers.shutdownNow();
            throw new UncheckedIOException("cannot start the model server", e);
        }
    }

    /** The port bound. */
    public int port() {
        return http.getAddress().getPort();
    }

    /** {@code http://127.0.0.1:PORT/v1}: what {@code OpenAiChatModel.builder().baseUrl(...)} takes. */
    public String baseUrl() {
        return "http://" + http.getAddress().getAddress().getHostAddress() + ":" + port() + "/v1";
    }

    /**
     * The next requests for {@code model} get {@code steps}, in order; after them, answers. Replaces
     * the model's previous script (prompt scripts stay).
     */
    public synchronized ModelServer script(String model, Fault... steps) {
        scripts.put(Objects.requireNonNull(model, "model"), new Script(null, steps, null));
        return this;
    }

    /** Every request for {@code model} gets {@code fault}, until scripted again or {@link #reset}. */
    public synchronized ModelServer always(String model, Fault fault) {
        scripts.put(Objects.requireNonNull(model, "model"),
                new Script(null, new Fault[0], Objects.requireNonNull(fault, "fault")));
        return this;
    }

    /**
     * Requests for {@code model} whose prompt contains {@code promptContains} get {@code steps}, in
     * order, before the model's own script is consulted; after them, answers. For per-input faults
     * in a batch.
     */
    public synchronized ModelServer scriptForPrompt(String model, String promptContains, Fault... steps) {
        Objects.requireNonNull(promptContains, "promptContains");
        promptScripts.computeIfAbsent(Objects.requireNonNull(model, "model"), m -> new ArrayList<>())
                .add(new Script(promptContains, steps, null));
        return this;
    }

    /**
     * Enforces a provider's requests-per-minute limit on {@code model}, as OpenAI does: a bucket of
     * {@code requestsPerMinute} that refills continuously and starts full. A request over it gets a 429
     * with {@code Retry-After} (whole seconds) instead of its script; every request within it also
     * carries {@code x-ratelimit-limit-requests}, {@code x-ratelimit-remaining-requests} and
     * {@code x-ratelimit-reset-requests}. Real time. Replaces the model's previous limit.
     *
     * @throws IllegalArgumentException if {@code requestsPerMinute} is below 1
     */
    public synchronized ModelServer limitRequestsPerMinute(String model, int requestsPerMinute) {
        limits.put(Objects.requireNonNull(model, "model"), new RequestsPerMinute(requestsPerMinute, System.nanoTime()));
        return this;
    }

    /** How many requests for {@code model} its requests-per-minute limit refused with a 429. */
    public synchronized int rateLimited(String model) {
        RequestsPerMinute limit = limits.get(model);
        return limit == null ? 0 : limit.refused();
    }

    /** How many requests {@code model} received. */
    public synchronized int requests(String model) {
        return counts.getOrDefault(model, 0);
    }

    /** Requests received per model, in order of first arrival. */
    public synchronized Map<String, Integer> requestCounts() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(counts));
    }

    /** Every request received, in arrival order. */
    public synchronized List<ServedRequest> log() {
        return List.copyOf(log);
    }

    /**
     * Ends every stall of {@link Fault#stallUntilReleased()} now open: their tokens stream. Stalls that
     * open later wait for the next release.
     */
    public synchronized void releaseStalls() {
        release.countDown();
        release = new CountDownLatch(1);
    }

    /**
     * Waits until {@code streams} streams are open and silent under {@link Fault#stallUntilReleased()}
     * (a condition, not a time); false if {@code timeout} passes first.
     *
     * @throws InterruptedException if interrupted while waiting
     */
    public synchronized boolean awaitStalled(int streams, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (stalled < streams) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    /** Holds a stream open and silent until released; false when the server is closing. */
    private boolean stallUntilReleased() {
        CountDownLatch gate;
        synchronized (this) {
            gate = release;
            stalled++;
            notifyAll();
        }
        try {
            gate.await();
            return true;
        } catch (InterruptedException closing) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            synchronized (this) {
                stalled--;
            }
        }
    }

    /** Forgets scripts, counts and the log; releases the stalls still open. */
    public synchronized void reset() {
        releaseStalls();
        scripts.clear();
        promptScripts.clear();
        limits.clear();
        counts.clear();
        log.clear();
        sequence.set(0);
    }

    /** Stops the server; answers still waiting (slow answers) are abandoned. */
    @Override
    public void close() {
        http.stop(0);
        handlers.shutdownNow();
    }

    /** The content of the answer {@code model} gives to {@code prompt}: deterministic. */
    public static String answerFor(String model, String prompt) {
        return model + " answers prompt " + digest(prompt) + ".";
    }

    /** The first 8 hex digits of the SHA-256 of {@code prompt} (UTF-8). */
    public static String digest(String prompt) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(prompt.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        boolean cut = false;
        try {
            respond(exchange);
        } catch (CutConnection e) {
            cut = true;
            throw e; // the JDK server closes the connection without ending the chunked body
        } finally {
            if (!cut) {
                exchange.close();
            }
        }
    }

    private void respond(HttpExchange exchange) throws IOException {
        if (!"POST".equals(exchange.getRequestMethod())
                || !exchange.getRequestURI().getPath().endsWith("/chat/completions")) {
            send(exchange, 404, error(404, "only POST /v1/chat/completions is served"), Map.of());
            return;
        }
        JsonNode request;
        try (InputStream in = exchange.getRequestBody()) {
            request = JSON.readTree(in);
        } catch (IOException e) {
            send(exchange, 400, error(400, "request body is not JSON"), Map.of());
            return;
        }
        String model = request.path("model").asText("");
        String prompt = prompt(request);
        boolean streamed = request.path("stream").asBoolean(false);
        Fault fault = record(model, prompt, streamed);
        if (streamed) {
            stream(exchange, fault, model, prompt, request.path("stream_options").path("include_usage").asBoolean());
        } else {
            serve(exchange, fault, model, prompt);
        }
    }

    private synchronized Fault record(String model, String prompt, boolean streamed) {
        Fault fault = next(model, prompt);
        RequestsPerMinute limit = limits.get(model);
        if (limit != null) {
            fault = limit.take(fault, System.nanoTime());
        }
        counts.merge(model, 1, Integer::sum);
        log.add(new ServedRequest(sequence.incrementAndGet(), model, digest(prompt), fault, streamed));
        return fault;
    }

    private Fault next(String model, String prompt) {
        for (Script s : promptScripts.getOrDefault(model, List.of())) {
            if (prompt.contains(s.promptContains) && s.hasNext()) {
                return s.next();
            }
        }
        Script s = scripts.get(model);
        return s != null && s.hasNext() ? s.next() : Fault.answer();
    }

    private void serve(HttpExchange exchange, Fault fault, String model, String prompt) throws IOException {
        switch (fault.kind()) {
            case DROP_CONNECTION:
            case CUT_MID_STREAM:
                return; // closing the exchange before any response closes the connection
            case MALFORMED_BODY:
            case MALFORMED_CHUNK:
                send(exchange, 200, "{\"id\": \"chatcmpl-malformed\", \"choices\": [{\"message\": ", fault.headers());
                return;
            case STATUS:
                send(exchange, fault.status(), error(fault.status(), "scripted failure"), fault.headers());
                return;
            case PROVIDER_ERROR:
                send(exchange, fault.status(), fault.detail(), fault.headers());
                return;
            case STOPPED_ANSWER:
                sendStopped(exchange, fault, model, prompt);
                return;
            case SLOW_ANSWER:
            case STALL_BEFORE_FIRST_TOKEN:
                if (!pause(fault.delay())) {
                    return;
                }
                break;
            case STALL_UNTIL_RELEASED:
                if (!stallUntilReleased()) {
                    return;
                }
                break;
            default:
                break;
        }
        try {
            send(exchange, 200, completion(model, prompt), fault.headers());
        } catch (IOException clientGone) {
            // a client that timed out has closed its end: nothing to answer to
        }
    }

    /** The content of an answer stopped for {@code reason}: half of it for "length", else none. */
    private String stoppedContent(String reason, String model, String prompt) {
        String full = answers.apply(model, prompt);
        return "length".equals(reason) ? full.substring(0, full.length() / 2) : "";
    }

    /** A 200 whose answer stopped for the fault's finish reason (see {@link Fault#truncatedAnswer()}). */
    private void sendStopped(HttpExchange exchange, Fault fault, String model, String prompt) throws IOException {
        String reason = fault.detail();
        String content = stoppedContent(reason, model, prompt);
        send(exchange, 200, completion(model, prompt, content, reason), fault.headers());
    }

    /** Waits on the server's side; false when the server is closing. */
    private static boolean pause(Duration delay) {
        try {
            TimeUnit.NANOSECONDS.sleep(delay.toNanos());
            return true;
        } catch (InterruptedException closing) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A streamed request: server-sent events, one chunk per token, with the fault applied. */
    private void stream(HttpExchange exchange, Fault fault, String model, String prompt, boolean usage)
            throws IOException {
        switch (fault.kind()) {
            case DROP_CONNECTION:
                return;
            case MALFORMED_BODY:
            case STATUS:
            case PROVIDER_ERROR:
                serve(exchange, fault, model, prompt);
                return;
            case SLOW_ANSWER:
                if (!pause(fault.delay())) {
                    return;
                }
                break;
            default:
                break;
        }
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        fault.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        try {
            out.flush();
            if (fault.kind() == Fault.Kind.STALL_BEFORE_FIRST_TOKEN && !pause(fault.delay())) {
                return;
            }
            if (fault.kind() == Fault.Kind.STALL_UNTIL_RELEASED && !stallUntilReleased()) {
                return;
            }
            String id = "chatcmpl-" + digest(model + "\n" + prompt);
            boolean stopped = fault.kind() == Fault.Kind.STOPPED_ANSWER;
            String answer = stopped ? stoppedContent(fault.detail(), model, prompt) : answers.apply(model, prompt);
            List<String> tokens = answer.isEmpty() ? List.of() : tokensOf(answer);
            boolean cuts = fault.kind() == Fault.Kind.CUT_MID_STREAM;
            boolean breaks = fault.kind() == Fault.Kind.MALFORMED_CHUNK;
            for (int i = 0; i < tokens.size(); i++) {
                if ((cuts || breaks) && i == fault.tokens()) {
                    break;
                }
                ObjectNode delta = JSON.createObjectNode();
                if (i == 0) {
                    delta.put("role", "assistant");
                }
                delta.put("content", tokens.get(i));
                event(out, chunk(id, model, delta, null));
            }
            if (cuts) {
                // the JDK client drops what it has buffered once it sees the connection fail: give it
                // the time to hand the tokens sent to the reader, as a network would, before cutting
                pause(CUT_LINGER);
                throw new CutConnection();
            }
            if (breaks) {
                event(out, "{\"id\": \"" + id + "\", \"choices\": [{\"delta\": ");
                return;
            }
            event(out, chunk(id, model, JSON.createObjectNode(), stopped ? fault.detail() : "stop"));
            if (usage) {
                ObjectNode last = JSON.createObjectNode();
                last.put("id", id);
                last.put("object", "chat.completion.chunk");
                last.put("created", 1_700_000_000L);
                last.put("model", model);
                last.putArray("choices");
                usage(last, prompt);
                event(out, last.toString());
            }
            event(out, "[DONE]");
        } catch (CutConnection e) {
            throw e;
        } catch (IOException clientGone) {
            // the client cancelled the stream or timed out: nothing to stream to
        }
    }

    private static String chunk(String id, String model, ObjectNode delta, String finishReason) {
        ObjectNode root = JSON.createObjectNode();
        root.put("id", id);
        root.put("object", "chat.completion.chunk");
        root.put("created", 1_700_000_000L);
        root.put("model", model);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        choice.set("delta", delta);
        if (finishReason == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finishReason);
        }
        return root.toString();
    }

    private static void event(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /**
     * How an answer is streamed: split before each whitespace, so the tokens joined give the answer
     * ({@code "gpt-4 answers prompt 2cf24dba."} is {@code ["gpt-4", " answers", " prompt", " 2cf24dba."]}).
     */
    public static List<String> tokensOf(String answer) {
        return List.of(answer.split("(?<=\\S)(?=\\s)"));
    }

    /** Thrown out of the handler so that the JDK server closes the connection mid-response. */
    private static final class CutConnection extends IOException {
        CutConnection() {
            super("scripted cut of the stream");
        }
    }

    private static void send(HttpExchange exchange, int status, String body, Map<String, String> headers)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** The text of every message, joined by newlines (text parts only for multi-part content). */
    static String prompt(JsonNode request) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode message : request.path("messages")) {
            JsonNode content = message.path("content");
            if (content.isArray()) {
                for (JsonNode part : content) {
                    append(sb, part.path("text").asText(""));
                }
            } else {
                append(sb, content.asText(""));
            }
        }
        return sb.toString();
    }

    private static void append(StringBuilder sb, String text) {
        if (sb.length() > 0) {
            sb.append('\n');
        }
        sb.append(text);
    }

    private String completion(String model, String prompt) {
        return completion(model, prompt, answers.apply(model, prompt), "stop");
    }

    private String completion(String model, String prompt, String content, String finishReason) {
        ObjectNode root = JSON.createObjectNode();
        root.put("id", "chatcmpl-" + digest(model + "\n" + prompt));
        root.put("object", "chat.completion");
        root.put("created", 1_700_000_000L);
        root.put("model", model);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        message.put("content", content);
        choice.put("finish_reason", finishReason);
        usage(root, prompt);
        return root.toString();
    }

    private static void usage(ObjectNode root, String prompt) {
        ObjectNode usage = root.putObject("usage");
        int promptTokens = Math.max(1, prompt.length() / 4);
        usage.put("prompt_tokens", promptTokens);
        usage.put("completion_tokens", 8);
        usage.put("total_tokens", promptTokens + 8);
    }

    private static String error(int status, String message) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode error = root.putObject("error");
        error.put("message", message);
        error.put("type", status == 429 ? "rate_limit_exceeded" : status >= 500 ? "server_error"
                : "invalid_request_error");
        error.putNull("param");
        error.put("code", Integer.toString(status));
        return root.toString();
    }

    /** Steps served in order, then {@code forever} (null = answers). Guarded by the server. */
    private static final class Script {
        final String promptContains;
        final Deque<Fault> steps;
        final Fault forever;

        Script(String promptContains, Fault[] steps, Fault forever) {
            this.promptContains = promptContains;
            this.steps = new ArrayDeque<>();
            for (int i = 0; i < steps.length; i++) {
                this.steps.add(Objects.requireNonNull(steps[i], "steps[" + i + "]"));
            }
            this.forever = forever;
        }

        boolean hasNext() {
            return !steps.isEmpty() || forever != null;
        }

        Fault next() {
            return steps.isEmpty() ? forever : steps.poll();
        }
    }
}

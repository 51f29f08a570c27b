package dev.rebound.modelserver;

import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * Writes the response to one chat-completions request with its {@link Fault} applied: whole, or as
 * OpenAI's server-sent events (one chunk per token, the finish chunk, the usage chunk when asked for,
 * {@code [DONE]}). A fault that cuts the connection mid-response throws {@link CutConnection}.
 */
final class Responder {

    private final BiFunction<String, String, String> answers;
    private final Stalls stalls;

    Responder(BiFunction<String, String, String> answers, Stalls stalls) {
        this.answers = answers;
        this.stalls = stalls;
    }

    /** A request that does not stream. */
    void serve(HttpExchange exchange, Fault fault, String model, String prompt) throws IOException {
        switch (fault.kind()) {
            case DROP_CONNECTION:
            case CUT_MID_STREAM:
                return; // closing the exchange before any response closes the connection
            case MALFORMED_BODY:
            case MALFORMED_CHUNK:
                send(exchange, 200, "{\"id\": \"chatcmpl-malformed\", \"choices\": [{\"message\": ", fault.headers());
                return;
            case STATUS:
                send(exchange, fault.status(), ChatJson.statusError(fault.status()), fault.headers());
                return;
            case PROVIDER_ERROR:
                send(exchange, fault.status(), fault.detail(), fault.headers());
                return;
            case STOPPED_ANSWER:
                // a 200 whose answer stopped for the fault's finish reason (see Fault#truncatedAnswer())
                send(exchange, 200, ChatJson.completion(model, prompt, stoppedContent(fault.detail(), model, prompt),
                        fault.detail()), fault.headers());
                return;
            case SLOW_ANSWER:
            case STALL_BEFORE_FIRST_TOKEN:
                if (!pause(fault.delay())) {
                    return;
                }
                break;
            case STALL_UNTIL_RELEASED:
                if (!stalls.hold()) {
                    return;
                }
                break;
            default:
                break;
        }
        try {
            send(exchange, 200, ChatJson.completion(model, prompt, answers.apply(model, prompt), "stop"),
                    fault.headers());
        } catch (IOException clientGone) {
            // a client that timed out has closed its end: nothing to answer to
        }
    }

    /** A streamed request: server-sent events, one chunk per token, with the fault applied. */
    void stream(HttpExchange exchange, Fault fault, String model, String prompt, boolean usage) throws IOException {
        switch (fault.kind()) {
            case DROP_CONNECTION:
                return;
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
            if (fault.kind() == Fault.Kind.STALL_UNTIL_RELEASED && !stalls.hold()) {
                return;
            }
            String id = ChatJson.id(model, prompt);
            boolean stopped = fault.kind() == Fault.Kind.STOPPED_ANSWER;
            String answer = stopped ? stoppedContent(fault.detail(), model, prompt) : answers.apply(model, prompt);
            List<String> tokens = answer.isEmpty() ? List.of() : ModelServer.tokensOf(answer);
            boolean cuts = fault.kind() == Fault.Kind.CUT_MID_STREAM;
            // a malformed body, streamed, is a stream whose first event is not JSON (malformedChunk(0))
            boolean breaks = fault.kind() == Fault.Kind.MALFORMED_CHUNK || fault.kind() == Fault.Kind.MALFORMED_BODY;
            if (cuts) {
                // The tokens before the cut go out as one chunk, in one write, then the connection closes
                // (an orderly close, the body's terminating chunk never sent). A client reads every byte
                // sent before it sees the end. One chunk, not one per token: the JDK client hands the
                // chunks of one read to its reader as a list, and drops the rest of that list once the
                // close is reported, which a reader still busy with the first chunk may see first.
                ByteArrayOutputStream sent = new ByteArrayOutputStream();
                for (int i = 0; i < Math.min(fault.tokens(), tokens.size()); i++) {
                    sent.write(eventBytes(ChatJson.tokenChunk(id, model, tokens.get(i), i == 0)));
                }
                sent.writeTo(out);
                out.flush();
                throw new CutConnection();
            }
            for (int i = 0; i < tokens.size(); i++) {
                if (breaks && i == fault.tokens()) {
                    break;
                }
                event(out, ChatJson.tokenChunk(id, model, tokens.get(i), i == 0));
            }
            if (breaks) {
                event(out, "{\"id\": \"" + id + "\", \"choices\": [{\"delta\": ");
                return;
            }
            event(out, ChatJson.finishChunk(id, model, stopped ? fault.detail() : "stop"));
            if (usage) {
                event(out, ChatJson.usageChunk(id, model, prompt));
            }
            event(out, "[DONE]");
        } catch (CutConnection e) {
            throw e;
        } catch (IOException clientGone) {
            // the client cancelled the stream or timed out: nothing to stream to
        }
    }

    /** The content of an answer stopped for {@code reason}: half of it for "length", else none. */
    private String stoppedContent(String reason, String model, String prompt) {
        String full = answers.apply(model, prompt);
        return "length".equals(reason) ? full.substring(0, full.length() / 2) : "";
    }

    /** Waits on the server's side; false when the server is closing. */
    private static boolean pause(Duration delay) {
        try {
            TimeUnit.NANOSECONDS.sleep(delay.toNanos()); // at most Fault.MAX_WAIT: no overflow
            return true;
        } catch (InterruptedException closing) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void event(OutputStream out, String data) throws IOException {
        out.write(eventBytes(data));
        out.flush();
    }

    private static byte[] eventBytes(String data) {
        return ("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    /** A whole JSON response. */
    static void send(HttpExchange exchange, int status, String body, Map<String, String> headers) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Thrown out of the handler so that the JDK server closes the connection mid-response. */
    static final class CutConnection extends IOException {
        CutConnection() {
            super("scripted cut of the stream");
        }
    }
}

package dev.rebound.modelserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;

/**
 * The JSON of OpenAI's chat-completions API, as the {@link ModelServer} reads and writes it: the
 * prompt of a request, a whole completion, the chunks of a streamed one, an error body. Every id is
 * {@code chatcmpl-} and the digest of the model and the prompt; {@code created} is fixed.
 */
final class ChatJson {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long CREATED = 1_700_000_000L;

    private ChatJson() {
    }

    /** The request's JSON. */
    static JsonNode read(InputStream in) throws IOException {
        return JSON.readTree(in);
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

    /** The id of the answer {@code model} gives to {@code prompt}. */
    static String id(String model, String prompt) {
        return "chatcmpl-" + ModelServer.digest(model + "\n" + prompt);
    }

    /** A whole {@code chat.completion} of {@code content}, stopped for {@code finishReason}, with usage. */
    static String completion(String model, String prompt, String content, String finishReason) {
        ObjectNode root = head(id(model, prompt), "chat.completion", model);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        message.put("content", content);
        choice.put("finish_reason", finishReason);
        usage(root, prompt);
        return root.toString();
    }

    /** A {@code chat.completion.chunk} carrying {@code token} (the first one also the role), not finished. */
    static String tokenChunk(String id, String model, String token, boolean first) {
        ObjectNode delta = JSON.createObjectNode();
        if (first) {
            delta.put("role", "assistant");
        }
        delta.put("content", token);
        return chunk(id, model, delta, null);
    }

    /** The last content chunk: an empty delta and {@code finishReason}. */
    static String finishChunk(String id, String model, String finishReason) {
        return chunk(id, model, JSON.createObjectNode(), finishReason);
    }

    /** The usage chunk sent when {@code stream_options.include_usage} is set: no choices. */
    static String usageChunk(String id, String model, String prompt) {
        ObjectNode root = head(id, "chat.completion.chunk", model);
        root.putArray("choices");
        usage(root, prompt);
        return root.toString();
    }

    private static String chunk(String id, String model, ObjectNode delta, String finishReason) {
        ObjectNode root = head(id, "chat.completion.chunk", model);
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

    private static ObjectNode head(String id, String object, String model) {
        ObjectNode root = JSON.createObjectNode();
        root.put("id", id);
        root.put("object", object);
        root.put("created", CREATED);
        root.put("model", model);
        return root;
    }

    private static void usage(ObjectNode root, String prompt) {
        ObjectNode usage = root.putObject("usage");
        int promptTokens = Math.max(1, prompt.length() / 4);
        usage.put("prompt_tokens", promptTokens);
        usage.put("completion_tokens", 8);
        usage.put("total_tokens", promptTokens + 8);
    }

    /** An OpenAI-style error body: its type from the status (429, 5xx, else an invalid request). */
    static String error(int status, String message) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode error = root.putObject("error");
        error.put("message", message);
        error.put("type", status == 429 ? "rate_limit_exceeded" : status >= 500 ? "server_error"
                : "invalid_request_error");
        error.putNull("param");
        error.put("code", Integer.toString(status));
        return root.toString();
    }
}

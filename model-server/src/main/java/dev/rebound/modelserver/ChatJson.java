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

    /**
     * Why {@code request} is not a chat request, as OpenAI's 400 error body; null if it is one: a JSON
     * object with a {@code model} string that is not empty and a {@code messages} array.
     */
    static String notAChatRequest(JsonNode request) {
        if (!request.isObject()) {
            return error("request body is not a JSON object", "invalid_request_error", null, null);
        }
        JsonNode model = request.path("model");
        if (!model.isTextual() || model.asText().isEmpty()) {
            return error("you must provide a model parameter", "invalid_request_error", null, null);
        }
        JsonNode messages = request.path("messages");
        if (messages.isMissingNode() || messages.isNull()) {
            return error("Missing required parameter: 'messages'.", "invalid_request_error", "messages",
                    "missing_required_parameter");
        }
        if (!messages.isArray()) {
            return error("Invalid type for 'messages': expected an array.", "invalid_request_error", "messages",
                    "invalid_type");
        }
        return null;
    }

    /**
     * The text of every message, joined by newlines: a message's string content, or each text part of a
     * multi-part one; an image or other part, and a message without content, add nothing.
     */
    static String prompt(JsonNode request) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode message : request.path("messages")) {
            JsonNode content = message.path("content");
            if (content.isArray()) {
                for (JsonNode part : content) {
                    if ("text".equals(part.path("type").asText()) && part.path("text").isTextual()) {
                        append(sb, part.path("text").asText());
                    }
                }
            } else if (content.isTextual()) {
                append(sb, content.asText());
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

    /**
     * The error body OpenAI sends with {@code status}, for a {@link Fault#status} (scripted, or a
     * requests-per-minute limit's 429): its {@code type} and {@code code} as OpenAI's (429:
     * {@code requests}, {@code rate_limit_exceeded}; 401: {@code invalid_request_error},
     * {@code invalid_api_key}; 404: {@code invalid_request_error}, {@code model_not_found}; 5xx:
     * {@code server_error}, no code; any other: {@code invalid_request_error}, no code).
     */
    static String statusError(int status) {
        switch (status) {
            case 401:
                return error("Incorrect API key provided.", "invalid_request_error", null, "invalid_api_key");
            case 404:
                return error("The model does not exist or you do not have access to it.",
                        "invalid_request_error", null, "model_not_found");
            case 429:
                return error("Rate limit reached for requests.", "requests", null,
                        "rate_limit_exceeded");
            default:
                return status >= 500
                        ? error("The server had an error while processing your request.",
                                "server_error", null, null)
                        : error("The request failed with HTTP status " + status + ".", "invalid_request_error", null, null);
        }
    }

    /**
     * An error body in OpenAI's shape: {@code {"error": {"message", "type", "param", "code"}}}, where
     * {@code code} is OpenAI's identifier of the error or null, never the HTTP status.
     */
    static String error(String message, String type, String param, String code) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode error = root.putObject("error");
        error.put("message", message);
        error.put("type", type);
        error.put("param", param);
        error.put("code", code);
        return root.toString();
    }
}

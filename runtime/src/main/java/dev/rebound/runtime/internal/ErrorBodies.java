package dev.rebound.runtime.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Locale;
import java.util.Set;

/**
 * Reads the JSON error body of a failed LLM response (with Jackson; an optional dependency of the
 * runtime that langchain4j brings): whether the account is out of quota or credit, and a wait the
 * body suggests. The shapes, each documented by its provider:
 * <ul>
 *   <li>OpenAI and Azure OpenAI: {@code {"error": {"type": ..., "code": ...}}}; quota when either is
 *       {@code insufficient_quota}, {@code credit_balance_exhausted},
 *       {@code organization_spend_limit_exceeded}, {@code project_spend_limit_exceeded},
 *       {@code organization_usage_limit_exceeded}, {@code billing_hard_limit_reached} (Azure:
 *       {@code InsufficientQuota}, compared without case or underscores);</li>
 *   <li>Anthropic: {@code {"type": "error", "error": {"type": "billing_error", ...}}} (HTTP 402), or
 *       {@code enforced_spend_limit_reached};</li>
 *   <li>Gemini (google.rpc.Status): {@code {"error": {"status": "RESOURCE_EXHAUSTED", "details": [...]}}}
 *       with a {@code google.rpc.QuotaFailure} whose violation is a per-day quota ({@code quotaId}
 *       containing {@code PerDay}) or a quota of 0 ({@code quotaValue "0"}: the tier has none), and a
 *       {@code google.rpc.RetryInfo} whose {@code retryDelay} ({@code "37s"}) is the wait.</li>
 * </ul>
 * HTTP 402 Payment Required is a billing failure whatever the body. Bodies that are not JSON, or
 * longer than 64 KiB, are not read.
 */
public final class ErrorBodies {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY_CHARS = 64 * 1024;
    private static final Set<String> QUOTA_CODES = Set.of("insufficientquota", "creditbalanceexhausted",
            "organizationspendlimitexceeded", "projectspendlimitexceeded", "organizationusagelimitexceeded",
            "billinghardlimitreached", "billingerror", "enforcedspendlimitreached");

    /**
     * What a body said.
     *
     * @param quota the quota code, or null
     * @param waitNanos the wait it asked for, in nanoseconds; -1 for none
     */
    public record Reading(String quota, long waitNanos) {
    }

    private static final Reading NOTHING = new Reading(null, -1L);

    private ErrorBodies() {
    }

    /** Reads the error body of a response with {@code status}; never throws. */
    public static Reading read(int status, String body) {
        String quota = status == 402 ? "payment_required" : null;
        if (body == null || body.length() > MAX_BODY_CHARS || body.isBlank()) {
            return quota == null ? NOTHING : new Reading(quota, -1L);
        }
        JsonNode error;
        try {
            error = JSON.readTree(body).path("error");
        } catch (IOException | RuntimeException notJson) {
            return quota == null ? NOTHING : new Reading(quota, -1L);
        }
        if (!error.isObject()) {
            return quota == null ? NOTHING : new Reading(quota, -1L);
        }
        for (String field : new String[] {"code", "type"}) {
            String code = error.path(field).asText(null);
            if (code != null && QUOTA_CODES.contains(normalized(code))) {
                quota = code;
                break;
            }
        }
        long wait = -1L;
        for (JsonNode detail : error.path("details")) {
            String type = detail.path("@type").asText("");
            if (type.endsWith("google.rpc.RetryInfo")) {
                wait = RetryAfterHeaders.duration(detail.path("retryDelay").asText(null));
            } else if (type.endsWith("google.rpc.QuotaFailure") && quota == null) {
                for (JsonNode violation : detail.path("violations")) {
                    String id = violation.path("quotaId").asText("");
                    if (id.contains("PerDay") || "0".equals(violation.path("quotaValue").asText(""))) {
                        quota = id.isEmpty() ? "RESOURCE_EXHAUSTED" : id;
                        break;
                    }
                }
            }
        }
        return quota == null && wait < 0 ? NOTHING : new Reading(quota, wait);
    }

    private static String normalized(String code) {
        return code.replace("_", "").toLowerCase(Locale.ROOT);
    }
}

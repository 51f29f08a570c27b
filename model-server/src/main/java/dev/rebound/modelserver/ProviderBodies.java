package dev.rebound.modelserver;

/**
 * The error bodies real providers send, word for word in shape (OpenAI, Azure OpenAI, Anthropic,
 * Gemini), for {@link Fault}'s provider faults.
 */
final class ProviderBodies {

    /** OpenAI's quota 429. */
    static final String OPENAI_INSUFFICIENT_QUOTA = "{\"error\": {\"message\": \"You exceeded your current quota, "
            + "please check your plan and billing details.\", \"type\": \"insufficient_quota\", \"param\": null, "
            + "\"code\": \"insufficient_quota\"}}";

    /** Azure OpenAI's quota 429. */
    static final String AZURE_INSUFFICIENT_QUOTA = "{\"error\": {\"code\": \"InsufficientQuota\", \"message\": "
            + "\"The quota of this deployment is exhausted.\"}}";

    /** Anthropic's 402. */
    static final String ANTHROPIC_BILLING_ERROR = "{\"type\": \"error\", \"error\": {\"type\": \"billing_error\", "
            + "\"message\": \"Your credit balance is too low.\"}}";

    /** Anthropic's 429. */
    static final String ANTHROPIC_RATE_LIMIT_ERROR = "{\"type\": \"error\", \"error\": {\"type\": "
            + "\"rate_limit_error\", \"message\": \"Number of requests has exceeded your rate limit.\"}}";

    private ProviderBodies() {
    }

    /** Gemini's 429 {@code RESOURCE_EXHAUSTED}: the quota exceeded and the wait, in the body only. */
    static String geminiResourceExhausted(String quotaId, String quotaValue, String retryDelay) {
        return "{\"error\": {\"code\": 429, \"message\": \"You exceeded your current quota.\", "
                + "\"status\": \"RESOURCE_EXHAUSTED\", \"details\": ["
                + "{\"@type\": \"type.googleapis.com/google.rpc.QuotaFailure\", \"violations\": [{"
                + "\"quotaMetric\": \"generativelanguage.googleapis.com/generate_content_requests\", "
                + "\"quotaId\": \"" + quotaId + "\", \"quotaValue\": \"" + quotaValue + "\"}]}, "
                + "{\"@type\": \"type.googleapis.com/google.rpc.RetryInfo\", \"retryDelay\": \"" + retryDelay
                + "\"}]}}";
    }
}

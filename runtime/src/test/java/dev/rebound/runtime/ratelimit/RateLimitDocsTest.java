package dev.rebound.runtime.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.RateLimit;
import dev.rebound.runtime.RateLimitPolicy;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.internal.RateLimits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The code of docs/guides/rate-limits.md, compiled and run here (regions marked docs:NAME). */
class RateLimitDocsTest {

    public interface LocalModel extends ChatClient {
    }

    // docs:rate-limit-annotation
    public interface ChatClient {
        @RateLimit(key = "openai", requestsPerMinute = 500, tokensPerMinute = 30_000, maxDelay = 2000)
        @Fallback(to = LocalModel.class)
        String chat(String prompt);
    }
    // /docs:rate-limit-annotation

    @Test
    void theAnnotationSaysWhatTheGuideSays() throws Exception {
        List<String> problems = new ArrayList<>();
        RateLimitPolicy p = RateLimits.fromAnnotation(
                ChatClient.class.getMethod("chat", String.class).getAnnotation(RateLimit.class), "ChatClient.chat", problems);
        assertThat(problems).isEmpty();
        assertThat(p.key()).isEqualTo("openai");
        assertThat(p.maxDelay()).isEqualTo(Duration.ofSeconds(2));
        assertThat(p.maxOutputTokens()).isEqualTo(256);
    }

    @Test
    void theBuilderSaysWhatTheGuideSays() {
        // docs:rate-limit-builder
        RateLimitPolicy openai = RateLimitPolicy.builder()
            .key("openai")                       // one limit for every method naming "openai"
            .requestsPerMinute(500)
            .tokensPerMinute(30_000)             // prompt and answer tokens; 0 = none
            .maxOutputTokens(256)                // charged for the answer when the request doesn't say
            .maxDelay(Duration.ofSeconds(2))     // a longer wait is refused: the call goes to the fallbacks
            .build();
        // /docs:rate-limit-builder
        assertThat(openai.requestsPerMinute()).isEqualTo(500);
        assertThat(openai.tokensPerMinute()).isEqualTo(30_000);
    }

    @Test
    void theFleetSettingConnectsToRedis() {
        try (LocalRedis redis = LocalRedis.start(null)) {
            String url = "redis://127.0.0.1:" + redis.port;
            // docs:rate-limit-redis
            RateLimitStore fleet = RedisRateLimitStore.connect(url); // redis:// or rediss://, password allowed
            ReboundSettings settings = ReboundSettings.builder().rateLimitStore(fleet).build();
            // /docs:rate-limit-redis
            try (fleet) {
                assertThat(settings.rateLimitStore()).isSameAs(fleet);
                assertThat(((RedisRateLimitStore) fleet).reachable()).isTrue();
            }
        }
    }
}

package dev.rebound.runtime.langchain4j;

import static dev.rebound.runtime.langchain4j.LoopbackModels.openAi;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.model.chat.ChatModel;
import dev.rebound.modelserver.Fault;
import dev.rebound.modelserver.ModelServer;
import dev.rebound.modelserver.ModelServerExtension;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.RetryPolicy;
import java.time.Duration;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 13, item 3: a server's hint belongs to the call that received it. On one thread, a model
 * built as the README recommends but not wrapped gets a 429 with a Retry-After, and the caller
 * catches it; then an unrelated wrapped call (no HTTP: a lookup that fails once) fails. It must be
 * retried once, after its own 100 ms backoff: not stopped by the other call's 20 s hint
 * ({@code retry-after-exceeds-max-delay}), nor delayed by a 3 s one.
 */
class HintBelongsToItsCallTest {

    @RegisterExtension
    static final ModelServerExtension models = new ModelServerExtension();
    private static final ModelServer server = models.server();
    private final LoopbackModels.Recording rec = new LoopbackModels.Recording();

    /** An unrelated service, wrapped by Rebound. */
    public interface Lookup {
        String find(String key);
    }

    @ParameterizedTest(name = "a stray Retry-After of {0} s")
    @ValueSource(ints = {20, 3})
    void anotherCallsRetryAfterNeverShapesThisCallsRetry(int straySeconds) {
        server.script("other-model", Fault.rateLimited(Duration.ofSeconds(straySeconds)));
        ChatModel unwrapped = openAi(server, "other-model");
        assertThat(catchThrowable(() -> unwrapped.chat("hi"))).isInstanceOf(RateLimitException.class);

        Lookup flaky = new Lookup() {
            int calls;

            @Override
            public String find(String key) {
                if (++calls == 1) {
                    throw new IllegalStateException("index busy");
                }
                return "found " + key;
            }
        };
        Lookup wrapped = Rebound.wrap(Lookup.class, flaky)
                .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(100))
                        .maxDelay(Duration.ofSeconds(5)).jitter(false).build())
                .settings(rec.settings()).build();

        assertThat(wrapped.find("k")).isEqualTo("found k");
        assertThat(rec.retryReasons()).containsExactly("backoff");
        assertThat(rec.clock.sleeps()).containsExactly(Duration.ofMillis(100));
        assertThat(rec.exhaustedReasons()).isEmpty();
    }
}

package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.runtime.ratelimit.RateLimitHeaders;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A response's rate-limit headers (every OpenAI response carries them, successes included) cost the
 * calls of an application without a rate limit nothing: recording them does not end the happy path's
 * one-volatile-read start ({@code Leftovers}); only a rate-limited attempt does, since only a limiter
 * takes them. Flags as at JVM start, set by reflection; allocation measured per thread.
 */
class RateLimitHeadersCostTest {

    public interface Chat {
        String chat(String prompt);
    }

    static void setFlag(String className, String field, boolean value) throws Exception {
        Field f = Class.forName(className).getDeclaredField(field);
        f.setAccessible(true);
        f.setBoolean(null, value);
    }

    /** The fewest bytes one successful call allocates on a fresh thread, over 20 threads. */
    static long allocatedOnAFreshThread(Chat chat) throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 20; i++) {
            long[] bytes = {0};
            Thread t = new Thread(() -> {
                long id = Thread.currentThread().getId();
                long before = threads.getThreadAllocatedBytes(id);
                chat.chat("q");
                bytes[0] = threads.getThreadAllocatedBytes(id) - before;
            });
            t.start();
            t.join();
            least = Math.min(least, bytes[0]);
        }
        return least;
    }

    @Test
    void aSuccessfulResponsesHeadersLeaveTheHappyPathAsItWas() throws Exception {
        ReboundSettings settings = ReboundSettings.builder().timeSource(new VirtualTimeSource()).logging(false).build();
        Chat chat = Rebound.wrap(Chat.class, (Chat) p -> "ok")
                .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(10)).build())
                .settings(settings).build();
        for (int i = 0; i < 20_000; i++) {
            chat.chat("warm");
        }
        setFlag("dev.rebound.runtime.internal.Leftovers", "ever", false); // as at JVM start: nothing ever left
        setFlag("dev.rebound.runtime.internal.SeenHeaders", "recorded", false);
        setFlag("dev.rebound.runtime.internal.SeenHeaders", "scoping", false);
        try {
            long before = allocatedOnAFreshThread(chat);
            RateLimitHeaders.record(new RateLimitHeaders(4999, 159_000, 12_000_000L, 6_000_000_000L));
            RateLimitHeaders.clear();
            long after = allocatedOnAFreshThread(chat);

            assertThat(after).as("bytes a successful call allocates on a fresh thread, before any response: " + before)
                    .isLessThanOrEqualTo(before);
        } finally {
            setFlag("dev.rebound.runtime.internal.Leftovers", "ever", true);
            setFlag("dev.rebound.runtime.internal.SeenHeaders", "recorded", true);
            setFlag("dev.rebound.runtime.internal.SeenHeaders", "scoping", true);
        }
    }
}

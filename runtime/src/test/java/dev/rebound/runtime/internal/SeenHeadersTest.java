package dev.rebound.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.runtime.ratelimit.RateLimitHeaders;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A streamed response's headers arrive on the HTTP client's thread: recorded through the
 * {@link SeenHeaders.Recorder} its call took when it sent the request, they are that call's, and only
 * that call's. Each test runs on a thread of its own, so that no scope is shared with another test.
 */
class SeenHeadersTest {

    static final RateLimitHeaders NONE_LEFT = new RateLimitHeaders(0, RateLimitHeaders.UNKNOWN,
            RateLimitHeaders.UNKNOWN, RateLimitHeaders.UNKNOWN);
    static final RateLimitHeaders SOME_LEFT = new RateLimitHeaders(7, RateLimitHeaders.UNKNOWN,
            RateLimitHeaders.UNKNOWN, RateLimitHeaders.UNKNOWN);

    static <T> T onAThreadOfItsOwn(java.util.concurrent.Callable<T> test) throws Exception {
        CompletableFuture<T> done = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                done.complete(test.call());
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        });
        t.start();
        t.join();
        return done.get();
    }

    /** Records {@code headers} through {@code recorder} on another thread, as the JDK client's thread does. */
    static void recordElsewhere(SeenHeaders.Recorder recorder, RateLimitHeaders headers) throws Exception {
        Thread t = new Thread(() -> recorder.record(headers));
        t.start();
        t.join();
    }

    @Test
    void headersRecordedOnAnotherThreadForTheAttemptAreTakenByItsLimiter() throws Exception {
        RateLimitHeaders taken = onAThreadOfItsOwn(() -> {
            long mark = SeenHeaders.mark();
            recordElsewhere(SeenHeaders.forThisCall(), NONE_LEFT);
            return SeenHeaders.takeSince(mark);
        });
        assertThat(taken).isSameAs(NONE_LEFT);
    }

    @Test
    void aStreamedResponseArrivingAfterItsAttemptEndedCorrectsNoLaterAttempt() throws Exception {
        RateLimitHeaders[] taken = onAThreadOfItsOwn(() -> {
            SeenHeaders.mark();
            SeenHeaders.Recorder first = SeenHeaders.forThisCall(); // the first attempt streams and returns
            long second = SeenHeaders.mark();
            recordElsewhere(first, NONE_LEFT); // its response arrives during the second attempt
            RateLimitHeaders bySecond = SeenHeaders.takeSince(second);
            long third = SeenHeaders.mark();
            SeenHeaders.record(SOME_LEFT); // the third attempt's own response
            recordElsewhere(first, NONE_LEFT); // the first one's, arriving (again) after it
            return new RateLimitHeaders[] {bySecond, SeenHeaders.takeSince(third)};
        });
        assertThat(taken[0]).as("the second attempt's limiter").isNull();
        assertThat(taken[1]).as("the third attempt's limiter").isSameAs(SOME_LEFT);
    }

    @Test
    void aNestedCallsStreamedHeadersNeverReachTheEnclosingAttempt() throws Exception {
        RateLimitHeaders taken = onAThreadOfItsOwn(() -> {
            long mark = SeenHeaders.mark();
            SeenHeaders.callStarted(); // a resilient call nested in the attempt
            recordElsewhere(SeenHeaders.forThisCall(), NONE_LEFT);
            return SeenHeaders.takeSince(mark);
        });
        assertThat(taken).isNull();
    }
}

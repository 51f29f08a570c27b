package dev.rebound.modelserver;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

/**
 * The count behind {@link ModelServer#awaitExchangesEnded}, on the server's executor as the JDK server runs
 * it (one task per exchange), in a given order: what counts, when, and for which test. On the wire:
 * {@code ModelServerTest}.
 */
class EndedExchangesTest {

    private final EndedExchanges exchanges = new EndedExchanges();
    /** The server's executor over the calling thread: a task runs, then its exchange ends. */
    private final Executor server = exchanges.endingOn(Runnable::run);

    @Test
    void anExchangeCountsWhenTheTaskThatRanItEndsNotWhenItsRequestIsLogged() throws Exception {
        boolean[] endedWhileRunning = new boolean[1];
        server.execute(() -> {
            exchanges.begin(); // the request is logged
            try {
                endedWhileRunning[0] = exchanges.await(1, Duration.ZERO);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });

        assertThat(endedWhileRunning[0]).as("while its task runs (the JDK closes a cut connection there)").isFalse();
        assertThat(exchanges.await(1, Duration.ZERO)).isTrue();
        assertThat(exchanges.await(2, Duration.ZERO)).isFalse();
    }

    @Test
    void aTaskWithoutALoggedRequestIsNoExchange() throws Exception {
        server.execute(() -> { }); // a request that is no chat request, or the server's start

        assertThat(exchanges.await(1, Duration.ZERO)).isFalse();
    }

    @Test
    void anExchangeBegunBeforeTheResetDoesNotCountAfterIt() throws Exception {
        server.execute(() -> {
            exchanges.begin();
            exchanges.forget(); // the reset between two tests, while the previous test's exchange runs
        });
        assertThat(exchanges.await(1, Duration.ZERO)).as("the previous test's exchange").isFalse();

        server.execute(exchanges::begin);
        assertThat(exchanges.await(1, Duration.ZERO)).isTrue();
        assertThat(exchanges.await(2, Duration.ZERO)).isFalse();
    }

    @Test
    void theResetForgetsTheExchangesEnded() throws Exception {
        server.execute(exchanges::begin);
        exchanges.forget();

        assertThat(exchanges.await(1, Duration.ZERO)).isFalse();
    }
}

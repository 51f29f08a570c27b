package dev.rebound.runtime.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebound.runtime.testing.VirtualTimeSource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The store's password never leaves the connection: against a real redis-server with
 * {@code requirepass}, plain and TLS ({@code rediss://}), every byte written to stdout and stderr
 * (slf4j-simple; at TRACE in the "log-secrecy" execution), the store's toString and every exception
 * message are searched for it, through a right password, a wrong one, a dead server and a bad URI.
 */
class RedisSecrecyTest {

    static final String PASSWORD = "redis-PASS-7c1e9b";
    static final String WRONG = "wrong-PASS-33d0a4";
    static LocalRedis plain;
    static LocalRedis tls;

    final VirtualTimeSource clock = new VirtualTimeSource();

    @BeforeAll
    static void start() {
        plain = LocalRedis.start(PASSWORD);
        tls = LocalRedis.startTls(PASSWORD);
    }

    @AfterAll
    static void stop() {
        plain.close();
        tls.close();
    }

    @Test
    void tlsConnectionsWorkAndShareTheLimit() {
        try (RedisRateLimitStore a = tlsStore(PASSWORD); RedisRateLimitStore b = tlsStore(PASSWORD)) {
            assertThat(a.limiter("tls", 1, 0, clock).acquire(0, 0)).isZero();
            assertThat(a.reachable()).isTrue();
            assertThat(b.limiter("tls", 1, 0, clock).acquire(0, 0)).isEqualTo(RateLimiter.REFUSED);
            assertThat(a.toString()).isEqualTo("Redis rate-limit store rediss://127.0.0.1:" + tls.clientPort() + "/0");
        }
    }

    @Test
    void thePasswordAppearsInNoLogLineToStringOrExceptionMessage() {
        List<String> seen = new ArrayList<>();
        String logged;
        try (StdStreams captured = new StdStreams()) {
            for (String uri : List.of(
                    "redis://:" + PASSWORD + "@127.0.0.1:" + plain.port,
                    "redis://default:" + WRONG + "@127.0.0.1:" + plain.port,
                    "redis://:" + PASSWORD + "@127.0.0.1:" + LocalRedis.freePort())) {
                try (RedisRateLimitStore s = RedisRateLimitStore.builder(uri).timeSource(clock).build()) {
                    seen.add(s.toString());
                    RateLimiter limiter = s.limiter("openai", 5, 100, clock);
                    limiter.acquire(10, 0);
                    limiter.adjustTokens(-5);
                    limiter.correct(new RateLimitHeaders(1, 1, 1, 1));
                }
            }
            try (RedisRateLimitStore s = tlsStore(WRONG)) {
                seen.add(s.toString());
                s.limiter("openai", 5, 0, clock).acquire(0, 0);
            }
            for (String bad : List.of("redis://:" + PASSWORD + "@", "http://:" + PASSWORD + "@127.0.0.1")) {
                assertThatThrownBy(() -> RedisRateLimitStore.connect(bad).close())
                        .isInstanceOf(IllegalArgumentException.class)
                        .satisfies(e -> seen.add(String.valueOf(e.getMessage())));
            }
            logged = captured.text();
        }
        assertThat(logged).contains("is unreachable"); // the wrong password and the dead server were logged
        for (String text : seen) {
            assertThat(text).doesNotContain(PASSWORD).doesNotContain(WRONG).doesNotContain("PASS");
        }
        assertThat(logged).doesNotContain(PASSWORD).doesNotContain(WRONG).doesNotContain("PASS");
    }

    private RedisRateLimitStore tlsStore(String password) {
        return RedisRateLimitStore.builder("rediss://:" + password + "@127.0.0.1:" + tls.clientPort())
                .trustedCertificates(LocalRedis.certificate()).timeSource(clock).build();
    }
}

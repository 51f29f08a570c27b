package dev.rebound.runtime.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebound.runtime.testing.VirtualTimeSource;
import java.time.Duration;
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
        // the dead server and the wrong password were logged
        assertThat(logged).contains("is unreachable").contains("refuses this client's credentials (WRONGPASS)");
        for (String text : seen) {
            assertThat(text).doesNotContain(PASSWORD).doesNotContain(WRONG).doesNotContain("7c1e9b")
                    .doesNotContain("33d0a4");
        }
        assertNoRecordCarriesThePassword(logged);
    }

    @Test
    void aWrongPasswordIsSaidToBeRefusedCredentialsAConfigurationErrorNotAnOutage() {
        String logged;
        try (StdStreams captured = new StdStreams();
                RedisRateLimitStore s = RedisRateLimitStore.builder("redis://:" + WRONG + "@127.0.0.1:" + plain.port)
                        .timeSource(clock).timeout(Duration.ofSeconds(10)).build()) {
            assertThat(s.limiter("openai", 1, 0, clock).acquire(0, 0)).isZero(); // per process meanwhile
            assertThat(s.reachable()).isFalse();
            logged = captured.text();
        }
        assertThat(logged.lines().filter(l -> l.contains(" dev.rebound - ")).map(l -> l.substring(l.indexOf("] ") + 2)))
                .containsExactly("WARN dev.rebound - Rebound rate-limit store redis://127.0.0.1:" + plain.port
                        + "/0 refuses this client's credentials (WRONGPASS): a configuration error, check the user and "
                        + "password of the connection string and the user's ACL; limits are kept per process until "
                        + "it accepts them; asking again every 2000 ms");
        assertNoRecordCarriesThePassword(logged);
    }

    /**
     * Every log record (a line {@code [thread] LEVEL logger - message} and its continuation lines) is
     * free of the password, but one kind: Lettuce's wire dump ({@code io.lettuce.core.protocol.*} at
     * TRACE) prints the bytes sent, AUTH included. That is Lettuce's, below Rebound, and only at TRACE:
     * docs/guides/rate-limits.md says to keep {@code io.lettuce.core.protocol} below TRACE in production.
     */
    static void assertNoRecordCarriesThePassword(String logged) {
        java.util.regex.Pattern start = java.util.regex.Pattern.compile("^\\[[^\\]]+\\] (TRACE|DEBUG|INFO|WARN|ERROR) (\\S+) ");
        List<String> leaks = new ArrayList<>();
        String level = "";
        String logger = "";
        for (String line : logged.split("\\R")) {
            java.util.regex.Matcher m = start.matcher(line);
            if (m.find()) {
                level = m.group(1);
                logger = m.group(2);
            }
            boolean wireDump = level.equals("TRACE") && logger.startsWith("io.lettuce.core.protocol.");
            if (!wireDump && (line.contains(PASSWORD) || line.contains(WRONG) || line.contains("7c1e9b")
                    || line.contains("33d0a4"))) {
                leaks.add(level + " " + logger + ": " + line);
            }
        }
        assertThat(leaks).isEmpty();
        if (!"trace".equals(System.getProperty("org.slf4j.simpleLogger.defaultLogLevel"))) {
            assertThat(logged).doesNotContain(PASSWORD).doesNotContain(WRONG);
        }
    }

    private RedisRateLimitStore tlsStore(String password) {
        return RedisRateLimitStore.builder("rediss://:" + password + "@127.0.0.1:" + tls.clientPort())
                .trustedCertificates(LocalRedis.certificate()).timeSource(clock)
                .timeout(Duration.ofSeconds(10)).build(); // a cold JVM's first TLS handshake is slow
    }
}

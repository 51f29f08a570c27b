package dev.rebound.modelserver;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The server's requests-per-minute limit: the bucket's arithmetic on given instants, then on the wire. */
class RequestsPerMinuteTest {

    static final long SECOND = 1_000_000_000L;

    @Test
    void aFullBucketAnswersThenRefusesWithTheWaitUntilTheNextRequest() {
        RequestsPerMinute limit = new RequestsPerMinute(2, 0);
        Fault first = limit.take(Fault.answer(), 0);
        assertThat(first.kind()).isEqualTo(Fault.Kind.ANSWER);
        assertThat(first.headers()).containsEntry("x-ratelimit-remaining-requests", "1")
                .containsEntry("x-ratelimit-limit-requests", "2").containsEntry("x-ratelimit-reset-requests", "30000ms");
        assertThat(limit.take(Fault.answer(), 0).headers()).containsEntry("x-ratelimit-remaining-requests", "0");
        Fault refused = limit.take(Fault.answer(), 10 * SECOND);
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.headers()).containsEntry("Retry-After", "20").containsEntry("retry-after-ms", "20000");
        assertThat(limit.refused()).isEqualTo(1);
        assertThat(limit.take(Fault.answer(), 30 * SECOND).kind()).isEqualTo(Fault.Kind.ANSWER);
    }

    /** Whole seconds and milliseconds rounded up: an empty bucket never tells the client to come back at once. */
    @Test
    void aWaitOfLessThanAMillisecondIsToldAsOneSecondAndOneMillisecondNeverAsZero() {
        RequestsPerMinute limit = new RequestsPerMinute(60, 0); // one request a second
        for (int i = 0; i < 60; i++) {
            limit.take(Fault.answer(), 0);
        }
        Fault refused = limit.take(Fault.answer(), SECOND - 500_000); // 0.5 ms before the next permit

        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.headers()).containsEntry("Retry-After", "1").containsEntry("retry-after-ms", "1")
                .containsEntry("x-ratelimit-reset-requests", "1ms");
        assertThat(Fault.rateLimited(Duration.ofNanos(1_000_001)).headers()).containsEntry("Retry-After", "1")
                .containsEntry("retry-after-ms", "2");
        assertThat(Fault.rateLimited(Duration.ofSeconds(2)).headers()).containsEntry("Retry-After", "2")
                .containsEntry("retry-after-ms", "2000");
        assertThat(Fault.ietfRateLimited(Duration.ofNanos(1)).headers()).containsEntry("RateLimit", "\"default\";r=0;t=1");

        RequestsPerMinute odd = new RequestsPerMinute(2113, 0); // 28,395,646.000946 ns a request
        for (int i = 0; i < 2113; i++) {
            odd.take(Fault.answer(), 0);
        }
        assertThat(odd.take(Fault.answer(), 28_395_646L).headers()).as("0.00095 ns short of a permit")
                .containsEntry("Retry-After", "1").containsEntry("retry-after-ms", "1");
    }

    @Test
    void scriptedFaultsCountAgainstTheLimitAndKeepTheirStatus() {
        RequestsPerMinute limit = new RequestsPerMinute(1, 0);
        assertThat(limit.take(Fault.unavailable(), 0).status()).isEqualTo(503);
        assertThat(limit.take(Fault.answer(), 0).status()).isEqualTo(429);
    }

    @Test
    void theServerRefusesRequestsOverTheLimitWith429() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try (ModelServer server = ModelServer.start()) {
            server.limitRequestsPerMinute("gpt-4", 2);
            int[] statuses = new int[3];
            String retryAfter = null;
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/chat/completions"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4\",\"messages\":[]}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                statuses[i] = r.statusCode();
                retryAfter = r.headers().firstValue("Retry-After").orElse(null);
            }
            assertThat(statuses).containsExactly(200, 200, 429);
            assertThat(retryAfter).isEqualTo("30");
            assertThat(server.rateLimited("gpt-4")).isEqualTo(1);
            assertThat(server.requests("gpt-4")).isEqualTo(3);
            assertThat(server.rateLimited("gpt-3.5")).isZero();
        }
    }

    @Test
    void aRequestRefusedByTheLimitLeavesItsScriptedStepToTheNextRequest() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try (ModelServer server = ModelServer.start()) {
            server.limitRequestsPerMinute("gpt-4", 1);
            server.script("gpt-4", Fault.answer(), Fault.serverError());
            int[] statuses = new int[3];
            for (int i = 0; i < 3; i++) {
                if (i == 2) {
                    server.limitRequestsPerMinute("gpt-4", 1); // a new, full bucket
                }
                statuses[i] = client.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/chat/completions"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4\",\"messages\":[]}")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode();
            }
            assertThat(statuses).as("step 1, refused, step 2").containsExactly(200, 429, 500);
            assertThat(server.log()).extracting(r -> r.fault().toString()).containsExactly("200", "429 Retry-After=60", "500");
        }
    }
}

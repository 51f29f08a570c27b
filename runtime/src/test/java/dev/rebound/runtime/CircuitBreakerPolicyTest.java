package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CircuitBreakerPolicyTest {

    @Test
    void defaultsAreThoseOfTheAnnotation() {
        CircuitBreakerPolicy p = CircuitBreakerPolicy.builder().build();

        assertThat(p.requestVolumeThreshold()).isEqualTo(20);
        assertThat(p.failureRatio()).isEqualTo(0.5);
        assertThat(p.delay()).isEqualTo(Duration.ofSeconds(5));
        assertThat(p.successThreshold()).isEqualTo(1);
        assertThat(p.halfOpenProbes()).isEqualTo(1);
        assertThat(p.failOn()).isEmpty();
        assertThat(p.skipOn()).isEmpty();
        assertThat(p.failuresToOpen()).isEqualTo(10);
    }

    @Test
    void failuresToOpenRoundsUpWithoutFloatingPointSurprises() {
        assertThat(CircuitBreakerPolicy.builder().requestVolumeThreshold(10).failureRatio(0.3).build()
                .failuresToOpen()).isEqualTo(3);
        assertThat(CircuitBreakerPolicy.builder().requestVolumeThreshold(10).failureRatio(0.31).build()
                .failuresToOpen()).isEqualTo(4);
        assertThat(CircuitBreakerPolicy.builder().requestVolumeThreshold(20).failureRatio(0.01).build()
                .failuresToOpen()).isEqualTo(1);
        assertThat(CircuitBreakerPolicy.builder().requestVolumeThreshold(7).failureRatio(1.0).build()
                .failuresToOpen()).isEqualTo(7);
    }

    @Test
    void everySetterNamesItsArgumentWhenItRefusesIt() {
        CircuitBreakerPolicy.Builder b = CircuitBreakerPolicy.builder();
        assertThatThrownBy(() -> b.requestVolumeThreshold(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("requestVolumeThreshold = 0 is outside 1..10000");
        assertThatThrownBy(() -> b.requestVolumeThreshold(10_001)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("requestVolumeThreshold = 10001 is outside 1..10000");
        assertThatThrownBy(() -> b.failureRatio(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("failureRatio = 0.0 must be more than 0 and at most 1");
        assertThatThrownBy(() -> b.failureRatio(1.01)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("failureRatio = 1.01 must be more than 0 and at most 1");
        assertThatThrownBy(() -> b.failureRatio(Double.NaN)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("failureRatio = NaN must be more than 0 and at most 1");
        assertThatThrownBy(() -> b.delay(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("delay = -1 ms is negative");
        assertThatThrownBy(() -> b.delay(null)).isInstanceOf(NullPointerException.class).hasMessage("delay");
        assertThatThrownBy(() -> b.successThreshold(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("successThreshold = 0 is below 1");
        assertThatThrownBy(() -> b.halfOpenProbes(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("halfOpenProbes = 0 is below 1");
        assertThatThrownBy(() -> b.failOn((Class<? extends Throwable>[]) null))
                .isInstanceOf(NullPointerException.class).hasMessage("failOn");
    }

    @Test
    void aDelayAboveAYearIsRefusedNotSilentlyCapped() {
        assertThat(CircuitBreakerPolicy.builder().delay(Duration.ofDays(365)).build().delay())
                .isEqualTo(Duration.ofDays(365));
        assertThatThrownBy(() -> CircuitBreakerPolicy.builder().delay(Duration.ofDays(400)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("delay = 400 d is above 365 d");
        assertThatThrownBy(() -> CircuitBreakerPolicy.builder().delay(Duration.ofDays(365).plusNanos(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("delay = 31536000000000001 ns is above 365 d");
        assertThatThrownBy(() -> CircuitBreakerPolicy.builder().delay(Duration.ofSeconds(Long.MAX_VALUE)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("delay = 9223372036854775807 s is above 365 d");
    }

    @Test
    void countsTransientFailuresUnlessToldOtherwise() {
        CircuitBreakerPolicy defaults = CircuitBreakerPolicy.builder().build();
        assertThat(defaults.counts(new UncheckedIOException(new IOException("503")))).isTrue();
        assertThat(defaults.counts(new IllegalArgumentException())).isFalse();
        assertThat(defaults.counts(new NullPointerException())).isFalse();
        assertThat(defaults.counts(new OutOfMemoryError())).isFalse();
        // another policy's refusal, thrown by a resilient call the target made: that policy has decided
        assertThat(defaults.counts(new CircuitBreakerOpenException("m", "t"))).isFalse();
        assertThat(defaults.counts(new RateLimitRefusedException("m", "key", 2L, 1L))).isFalse();
        CircuitBreakerPolicy namesThem = CircuitBreakerPolicy.builder()
                .failOn(CircuitBreakerOpenException.class, RateLimitRefusedException.class).build();
        assertThat(namesThem.counts(new CircuitBreakerOpenException("m", "t"))).isTrue();
        assertThat(namesThem.counts(new RateLimitRefusedException("m", "key", 2L, 1L))).isTrue();
        assertThat(defaults.counts(new dev.langchain4j.exception.InvalidRequestException("bad request"))).isFalse();
        assertThat(defaults.counts(new dev.langchain4j.exception.AuthenticationException("bad key"))).isFalse();
        assertThat(defaults.counts(new dev.langchain4j.exception.RateLimitException("slow down"))).isTrue();
        assertThat(defaults.counts(new dev.langchain4j.exception.InternalServerException("503"))).isTrue();

        CircuitBreakerPolicy told = CircuitBreakerPolicy.builder().failOn(RuntimeException.class)
                .skipOn(IllegalStateException.class).build();
        assertThat(told.counts(new UncheckedIOException(new IOException()))).isTrue();
        assertThat(told.counts(new IllegalArgumentException())).isTrue();
        assertThat(told.counts(new IllegalStateException())).isFalse();
        assertThat(told.counts(new IOException())).isFalse();
    }

    @Test
    void failureListsThatCanNeverTakeEffectAreRefused() {
        // at the setter, as every builder's setter refuses a bad value
        assertThatThrownBy(() -> CircuitBreakerPolicy.builder().failOn(OutOfMemoryError.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("failOn lists java.lang.OutOfMemoryError, an Error: Errors are never recorded by a"
                        + " circuit breaker");
        assertThatThrownBy(() -> CircuitBreakerPolicy.builder().failOn(IOException.class).skipOn(IOException.class)
                .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("failOn and skipOn both list java.io.IOException");
        // a failOn type under a skipOn type: skipOn wins, for the type and its subclasses
        assertThatThrownBy(() -> CircuitBreakerPolicy.builder().failOn(ConnectException.class)
                .skipOn(IOException.class).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("failOn lists java.net.ConnectException, a subclass of java.io.IOException, which skipOn"
                        + " lists: it would never be recorded by a circuit breaker");
        // a skipOn type under a failOn type narrows it
        CircuitBreakerPolicy narrowed = CircuitBreakerPolicy.builder().failOn(IOException.class)
                .skipOn(ConnectException.class).build();
        assertThat(narrowed.counts(new IOException())).isTrue();
        assertThat(narrowed.counts(new ConnectException())).isFalse();
        assertThatThrownBy(() -> CircuitBreakerPolicy.builder().skipOn(IOException.class, null))
                .isInstanceOf(NullPointerException.class).hasMessage("skipOn[1]");
    }
}

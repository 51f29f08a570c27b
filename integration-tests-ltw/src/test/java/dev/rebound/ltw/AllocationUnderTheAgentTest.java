package dev.rebound.ltw;

import static dev.rebound.it.measure.Allocations.bytesPerCall;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.ltw.counting.Counting;
import dev.rebound.ltw.counting.Meter;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundSettings;
import org.junit.jupiter.api.Test;

/**
 * A successful call through a class the agent wove allocates nothing, as through one ajc wove
 * (integration-tests' {@code AllocationTest}): the agent inlines Rebound's advice into the class as ajc does,
 * with no closure. Measured with the JVM's per-thread allocation counter over many calls, after as many to warm
 * up; the bodies allocate nothing themselves.
 */
class AllocationUnderTheAgentTest extends VirtualClock {

    private static Counting.Tally tally() {
        Counting.Tally tally = new Counting.Tally();
        assertThat(woven(Counting.Tally.class)).isTrue();
        assertThat(Rebound.isResilient(tally)).isTrue();
        return tally;
    }

    @Test
    void anUnannotatedMethodOfAClassThatCarriesAPolicyAllocatesNothing() {
        Counting.Tally tally = tally();
        assertThat(bytesPerCall(tally::next)).isZero();
    }

    @Test
    void aRetriedMethodThatSucceedsAllocatesNothing() {
        Counting.Tally tally = tally();
        assertThat(bytesPerCall(tally::retried)).isZero();
    }

    @Test
    void aRetriedMethodWithAFallbackThatSucceedsAllocatesNothing() {
        Counting.Tally tally = tally();
        assertThat(bytesPerCall(tally::retriedOrSpare)).isZero();
    }

    /** The advice calls the method again itself while nobody observes the call: no closure there either. */
    @Test
    void aRetryThatSucceedsAllocatesNothing() {
        // no listener: what is measured is the door's and the engine's own
        ReboundSettings.setGlobal(ReboundSettings.builder().logging(false).timeSource(clock).build());
        Counting.Tally tally = tally();
        assertThat(bytesPerCall(tally::retriedAfterAFailure)).isZero();
    }

    @Test
    void aClassImplementingAnAnnotatedInterfaceAllocatesNothingOnASuccessfulCall() {
        Meter gauge = new Meter.Gauge();
        assertThat(woven(Meter.Gauge.class)).isTrue();
        assertThat(Rebound.isResilient(gauge)).isTrue();
        assertThat(bytesPerCall(() -> gauge.read("kWh").length())).isZero();
    }
}

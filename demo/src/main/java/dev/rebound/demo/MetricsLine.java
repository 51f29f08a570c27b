package dev.rebound.demo;

import dev.rebound.runtime.metrics.MicrometerListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * What Rebound's Micrometer meters counted during the demo, as one line. gpt-4's wrapper sees each
 * fallback wrapper as one attempt; the fallbacks' own attempts are in their registry.
 */
final class MetricsLine {

    final MeterRegistry primary = new SimpleMeterRegistry();
    final MeterRegistry fallbacks = new SimpleMeterRegistry();

    MicrometerListener primaryListener() {
        return new MicrometerListener(primary);
    }

    MicrometerListener fallbackListener() {
        return new MicrometerListener(fallbacks);
    }

    /**
     * {@code Metrics: calls fallback=1, attempts 6 (gpt-4 3, fallback models 3), ...}; with
     * {@code , streams.broken=N} after the calls when streams broke after their first token.
     */
    String render() {
        StringBuilder calls = new StringBuilder();
        double fallbackCalls = 0;
        for (Meter m : fallbacks.find(MicrometerListener.CALLS).meters()) {
            fallbackCalls += ((Counter) m).count();
        }
        for (Meter m : primary.find(MicrometerListener.CALLS).meters()) {
            long n = (long) ((Counter) m).count();
            if (n > 0) {
                calls.append(calls.length() == 0 ? "" : " ").append(m.getId().getTag("outcome")).append('=').append(n);
            }
        }
        // a stream that broke after its first token counts as an answered call: say it broke
        long broken = (long) sum(primary, MicrometerListener.STREAMS_BROKEN);
        if (broken > 0) {
            calls.append(", streams.broken=").append(broken);
        }
        long primaryAttempts = (long) (sum(primary, MicrometerListener.ATTEMPTS) - fallbackCalls);
        long fallbackAttempts = (long) sum(fallbacks, MicrometerListener.ATTEMPTS);
        StringBuilder switches = new StringBuilder();
        // in the chain's order (the registry's is a hash order)
        java.util.List<String> chain = new java.util.ArrayList<>();
        chain.add(ModelChain.PRIMARY);
        chain.addAll(ModelChain.FALLBACKS);
        java.util.List<Meter> pairs = new java.util.ArrayList<>(primary.find(MicrometerListener.FALLBACKS).meters());
        pairs.sort(java.util.Comparator.comparingInt(m -> chain.indexOf(m.getId().getTag("from"))));
        for (Meter m : pairs) {
            switches.append(' ').append(m.getId().getTag("from")).append("->").append(m.getId().getTag("to"))
                    .append('=').append((long) ((Counter) m).count());
        }
        Timer duration = primary.find(MicrometerListener.DURATION).timer();
        double seconds = duration == null ? 0 : duration.totalTime(TimeUnit.MILLISECONDS) / 1000.0;
        return String.format(Locale.ROOT, "Metrics: calls %s, attempts %d (gpt-4 %d, fallback models %d), fallbacks%s,"
                + " call duration %.1f s", calls, primaryAttempts + fallbackAttempts, primaryAttempts, fallbackAttempts,
                switches.length() == 0 ? " 0" : switches, seconds);
    }

    private static double sum(MeterRegistry registry, String name) {
        double total = 0;
        for (Meter m : registry.find(name).meters()) {
            total += ((Counter) m).count();
        }
        return total;
    }
}
